//! Every party of a case is told of every move in their inbox, and by email in their language
//! when SMTP is configured: tested against a real SMTP server on loopback (aiosmtpd from PyPI,
//! in the venv `.ci/run` installs), which records what it receives.

mod support;

use redress_worker::Worker;
use redress_worker::email::{Mailer, SmtpConfig, SmtpTls};
use reqwest::StatusCode;
use serde_json::{Value, json};
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
    assert!(en.contains("The merchant offers Refund of ¥200.00"), "{en}");

    f.buyer.ok(&case, "decline-offer", json!({})).await;
    f.buyer.ok(&case, "message", json!({ "text": "请全额退款" })).await;
    f.shop.ok(&case, "reject", json!({ "reason": "evidence_insufficient", "text": "无凭证" })).await;
    f.buyer.ok(&case, "escalate", json!({ "text": "商家拒绝" })).await;
    f.agent.ok(&case, "take", json!({})).await;
    f.agent.ok(&case, "message", json!({ "text": "平台已介入" })).await;
    assert_eq!(kinds(&f.shop).await, ["filed", "offer_declined", "message_posted", "escalated", "taken", "message_posted"]);
    assert_eq!(kinds(&f.buyer).await, ["offer_made", "rejected", "taken", "message_posted"]);
    assert!(kinds(&f.other_shop).await.is_empty() && kinds(&f.other_buyer).await.is_empty());
    assert!(kinds(&f.agent).await.is_empty(), "the agent's own moves; before the take, no agent is on the case");

    f.buyer.ok(&case, "message", json!({ "text": "谢谢" })).await;
    assert_eq!(kinds(&f.agent).await, ["message_posted"], "the assigned agent is a party now");
    assert!(kinds(&f.other_agent).await.is_empty());
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

    for bad in [json!({ "email": "not an address" }), json!({ "language": "fr" }), json!({ "kinds": [{ "kind": "nope", "email": false }] })] {
        let response = f.buyer.raw(reqwest::Method::PUT, "/api/v1/me/notification-settings").json(&bad).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let cleared = settings(&f.buyer, json!({ "email": null })).await;
    assert_eq!(cleared["email"], Value::Null);
    assert_eq!(cleared["language"], "en", "what is left out stays");
}

/// A real SMTP server on loopback (aiosmtpd), writing each message it receives, decoded by
/// Python's own email parser, as one JSON line.
struct SmtpServer {
    port: u16,
    log: std::path::PathBuf,
    python: std::path::PathBuf,
    child: Option<tokio::process::Child>,
    _dir: tempfile::TempDir,
}

const SERVER: &str = r#"
import asyncio, json, sys, email
from email import policy
from aiosmtpd.controller import Controller

class Record:
    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        told = {"to": envelope.rcpt_tos, "subject": str(msg["subject"]), "message_id": str(msg["message-id"]),
                "body": msg.get_body(("plain",)).get_content()}
        with open(sys.argv[2], "a", encoding="utf-8") as log:
            log.write(json.dumps(told, ensure_ascii=False) + "\n")
        return "250 OK"

controller = Controller(Record(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"#;

impl SmtpServer {
    /// The venv's Python with aiosmtpd, or `None` with a note (CI: `REDRESS_REQUIRE_SMTP=1` fails).
    fn python(test: &str) -> Option<std::path::PathBuf> {
        let venv = std::env::var_os("REDRESS_AIOSMTPD_VENV").map(std::path::PathBuf::from).unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME").map(std::path::PathBuf::from).unwrap_or_else(|| {
                std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache")
            });
            cache.join("redress-ci/venv-aiosmtpd")
        });
        let python = venv.join("bin/python");
        let works = std::process::Command::new(&python)
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success());
        if works {
            return Some(python);
        }
        let reason = format!("no aiosmtpd at {} (see .ci/run)", venv.display());
        assert!(std::env::var("REDRESS_REQUIRE_SMTP").as_deref() != Ok("1"), "REDRESS_REQUIRE_SMTP=1 but {reason}");
        redress_store::skipped::note(test, &reason);
        None
    }

    /// A server on a free port, not started yet.
    fn reserve(python: std::path::PathBuf) -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        SmtpServer { port, log: dir.path().join("received.jsonl"), python, child: None, _dir: dir }
    }

    async fn start(&mut self) {
        use tokio::io::AsyncBufReadExt;
        let mut child = tokio::process::Command::new(&self.python)
            .args(["-c", SERVER, &self.port.to_string(), self.log.to_str().unwrap()])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start aiosmtpd");
        let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
        assert_eq!(lines.next_line().await.unwrap().as_deref(), Some("ready"));
        self.child = Some(child);
    }

    fn mailer(&self) -> Mailer {
        Mailer::new(&SmtpConfig {
            host: "127.0.0.1".into(),
            port: Some(self.port),
            from: "Redress <noreply@redress.test>".into(),
            tls: SmtpTls::None,
            username: None,
            password: None,
        })
        .unwrap()
    }

    /// Every message received so far.
    fn received(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    fn received_by(&self, address: &str) -> Vec<Value> {
        self.received().into_iter().filter(|m| m["to"] == json!([address])).collect()
    }
}

