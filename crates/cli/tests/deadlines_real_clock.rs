//! Deadlines fire on the real system clock (nanoseconds and all), in the real binary: `redress
//! serve` with a rehearsal policy whose natural-time hour lasts one second. A silent merchant's
//! case is approved and refunded, an unconfirmed return is refunded, an evidence request expires.
//! Each wait polls the API until the worker has acted (no timing is asserted; the bound only
//! stops a broken build from hanging CI).

mod support;

use serde_json::{Value, json};
use std::io::Write;
use std::time::{Duration, Instant};
use support::Client;

/// Natural-time deadlines of 2 "hours" = 2 seconds for the three waits under test.
const POLICY: &str = r#"{
    "merchant_response_hours": 2,
    "return_receipt_hours": 2,
    "evidence_hours": 2,
    "rehearsal_hour_seconds": 1
}"#;

fn create_admin(dir: &std::path::Path, envs: &[(&str, &str)]) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["--data-dir", dir.to_str().unwrap(), "create-user", "--login", "admin", "--name", "管理员", "--role"])
        .arg("admin")
        .envs(envs.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("redress create-user");
    child.stdin.take().unwrap().write_all(b"admin-pass\n").unwrap();
    assert!(child.wait().unwrap().success());
}

/// Polls the case until `done` holds (the worker passes every second).
async fn until(client: &Client, case: &str, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        let detail = client.get(&format!("/api/v1/cases/{case}")).await;
        if done(&detail) {
            return detail;
        }
        assert!(Instant::now() < give_up, "{what} never happened: {detail}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn types(detail: &Value) -> Vec<&str> {
    detail["timeline"].as_array().unwrap().iter().map(|e| e["body"]["type"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn natural_deadlines_fire_on_the_system_clock() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, POLICY).unwrap();
    let envs = [("REDRESS_INITIAL_POLICY", policy.to_str().unwrap()), ("REDRESS_WORKER_INTERVAL", "1")];
    create_admin(dir.path(), &envs);
    let (_server, base, _) = support::serve(dir.path(), &["serve"], &envs, |line| line.contains("health:"));

    let admin = Client::login(&base, "admin", "admin-pass").await;
    let check = redress_law::uscc::compute_check_character("91330106MA2H3K5Q0").unwrap();
    let shop = admin
        .post(
            "/api/v1/merchants",
            json!({ "name": "山海数码旗舰店", "credit_code": format!("91330106MA2H3K5Q0{check}"), "address": "杭州市西湖区" }),
        )
        .await;
    let user = |login: &str, role: &str, merchant: Option<&Value>| {
        json!({ "login": login, "password": "pass-word-1", "display_name": login, "role": role,
                "merchant_id": merchant, "phone": "13812341234", "address": "上海市浦东新区" })
    };
    let buyer_id = admin.post("/api/v1/users", user("buyer", "buyer", None)).await["id"].clone();
    admin.post("/api/v1/users", user("shop", "merchant", Some(&shop["id"]))).await;
    admin.post("/api/v1/users", user("agent", "agent", None)).await;
    let buyer = Client::login(&base, "buyer", "pass-word-1").await;
    let merchant = Client::login(&base, "shop", "pass-word-1").await;
    let agent = Client::login(&base, "agent", "pass-word-1").await;

    let signed = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24)).unwrap();
    let file = async |number: &str, kind: &str| -> String {
        let order = admin
            .post(
                "/api/v1/orders",
                json!({
                    "number": number, "merchant_id": shop["id"], "buyer_id": buyer_id, "channel": "channels_shop",
                    "items": [{ "sku": "EB-PRO-2", "title": "降噪蓝牙耳机", "quantity": 1, "unit_price": 39900 }],
                    "amount_paid": 39900, "paid_at": signed, "shipped_at": signed, "signed_at": signed
                }),
            )
            .await;
        let filed = buyer
            .post(
                "/api/v1/cases",
                json!({ "order_id": order["id"], "kind": kind, "reason": "quality_defect",
                        "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 39900,
                        "description": "签收当天发现左耳无声,要求退款。" }),
            )
            .await;
        filed["case"]["id"].as_str().unwrap().to_owned()
    };

    // 1. The merchant never answers: approved as requested, and refunded.
    let silent = file("RT-1", "refund_only").await;
    // 2. The merchant approves a return, the buyer ships it, the merchant never confirms receipt.
    let returned = file("RT-2", "return_refund").await;
    merchant.post(&format!("/api/v1/cases/{returned}/actions/approve"), json!({})).await;
    buyer
        .post(
            &format!("/api/v1/cases/{returned}/actions/ship-return"),
            json!({ "carrier": "顺丰", "tracking_no": "SF1" }),
        )
        .await;
    // 3. The platform asks the buyer for evidence that never comes.
    let asked = file("RT-3", "refund_only").await;
    merchant
        .post(&format!("/api/v1/cases/{asked}/actions/reject"), json!({ "reason": "other", "text": "不同意" }))
        .await;
    buyer.post(&format!("/api/v1/cases/{asked}/actions/escalate"), json!({ "text": "申请平台介入" })).await;
    agent
        .post(
            &format!("/api/v1/cases/{asked}/actions/request-evidence"),
            json!({ "party": "buyer", "what": "故障视频", "due_in_hours": 2 }),
        )
        .await;

    let detail = until(&buyer, &silent, "auto-approval and refund", |d| d["case"]["outcome"] == "refunded").await;
    assert!(types(&detail).contains(&"timed_out"), "{detail}");
    assert!(types(&detail).contains(&"approved"));
    let detail = until(&buyer, &returned, "auto-refund of the return", |d| d["case"]["outcome"] == "refunded").await;
    assert!(types(&detail).contains(&"timed_out"), "{detail}");
    let detail = until(&agent, &asked, "evidence request expiry", |d| types(d).contains(&"timed_out")).await;
    assert_eq!(detail["case"]["state"], "platform_review", "{detail}");
}
