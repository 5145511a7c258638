//! The edge never lets one party hurt the rest: password guessing slows the guesser, not the
//! account's owner; slow clients are cut off; one account's flood is refused alone; protocol
//! errors are problems; documents cannot run anything.

mod support;

use redress_web::{Limits, Rate};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::net::IpAddr;
use std::time::Duration;
use support::{PASSWORD, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A client whose connections come from 127.0.0.`last` (all of 127/8 is loopback).
fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder().local_address(IpAddr::from(address)).build().unwrap()
}

struct Reply {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Reply {
    fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

async fn reply(response: reqwest::Response) -> Reply {
    let (status, headers) = (response.status(), response.headers().clone());
    let text = response.text().await.unwrap();
    Reply { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

async fn login(t: &TestApp, client: &reqwest::Client, login: &str, password: &str) -> Reply {
    let url = format!("{}/api/v1/auth/login", t.base);
    reply(client.post(url).json(&json!({ "login": login, "password": password })).send().await.unwrap()).await
}

fn assert_throttled(reply: &Reply, code: &str) {
    assert_eq!((reply.status, reply.code()), (StatusCode::TOO_MANY_REQUESTS, code), "{}", reply.body);
    assert_eq!(reply.header("content-type"), "application/problem+json");
    let seconds: u64 = reply.header("retry-after").parse().expect("Retry-After in seconds");
    assert!(seconds >= 1, "Retry-After {seconds}");
    if code == "rate_limited" {
        // The words say when, as the header does (trial: a 429 without a detail).
        let detail = reply.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(&format!("{seconds} 秒")) || detail.contains(&format!("{seconds} s")),
            "{}",
            reply.body
        );
    }
    if code == "too_many_attempts" {
        // The words say how long, not which header to read (the trial's "Retry-After 所示的秒数").
        let detail = reply.body["detail"].as_str().unwrap_or_default();
        assert!(detail.contains(&format!("{seconds} 秒")), "{}", reply.body);
        assert!(!reply.body.to_string().contains("Retry-After"), "{}", reply.body);
    }
}

#[tokio::test]
async fn a_stranger_cannot_lock_the_owner_out() {
    let t = TestApp::start().await;
    t.fixture().await;
    let stranger = client_from([127, 0, 0, 2]);
    for _ in 0..40 {
        let guess = login(&t, &stranger, "admin", "letmein").await;
        assert!(matches!(guess.status, StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS), "{}", guess.body);
    }
    assert_throttled(&login(&t, &stranger, "admin", "letmein").await, "too_many_attempts");
    // The owner, from an address the account never used, signs in at once.
    let owner = login(&t, &client_from([127, 0, 0, 3]), "admin", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_guesses_are_counted_one_by_one() {
    let t = TestApp::start().await;
    t.fixture().await;
    let guesser = client_from([127, 0, 0, 4]);
    let guesses = (0..40).map(|_| login(&t, &guesser, "buyer", "guess"));
    let replies = futures_util::future::join_all(guesses).await;
    let checked = replies.iter().filter(|r| r.status == StatusCode::UNAUTHORIZED).count();
    let free = redress_app::auth::ThrottlePolicy::default().free_per_login_at_address as usize;
    assert_eq!(checked, free, "only the free attempts reach the password check");
    for refused in replies.iter().filter(|r| r.status != StatusCode::UNAUTHORIZED) {
        assert_throttled(refused, "too_many_attempts");
    }
}

#[tokio::test]
async fn a_guess_spread_over_addresses_slows_new_addresses_only() {
    let t = TestApp::start().await;
    t.fixture().await; // `shop` signed in from 127.0.0.1
    let policy = redress_app::auth::ThrottlePolicy::default();
    let addresses = policy.free_per_login.div_ceil(policy.free_per_login_at_address) as u8 + 1;
    for host in 0..addresses {
        let guesser = client_from([127, 0, 1, host + 1]);
        for _ in 0..policy.free_per_login_at_address {
            login(&t, &guesser, "shop", "guess").await;
        }
    }
    let newcomer = login(&t, &client_from([127, 0, 2, 1]), "shop", PASSWORD).await;
    assert_throttled(&newcomer, "too_many_attempts");
    let owner = login(&t, &reqwest::Client::new(), "shop", PASSWORD).await;
    assert_eq!(owner.status, StatusCode::OK, "from an address the account used: {}", owner.body);
    t.advance_hours(1);
    let later = login(&t, &client_from([127, 0, 2, 1]), "shop", PASSWORD).await;
    assert_eq!(later.status, StatusCode::OK, "the delay passes: {}", later.body);
}

fn quick_timeouts() -> Limits {
    Limits {
        header_read_timeout: Duration::from_millis(500),
        body_read_timeout: Duration::from_millis(500),
        max_connections: 16,
        ..Limits::default().without_rates()
    }
}

/// Reads until the server closes the connection; panics if it does not within a minute (a
/// guard against hanging the suite, not a measurement).
async fn read_until_closed(stream: &mut tokio::net::TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer))
        .await
        .expect("the server never closed the connection")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

async fn connect(t: &TestApp) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(t.base.trim_start_matches("http://")).await.unwrap()
}

#[tokio::test]
async fn slow_requests_are_closed_after_the_timeouts() {
    let t = TestApp::start_limited(quick_timeouts()).await;
    let mut silent = connect(&t).await;
    let mut half_sent = connect(&t).await;
    half_sent.write_all(b"POST /api/v1/auth/login HTTP/1.1\r\nHost: redress\r\nContent-Ty").await.unwrap();
    assert_eq!(read_until_closed(&mut silent).await, "", "a connection that sends nothing is closed");
    assert_eq!(read_until_closed(&mut half_sent).await, "", "a request without the end of its headers is closed");

    let mut slow_body = connect(&t).await;
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: redress\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n";
    slow_body.write_all(format!("{head}{{\"login\":").as_bytes()).await.unwrap();
    let answer = read_until_closed(&mut slow_body).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json") && answer.contains("request_timeout"), "{answer}");
}

/// Trial finding: a body sent a byte at a time, never pausing as long as the read timeout, held
/// its connection for as long as it lasted (the timeout is a pause between pieces). Past the
/// grace, a body must average the least rate: this one, due to end after 20 s, is cut off.
#[tokio::test]
async fn a_body_that_trickles_is_cut_off() {
    let t = TestApp::start_limited(quick_timeouts()).await;
    let body = format!("{{\"login\":\"buyer\",\"password\":\"{}\"}}", "p".repeat(64));
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: redress\r\nContent-Type: application/json\r\nAccept-Language: en\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let (mut reading, mut writing) = connect(&t).await.into_split();
    writing.write_all(head.as_bytes()).await.unwrap();
    let trickle = tokio::spawn(async move {
        for (sent, byte) in body.bytes().enumerate() {
            // A pause shorter than the read timeout (500 ms): never idle that long.
            tokio::time::sleep(Duration::from_millis(200)).await;
            if writing.write_all(&[byte]).await.is_err() {
                return sent;
            }
        }
        body.len()
    });
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(60), reading.read_to_end(&mut answer)).await.expect("closed").ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout") && answer.contains("bytes a second"), "{answer}");
    trickle.abort();
}

#[tokio::test]
async fn half_sent_requests_do_not_keep_others_out() {
    let t = TestApp::start_limited(quick_timeouts()).await;
    let mut stalled = Vec::new();
    for _ in 0..64 {
        let mut stream = connect(&t).await;
        stream.write_all(b"GET /health HTTP/1.1\r\nHost: redress\r\n").await.unwrap();
        stalled.push(stream);
    }
    let (status, body) = t.anonymous().get("/api/v1").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for stream in &mut stalled {
        assert_eq!(read_until_closed(stream).await, "");
    }
}

/// Trial finding: 600 connections that never finished their headers, from one address, held
/// every slot until the header timeout, and everyone else waited. Now an address gets its share:
/// one more connection from it is closed at once, another address is served meanwhile, and a
/// slot is its address's again once a connection ends.
#[tokio::test]
async fn one_address_holds_its_share_of_connections_only() {
    let limits = Limits {
        header_read_timeout: Duration::from_secs(60),
        max_connections: 16,
        max_connections_per_address: 4,
        ..Limits::default().without_rates()
    };
    let t = TestApp::start_limited(limits).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut stream = connect(&t).await;
        stream.write_all(b"GET /health HTTP/1.1\r\nHost: redress\r\n").await.unwrap();
        held.push(stream);
    }
    // The fifth from 127.0.0.1 is closed at once, not held until a timeout.
    let mut fifth = connect(&t).await;
    let closed = tokio::time::timeout(Duration::from_secs(5), read_until_closed(&mut fifth)).await;
    assert_eq!(closed.expect("closed at once"), "");
    // Another address is served.
    let health = b"GET /health HTTP/1.1\r\nHost: redress\r\nConnection: close\r\n\r\n";
    let from = |ip: [u8; 4]| {
        let server: std::net::SocketAddr = t.base.trim_start_matches("http://").parse().unwrap();
        async move {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind(std::net::SocketAddr::from((ip, 0))).unwrap();
            let mut stream = socket.connect(server).await.unwrap();
            stream.write_all(health).await.unwrap();
            read_until_closed(&mut stream).await
        }
    };
    let answer = from([127, 0, 0, 2]).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // One of the first address's ends: its next connection is served.
    drop(held.pop());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = from([127, 0, 0, 1]).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn one_accounts_flood_is_refused_alone() {
    let limits = Limits { writes_per_account: Rate { per_minute: 6, burst: 5 }, ..Limits::default() };
    let t = TestApp::start_limited(limits).await;
    let f = t.fixture().await;
    let order = f.order(&t, "FLOOD-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    let path = format!("/api/v1/cases/{case}/actions/message");
    let mut refused = None;
    for _ in 0..20 {
        let response = f.buyer.raw(reqwest::Method::POST, &path).json(&json!({ "text": "在吗" })).send().await.unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(reply(response).await);
            break;
        }
    }
    let refused = refused.expect("the flood is refused");
    assert_throttled(&refused, "rate_limited");
    assert_eq!(refused.body["title"], "请求过于频繁，请稍后再试");
    let english =
        f.buyer.raw(reqwest::Method::POST, &path).header("accept-language", "en").json(&json!({ "text": "hi" }));
    let english = reply(english.send().await.unwrap()).await;
    assert_eq!(english.body["title"], "Too many requests; try again later");
    // Another account on the same case, from the same address, is not held back.
    let (status, body) = f.shop.act(&case, "message", json!({ "text": "您好,请说明问题" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = f.buyer.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::OK, "reading is not a change");
}

/// Trial finding F10: retries sent at once with one `Idempotency-Key` each ran, and each took
/// the filing allowance, so a client retrying a slow filing was refused for filing too fast. A
/// twin now waits for the first's answer: one filing, one allowance, every retry its answer.
#[tokio::test]
async fn retries_sent_at_once_with_one_key_file_once_and_take_one_allowance() {
    let limits = Limits { filings_per_account: Rate { per_minute: 1, burst: 1 }, ..Limits::default() };
    let t = TestApp::start_limited(limits).await;
    let f = t.fixture().await;
    let order = f.order(&t, "TWINS-1").await;
    let filing = json!({
        "order_id": order, "kind": "refund_only", "reason": "quality_defect",
        "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 39900,
        "description": "签收当天发现左耳无声,要求退款。"
    });
    let retries = (0..8).map(|_| {
        let request = f.buyer.raw(reqwest::Method::POST, "/api/v1/cases").header("idempotency-key", "twins-1");
        send(request.json(&filing))
    });
    let replies = futures_util::future::join_all(retries).await;
    let statuses: Vec<_> = replies.iter().map(|r| r.status).collect();
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED), "{statuses:?}");
    let fresh = replies.iter().filter(|r| !r.headers.contains_key("idempotent-replayed")).count();
    assert_eq!(fresh, 1, "one filing ran, the rest were its answer");
    assert!(replies.iter().all(|r| r.body["case"]["id"] == replies[0].body["case"]["id"]));
    // The limit is in force (so the answers above were not merely under it): another filing
    // now, with another key, is refused.
    let again = f.buyer.raw(reqwest::Method::POST, "/api/v1/cases").header("idempotency-key", "twins-2");
    assert_throttled(&send(again.json(&filing)).await, "rate_limited");
}

#[tokio::test]
async fn logins_from_one_address_are_rate_limited() {
    let limits = Limits { logins_per_address: Rate { per_minute: 6, burst: 3 }, ..Limits::default() };
    let t = TestApp::start_limited(limits).await;
    t.add_user("buyer", redress_app::Role::Buyer, None).await;
    let client = client_from([127, 0, 0, 5]);
    for _ in 0..3 {
        assert_eq!(login(&t, &client, "buyer", PASSWORD).await.status, StatusCode::OK);
    }
    assert_throttled(&login(&t, &client, "buyer", PASSWORD).await, "rate_limited");
    let elsewhere = login(&t, &client_from([127, 0, 0, 6]), "buyer", PASSWORD).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.body);
}

async fn send(request: reqwest::RequestBuilder) -> Reply {
    reply(request.send().await.unwrap()).await
}

fn assert_problem(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!((reply.status, reply.code()), (status, code), "{}", reply.body);
    assert_eq!(reply.header("content-type"), "application/problem+json");
    assert_eq!(reply.header("x-content-type-options"), "nosniff");
}

#[tokio::test]
async fn protocol_errors_are_problems() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let http = reqwest::Client::new();
    let long = format!("{}/api/v1/cases?q={}", t.base, "x".repeat(9000));
    let too_long = send(http.get(long).header("accept-language", "en")).await;
    assert_problem(&too_long, StatusCode::URI_TOO_LONG, "uri_too_long");
    // The limit is said, as a body's is (trial helper-45: a title only).
    assert_eq!(
        too_long.body["detail"], "A request’s address (path and query) takes at most 8 KiB.",
        "{:?}",
        too_long.body
    );
    // Beyond 64 KiB hyper's parser answers itself, before any service sees the request: 414 with
    // an empty body (README, "Errors"; docs/operations.md, "Slow clients"). Pinned here so that a
    // hyper that lets such a URI through to the router (and its problem) is noticed.
    // (Sent by hand: the client's own URI type refuses to build one this long.)
    let mut raw = connect(&t).await;
    let longest = format!("GET /api/v1/cases?q={} HTTP/1.1\r\nHost: redress\r\n\r\n", "x".repeat(70_000));
    raw.write_all(longest.as_bytes()).await.unwrap();
    let from_hyper = read_until_closed(&mut raw).await;
    assert!(from_hyper.starts_with("HTTP/1.1 414"), "{from_hyper}");
    assert!(from_hyper.contains("content-length: 0") && !from_hyper.contains("problem"), "{from_hyper}");
    let mut many = http.get(format!("{}/api/v1", t.base));
    for i in 0..150 {
        many = many.header(format!("x-filler-{i}"), "1");
    }
    let many = send(many.header("accept-language", "en")).await;
    assert_problem(&many, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large");
    assert_eq!(many.body["detail"], "A request takes at most 100 headers, 32 KiB in all.", "{:?}", many.body);
    let big = http.get(format!("{}/api/v1", t.base)).header("x-big", "y".repeat(40_000));
    assert_problem(&send(big).await, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers_too_large");
    let wrong_method = http.delete(format!("{}/api/v1/cases", t.base)).header("accept-language", "en");
    let refused = send(wrong_method).await;
    assert_problem(&refused, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    // The methods the path takes, in words, as `Allow` lists them (trial: a 405 without a detail).
    let mut allowed: Vec<&str> = refused.header("allow").split(',').map(str::trim).collect();
    allowed.sort_unstable();
    assert_eq!(allowed, ["GET", "HEAD", "POST"]);
    // The detail names the same methods as `Allow` (it left out HEAD).
    assert_eq!(refused.body["detail"], "This path takes GET, HEAD, POST only.", "{}", refused.body);
    // A route documented one operation per action says the same (the trial's GET of an action).
    let action = http.get(format!("{}/api/v1/cases/0192f5c0-0000-7000-8000-000000000000/actions/message", t.base));
    let refused = send(action.header("accept-language", "en")).await;
    assert_eq!(refused.body["detail"], "This path takes POST only.", "{}", refused.body);
    assert_problem(&send(http.get(format!("{}/nowhere", t.base))).await, StatusCode::NOT_FOUND, "not_found");

    let login = format!("{}/api/v1/auth/login", t.base);
    let body = json!({ "login": "buyer", "password": PASSWORD }).to_string();
    for content_type in ["application/jsonp", "application/json-seq", "text/json", "application/x-json"] {
        let request = http.post(&login).header("content-type", content_type).body(body.clone());
        assert_problem(&send(request).await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }
    let untyped = http.post(&login).body(body.clone());
    assert_problem(&send(untyped).await, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    for content_type in ["application/json", "Application/JSON; charset=utf-8"] {
        let request = http.post(&login).header("content-type", content_type).body(body.clone());
        assert_eq!(send(request).await.status, StatusCode::OK, "{content_type}");
    }
    let token = f.shop.token.as_deref().unwrap();
    let no_body = http.post(format!("{}/api/v1/auth/logout", t.base)).bearer_auth(token);
    assert_eq!(send(no_body).await.status, StatusCode::NO_CONTENT, "an action without fields needs no body");

    // Ids in their one written form only: another form of a real id is not found (in a path) or
    // invalid (in a body), never the resource.
    let order = f.order(&t, "CANON-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    let uuid = uuid::Uuid::parse_str(&case).unwrap();
    for other in [case.to_uppercase(), uuid.simple().to_string(), format!("{{{case}}}"), uuid.urn().to_string()] {
        let (status, body) = f.buyer.get(&format!("/api/v1/cases/{other}")).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{other}");
    }
    let filing = json!({
        "order_id": order.to_uppercase(), "kind": "refund_only", "reason": "quality_defect",
        "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 100, "description": "左耳无声"
    });
    let (status, body) = f.buyer.post("/api/v1/cases", filing).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_json")), "{body}");
}

#[tokio::test]
async fn documents_run_nothing_and_nothing_is_sniffed() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "CSP-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    let html = f.buyer.raw(reqwest::Method::GET, &format!("/api/v1/cases/{case}/complaint-12315?format=html"));
    let html = reply(html.send().await.unwrap()).await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(html.header("content-type").starts_with("text/html"), "{}", html.header("content-type"));
    let policy = html.header("content-security-policy");
    for directive in ["default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"] {
        assert!(policy.contains(directive), "{policy}");
    }
    assert!(!policy.contains("script-src"), "no script may run: {policy}");
    assert_eq!(html.header("x-content-type-options"), "nosniff");
    let json = reply(f.buyer.raw(reqwest::Method::GET, &format!("/api/v1/cases/{case}")).send().await.unwrap()).await;
    assert_eq!(json.header("x-content-type-options"), "nosniff");
    // Personal answers are kept by no cache (the trial found them cacheable).
    for answer in [&html, &json] {
        assert_eq!(answer.header("cache-control"), "no-store");
    }
}
