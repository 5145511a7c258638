//! The test harness: the real router on an ephemeral port over a fresh SQLite database, a
//! manual clock, the real worker, and a fixture of people, shops and an order.
#![allow(dead_code)]

use jiff::{SignedDuration, Timestamp};
use redress_app::auth::hash_password;
use redress_app::clock::ManualClock;
use redress_app::ports::User;
use redress_app::{App, AppParts, Role};
use redress_domain::order::Merchant;
use redress_domain::{MerchantId, UserId};
use redress_worker::{TickReport, Worker};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{Read as _, Write as _};
use std::sync::Arc;

/// Monday 2026-03-02 09:00 in Shanghai: a working day well inside the calendar.
/// Sub-microsecond parts on purpose: a real clock has them, and whole seconds hide precision bugs.
pub const START: &str = "2026-03-02T01:00:00.123456789Z";
pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: Arc<ManualClock>,
    worker: Worker,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// Where a test keeps evidence files.
pub enum Storage {
    Local,
    S3(redress_store::blobs::S3Config),
}

/// The S3-compatible server of `REDRESS_TEST_S3_ENDPOINT` (bucket `REDRESS_TEST_S3_BUCKET`, default
/// `redress-test`), or `None` with a note. With `REDRESS_REQUIRE_S3=1` (CI) a missing endpoint
/// fails the test instead of skipping it.
pub fn s3_storage(test: &str) -> Option<Storage> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    match var("REDRESS_TEST_S3_ENDPOINT") {
        Some(endpoint) => Some(Storage::S3(redress_store::blobs::S3Config {
            endpoint: Some(endpoint),
            bucket: var("REDRESS_TEST_S3_BUCKET").unwrap_or_else(|| "redress-test".into()),
            region: var("REDRESS_TEST_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
            access_key: Some(var("REDRESS_TEST_S3_ACCESS_KEY").unwrap_or_else(|| "testing".into())),
            secret_key: Some(var("REDRESS_TEST_S3_SECRET_KEY").unwrap_or_else(|| "testing".into())),
        })),
        None if std::env::var("REDRESS_REQUIRE_S3").as_deref() == Ok("1") => {
            panic!(
                "REDRESS_REQUIRE_S3=1 but REDRESS_TEST_S3_ENDPOINT is not set: start an S3-compatible server (see .ci/run)"
            )
        }
        None => {
            redress_store::skipped::note(test, "REDRESS_TEST_S3_ENDPOINT is not set");
            None
        }
    }
}

/// Tests run their webhook receivers on loopback.
pub fn loopback_webhooks() -> redress_app::webhooks::WebhookSettings {
    redress_app::webhooks::WebhookSettings { allow_private_addresses: true, ..Default::default() }
}

pub struct Fixture {
    pub buyer: Session,
    pub other_buyer: Session,
    pub shop: Session,
    pub other_shop: Session,
    pub agent: Session,
    pub other_agent: Session,
    pub admin: Session,
    pub shop_id: MerchantId,
    pub other_shop_id: MerchantId,
    pub buyer_id: UserId,
    pub other_buyer_id: UserId,
}

