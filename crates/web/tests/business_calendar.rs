//! The business calendar is data: a working-day deadline in a year it does not cover is refused
//! loudly, and an admin's import makes that year work.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::TestApp;

fn year_2027() -> serde_json::Value {
    json!({ "years": [{
        "year": 2027,
        "source": "测试用数据(非官方通知)",
        "holidays": [{ "name": "元旦 New Year's Day", "start": "2027-01-01", "end": "2027-01-03" }],
        "make_up_workdays": []
    }] })
}

#[tokio::test]
async fn an_uncovered_year_is_an_error_until_imported() {
    let t = TestApp::start().await;
    t.app.load_calendar().await.unwrap();
    let f = t.fixture().await;
    t.clock.set("2027-01-04T01:00:00Z".parse().unwrap());
    let f = t.fixture_again(&f).await;
    let order = f.order(&t, "CAL-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    f.shop.ok(&case, "reject", json!({ "reason": "other", "text": "不同意" })).await;

    let (status, problem) = f.buyer.act(&case, "escalate", json!({ "text": "申请平台介入" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "calendar_not_covered");

    let (_, calendar) = f.buyer.get("/api/v1/calendar").await;
    let years: Vec<i64> = calendar["years"].as_array().unwrap().iter().map(|y| y["year"].as_i64().unwrap()).collect();
    assert_eq!(years, [2025, 2026]);

    let client = reqwest::Client::new();
    let put = |session: &support::Session| {
        client
            .put(format!("{}/api/v1/calendar", t.base))
            .bearer_auth(session.token.clone().unwrap())
            .json(&year_2027())
            .send()
    };
    assert_eq!(put(&f.agent).await.unwrap().status(), StatusCode::FORBIDDEN);
    let bad = client
        .put(format!("{}/api/v1/calendar", t.base))
        .bearer_auth(f.admin.token.clone().unwrap())
        .json(&json!({ "years": [{ "year": 2027, "source": "x", "holidays": [{ "name": "x", "start": "2028-01-01", "end": "2028-01-02" }] }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = put(&f.admin).await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK);

    let detail = f.buyer.ok(&case, "escalate", json!({ "text": "申请平台介入" })).await;
    // Monday 2027-01-04 09:00 + 3 working days → end of Thursday 2027-01-07, Beijing time.
    assert_eq!(detail["case"]["deadline"]["due"], "2027-01-07T16:00:00Z");
    // The import is kept: a fresh load from the database sees 2027 too.
    t.app.load_calendar().await.unwrap();
    assert!(t.app.calendar.current().covered_years().contains(&2027));
}
