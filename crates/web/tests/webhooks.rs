//! Webhooks end to end, against a real HTTP receiver on loopback that checks every signature
//! itself (HMAC-SHA256 of `<t>.<body>`, computed here, not by the code under test): every event
//! the merchant may see arrives, signed; deliveries wait while the receiver is down; a failing
//! receiver sees retries with growing gaps until the delivery is dead-lettered, and dead letters
//! are listed and sent again; a subscription to a non-public address is refused.

mod support;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use redress_app::clock::Clock;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::atomic::{AtomicU16, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use support::{Fixture, Session, TestApp};

/// What the receiver got.
#[derive(Clone, Debug)]
struct Received {
    body: Value,
    /// The receiver's own check: one `v1` is the HMAC under a secret it knows, and `t` is fresh.
    verified: bool,
    /// How many `v1` signatures the header carried.
    signatures: usize,
    /// When it arrived, by the platform's clock.
    at: Timestamp,
}

struct ReceiverState {
    secrets: Mutex<Vec<String>>,
    /// The status it answers with.
    status: AtomicU16,
    /// Answers `status` this many times, then 200 (`usize::MAX`: always `status`).
    failures_left: AtomicUsize,
    received: Mutex<Vec<Received>>,
    clock: Arc<dyn Clock>,
}

struct Receiver {
    port: u16,
    state: Arc<ReceiverState>,
    server: tokio::task::JoinHandle<()>,
}

/// What a receiver does with `Redress-Signature`, written from the docs (docs/integration.md).
fn verify(header: &str, body: &[u8], secrets: &[String], now: Timestamp) -> (bool, usize) {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return (false, signatures.len()) };
    let fresh = (now.as_second() - t).abs() <= 300;
    let matches = secrets.iter().any(|secret| {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.").as_bytes());
        mac.update(body);
        let expected = hex::encode(mac.finalize().into_bytes());
        signatures.contains(&expected)
    });
    (fresh && matches, signatures.len())
}

async fn hook(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: bytes::Bytes,
) -> (AxumStatus, [(&'static str, &'static str); 1], &'static str) {
    let header = headers.get("redress-signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    let (verified, signatures) = verify(header, &body, &state.secrets.lock().unwrap(), state.clock.now());
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    state.received.lock().unwrap().push(Received { body, verified, signatures, at: state.clock.now() });
    let failing = state.failures_left.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| match n {
        0 => None,
        usize::MAX => Some(usize::MAX),
        n => Some(n - 1),
    });
    let status = if failing.is_ok() {
        AxumStatus::from_u16(state.status.load(Ordering::SeqCst)).unwrap()
    } else {
        AxumStatus::OK
    };
    // No keep-alive: once stopped, the receiver is really gone.
    (status, [("connection", "close")], if status.is_success() { "thanks" } else { "boom: receiver failed" })
}

impl Receiver {
    async fn start(clock: Arc<dyn Clock>) -> Receiver {
        Receiver::start_on(0, clock, None).await
    }