#[derive(Clone)]
pub struct Session {
    pub base: String,
    pub token: Option<String>,
    client: reqwest::Client,
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::start_with(Storage::Local, Default::default()).await
    }

    /// With evidence files in `storage` and these limits.
    pub async fn start_with(storage: Storage, evidence_limits: redress_app::evidence::EvidenceLimits) -> TestApp {
        // Tests send far faster than people: rate limits are tested where they are set.
        TestApp::start_serving(
            storage,
            evidence_limits,
            redress_web::Limits::default().without_rates(),
            loopback_webhooks(),
        )
        .await
    }

    /// With webhooks sent as `webhooks` says (the others allow loopback receivers).
    pub async fn start_with_webhooks(webhooks: redress_app::webhooks::WebhookSettings) -> TestApp {
        TestApp::start_serving(
            Storage::Local,
            Default::default(),
            redress_web::Limits::default().without_rates(),
            webhooks,
        )
        .await
    }

    /// With these timeouts, connection cap and rate limits.
    pub async fn start_limited(limits: redress_web::Limits) -> TestApp {
        TestApp::start_serving(Storage::Local, Default::default(), limits, loopback_webhooks()).await
    }

    async fn start_serving(
        storage: Storage,
        evidence_limits: redress_app::evidence::EvidenceLimits,
        limits: redress_web::Limits,
        webhooks: redress_app::webhooks::WebhookSettings,
    ) -> TestApp {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let dir = tempfile::tempdir().expect("temp dir");
        let blobs = match storage {
            Storage::Local => {
                redress_store::blobs::ObjectBlobs::local(&dir.path().join("evidence")).expect("local blobs")
            }
            // Each test run writes under its own prefix of the shared bucket.
            Storage::S3(config) => redress_store::blobs::ObjectBlobs::s3(&config)
                .expect("s3 blobs")
                .prefixed(&format!("test-{}", uuid::Uuid::now_v7())),
        };
        let url = format!("sqlite://{}", dir.path().join("redress.db").display());
        redress_store::migrate(&url).await.expect("migrate");
        let store = redress_store::connect(&url).await.expect("connect");
        let clock = Arc::new(ManualClock::new(START.parse().unwrap()));
        let app = App::from(AppParts {
            evidence_limits,
            webhooks: Arc::new(webhooks),
            ..AppParts::new(store, clock.clone(), Arc::new(blobs))
        });
        app.ensure_policy().await.expect("policy");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(redress_web::serve_with(listener, app.clone(), limits, std::future::pending()));
        TestApp { base, worker: Worker::new(app.clone()), app, clock, client: reqwest::Client::new(), _dir: dir }
    }

    pub fn anonymous(&self) -> Session {
        Session { base: self.base.clone(), token: None, client: self.client.clone() }
    }

    pub fn advance_hours(&self, hours: i64) {
        self.clock.advance(SignedDuration::from_hours(hours));
    }

    pub fn now(&self) -> Timestamp {
        self.app.clock.now()
    }

    /// Runs the background worker once, as `redress worker` would on its next pass.
    pub async fn tick(&self) -> TickReport {
        self.worker.tick().await.expect("worker tick")
    }

    /// Runs the webhook sender once: fans out what is waiting and makes every attempt due now.
    pub async fn send_webhooks(&self) -> redress_worker::webhooks::WebhookReport {
        self.worker.webhooks().expect("webhook sender").tick().await.expect("webhook pass")
    }

    pub async fn add_merchant(&self, name: &str) -> MerchantId {
        let id = MerchantId(uuid::Uuid::now_v7());
        let check = redress_law::uscc::compute_check_character("91330106MA2H3K5Q0").unwrap();
        let merchant = Merchant {
            id,
            name: name.into(),
            credit_code: format!("91330106MA2H3K5Q0{check}"),
            address: "杭州市西湖区".into(),
            phone: None,
        };
        self.app.store.insert_merchant(&merchant, self.now()).await.unwrap();
        id
    }

    pub async fn add_user(&self, login: &str, role: Role, merchant: Option<MerchantId>) -> UserId {
        let user = User {
            id: UserId(uuid::Uuid::now_v7()),
            login: login.into(),
            display_name: login.into(),
            role,
            merchant_id: merchant,
            phone: Some("13812341234".into()),
            address: Some("上海市浦东新区".into()),
            email: None,
        };
        self.app.store.insert_user(&user, &hash_password(PASSWORD).unwrap(), self.now()).await.unwrap();
        user.id
    }

    pub async fn login(&self, login: &str) -> Session {
        let (status, body) =
            self.anonymous().post("/api/v1/auth/login", json!({ "login": login, "password": PASSWORD })).await;
        assert_eq!(status, StatusCode::OK, "login {login}: {body}");
        Session {
            base: self.base.clone(),
            token: Some(body["token"].as_str().unwrap().to_owned()),
            client: self.client.clone(),
        }
    }

    /// Two shops with staff, two buyers, two agents and an admin, all logged in.
    pub async fn fixture(&self) -> Fixture {
        let shop_id = self.add_merchant("山海数码旗舰店").await;
        let other_shop_id = self.add_merchant("别家小店").await;
        let buyer_id = self.add_user("buyer", Role::Buyer, None).await;
        let other_buyer_id = self.add_user("other-buyer", Role::Buyer, None).await;
        self.add_user("shop", Role::Merchant, Some(shop_id)).await;
        self.add_user("other-shop", Role::Merchant, Some(other_shop_id)).await;
        self.add_user("agent", Role::Agent, None).await;
        self.add_user("other-agent", Role::Agent, None).await;
        self.add_user("admin", Role::Admin, None).await;
        let anonymous = || self.anonymous();
        let ids = Fixture {
            buyer: anonymous(),
            other_buyer: anonymous(),
            shop: anonymous(),
            other_shop: anonymous(),
            agent: anonymous(),
            other_agent: anonymous(),
            admin: anonymous(),
            shop_id,
            other_shop_id,
            buyer_id,
            other_buyer_id,
        };
        self.fixture_again(&ids).await
    }

    /// The same people signed in (again: sessions last 7 days).
    pub async fn fixture_again(&self, f: &Fixture) -> Fixture {
        Fixture {
            buyer: self.login("buyer").await,
            other_buyer: self.login("other-buyer").await,
            shop: self.login("shop").await,
            other_shop: self.login("other-shop").await,
            agent: self.login("agent").await,
            other_agent: self.login("other-agent").await,
            admin: self.login("admin").await,
            ..*f
        }
    }
}

