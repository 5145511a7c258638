//! `redress import orders FILE`, the real binary on a demo database: the same 10,000-order file
//! imported twice leaves 10,000 orders; a file with bad rows imports the good ones and reports
//! each bad one by line and field, and says so in its exit code.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Output};

const CLOCK_START: &str = "2027-06-01T01:30:00.123456789Z";

fn import(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["--data-dir", dir.to_str().unwrap(), "import", "orders"])
        .args(args)
        .env("REDRESS_CLOCK_START", CLOCK_START)
        .env("RUST_LOG", "error")
        .output()
        .expect("run redress")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The ids of the demo's shops and buyers, read through the API of a running server (which
/// stays up: imports share the database with it).
struct Demo {
    _server: support::Server,
    admin: support::Client,
    shops: [String; 2],
    buyers: [String; 2],
}

async fn demo(dir: &Path) -> Demo {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (server, base, _) = support::serve(dir, &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |l| {
        l.contains("admin") && l.contains("admin-pass")
    });
    let me = async |login: &str, password: &str, field: &str| -> String {
        let me = support::Client::login(&base, login, password).await.get("/api/v1/me").await;
        me["user"][field].as_str().unwrap().to_owned()
    };
    Demo {
        shops: [me("shop", "shop-pass", "merchant_id").await, me("shop2", "shop-pass", "merchant_id").await],
        buyers: [me("buyer", "buyer-pass", "id").await, me("buyer2", "buyer-pass", "id").await],
        admin: support::Client::login(&base, "admin", "admin-pass").await,
        _server: server,
    }
}

