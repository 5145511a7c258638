//! The product as a new user starts it: `redress serve --demo` on a fresh data directory, then
//! the demo data through the API: every demo case's 12315 complaint has every required field.

mod support;

use serde_json::Value;

/// The demo runs on a day of a year without an imported holiday notice (2027 is provisional):
/// the README's first command must work whatever the date.
const CLOCK_START: &str = "2027-06-01T01:30:00.123456789Z";

/// Starts `redress serve --demo` on an ephemeral port; returns the server and its base URL.
fn serve_demo(dir: &std::path::Path) -> (support::Server, String, Vec<String>) {
    support::serve(dir, &["serve", "--demo"], &[("REDRESS_CLOCK_START", CLOCK_START)], |line| {
        line.contains("admin") && line.contains("admin-pass")
    })
}

#[tokio::test]
async fn serve_demo_prints_logins_and_its_cases_make_complete_12315_complaints() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (_server, base, lines) = serve_demo(dir.path());
    assert!(dir.path().join("redress.db").exists(), "the embedded database is created");
    for login in ["buyer", "shop", "agent", "admin"] {
        assert!(lines.iter().any(|l| l.trim_start().starts_with(login)), "login {login} printed: {lines:?}");
    }
    let client = reqwest::Client::new();
    let token = &support::Client::login(&base, "buyer2", "buyer-pass").await.token;
    let cases: Value =
        client.get(format!("{base}/api/v1/cases")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    let cases = cases["items"].as_array().unwrap();
    assert!(cases.len() >= 3, "the demo buyer has cases");
    assert!(cases.iter().any(|c| c["outcome"] == "refunded"), "one demo case went the whole way");
    // The demo ran on the shifted clock, in a provisional year, and the health check says so.
    assert!(cases.iter().all(|c| c["filed_at"].as_str().unwrap().starts_with("2027-")), "{cases:?}");
    let health = reqwest::get(format!("{base}/health")).await.unwrap().text().await.unwrap();
    assert!(health.contains("2027 年的日历为暂定"), "{health}");
    for case in cases {
        let id = case["id"].as_str().unwrap();
        let body: Value = client
            .get(format!("{base}/api/v1/cases/{id}/complaint-12315"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let c = &body["complaint"];
        for path in [
            &c["complainant"]["name"],
            &c["complainant"]["phone"],
            &c["complainant"]["address"],
            &c["respondent"]["name"],
            &c["respondent"]["address"],
            &c["respondent"]["credit_code"],
            &c["demand"],
        ] {
            assert!(path.as_str().is_some_and(|s| !s.is_empty()), "case {id}: {body}");
        }
        assert!(!c["facts"].as_array().unwrap().is_empty());
        if case["outcome"] == "refunded" {
            // The case that went the whole way cites its evidence files, each by hash.
            let evidence = c["evidence"].to_string();
            assert!(evidence.matches("SHA-256").count() >= 2, "{evidence}");
        }
        assert_eq!(c["missing"], serde_json::json!([]));
    }
    // Issue 12: two demo orders have a conversation; one became a case, which carries it as its
    // negotiation record, the other did not.
    let token = &support::Client::login(&base, "buyer", "buyer-pass").await.token;
    let get = |path: String| {
        let request = client.get(format!("{base}{path}")).bearer_auth(token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let orders = get("/api/v1/orders?limit=100".into()).await;
    let mut talked = Vec::new();
    for order in orders["items"].as_array().unwrap() {
        let id = order["id"].as_str().unwrap();
        let conversation = get(format!("/api/v1/orders/{id}/conversation")).await;
        let cases = get(format!("/api/v1/cases?order_id={id}")).await;
        if conversation["count"].as_i64().unwrap() > 0 {
            talked.push((order["number"].as_str().unwrap().to_owned(), cases["items"].as_array().unwrap().len()));
            if let Some(case) = cases["items"].as_array().unwrap().first() {
                let detail = get(format!("/api/v1/cases/{}", case["id"].as_str().unwrap())).await;
                assert_eq!(detail["negotiation"]["messages"], 2, "{detail}");
            }
        }
    }
    talked.sort();
    assert_eq!(talked, [("SH20261101001".to_owned(), 1), ("XG20261110019".to_owned(), 0)]);
}

/// Issue 9: the banner named the highlighted case without saying who sees it (its buyer is
/// `buyer2`; the first login listed got 404), and only on the start that seeded the data.
#[tokio::test]
async fn the_banner_names_the_highlighted_case_and_who_sees_it_on_every_start() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let highlight = |lines: &[String]| -> (String, String) {
        let case = lines.iter().find_map(|l| l.trim().strip_prefix("highlighted case (evidence, decision, refund): "));
        let case = case.unwrap_or_else(|| panic!("the highlighted case is printed: {lines:?}")).to_owned();
        let who = lines.iter().find(|l| l.trim_start().starts_with("sign in as")).expect("who sees it").clone();
        (case, who)
    };
    let (server, base, lines) = serve_demo(dir.path());
    let (case, who) = highlight(&lines);
    assert!(who.contains("sign in as buyer2 (its buyer), shop2 (its shop), agent or admin"), "{who}");
    assert!(who.ends_with(&format!("GET /api/v1/cases/{case}")), "{who}");
    let client = reqwest::Client::new();
    for (login, password, status) in
        [("buyer2", "buyer-pass", 200), ("shop2", "shop-pass", 200), ("buyer", "buyer-pass", 404)]
    {
        let token = support::Client::login(&base, login, password).await.token;
        let answer = client.get(format!("{base}/api/v1/cases/{case}")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), status, "{login}");
    }
    // Trial F21: someone takes a case of buyer2's the whole way (decided, refunded) before the
    // restart; the banner named the newest such case, this one, without evidence.
    let newer = whole_way_case(&base).await;
    assert_ne!(newer, case);
    drop(server);

    // Started again on the same data: not seeded again, the same case shown again.
    let (_server, _, lines) = serve_demo(dir.path());
    assert!(lines.iter().any(|l| l.contains("not seeded again")), "{lines:?}");
    assert_eq!(highlight(&lines), (case.clone(), who));
}

/// A new order of buyer2's at shop2, a case on it rejected, escalated, decided and refunded
/// through the API, as the trial did: its id, once refunded.
async fn whole_way_case(base: &str) -> String {
    let login = |who: &'static str, password: &'static str| support::Client::login(base, who, password);
    let (admin, buyer, shop, agent) = (
        login("admin", "admin-pass").await,
        login("buyer2", "buyer-pass").await,
        login("shop2", "shop-pass").await,
        login("agent", "agent-pass").await,
    );
    let id_of = |me: &Value, field: &str| me["user"][field].as_str().or(me[field].as_str()).unwrap().to_owned();
    let buyer_id = id_of(&buyer.get("/api/v1/me").await, "id");
    let shop_id = id_of(&shop.get("/api/v1/me").await, "merchant_id");
    let at = "2027-05-30T02:00:00Z";
    let order = admin
        .post(
            "/api/v1/orders",
            serde_json::json!({ "number": "TRIAL-F21", "merchant_id": shop_id, "buyer_id": buyer_id,
                "channel": "mini_program", "amount_paid": 9900, "paid_at": at, "shipped_at": at, "signed_at": at,
                "items": [{ "sku": "APPLE-5KG", "title": "苹果 5kg", "quantity": 1, "unit_price": 9900 }] }),
        )
        .await;
    let filed = buyer
        .post(
            "/api/v1/cases",
            serde_json::json!({ "order_id": order["id"], "kind": "refund_only", "reason": "quality_defect",
                "items": [{ "sku": "APPLE-5KG", "quantity": 1 }], "amount": 9900, "description": "苹果坏了一半。" }),
        )
        .await;
    let case = filed["case"]["id"].as_str().unwrap().to_owned();
    act(&shop, &case, "reject", serde_json::json!({ "reason": "evidence_insufficient", "text": "不支持。" })).await;
    act(&buyer, &case, "escalate", serde_json::json!({ "text": "申请平台介入。" })).await;
    act(&agent, &case, "take", serde_json::json!({})).await;
    let decision = serde_json::json!({ "remedy": { "kind": "refund", "amount": 9900 }, "liable": "merchant",
        "rationale": "商家未提供反证。", "cited_rule": "平台规则" });
    act(&agent, &case, "decide", decision).await;
    // The refund is executed by the server's worker; the bound only stops a hang.
    for _ in 0..300 {
        if buyer.get(&format!("/api/v1/cases/{case}")).await["case"]["outcome"] == "refunded"
            || buyer.get(&format!("/api/v1/cases/{case}")).await["outcome"] == "refunded"
        {
            return case;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("case {case} was not refunded");
}

async fn act(who: &support::Client, case: &str, action: &str, body: Value) -> Value {
    who.post(&format!("/api/v1/cases/{case}/actions/{action}"), body).await
}

/// A supervisor that stops reading the server's output (stdout closed before the banner) must
/// not stop the server: printing the banner once killed it, and the first request was reset.
#[tokio::test]
async fn the_server_keeps_serving_when_its_stdout_is_closed() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_redress"))
        .args(["--data-dir", dir.path().to_str().unwrap(), "--listen", &format!("127.0.0.1:{port}")])
        .args(["serve", "--demo"])
        .env("REDRESS_CLOCK_START", CLOCK_START)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start redress");
    drop(child.stdout.take());
    let server = support::Server(child);
    let base = format!("http://127.0.0.1:{port}");
    // The bound only stops a broken build from hanging the suite; nothing is timed.
    let mut answered = false;
    for _ in 0..600 {
        if reqwest::get(format!("{base}/health")).await.is_ok_and(|r| r.status().is_success()) {
            answered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(answered, "the server answers /health with its stdout closed");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let buyer = support::Client::login(&base, "buyer2", "buyer-pass").await;
    assert!(!buyer.token.is_empty());
    drop(server);
}