impl Fixture {
    /// An order of `buyer` at `shop`: one pair of earbuds at ¥399, paid and signed for.
    pub async fn order(&self, app: &TestApp, number: &str) -> String {
        let signed = app.now().checked_sub(SignedDuration::from_hours(24)).unwrap();
        let (status, body) = self
            .admin
            .post(
                "/api/v1/orders",
                json!({
                    "number": number,
                    "merchant_id": self.shop_id,
                    "buyer_id": self.buyer_id,
                    "channel": "channels_shop",
                    "items": [{ "sku": "EB-PRO-2", "title": "降噪蓝牙耳机", "quantity": 1, "unit_price": 39900 }],
                    "amount_paid": 39900,
                    "payment_transaction_id": "4200001234",
                    "paid_at": signed, "shipped_at": signed, "signed_at": signed
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Files a case on `order` as the buyer and returns its id.
    pub async fn file(&self, order: &str, kind: &str, reason: &str, amount: i64) -> String {
        let (status, body) = self
            .buyer
            .post(
                "/api/v1/cases",
                json!({
                    "order_id": order, "kind": kind, "reason": reason,
                    "items": [{ "sku": "EB-PRO-2", "quantity": 1 }],
                    "amount": amount,
                    "description": "3月1日签收,当天发现左耳无声,要求退款。"
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        body["case"]["id"].as_str().unwrap().to_owned()
    }
}

impl Session {
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        request
    }

    /// A request with this session's credential, for bodies the helpers below do not build.
    pub fn raw(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.request(method, path)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        read(self.request(reqwest::Method::GET, path).send().await.expect("GET")).await
    }

    /// A GET read in `lang` (an `Accept-Language` value).
    pub async fn get_in(&self, lang: &str, path: &str) -> (StatusCode, Value) {
        let request = self.request(reqwest::Method::GET, path).header("Accept-Language", lang);
        read(request.send().await.expect("GET")).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        read(self.request(reqwest::Method::POST, path).json(&body).send().await.expect("POST")).await
    }

    pub async fn post_with_key(&self, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        read(
            self.request(reqwest::Method::POST, path)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
                .expect("POST"),
        )
        .await
    }

    /// `POST /api/v1/cases/{case}/actions/{action}`.
    pub async fn act(&self, case: &str, action: &str, body: Value) -> (StatusCode, Value) {
        self.post(&format!("/api/v1/cases/{case}/actions/{action}"), body).await
    }

    /// Acts and insists it worked; returns the answer: the case now (`case`, `version`,
    /// `allowed_actions`) and the `events` the action appended.
    pub async fn ok(&self, case: &str, action: &str, body: Value) -> Value {
        let (status, detail) = self.act(case, action, body).await;
        assert_eq!(status, StatusCode::OK, "{action}: {detail}");
        detail
    }

    pub async fn case(&self, case: &str) -> Value {
        let (status, body) = self.get(&format!("/api/v1/cases/{case}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }
}

async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The boundary of the multipart bodies the tests build.
pub const BOUNDARY: &str = "redress-test-boundary-7d1f";

/// A part of a multipart body: `(field, Some((file name, content type)), bytes)`.
pub type Part<'a> = (&'a str, Option<(&'a str, &'a str)>, &'a [u8]);

/// A multipart body of `fields`.
pub fn multipart(fields: &[Part<'_>]) -> Vec<u8> {
    use std::io::Write as _;
    let mut body = Vec::new();
    for (name, file, bytes) in fields {
        write!(body, "--{BOUNDARY}\r\n").unwrap();
        match file {
            Some((file_name, content_type)) => write!(
                body,
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .unwrap(),
            None => write!(body, "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").unwrap(),
        }
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    write!(body, "--{BOUNDARY}--\r\n").unwrap();
    body
}

// Dossier ZIPs, read and forged.

pub fn read_zip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            (entry.name().unwrap().into_owned(), data)
        })
        .collect()
}

pub fn entry_names(bytes: &[u8]) -> Vec<String> {
    read_zip(bytes).into_iter().map(|(n, _)| n).collect()
}

pub fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

pub fn rewrite(entries: &[(String, Vec<u8>)], edit: impl Fn(&str, &mut Vec<u8>)) -> Vec<u8> {
    let mut entries = entries.to_vec();
    for (name, data) in &mut entries {
        edit(name, data);
    }
    zip_of(&entries)
}

pub fn edit_manifest(entries: &[(String, Vec<u8>)], edit: impl Fn(&mut Value)) -> Vec<u8> {
    rewrite(entries, |name, data| {
        if name == "manifest.json" {
            let mut manifest: Value = serde_json::from_slice(data).unwrap();
            edit(&mut manifest);
            *data = serde_json::to_vec_pretty(&manifest).unwrap();
        }
    })
}

/// A small PNG photo, as a phone's picture would be uploaded (a photo must be an image).
pub fn png() -> Vec<u8> {
    let picture = image::RgbImage::from_fn(16, 12, |x, y| image::Rgb([(x * 15) as u8, (y * 20) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, image::ImageFormat::Png).expect("encode a PNG");
    out.into_inner()
}
