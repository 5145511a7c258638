//! Every party of a case is told of every move in their inbox, and by email in their language
//! when SMTP is configured: tested against a real SMTP server on loopback (aiosmtpd from PyPI,
//! in the venv `.ci/run` installs), which records what it receives.

mod smtp;
mod support;

use redress_worker::Worker;
use reqwest::StatusCode;
use serde_json::{Value, json};
use smtp::SmtpServer;
use support::{Session, TestApp};

async fn kinds(session: &Session) -> Vec<String> {
    let (status, notes) = session.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::OK, "{notes}");
    notes["items"].as_array().unwrap().iter().rev().map(|n| n["kind"].as_str().unwrap().to_owned()).collect()
}

async fn settings(session: &Session, change: Value) -> Value {
    let response = session.raw(reqwest::Method::PUT, "/api/v1/me/notification-settings").json(&change).send().await;
    let response = response.expect("PUT");
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

#[tokio::test]
async fn every_party_is_told_of_each_move_in_their_inbox_never_of_their_own() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "NOTE-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    assert_eq!(kinds(&f.shop).await, ["filed"]);
    assert!(kinds(&f.buyer).await.is_empty(), "the buyer made the move");

    f.shop.ok(&case, "offer", json!({ "remedy": { "kind": "refund", "amount": 20000 }, "note": "部分退款" })).await;
    assert_eq!(kinds(&f.buyer).await, ["offer_made"]);
    let (_, zh) = f.buyer.get("/api/v1/notifications").await;
    let (_, en) = f.buyer.get_in("en", "/api/v1/notifications").await;
    let (zh, en) = (zh["items"][0]["text"].as_str().unwrap(), en["items"][0]["text"].as_str().unwrap());
    assert!(zh.contains("商家提出方案") && zh.contains("¥200.00"), "{zh}");
    assert!(en.contains("The merchant offers a settlement: Refund, ¥200.00"), "{en}");

    f.buyer.ok(&case, "decline-offer", json!({})).await;
    f.buyer.ok(&case, "message", json!({ "text": "请全额退款" })).await;
    f.shop.ok(&case, "reject", json!({ "reason": "evidence_insufficient", "text": "无凭证" })).await;
    f.buyer.ok(&case, "escalate", json!({ "text": "商家拒绝" })).await;
    f.agent.ok(&case, "take", json!({})).await;
    f.agent.ok(&case, "message", json!({ "text": "平台已介入" })).await;
    assert_eq!(
        kinds(&f.shop).await,
        ["filed", "offer_declined", "message_posted", "escalated", "taken", "message_posted"]
    );
    assert_eq!(kinds(&f.buyer).await, ["offer_made", "rejected", "taken", "message_posted"]);
    assert!(kinds(&f.other_shop).await.is_empty() && kinds(&f.other_buyer).await.is_empty());
    assert!(kinds(&f.agent).await.is_empty(), "the agent's own moves; before the take, no agent is on the case");

    f.buyer.ok(&case, "message", json!({ "text": "谢谢" })).await;
    assert_eq!(kinds(&f.agent).await, ["message_posted"], "the assigned agent is a party now");
    assert!(kinds(&f.other_agent).await.is_empty());
}

#[tokio::test]
async fn a_timeout_that_fired_and_the_refund_it_led_to_are_told_to_both_sides() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "NOTE-TIMEOUT").await;
    f.file(&order, "refund_only", "quality_defect", 39900).await;
    t.advance_hours(49);
    t.tick().await;
    for side in [&f.buyer, &f.shop] {
        let told = kinds(side).await;
        assert!(told.contains(&"timed_out".to_owned()) && told.contains(&"refund_succeeded".to_owned()), "{told:?}");
    }
    let (_, notes) = f.buyer.get_in("en", "/api/v1/notifications").await;
    let texts = notes["items"].to_string();
    assert!(texts.contains("A deadline passed") && texts.contains("A refund of ¥399.00 was paid"), "{texts}");
}