/// Orders whose number starts with `prefix`, counted through the API (newest first, by pages).
async fn count_orders(admin: &support::Client, prefix: &str) -> usize {
    let (mut count, mut before) = (0, None::<String>);
    loop {
        let cursor = before.as_ref().map(|b| format!("&before={b}")).unwrap_or_default();
        let page: Value = admin.get(&format!("/api/v1/orders?limit=100{cursor}")).await;
        let items = page["items"].as_array().unwrap();
        count += items.iter().filter(|o| o["number"].as_str().unwrap().starts_with(prefix)).count();
        match page["next_before"].as_str() {
            Some(next) => before = Some(next.to_owned()),
            None => return count,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_ten_thousand_orders_imported_twice_are_ten_thousand() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    // Every tenth order has a second line item, on the next row.
    let mut csv = String::from(
        "number,merchant_id,buyer_id,channel,amount_paid,freight,paid_at,signed_at,sku,title,quantity,unit_price\n",
    );
    for i in 0..10_000 {
        let (shop, buyer) = (&demo.shops[i % 2], &demo.buyers[i / 2 % 2]);
        let paid = if i % 10 == 0 { 39900 + 4900 + 800 } else { 39900 + 800 };
        csv.push_str(&format!(
            "IMP-{i:05},{shop},{buyer},mini_program,{paid},800,2027-05-20T02:00:00Z,2027-05-22T06:00:00Z,EB-1,\"降噪耳机, 白色\",1,39900\n"
        ));
        if i % 10 == 0 {
            csv.push_str(&format!("IMP-{i:05},{shop},,,,,,,CASE-1,耳机保护套,1,4900\n"));
        }
    }
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, csv).unwrap();

    let first = import(dir.path(), &[file.to_str().unwrap()]);
    assert!(first.status.success(), "{}{}", stdout(&first), String::from_utf8_lossy(&first.stderr));
    assert!(stdout(&first).ends_with(": 10000 imported, 0 already present, 0 refused\n"), "{}", stdout(&first));
    // Not a terminal: progress is plain lines on standard error.
    assert!(
        String::from_utf8_lossy(&first.stderr).contains("import: 100% read"),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let again = import(dir.path(), &[file.to_str().unwrap()]);
    assert!(again.status.success(), "{}", stdout(&again));
    assert!(stdout(&again).ends_with(": 0 imported, 10000 already present, 0 refused\n"), "{}", stdout(&again));

    assert_eq!(count_orders(&demo.admin, "IMP-").await, 10_000);
    let page: Value = demo.admin.get("/api/v1/orders?limit=100").await;
    let with_case = page["items"].as_array().unwrap().iter().find(|o| o["number"] == "IMP-09990").unwrap();
    assert_eq!(with_case["items"].as_array().unwrap().len(), 2, "two rows, one order: {with_case}");
    assert_eq!(with_case["items"][0]["title"], "降噪耳机, 白色");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_are_reported_by_line_and_field_and_the_good_ones_imported() {
    let dir = tempfile::tempdir().unwrap();
    let demo = demo(dir.path()).await;
    let [shop, _] = &demo.shops;
    let [buyer, _] = &demo.buyers;
    let row = |number: &str, quantity: &str, paid: &str, buyer: &str, price: &str| {
        format!("{number},{shop},{buyer},web,{paid},2027-05-20T02:00:00Z,EB-1,耳机,{quantity},{price}\n")
    };
    let csv = [
        "number,merchant_id,buyer_id,channel,amount_paid,paid_at,sku,title,quantity,unit_price\n".to_owned(),
        row("BAD-1", "1", "39900", buyer, "39900"),          // line 2: good
        row("BAD-2", "two", "39900", buyer, "39900"),        // line 3: quantity
        row("BAD-3", "1", "99900", buyer, "39900"),          // line 4: paid more than the items
        row("BAD-4", "1", "39900", shop, "39900"),           // line 5: not a buyer
        row("BAD-5", "1", "41900", buyer, "39900"),          // line 6: good, with a second item
        format!("BAD-5,{shop},,,,,CASE-1,保护套,1,19.90\n"), // line 7: a price in yuan, not fen
        "BAD-6,too,few\n".to_owned(),                        // line 8: not a row of this file
        row("BAD-7", "1", "39900", buyer, "39900"),          // line 9: good
    ]
    .concat();
    let file = dir.path().join("orders.csv");
    std::fs::write(&file, csv).unwrap();
    let output = import(dir.path(), &[file.to_str().unwrap()]);
    let said = stdout(&output);
    assert_eq!(output.status.code(), Some(2), "some refused: {said}");
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines.len(), 6, "{said}");
    // The report's words are the catalogue's (English), not serde's.
    assert_eq!(lines[0], "line 3, column quantity: takes an integer.", "{said}");
    assert!(lines[1].starts_with("line 4, column amount_paid: at most the items"), "{said}");
    assert_eq!(lines[2], "line 5, column buyer_id: no such buyer.");
    assert_eq!(
        lines[3], "line 7, column unit_price: takes an amount in whole fen (an integer: ¥12.50 is 1250).",
        "{said}"
    );
    assert!(lines[4].starts_with("line 8: not a CSV row"), "{said}");
    assert!(lines[5].ends_with(": 2 imported, 0 already present, 5 refused"), "{said}");
    assert_eq!(count_orders(&demo.admin, "BAD-").await, 2);

    // JSON Lines: the same report, with the field's path.
    let good = json!({ "number": "JL-1", "merchant_id": shop, "buyer_id": buyer, "channel": "app",
        "items": [{ "sku": "A", "title": "a", "quantity": 1, "unit_price": 100 }], "amount_paid": 100 });
    let mut bad = good.clone();
    bad["number"] = json!("JL-2");
    bad["items"][0]["quantity"] = json!(0);
    let jsonl = format!("{good}\n\n{bad}\n{{\"number\": \n");
    let file = dir.path().join("orders.data");
    std::fs::write(&file, jsonl).unwrap();
    let unsure = import(dir.path(), &[file.to_str().unwrap()]);
    assert_eq!(unsure.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unsure.stderr).contains("--format"));
    let output = import(dir.path(), &["--format", "jsonl", file.to_str().unwrap()]);
    let said = stdout(&output);
    assert_eq!(output.status.code(), Some(2), "{said}");
    let lines: Vec<&str> = said.lines().collect();
    assert_eq!(lines[0], "line 3, field items[0].quantity: from 1 to 100000.", "{said}");
    assert!(lines[1].starts_with("line 4: not a JSON object"), "{said}");
    assert!(lines[2].ends_with(": 1 imported, 0 already present, 2 refused"), "{said}");
    // A second run: the good one is already there.
    let output = import(dir.path(), &["--format", "jsonl", file.to_str().unwrap()]);
    assert!(stdout(&output).ends_with(": 0 imported, 1 already present, 2 refused\n"), "{}", stdout(&output));
}