    /// On `port` (0: any), keeping `state` if given (a restart).
    async fn start_on(port: u16, clock: Arc<dyn Clock>, state: Option<Arc<ReceiverState>>) -> Receiver {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("bind receiver");
        let port = listener.local_addr().unwrap().port();
        let state = state.unwrap_or_else(|| {
            Arc::new(ReceiverState {
                secrets: Mutex::new(Vec::new()),
                status: AtomicU16::new(200),
                failures_left: AtomicUsize::new(0),
                received: Mutex::new(Vec::new()),
                clock,
            })
        });
        let app = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(state.clone());
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { port, state, server }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    fn fail_with(&self, status: u16, times: usize) {
        self.state.status.store(status, Ordering::SeqCst);
        self.state.failures_left.store(times, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    fn stop(self) -> (u16, Arc<ReceiverState>) {
        self.server.abort();
        (self.port, self.state)
    }
}

/// The shop subscribes `url` to `types`; the receiver learns the secret. Returns the id.
async fn subscribe(shop: &Session, url: &str, types: Value, receiver: Option<&Receiver>) -> String {
    let (status, body) = shop.post("/api/v1/webhooks", json!({ "url": url, "event_types": types })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let secret = body["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{body}");
    if let Some(r) = receiver {
        r.state.secrets.lock().unwrap().push(secret.to_owned());
    }
    body["id"].as_str().unwrap().to_owned()
}

async fn deliveries(shop: &Session, subscription: &str, query: &str) -> Vec<Value> {
    let (status, body) = shop.get(&format!("/api/v1/webhooks/{subscription}/deliveries{query}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

async fn delivery(shop: &Session, subscription: &str, id: &str) -> Value {
    let (status, body) = shop.get(&format!("/api/v1/webhooks/{subscription}/deliveries/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn types(received: &[Received]) -> Vec<String> {
    received.iter().map(|r| r.body["type"].as_str().unwrap().to_owned()).collect()
}

async fn filed_case(t: &TestApp, f: &Fixture, number: &str) -> String {
    let order = f.order(t, number).await;
    f.file(&order, "refund_only", "not_delivered", 39900).await
}

/// Everything the shop may see arrives once, signed, in order, with who acted and the case as
/// it stood right after: the buyer's filing, the shop's own message, the timeout the clock
/// fired, and the refund that followed.
#[tokio::test]
async fn every_event_the_merchant_may_see_arrives_signed() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let receiver = Receiver::start(t.app.clock.clone()).await;
    subscribe(&f.shop, &receiver.url(), json!(["*"]), Some(&receiver)).await;

    let case = filed_case(&t, &f, "WH-ALL-1").await;
    f.shop.ok(&case, "message", json!({ "text": "正在核实物流" })).await;
    t.advance_hours(48);
    assert_eq!(t.tick().await.timeouts_fired, 1);
    let report = t.send_webhooks().await;
    assert_eq!(report.delivered, 6, "{report:?}");
    assert_eq!(t.send_webhooks().await, Default::default(), "each delivered once");

    let got = receiver.received();
    assert!(got.iter().all(|r| r.verified && r.signatures == 1), "{got:?}");
    let mut by_seq = got.clone();
    by_seq.sort_by_key(|r| r.body["seq"].as_i64());
    assert_eq!(
        types(&by_seq),
        ["filed", "message_posted", "timed_out", "approved", "refund_started", "refund_succeeded"]
    );
    let roles: Vec<_> = by_seq.iter().map(|r| r.body["actor_role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["buyer", "merchant", "system", "system", "system", "system"]);
    let filed = &by_seq[0].body;
    assert_eq!(filed["id"], format!("{case}.1"));
    assert_eq!(filed["case_id"], case);
    assert_eq!(filed["event"]["type"], "filed");
    assert_eq!(filed["case"]["state"], "awaiting_merchant");
    assert_eq!(filed["case"]["deadline"]["waits_for"], json!(["merchant"]));
    assert_eq!(filed["case"]["deadline"]["due"], "2026-03-04T01:00:00.123456Z");
    assert_eq!(filed["case"]["amount"], 39900);
    let timed_out = &by_seq[2].body;
    assert_eq!(timed_out["case"]["state"], "awaiting_merchant", "the snapshot right after the timeout event");
    let last = &by_seq[5].body;
    assert_eq!(last["case"]["state"], "closed");
    assert_eq!(last["case"]["outcome"], "refunded");
    assert_eq!(last["case"]["refunded_total"], 39900);
    assert!(last["case"]["deadline"].is_null());
}

/// The buyer's confidential file reaches the shop's webhook as `evidence_withheld`, nothing of
/// it shown, as in the shop's timeline (the trial saw its id, hash, size and type delivered).
/// The type is one a subscription may ask for by name (a later trial found it missing from the
/// list, so only `*` received it).
#[tokio::test]
async fn the_other_sides_confidential_file_is_withheld_from_the_webhook() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let receiver = Receiver::start(t.app.clock.clone()).await;
    let (_, types) = f.shop.get("/api/v1/webhooks/event-types").await;
    assert!(types["items"].as_array().unwrap().contains(&json!("evidence_withheld")), "{types}");
    subscribe(&f.shop, &receiver.url(), json!(["evidence_withheld"]), Some(&receiver)).await;
    let case = filed_case(&t, &f, "WH-CONF-1").await;
    let secret = "病历:过敏史 机密".as_bytes();
    let body = support::multipart(&[
        ("kind", None, b"medical_record"),
        ("caption", None, "就诊记录".as_bytes()),
        ("confidential", None, b"true"),
        ("file", Some(("record.txt", "text/plain")), secret),
    ]);
    let reply = f
        .buyer
        .request(reqwest::Method::POST, &format!("/api/v1/cases/{case}/evidence"))
        .header("content-type", format!("multipart/form-data; boundary={}", support::BOUNDARY))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), reqwest::StatusCode::CREATED);
    let uploaded: Value = reply.json().await.unwrap();
    t.send_webhooks().await;
    let got = receiver.received();
    let withheld: Vec<_> = got.iter().filter(|r| r.body["seq"] == 2).collect();
    assert_eq!((withheld.len(), got.len()), (1, 1), "{got:?}");
    let delivered = &withheld[0].body;
    assert_eq!(delivered["type"], "evidence_withheld");
    assert_eq!(delivered["event"], json!({ "type": "evidence_withheld" }));
    let text = delivered.to_string();
    for hidden in [&uploaded["evidence_id"], &uploaded["sha256"]] {
        assert!(!text.contains(hidden.as_str().unwrap()), "{hidden} delivered: {text}");
    }
    assert!(!text.contains("就诊记录") && !text.contains("medical_record"), "{text}");
}

/// A subscription asks for some types only; its shop's staff and API tokens manage it, nobody
/// else sees it; a rotated secret signs beside the old one while the overlap lasts.
#[tokio::test]
async fn subscriptions_belong_to_their_shop_and_rotate_their_secret() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let receiver = Receiver::start(t.app.clock.clone()).await;
    let (status, body) = f.shop.post("/api/v1/tokens", json!({ "name": "ERP" })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut erp = t.anonymous();
    erp.token = Some(body["token"].as_str().unwrap().to_owned());
    let id = subscribe(&erp, &receiver.url(), json!(["filed", "offer_made"]), Some(&receiver)).await;

    let (status, body) = f.shop.get(&format!("/api/v1/webhooks/{id}")).await;
    assert_eq!(status, StatusCode::OK, "staff see what the token made: {body}");
    assert_eq!(body["event_types"], json!(["filed", "offer_made"]));
    assert!(body.get("secret").is_none(), "never shown again: {body}");
    assert_eq!(f.other_shop.get(&format!("/api/v1/webhooks/{id}")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(f.buyer.get("/api/v1/webhooks").await.0, StatusCode::FORBIDDEN);
    assert_eq!(f.agent.post("/api/v1/webhooks", json!({ "url": receiver.url() })).await.0, StatusCode::FORBIDDEN);
    let (status, body) =
        f.shop.post("/api/v1/webhooks", json!({ "url": receiver.url(), "event_types": ["no_such"] })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")), "{body}");
    let (status, known) = erp.get("/api/v1/webhooks/event-types").await;
    assert_eq!(status, StatusCode::OK);
    assert!(known["items"].as_array().unwrap().len() >= 30, "the derived list: {known}");

    let (status, rotated) = erp.post(&format!("/api/v1/webhooks/{id}/secret-rotation"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let new_secret = rotated["secret"].as_str().unwrap().to_owned();
    assert_eq!(rotated["previous_secret_until"], "2026-03-03T01:00:00.123456Z");
    // The receiver knows only the new secret now: both signatures are sent, the new one matches.
    *receiver.state.secrets.lock().unwrap() = vec![new_secret];

    let case = filed_case(&t, &f, "WH-TYPES-1").await;
    f.shop.ok(&case, "message", json!({ "text": "不在订阅之列" })).await;
    f.shop.ok(&case, "offer", json!({ "remedy": { "kind": "refund", "amount": 10000 }, "note": "部分退款" })).await;
    assert_eq!(t.send_webhooks().await.delivered, 2);
    let got = receiver.received();
    assert_eq!(types(&got).len(), 2);
    assert!(types(&got).contains(&"offer_made".to_owned()));
    assert!(got.iter().all(|r| r.verified && r.signatures == 2), "{got:?}");

    // After the overlap, one signature only.
    t.advance_hours(25);
    let (status, _) = f.shop.act(&case, "message", json!({ "text": "x" })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t.send_webhooks().await.delivered, 0, "a message is not among the types asked for");
    let changed = f
        .shop
        .raw(reqwest::Method::PATCH, &format!("/api/v1/webhooks/{id}"))
        .json(&json!({ "event_types": ["*"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let (status, _) = f.shop.act(&case, "message", json!({ "text": "y" })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(t.send_webhooks().await.delivered, 1, "every type now");
    let last = receiver.received().pop().unwrap();
    assert!(last.verified && last.signatures == 1, "{last:?}");

    let deleted = f.shop.raw(reqwest::Method::DELETE, &format!("/api/v1/webhooks/{id}")).send().await.unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(f.shop.get(&format!("/api/v1/webhooks/{id}")).await.0, StatusCode::NOT_FOUND);
}

/// While the receiver is down, the delivery is retried; once it is back, it arrives, once.
#[tokio::test]
async fn deliveries_wait_while_the_receiver_is_down() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let receiver = Receiver::start(t.app.clock.clone()).await;
    let id = subscribe(&f.shop, &receiver.url(), json!(["*"]), Some(&receiver)).await;
    let (port, state) = receiver.stop();

    filed_case(&t, &f, "WH-DOWN-1").await;
    for _ in 0..3 {
        let report = t.send_webhooks().await;
        assert_eq!((report.delivered, report.retried), (0, 1), "{report:?}");
        let log = deliveries(&f.shop, &id, "").await;
        assert_eq!(log.len(), 1);
        assert_eq!(log[0]["status"], "pending");
        assert!(log[0]["last_error"].as_str().unwrap().contains("connect"), "{}", log[0]);
        let next: Timestamp = log[0]["next_attempt_at"].as_str().unwrap().parse().unwrap();
        assert_eq!(t.send_webhooks().await, Default::default(), "nothing before the next attempt is due");
        t.clock.advance(next.duration_since(t.now()));
    }
    let receiver = Receiver::start_on(port, t.app.clock.clone(), Some(state)).await;
    assert_eq!(t.send_webhooks().await.delivered, 1);
    t.advance_hours(30);
    assert_eq!(t.send_webhooks().await, Default::default());
    let got = receiver.received();
    assert_eq!(types(&got), ["filed"]);
    assert!(got[0].verified);

    let log = deliveries(&f.shop, &id, "").await;
    assert_eq!(log[0]["status"], "delivered");
    let detail = delivery(&f.shop, &id, log[0]["id"].as_str().unwrap()).await;
    let attempts = detail["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 4);
    assert!(attempts[..3].iter().all(|a| a["status_code"].is_null() && a["error"].is_string()));
    assert_eq!(attempts[3]["status_code"], 200);
    assert_eq!(attempts[3]["response"], "thanks");
    assert_eq!(detail["payload"]["type"], "filed");
}

/// A receiver that answers 500 sees the attempts come with growing gaps for 24 hours; then the
/// delivery is a dead letter, listed as such, and sent again on request (alone, or with every
/// delivery since a time), with the same event id.
#[tokio::test]
async fn failing_receivers_see_growing_gaps_then_dead_letters_are_redelivered() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let receiver = Receiver::start(t.app.clock.clone()).await;
    receiver.fail_with(500, usize::MAX);
    let id = subscribe(&f.shop, &receiver.url(), json!(["filed"]), Some(&receiver)).await;
    let filed_at = t.now();
    filed_case(&t, &f, "WH-500-1").await;

    let mut dead = false;
    for _ in 0..100 {
        let report = t.send_webhooks().await;
        assert_eq!(report.delivered, 0);
        let log = deliveries(&f.shop, &id, "").await;
        if log[0]["status"] == "dead" {
            assert_eq!(report.dead, 1);
            dead = true;
            break;
        }
        let next: Timestamp = log[0]["next_attempt_at"].as_str().unwrap().parse().unwrap();
        t.clock.advance(next.duration_since(t.now()));
    }
    assert!(dead, "dead-lettered within a day of retries");
    let arrivals: Vec<Timestamp> = receiver.received().iter().map(|r| r.at).collect();
    assert!(arrivals.len() >= 15, "{} attempts", arrivals.len());
    let gaps: Vec<SignedDuration> = arrivals.windows(2).map(|w| w[1].duration_since(w[0])).collect();
    // 30 s doubling (±25 %) up to the two-hour cap: each gap longer than the one before until then.
    for pair in gaps.windows(2).take(7) {
        assert!(pair[1] > pair[0], "{gaps:?}");
    }
    assert!(gaps[0] >= SignedDuration::from_secs(22) && gaps[0] <= SignedDuration::from_secs(38), "{gaps:?}");
    assert!(gaps.iter().all(|g| *g <= SignedDuration::from_mins(150)), "{gaps:?}");
    let last = *arrivals.last().unwrap();
    assert!(last.duration_since(filed_at) <= SignedDuration::from_hours(24));
    assert!(last.duration_since(filed_at) >= SignedDuration::from_hours(20));
    assert!(receiver.received().iter().all(|r| r.verified));

    let dead_letters = deliveries(&f.shop, &id, "?status=dead").await;
    assert_eq!(dead_letters.len(), 1);
    let dead_id = dead_letters[0]["id"].as_str().unwrap().to_owned();
    let detail = delivery(&f.shop, &id, &dead_id).await;
    let attempts = detail["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), arrivals.len());
    assert!(attempts.iter().all(|a| a["status_code"] == 500 && a["response"] == "boom: receiver failed"));
    assert!(deliveries(&f.shop, &id, "?status=delivered").await.is_empty());

    // The receiver is fixed; the dead letter is sent again.
    receiver.fail_with(500, 0);
    let count_before = receiver.received().len();
    let (status, _) = f.shop.post(&format!("/api/v1/webhooks/{id}/deliveries/{dead_id}/redelivery"), json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, body) =
        f.shop.post(&format!("/api/v1/webhooks/{id}/deliveries/{dead_id}/redelivery"), json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "pending already: {body}");
    assert_eq!(t.send_webhooks().await.delivered, 1);
    let got = receiver.received();
    assert_eq!(got.len(), count_before + 1);
    assert_eq!(got.last().unwrap().body["id"], got[0].body["id"], "the same event id");
    assert_eq!(deliveries(&f.shop, &id, "?status=delivered").await.len(), 1);

    // Everything since the filing, again (a receiver that lost its data).
    let (status, body) =
        f.shop.post(&format!("/api/v1/webhooks/{id}/redeliveries"), json!({ "since": filed_at })).await;
    assert_eq!((status, body["count"].as_u64()), (StatusCode::ACCEPTED, Some(1)), "{body}");
    assert_eq!(t.send_webhooks().await.delivered, 1);
    assert_eq!(receiver.received().len(), count_before + 2);
    let (status, body) =
        f.other_shop.post(&format!("/api/v1/webhooks/{id}/redeliveries"), json!({ "since": filed_at })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

/// Without the setting, a URL whose host is private, loopback or link-local is refused when
/// subscribing, and a subscription that points there anyway (stored before, or a name re-pointed
/// since) is refused at delivery: nothing is sent.
#[tokio::test]
async fn private_addresses_are_refused_unless_allowed() {
    let t = TestApp::start_with_webhooks(Default::default()).await;
    let f = t.fixture().await;
    let receiver = Receiver::start(t.app.clock.clone()).await;
    for url in [
        receiver.url(),
        "http://localhost:8080/hook".into(),
        "http://10.0.0.7/hook".into(),
        "http://192.168.1.20:9000/hook".into(),
        "http://169.254.169.254/latest/meta-data".into(),
        "http://[::1]:8080/hook".into(),
        "http://[fd00::1]/hook".into(),
    ] {
        let (status, body) = f.shop.post("/api/v1/webhooks", json!({ "url": url, "event_types": ["*"] })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert_eq!(body["code"], "webhook_url_refused", "{url}: {body}");
    }
    let (_, body) = f.shop.get_in("en", "/api/v1/webhooks").await;
    assert_eq!(body["items"], json!([]));
    let (status, body) = f.shop.post("/api/v1/webhooks", json!({ "url": "ftp://example.com/x" })).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")));

    // Stored without the check (as if the name resolved elsewhere when subscribing).
    let now = t.now();
    for url in [receiver.url(), format!("http://localhost:{}/hook", receiver.port)] {
        t.app
            .store
            .insert_subscription(&redress_app::webhooks::Subscription {
                id: uuid::Uuid::now_v7(),
                merchant_id: f.shop_id,
                url,
                event_types: vec!["*".into()],
                active: true,
                secret: "whsec_test".into(),
                previous_secret: None,
                previous_until: None,
                created_at: now,
                updated_at: now,
            })
            .await
            .unwrap();
    }
    filed_case(&t, &f, "WH-PRIVATE-1").await;
    let report = t.send_webhooks().await;
    assert_eq!((report.delivered, report.retried), (0, 2), "{report:?}");
    assert!(receiver.received().is_empty(), "nothing reached the loopback receiver");
    let (_, subscriptions) = f.shop.get("/api/v1/webhooks").await;
    for s in subscriptions["items"].as_array().unwrap() {
        let log = deliveries(&f.shop, s["id"].as_str().unwrap(), "").await;
        assert!(log[0]["last_error"].as_str().unwrap().contains("non-public"), "{}", log[0]);
    }
}

/// On the real clock, with a policy in seconds: the running sender (woken by the commit) meets
/// two 500s, waits at least the policy's gaps, and the third attempt is delivered.
#[tokio::test]
async fn the_running_sender_retries_on_the_real_clock() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let receiver = Receiver::start(Arc::new(redress_app::clock::SystemClock)).await;
    receiver.fail_with(500, 2);
    let id = subscribe(&f.shop, &receiver.url(), json!(["filed"]), Some(&receiver)).await;

    let settings = redress_app::webhooks::WebhookSettings {
        allow_private_addresses: true,
        retry: redress_app::webhooks::retry::RetryPolicy {
            first: SignedDuration::from_secs(1),
            max_gap: SignedDuration::from_secs(4),
            window: SignedDuration::from_secs(60),
        },
        poll: std::time::Duration::from_millis(100),
        ..Default::default()
    };
    let app = redress_app::App::from(redress_app::AppParts {
        clock: Arc::new(redress_app::clock::SystemClock),
        webhooks: Arc::new(settings),
        ..t.app.parts()
    });
    let sender = redress_worker::Worker::new(app).webhooks().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(sender.run(async move {
        let _ = stopped.await;
    }));
    filed_case(&t, &f, "WH-REAL-1").await;
    // Waits for the outcome (bounded only so that a broken sender fails instead of hanging).
    for _ in 0..600 {
        if receiver.received().len() >= 3 && deliveries(&f.shop, &id, "?status=delivered").await.len() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = stop.send(());
    running.await.unwrap();
    let got = receiver.received();
    assert_eq!(got.len(), 3, "two failures, then delivered: {got:?}");
    assert!(got.iter().all(|r| r.verified));
    assert!(got.iter().all(|r| r.body["id"] == got[0].body["id"]));
    let gaps: Vec<SignedDuration> = got.windows(2).map(|w| w[1].at.duration_since(w[0].at)).collect();
    assert!(gaps[0] >= SignedDuration::from_millis(750), "{gaps:?}");
    assert!(gaps[1] >= SignedDuration::from_millis(1500), "{gaps:?}");
}
