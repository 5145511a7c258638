//! Notification email end to end on the real system clock, in the real binary: `redress serve`
//! configured with an SMTP server (aiosmtpd on loopback) and a rehearsal policy whose hour lasts
//! a second. A silent merchant's deadline fires; the buyer, whose address an admin gave, is
//! emailed that it fired and that the refund was paid. The wait polls what the SMTP server
//! received (no timing is asserted; the bound only stops a broken build from hanging CI).

#[path = "../../web/tests/smtp/mod.rs"]
mod smtp;
mod support;

use serde_json::json;
use std::io::Write;
use std::time::{Duration, Instant};
use support::Client;

#[tokio::test]
async fn a_fired_deadline_and_its_refund_are_emailed_on_the_system_clock() {
    let Some(python) = smtp::SmtpServer::python("a_fired_deadline_and_its_refund_are_emailed_on_the_system_clock")
    else {
        return;
    };
    let mut server = smtp::SmtpServer::reserve(python);
    server.start().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.json");
    std::fs::write(&policy, r#"{ "merchant_response_hours": 2, "rehearsal_hour_seconds": 1 }"#).unwrap();
    let port = server.port.to_string();
    let envs = [
        ("REDRESS_INITIAL_POLICY", policy.to_str().unwrap()),
        ("REDRESS_WORKER_INTERVAL", "1"),
        ("REDRESS_SMTP_HOST", "127.0.0.1"),
        ("REDRESS_SMTP_PORT", port.as_str()),
        ("REDRESS_SMTP_FROM", "Redress <noreply@redress.test>"),
        ("REDRESS_SMTP_TLS", "none"),
    ];
    let mut create = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "create-user", "--login", "admin", "--name", "管理员"])
        .args(["--role", "admin", "--email", "admin@example.com"])
        .envs(envs.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("redress create-user");
    create.stdin.take().unwrap().write_all(b"admin-pass\n").unwrap();
    assert!(create.wait().unwrap().success());
    let (_serve, base, _) = support::serve(dir.path(), &["serve"], &envs, |line| line.contains("health:"));

    let admin = Client::login(&base, "admin", "admin-pass").await;
    let check = redress_law::uscc::compute_check_character("91330106MA2H3K5Q0").unwrap();
    let shop = admin
        .post(
            "/api/v1/merchants",
            json!({ "name": "山海数码旗舰店", "credit_code": format!("91330106MA2H3K5Q0{check}"), "address": "杭州市西湖区" }),
        )
        .await;
    let buyer = json!({ "login": "buyer", "password": "pass-word-1", "display_name": "王小明", "role": "buyer",
                        "email": "buyer@example.com" });
    let buyer_id = admin.post("/api/v1/users", buyer).await["id"].clone();
    let staff = json!({ "login": "shop", "password": "pass-word-1", "display_name": "店员", "role": "merchant",
                        "merchant_id": shop["id"] });
    admin.post("/api/v1/users", staff).await;
    let buyer = Client::login(&base, "buyer", "pass-word-1").await;
    let signed = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(24)).unwrap();
    let order = admin
        .post(
            "/api/v1/orders",
            json!({
                "number": "EM-1", "merchant_id": shop["id"], "buyer_id": buyer_id, "channel": "channels_shop",
                "items": [{ "sku": "EB-PRO-2", "title": "降噪蓝牙耳机", "quantity": 1, "unit_price": 39900 }],
                "amount_paid": 39900, "paid_at": signed, "shipped_at": signed, "signed_at": signed
            }),
        )
        .await;
    let filed = buyer
        .post(
            "/api/v1/cases",
            json!({ "order_id": order["id"], "kind": "refund_only", "reason": "quality_defect",
                    "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 39900,
                    "description": "签收当天发现左耳无声,要求退款。" }),
        )
        .await;
    let case = filed["case"]["id"].as_str().expect("filed").to_owned();

    let give_up = Instant::now() + Duration::from_secs(60);
    let told =
        |text: &str| server.received_by("buyer@example.com").iter().any(|m| m["body"].as_str().unwrap().contains(text));
    while !(told("处理期限已到") && told("退款 ¥399.00 已到账")) {
        assert!(Instant::now() < give_up, "never emailed: {:?}", server.received());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mails = server.received_by("buyer@example.com");
    assert!(mails.iter().all(|m| m["body"].as_str().unwrap().contains(&case)), "{mails:?}");
    assert!(mails.iter().all(|m| m["body"].as_str().unwrap().contains("王小明")), "{mails:?}");
}
