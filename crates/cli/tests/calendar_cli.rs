//! `redress calendar show` names the provisional year and what to import; `calendar import`
//! says what it recounted, and the warning goes.

use std::process::{Command, Output};

fn redress(dir: &std::path::Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["--data-dir", dir.to_str().unwrap()])
        .args(args)
        // 12 days before 2027 starts, which has no notice.
        .env("REDRESS_CLOCK_START", "2026-12-20T02:00:00.123456789Z")
        .env("RUST_LOG", "error")
        .output()
        .expect("run redress");
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

#[test]
fn calendar_show_warns_of_the_provisional_year_until_its_notice_is_imported() {
    let dir = tempfile::tempdir().unwrap();
    let shown = redress(dir.path(), &["calendar", "show"]);
    let warning = String::from_utf8_lossy(&shown.stderr);
    assert!(warning.contains("calendar year 2027 is provisional") && warning.contains("import"), "{warning}");
    // Standard output stays a calendar file that `calendar import` takes back.
    let file: serde_json::Value = serde_json::from_slice(&shown.stdout).unwrap();
    assert_eq!(file["provisional_years"][0]["year"], 2027);
    let exported = dir.path().join("exported.json");
    std::fs::write(&exported, &shown.stdout).unwrap();
    redress(dir.path(), &["calendar", "import", exported.to_str().unwrap()]);

    let notice = dir.path().join("2027.json");
    std::fs::write(
        &notice,
        r#"{ "years": [{ "year": 2027, "source": "测试用数据(非官方通知)",
            "holidays": [{ "name": "元旦", "start": "2027-01-01" }], "make_up_workdays": [] }] }"#,
    )
    .unwrap();
    let imported = redress(dir.path(), &["calendar", "import", notice.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&imported.stdout);
    assert!(said.contains("[2027]") && said.contains("deadlines recounted: 0"), "{said}");
    let shown = redress(dir.path(), &["calendar", "show"]);
    assert!(!String::from_utf8_lossy(&shown.stderr).contains("provisional"));
}
