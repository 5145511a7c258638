//! Policy is versioned: published at least 7 days ahead (电子商务法第三十四条), and each case
//! keeps the version it was filed under.

mod support;

use jiff::SignedDuration;
use reqwest::StatusCode;
use serde_json::json;
use support::TestApp;

#[tokio::test]
async fn a_new_policy_waits_seven_days_and_old_cases_keep_theirs() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let mut policy = serde_json::to_value(redress_domain::Policy::default()).unwrap();
    policy["merchant_response_hours"] = json!(24);

    let too_soon = t.now().checked_add(SignedDuration::from_hours(6 * 24)).unwrap();
    let (status, problem) =
        f.admin.post("/api/v1/policies", json!({ "policy": policy, "effective_at": too_soon })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, _) = f.shop.post("/api/v1/policies", json!({ "policy": policy, "effective_at": too_soon })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let in_a_week = t.now().checked_add(SignedDuration::from_hours(7 * 24)).unwrap();
    let (status, published) =
        f.admin.post("/api/v1/policies", json!({ "policy": policy, "effective_at": in_a_week })).await;
    assert_eq!(status, StatusCode::CREATED, "{published}");
    assert_eq!(published["version"], 2);

    let first = f.order(&t, "SH-POLICY-1").await;
    let before = f.file(&first, "refund_only", "quality_defect", 39900).await;
    let detail = f.buyer.case(&before).await;
    assert_eq!(detail["case"]["policy_version"], 1);
    assert_eq!(detail["case"]["deadline"]["due"], "2026-03-04T01:00:00.123456Z"); // 48 h, to the microsecond

    t.advance_hours(7 * 24);
    let f = t.fixture_again(&f).await;
    let second = f.order(&t, "SH-POLICY-2").await;
    let after = f.file(&second, "refund_only", "quality_defect", 39900).await;
    let detail = f.buyer.case(&after).await;
    assert_eq!(detail["case"]["policy_version"], 2);
    assert_eq!(detail["case"]["deadline"]["due"], "2026-03-10T01:00:00.123456Z"); // 24 h under version 2

    let (_, versions) = f.buyer.get("/api/v1/policies").await;
    assert_eq!(versions["items"].as_array().unwrap().len(), 2);
}
