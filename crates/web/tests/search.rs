//! `GET /api/v1/search`, `/cases/{id}/similar`, `/merchants/{id}/repeat-complaints` and
//! `/metrics` over HTTP (issue 13). The search itself is tested on both databases in the store's
//! contract suite (crates/store/tests/search.rs); here: the parameters, who sees what, and the
//! Prometheus exposition as a parser reads it.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Fixture, TestApp};

fn ids(body: &Value) -> Vec<String> {
    body["items"].as_array().unwrap().iter().map(|h| h["case"]["id"].as_str().unwrap().to_owned()).collect()
}

async fn file(f: &Fixture, t: &TestApp, number: &str, reason: &str, description: &str) -> String {
    let order = f.order(t, number).await;
    let (status, body) = f
        .buyer
        .post(
            "/api/v1/cases",
            json!({
                "order_id": order, "kind": "refund_only", "reason": reason,
                "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 10000, "description": description
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["case"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn search_answers_the_caller_with_what_they_may_see() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let fake = file(&f, &t, "SH-W-1", "counterfeit", "收到的是假货，没有防伪码，假货！").await;
    let silent = file(&f, &t, "SH-W-2", "quality_defect", "左耳没有声音，申请仅退款").await;

    let (status, body) = f.agent.get("/api/v1/search?q=%E5%81%87%E8%B4%A7").await; // 假货
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(ids(&body), std::slice::from_ref(&fake));
    let marks: Vec<&str> = body["items"][0]["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["mark"] == true)
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(marks.contains(&"假货"), "{body}");
    let (_, body) = f.agent.get("/api/v1/search?q=%E9%80%80%E6%AC%BE&reason=quality_defect").await; // 退款
    assert_eq!(ids(&body), std::slice::from_ref(&silent));
    let (_, body) = f.buyer.get("/api/v1/search?q=%E5%81%87%E8%B4%A7").await;
    assert_eq!(ids(&body), std::slice::from_ref(&fake));
    let (_, body) = f.shop.get("/api/v1/search?q=%E5%81%87%E8%B4%A7").await;
    assert_eq!(ids(&body), std::slice::from_ref(&fake));
    // Neither the other buyer nor the other shop finds the case.
    for who in [&f.other_buyer, &f.other_shop] {
        let (status, body) = who.get("/api/v1/search?q=%E5%81%87%E8%B4%A7").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(ids(&body).is_empty(), "{body}");
    }
    let (status, _) = t.anonymous().get("/api/v1/search?q=a").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Bad input is a problem naming what is wrong.
    for (query, named) in [
        ("", "q"),
        ("q=%EF%BC%8C", "q"),
        ("q=a&state=lost", "state"),
        ("q=a&reason=bored", "reason"),
        ("q=a&after=zzz", "after"),
        ("q=a&filed_from=yesterday", "filed_from"),
        ("q=a&limit=0", "limit"),
        ("q=a&shop=nope", "shop"),
        ("q=a&sort=rank", "sort"),
    ] {
        let (status, body) = f.agent.get(&format!("/api/v1/search?{query}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["code"], "invalid_input", "{query}");
        assert!(body["detail"].as_str().unwrap_or_default().contains(named), "{query}: {body}");
    }
}

#[tokio::test]
async fn agents_see_similar_cases_and_shops_their_repeat_rate() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let first = file(&f, &t, "SH-W-3", "counterfeit", "假货，包装简陋").await;
    let other = file(&f, &t, "SH-W-4", "quality_defect", "耳机没有声音").await;
    // Withdrawn, then filed again on the same order: a repeat.
    f.buyer.ok(&other, "withdraw", json!({})).await;
    let (status, body) = f
        .buyer
        .post(
            "/api/v1/cases",
            json!({ "order_id": f.order(&t, "SH-W-5").await, "kind": "refund_only", "reason": "counterfeit",
                    "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 10000, "description": "也是假货" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let third = body["case"]["id"].as_str().unwrap().to_owned();

    let (status, body) = f.agent.get(&format!("/api/v1/cases/{first}/similar")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let shown: Vec<(&str, &str)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["case"]["id"].as_str().unwrap(), s["similarity"].as_str().unwrap()))
        .collect();
    assert_eq!(shown, [(third.as_str(), "same_item")], "the withdrawn case is closed: {body}");
    let (status, body) = f.buyer.get(&format!("/api/v1/cases/{first}/similar")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    let (status, body) = f.shop.get(&format!("/api/v1/merchants/{}/repeat-complaints", f.shop_id)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["cases"].as_i64(), body["repeats"].as_i64()), (Some(3), Some(0)), "{body}");
    let order = f.order(&t, "SH-W-6").await;
    for description in ["第一次：假货", "第二次：还是假货"] {
        let (status, body) = f
            .buyer
            .post(
                "/api/v1/cases",
                json!({ "order_id": order, "kind": "refund_only", "reason": "counterfeit",
                        "items": [{ "sku": "EB-PRO-2", "quantity": 1 }], "amount": 10000, "description": description }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let id = body["case"]["id"].as_str().unwrap().to_owned();
        if description.starts_with("第一次") {
            f.buyer.ok(&id, "withdraw", json!({})).await;
        }
    }
    let (_, body) = f.admin.get(&format!("/api/v1/merchants/{}/repeat-complaints", f.shop_id)).await;
    assert_eq!((body["cases"].as_i64(), body["repeats"].as_i64()), (Some(5), Some(1)), "{body}");
    assert_eq!(body["rate"].as_f64(), Some(0.2), "{body}");
    let (status, _) = f.other_shop.get(&format!("/api/v1/merchants/{}/repeat-complaints", f.shop_id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn metrics_parse_as_prometheus_text_and_only_admins_read_them() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let case = file(&f, &t, "SH-W-7", "counterfeit", "假货").await;
    f.shop.ok(&case, "approve", json!({})).await;
    let (status, _) = f.agent.get(&format!("/api/v1/cases/{case}")).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = f.agent.get("/api/v1/no-such-route").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Refusals on a route count under that route (trial finding: they all read `unmatched`).
    let (status, _) = f.agent.get("/api/v1/search?q=%2A").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = f.buyer.get("/api/v1/cases/not-a-case").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    for (who, expected) in [(&f.buyer, StatusCode::FORBIDDEN), (&f.agent, StatusCode::FORBIDDEN)] {
        let response = who.raw(reqwest::Method::GET, "/metrics").send().await.unwrap();
        assert_eq!(response.status(), expected);
    }
    let response = t.anonymous().raw(reqwest::Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let response = f.admin.raw(reqwest::Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = response.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).expect("Prometheus text format");
    let sample = |name: &str, labels: &[(&str, &str)]| {
        scrape.samples.iter().find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
    };
    // Requests by route template, never by raw path; unmatched paths under one label.
    let read =
        sample("redress_http_requests_total", &[("route", "/api/v1/cases/:id"), ("method", "GET"), ("status", "200")]);
    assert!(read.is_some(), "{text}");
    assert!(sample("redress_http_requests_total", &[("route", "unmatched"), ("status", "404")]).is_some(), "{text}");
    for (route, status) in [("/api/v1/search", "422"), ("/api/v1/cases/:id", "404"), ("/metrics", "403")] {
        let refused = sample("redress_http_requests_total", &[("route", route), ("status", status)]);
        assert!(refused.is_some(), "{route} {status}: {text}");
    }
    assert!(!text.contains(&case), "a raw path leaked into a label");
    assert!(sample("redress_http_request_duration_seconds", &[("route", "/api/v1/cases")]).is_some(), "{text}");
    // Transitions by kind, the writer's batches, the backlog (the approval queued a refund job).
    for kind in ["filed", "approved"] {
        assert!(sample("redress_case_events_total", &[("kind", kind)]).is_some(), "{kind}: {text}");
    }
    assert!(sample("redress_sqlite_writer_batch_size_count", &[]).is_some(), "{text}");
    assert!(sample("redress_outbox_backlog", &[]).is_some(), "{text}");
    assert!(sample("redress_deadlines_due", &[]).is_some(), "{text}");

    // The deadline lag: a merchant who never answers; the worker fires the timeout late.
    let late = file(&f, &t, "SH-W-8", "counterfeit", "假货").await;
    t.advance_hours(24 * 3);
    t.tick().await;
    let (_, body) = f.buyer.get(&format!("/api/v1/cases/{late}")).await;
    assert_ne!(body["case"]["state"], "awaiting_merchant", "{body}");
    let text = f.admin.raw(reqwest::Method::GET, "/metrics").send().await.unwrap().text().await.unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap();
    let lag = scrape.samples.iter().find(|s| s.metric == "redress_deadline_lag_seconds_count").expect("lag histogram");
    assert!(
        matches!(lag.value, prometheus_parse::Value::Untyped(n) | prometheus_parse::Value::Counter(n) if n >= 1.0),
        "{lag:?}"
    );
}