#[tokio::test]
async fn an_account_email_is_its_own_and_the_admins_to_see_and_fills_the_12315_form() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let set = settings(&f.buyer, json!({ "email": " buyer@example.com ", "language": "en" })).await;
    assert_eq!(set["email"], "buyer@example.com");
    assert_eq!(set["language"], "en");
    assert!(set["kinds"].as_array().unwrap().iter().all(|k| k["email"] == true), "every kind is emailed by default");
    let (_, me) = f.buyer.get("/api/v1/me").await;
    assert_eq!(me["user"]["email"], "buyer@example.com", "{me}");
    let (_, users) = f.admin.get("/api/v1/users?limit=100").await;
    assert!(users.to_string().contains("buyer@example.com"));

    let order = f.order(&t, "NOTE-12315").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    let detail = f.shop.case(&case).await;
    assert!(!detail.to_string().contains("buyer@example.com"), "the merchant never sees it: {detail}");
    let (status, complaint) = f.buyer.get(&format!("/api/v1/cases/{case}/complaint-12315")).await;
    assert_eq!(status, StatusCode::OK, "{complaint}");
    assert_eq!(complaint["form"]["email"], "buyer@example.com");

    for bad in [
        json!({ "email": "not an address" }),
        json!({ "language": "fr" }),
        json!({ "kinds": [{ "kind": "nope", "email": false }] }),
    ] {
        let response =
            f.buyer.raw(reqwest::Method::PUT, "/api/v1/me/notification-settings").json(&bad).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let cleared = settings(&f.buyer, json!({ "email": null })).await;
    assert_eq!(cleared["email"], Value::Null);
    assert_eq!(cleared["language"], "en", "what is left out stays");
}

/// A fresh app and people, with a real SMTP server (started or only reserved), and a worker that
/// mails through it; `None` (skipped) without aiosmtpd.
async fn with_smtp(test: &str, started: bool) -> Option<(SmtpServer, TestApp, support::Fixture, Worker)> {
    let mut smtp = SmtpServer::reserve(SmtpServer::python(test)?);
    if started {
        smtp.start().await;
    }
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let worker = Worker::new(t.app.clone()).with_mailer(smtp.mailer());
    Some((smtp, t, f, worker))
}

async fn offer(f: &support::Fixture, case: &str) {
    f.shop.ok(case, "offer", json!({ "remedy": { "kind": "refund", "amount": 20000 }, "note": "部分退款" })).await;
}

