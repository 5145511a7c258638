//! The dashboard and reputation endpoints (issue 13): who may read which, CSV by `Accept` or
//! `?format=csv`, bad parameters answered as problems, and the public reputation held to its own
//! per-address read limit.

mod support;

use redress_web::{Limits, Rate};
use reqwest::StatusCode;
use support::TestApp;

#[tokio::test]
async fn each_reader_sees_the_dashboards_theirs_to_see() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "DASH-1").await;
    f.file(&order, "refund_only", "quality_defect", 39900).await;
    let own = format!("/api/v1/merchants/{}/dashboard?months=2", f.shop_id);

    let (status, body) = f.shop.get(&own).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["total"]["orders"].as_i64(), body["total"]["cases"].as_i64()), (Some(1), Some(1)), "{body}");
    assert_eq!(body["months"].as_array().unwrap().len(), 2);
    for reader in [&f.agent, &f.admin] {
        assert_eq!(reader.get(&own).await.0, StatusCode::OK);
        assert_eq!(reader.get("/api/v1/dashboards/platform").await.0, StatusCode::OK);
    }
    // Another shop and a buyer: the shop's dashboard is not there for them.
    assert_eq!(f.other_shop.get(&own).await.0, StatusCode::NOT_FOUND);
    assert_eq!(f.buyer.get(&own).await.0, StatusCode::NOT_FOUND);
    for reader in [&f.buyer, &f.shop] {
        let (status, body) = reader.get("/api/v1/dashboards/platform").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "forbidden");
    }
    assert_eq!(t.anonymous().get(&own).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn csv_is_given_by_accept_or_format_and_bad_parameters_are_problems() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let own = format!("/api/v1/merchants/{}/dashboard", f.shop_id);
    let response = f.shop.raw(reqwest::Method::GET, &own).header("Accept", "text/csv").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let table = response.text().await.unwrap();
    // Six months by default, then the total.
    assert_eq!(table.lines().count(), 1 + 6 + 1, "{table}");
    assert!(table.starts_with("month,orders,cases,cases_per_1000_orders,"), "{table}");
    let response =
        f.agent.raw(reqwest::Method::GET, "/api/v1/dashboards/platform?format=csv&table=agents").send().await.unwrap();
    // Every agent, those without an open case or a decision too (the trial's CSV had none).
    let table = response.text().await.unwrap();
    let mut lines = table.trim().lines();
    assert_eq!(lines.next(), Some("agent,name,open,overdue,decisions"));
    let mut agents: Vec<&str> = lines.map(|l| l.split_once(',').unwrap().1).collect();
    agents.sort();
    assert_eq!(agents, ["agent,0,0,0", "other-agent,0,0,0"], "{table}");
    // A byte-order mark first, so a spreadsheet reads the Chinese names as UTF-8.
    let raw = f.shop.raw(reqwest::Method::GET, &format!("{own}?format=csv")).send().await.unwrap();
    assert!(raw.bytes().await.unwrap().starts_with(b"\xEF\xBB\xBFmonth,"));

    for bad in ["months=0", "months=25", "months=many", "format=xml", "colour=red"] {
        let (status, body) = f.shop.get(&format!("{own}?{bad}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert_eq!(body["code"], "invalid_input", "{bad}: {body}");
    }
    let (status, body) = f.agent.get("/api/v1/dashboards/platform?format=csv&table=secrets").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")), "{body}");
    let (status, _) = f.agent.get("/api/v1/merchants/not-a-shop/dashboard").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_public_reputation_needs_no_sign_in_and_is_rate_limited_per_address() {
    let limits =
        Limits { public_reads_per_address: Rate { per_minute: 6, burst: 3 }, ..Limits::default().without_rates() };
    let t = TestApp::start_limited(limits).await;
    let f = t.fixture().await;
    let path = format!("/api/v1/reputation/{}", f.shop_id);
    let (status, body) = t.anonymous().get(&path).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // No order yet: under the policy's minimum, so no figure is given.
    assert_eq!(body["enough_orders"], false);
    assert_eq!(body["min_orders"], 30);
    assert!(body["dispute_rate"].is_null() && body["months"].as_array().unwrap().is_empty(), "{body}");
    let (status, _) = t.anonymous().get("/api/v1/reputation/not-a-shop").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The burst of 3 is spent (two reads above); the next reads are refused with Retry-After.
    let mut refused = None;
    for _ in 0..5 {
        let response = t.anonymous().raw(reqwest::Method::GET, &path).send().await.unwrap();
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some(response);
            break;
        }
    }
    let refused = refused.expect("the flood of reads is refused");
    assert!(refused.headers().contains_key("retry-after"));
    // Signed-in reading of the API is not held to the public limit.
    assert_eq!(f.shop.get(&format!("/api/v1/merchants/{}/dashboard", f.shop_id)).await.0, StatusCode::OK);
}