async fn offer(f: &support::Fixture, case: &str) {
    f.shop.ok(case, "offer", json!({ "remedy": { "kind": "refund", "amount": 20000 }, "note": "部分退款" })).await;
}

#[tokio::test]
async fn a_buyer_whose_case_gets_an_offer_reads_it_in_the_inbox_and_by_email_in_their_language() {
    let Some(python) = SmtpServer::python("a_buyer_whose_case_gets_an_offer_reads_it_in_the_inbox_and_by_email") else {
        return;
    };
    let mut smtp = SmtpServer::reserve(python);
    smtp.start().await;
    let t = TestApp::start().await;
    let f = t.fixture().await;
    settings(&f.buyer, json!({ "email": "buyer@example.com", "language": "en" })).await;
    settings(&f.shop, json!({ "email": "shop@example.com" })).await;
    let worker = Worker::new(t.app.clone()).with_mailer(smtp.mailer());

    let order = f.order(&t, "MAIL-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    offer(&f, &case).await;
    assert_eq!(kinds(&f.buyer).await, ["offer_made"]);
    assert_eq!(worker.tick().await.unwrap().emails_sent, 2, "the shop's `filed`, the buyer's `offer_made`");

    let to_buyer = smtp.received_by("buyer@example.com");
    assert_eq!(to_buyer.len(), 1, "{to_buyer:?}");
    let subject = to_buyer[0]["subject"].as_str().unwrap();
    let body = to_buyer[0]["body"].as_str().unwrap();
    assert!(subject.starts_with("Redress: The merchant offers Refund"), "{subject}");
    assert!(body.contains("The merchant offers Refund of ¥200.00") && body.contains(&case), "{body}");
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
    let Some(python) = SmtpServer::python("a_kind_whose_email_is_off_is_told_in_the_inbox_only") else { return };
    let mut smtp = SmtpServer::reserve(python);
    smtp.start().await;
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let set =
        settings(&f.buyer, json!({ "email": "buyer@example.com", "kinds": [{ "kind": "offer_made", "email": false }] }))
            .await;
    assert!(set["kinds"].as_array().unwrap().contains(&json!({ "kind": "offer_made", "email": false })), "{set}");
    let worker = Worker::new(t.app.clone()).with_mailer(smtp.mailer());
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
    let Some(python) = SmtpServer::python("while_the_smtp_server_is_down_email_is_retried") else { return };
    let mut smtp = SmtpServer::reserve(python);
    let t = TestApp::start().await;
    let f = t.fixture().await;
    settings(&f.buyer, json!({ "email": "buyer@example.com" })).await;
    let worker = Worker::new(t.app.clone()).with_mailer(smtp.mailer());
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
    let Some(python) = SmtpServer::python("a_reminder_is_never_emailed_after_the_action_it_reminds_of") else {
        return;
    };
    let mut smtp = SmtpServer::reserve(python);
    smtp.start().await;
    let t = TestApp::start().await;
    let f = t.fixture().await;
    settings(&f.shop, json!({ "email": "shop@example.com", "language": "en" })).await;
    let worker = Worker::new(t.app.clone()).with_mailer(smtp.mailer());
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
