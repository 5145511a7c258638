//! `redress export dossier` and `redress verify` as a person runs them: the demo's decided case
//! (with evidence files, one of them the shop's confidential record) exported for the buyer,
//! verified, then altered one way at a time.

use std::io::{Cursor, Read, Write};
use std::path::Path;
use std::process::{Command, Output};

fn redress(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redress"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("REDRESS_DATABASE_URL")
        .env_remove("REDRESS_S3_BUCKET")
        .env_remove("REDRESS_S3_ENDPOINT")
        .env_remove("REDRESS_CONFIG")
        .output()
        .expect("run redress")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().unwrap().into_owned(), data)
        })
        .collect()
}

fn write_zip(path: &Path, entries: &[(String, Vec<u8>)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, data) in entries {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap();
}

#[test]
fn exported_demo_dossier_verifies_and_alterations_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seeded = redress(&data, &["demo"]);
    assert!(seeded.status.success(), "{}", String::from_utf8_lossy(&seeded.stderr));
    let case = stdout(&seeded)
        .lines()
        .find_map(|l| l.trim().strip_prefix("highlighted case (evidence, decision, refund): ").map(str::to_owned))
        .expect("the demo names its decided case");

    let chain = redress(&data, &["verify-chain", &case]);
    assert!(chain.status.success() && stdout(&chain).contains("chain intact"), "{}", stdout(&chain));
    let unknown = redress(&data, &["verify-chain", "0193a5d0-7f00-7000-8000-000000000000"]);
    assert_eq!(unknown.status.code(), Some(1));
    let said = String::from_utf8_lossy(&unknown.stderr);
    assert!(said.contains("there is no case 0193a5d0-7f00-7000-8000-000000000000 in this database"), "{said}");

    let zip_path = dir.path().join("dossier.zip");
    let export = redress(&data, &["export", "dossier", &case, "-o", zip_path.to_str().unwrap(), "--for", "buyer"]);
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));

    // Without the platform's key a dossier is only consistent (a forger's reseal would be too):
    // exit code 3, and the key its seal names to compare.
    let ok = redress(&data, &["verify", zip_path.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(3), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("consistent, NOT checked against the platform's key"), "{}", stdout(&ok));
    assert!(!stdout(&ok).contains("intact"), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("2 files match their hashes, 1 withheld, 1 event redacted"), "{}", stdout(&ok));
    // The seal names its key; checked against the platform's, it holds, against another it does not.
    let key = stdout(&ok)
        .lines()
        .find_map(|l| l.strip_prefix("sealed with the key ").and_then(|rest| rest.split(':').next()).map(str::to_owned))
        .expect("the key the seal names");
    assert_eq!(key.len(), 64, "{key}");
    let against = redress(&data, &["verify", zip_path.to_str().unwrap(), "--key", &key]);
    assert_eq!(against.status.code(), Some(0), "{}", stdout(&against));
    assert!(stdout(&against).contains(": intact — case"), "{}", stdout(&against));
    // A key that is no key is a usage error, not a finding against a genuine dossier.
    let typo = redress(&data, &["verify", zip_path.to_str().unwrap(), "--key", &key[..4]]);
    assert_eq!(typo.status.code(), Some(2), "{}", stdout(&typo));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("64 hexadecimal digits"));
    assert!(stdout(&against).contains(&format!("sealed with the platform's key {key}")), "{}", stdout(&against));
    let other = redress(&data, &["verify", zip_path.to_str().unwrap(), "--key", &"ab".repeat(32)]);
    assert_eq!(other.status.code(), Some(1), "{}", stdout(&other));
    assert!(stdout(&other).contains("not the platform's"), "{}", stdout(&other));

    let original = entries(&std::fs::read(&zip_path).unwrap());
    let photo = original.iter().find(|(n, _)| n.ends_with(".png")).unwrap().0.clone();

    // One byte of the photo flipped.
    let mut flipped = original.clone();
    flipped.iter_mut().find(|(n, _)| *n == photo).unwrap().1[60] ^= 0x80;
    let altered = dir.path().join("altered.zip");
    write_zip(&altered, &flipped);
    let out = redress(&data, &["verify", altered.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains(&format!("file {photo}: altered")), "{}", stdout(&out));

    // One event removed from the manifest.
    let mut cut = original.clone();
    let manifest = &mut cut.iter_mut().find(|(n, _)| n == "manifest.json").unwrap().1;
    let mut m: serde_json::Value = serde_json::from_slice(manifest).unwrap();
    m["events"].as_array_mut().unwrap().remove(3);
    *manifest = serde_json::to_vec(&m).unwrap();
    let removed = dir.path().join("removed.zip");
    write_zip(&removed, &cut);
    let out = redress(&data, &["verify", removed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("event #5: expected event #4 (an event is missing)"), "{}", stdout(&out));

    // A message's words changed in the manifest.
    let mut edited = original.clone();
    let manifest = &mut edited.iter_mut().find(|(n, _)| n == "manifest.json").unwrap().1;
    let text = String::from_utf8(manifest.clone()).unwrap();
    assert!(text.contains("开箱即坏"), "the escalation text is in the manifest");
    *manifest = text.replacen("开箱即坏", "完好无损", 1).into_bytes();
    let changed = dir.path().join("edited.zip");
    write_zip(&changed, &edited);
    let out = redress(&data, &["verify", changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("its content does not match its hash (altered)"), "{}", stdout(&out));
    assert!(stdout(&out).contains("the manifest was changed after the platform sealed it"), "{}", stdout(&out));
}