#[tokio::test]
async fn a_buyer_whose_case_gets_an_offer_reads_it_in_the_inbox_and_by_email_in_their_language() {
    let Some((smtp, t, f, worker)) =
        with_smtp("a_buyer_whose_case_gets_an_offer_reads_it_in_the_inbox_and_by_email", true).await
    else {
        return;
    };
    settings(&f.buyer, json!({ "email": "buyer@example.com", "language": "en" })).await;
    settings(&f.shop, json!({ "email": "shop@example.com" })).await;

    let order = f.order(&t, "MAIL-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    offer(&f, &case).await;
    assert_eq!(kinds(&f.buyer).await, ["offer_made"]);
    assert_eq!(worker.tick().await.unwrap().emails_sent, 2, "the shop's `filed`, the buyer's `offer_made`");

    let to_buyer = smtp.received_by("buyer@example.com");
    assert_eq!(to_buyer.len(), 1, "{to_buyer:?}");
    let subject = to_buyer[0]["subject"].as_str().unwrap();
    let body = to_buyer[0]["body"].as_str().unwrap();
    assert!(subject.starts_with("Redress: The merchant offers a settlement: Refund"), "{subject}");
    assert!(body.contains("The merchant offers a settlement: Refund, ¥200.00") && body.contains(&case), "{body}");
    assert!(!body.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "English only: {body}");
    let to_shop = smtp.received_by("shop@example.com");
    assert_eq!(to_shop.len(), 1);
    let shop_body = to_shop[0]["body"].as_str().unwrap();
    assert!(shop_body.contains("买家提交了售后申请") && shop_body.contains("¥399.00"), "zh-CN by default: {shop_body}");

    assert_eq!(worker.tick().await.unwrap().emails_sent, 0, "never twice");
    assert_eq!(smtp.received().len(), 2);
}

#[tokio::test]
async fn a_kind_whose_email_is_off_is_told_in_the_inbox_only() {
    let Some((smtp, t, f, worker)) = with_smtp("a_kind_whose_email_is_off_is_told_in_the_inbox_only", true).await
    else {
        return;
    };
    let set = settings(
        &f.buyer,
        json!({ "email": "buyer@example.com", "kinds": [{ "kind": "offer_made", "email": false }] }),
    )
    .await;
    assert!(set["kinds"].as_array().unwrap().contains(&json!({ "kind": "offer_made", "email": false })), "{set}");
    let order = f.order(&t, "MAIL-OFF").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    offer(&f, &case).await;
    worker.tick().await.unwrap();
    assert_eq!(kinds(&f.buyer).await, ["offer_made"], "the inbox still tells it");
    assert!(smtp.received_by("buyer@example.com").is_empty());

    // Turned off after the job was written: the worker checks again when it sends.
    f.buyer.ok(&case, "decline-offer", json!({})).await;
    f.shop.ok(&case, "ask", json!({ "question": "请提供照片" })).await;
    settings(&f.buyer, json!({ "kinds": [{ "kind": "question_asked", "email": false }] })).await;
    worker.tick().await.unwrap();
    assert!(smtp.received_by("buyer@example.com").is_empty());

    // Another kind still goes out.
    f.buyer.ok(&case, "answer", json!({ "text": "已上传" })).await;
    f.shop.ok(&case, "reject", json!({ "reason": "evidence_insufficient", "text": "无凭证" })).await;
    assert_eq!(worker.tick().await.unwrap().emails_sent, 1);
    assert_eq!(smtp.received_by("buyer@example.com").len(), 1);
}

#[tokio::test]
async fn while_the_smtp_server_is_down_email_is_retried_and_delivered_once_it_is_up() {
    let Some((mut smtp, t, f, worker)) = with_smtp("while_the_smtp_server_is_down_email_is_retried", false).await
    else {
        return;
    };
    settings(&f.buyer, json!({ "email": "buyer@example.com" })).await;
    let order = f.order(&t, "MAIL-DOWN").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    offer(&f, &case).await;
    assert_eq!(worker.tick().await.unwrap().emails_sent, 0, "nobody listens");

    smtp.start().await;
    assert_eq!(worker.tick().await.unwrap().emails_sent, 0, "the retry waits its pause (30 s)");
    t.clock.advance(jiff::SignedDuration::from_secs(29));
    assert_eq!(worker.tick().await.unwrap().emails_sent, 0);
    t.clock.advance(jiff::SignedDuration::from_secs(1));
    assert_eq!(worker.tick().await.unwrap().emails_sent, 1);
    t.clock.advance(jiff::SignedDuration::from_hours(2));
    assert_eq!(worker.tick().await.unwrap().emails_sent, 0, "delivered once");
    let received = smtp.received_by("buyer@example.com");
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(received[0]["body"].as_str().unwrap().contains("商家提出方案"));
    assert!(received[0]["message_id"].as_str().unwrap().ends_with("@redress>"));
}

#[tokio::test]
async fn a_reminder_is_never_emailed_after_the_action_it_reminds_of() {
    let Some((smtp, t, f, worker)) =
        with_smtp("a_reminder_is_never_emailed_after_the_action_it_reminds_of", true).await
    else {
        return;
    };
    settings(&f.shop, json!({ "email": "shop@example.com", "language": "en" })).await;
    let order = f.order(&t, "MAIL-REM").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    worker.tick().await.unwrap();
    let reminders = || {
        smtp.received_by("shop@example.com")
            .into_iter()
            .filter(|m| m["body"].as_str().unwrap().contains("A case awaits you"))
            .count()
    };

    // 24 h before the merchant's 48 h: the reminder is written and mailed.
    t.advance_hours(24);
    assert_eq!(worker.tick().await.unwrap().reminders_sent, 1);
    assert_eq!(reminders(), 1);

    // 2 h before: the reminder is written, then the merchant acts before it is mailed.
    t.advance_hours(22);
    assert_eq!(t.app.send_deadline_reminders().await.unwrap(), 1);
    assert!(kinds(&f.shop).await.ends_with(&["deadline_reminder".to_owned(), "deadline_reminder".to_owned()]));
    f.shop.ok(&case, "approve", json!({})).await;
    worker.tick().await.unwrap();
    assert_eq!(reminders(), 1, "the action came first: no reminder of it");
}
