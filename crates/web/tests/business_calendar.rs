//! The business calendar never blocks a case: a year without an imported notice is provisional
//! (its statutory holidays from 《全国年节及纪念日放假办法》, no 调休), the deadlines counted over it
//! say so, operators are warned, and importing the notice recounts what is still open.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::{Fixture, Session, TestApp};

/// A 2027 notice as a test invents it (not the State Council's: none is published yet): the
/// Spring Festival runs Friday 5 to Friday 12 February, so Thursday 11 and Friday 12 are extra
/// bridge days the law alone does not give, and Saturday 20 February is worked in exchange.
fn notice_2027() -> Value {
    json!({ "years": [{
        "year": 2027,
        "source": "测试用数据(非官方通知)",
        "holidays": [
            { "name": "元旦 New Year's Day", "start": "2027-01-01", "end": "2027-01-03" },
            { "name": "春节 Spring Festival", "start": "2027-02-05", "end": "2027-02-12" }
        ],
        "make_up_workdays": [{ "date": "2027-02-20", "name": "春节调休上班" }]
    }] })
}

async fn put_calendar(t: &TestApp, session: &Session, body: &Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .put(format!("{}/api/v1/calendar", t.base))
        .bearer_auth(session.token.clone().unwrap())
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Files, has the shop reject, escalates and has the agent take it: the decision SLA runs.
async fn escalated_and_taken(t: &TestApp, f: &Fixture, number: &str) -> String {
    let order = f.order(t, number).await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    f.shop.ok(&case, "reject", json!({ "reason": "other", "text": "不同意" })).await;
    f.buyer.ok(&case, "escalate", json!({ "text": "申请平台介入" })).await;
    f.agent.ok(&case, "take", json!({})).await;
    case
}

fn timeline_types(detail: &Value) -> Vec<String> {
    detail["timeline"].as_array().unwrap().iter().map(|e| e["body"]["type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn escalating_on_2026_12_20_counts_the_decision_sla_into_provisional_2027() {
    let t = TestApp::start().await;
    t.app.load_calendar().await.unwrap();
    let f = t.fixture().await;
    // Sunday 2026-12-20, 10:00 Beijing time (sub-microsecond parts as a real clock has them).
    t.clock.set("2026-12-20T02:00:00.123456789Z".parse().unwrap());
    let f = t.fixture_again(&f).await;
    let case = escalated_and_taken(&t, &f, "CAL-1").await;
    let detail = f.buyer.case(&case).await;
    let deadline = &detail["case"]["deadline"];
    // 15 working days, by hand. Day zero is Sunday 20 December (never counted). December: Mon 21
    // (1), 22 (2), 23 (3), 24 (4), Fri 25 (5), Mon 28 (6), 29 (7), 30 (8), Thu 31 (9). 2027 has
    // no notice: Fri 1 January is 元旦 (statutory), then the weekend; Mon 4 (10), 5 (11), 6 (12),
    // 7 (13), Fri 8 (14); weekend; Mon 11 January (15). Due at the end of Monday 2027-01-11,
    // Beijing time = 2027-01-11T16:00:00Z.
    assert_eq!(deadline["on_timeout"], "flag_decision_sla", "{detail}");
    assert_eq!(deadline["due"], "2027-01-11T16:00:00Z");
    assert_eq!(deadline["provisional"], true);
    assert_eq!(deadline["provisional_year"], 2027);
    // The listing shows it too.
    let (_, listed) = f.agent.get("/api/v1/cases").await;
    let item = listed["items"].as_array().unwrap().iter().find(|c| c["id"] == case.as_str()).unwrap().clone();
    assert_eq!(item["deadline"]["provisional"], true);

    // Operators are told, 12 days before 2027 starts, what to import.
    let (_, calendar) = f.admin.get("/api/v1/calendar").await;
    assert_eq!(calendar["provisional_years"][0]["year"], 2027, "{calendar}");
    assert!(calendar["provisional_years"][0]["message"].as_str().unwrap().contains("import"));
    // The calendar's warning in the caller's language too.
    for (lang, says) in [("en", "2027 is provisional"), ("zh-CN", "2027 年的日历为暂定")] {
        let token = f.admin.token.clone().unwrap();
        let calendar = reqwest::Client::new().get(format!("{}/api/v1/calendar", t.base)).bearer_auth(token);
        let calendar: serde_json::Value =
            calendar.header("Accept-Language", lang).send().await.unwrap().json().await.unwrap();
        let message = calendar["provisional_years"][0]["message"].as_str().unwrap();
        assert!(message.contains(says), "{lang}: {message}");
    }
    // In the caller's language (issue 9: it was English only).
    for (lang, says) in [("en", "2027 is provisional"), ("zh-CN", "2027 年的日历为暂定")] {
        let health = reqwest::Client::new().get(format!("{}/health", t.base)).header("Accept-Language", lang);
        let health = health.send().await.unwrap();
        assert_eq!(health.status(), StatusCode::OK);
        let health = health.text().await.unwrap();
        assert!(health.starts_with("ok") && health.contains(says), "{health}");
    }
}

#[tokio::test]
async fn a_date_before_the_data_begin_is_still_refused() {
    let t = TestApp::start().await;
    t.app.load_calendar().await.unwrap();
    let f = t.fixture().await;
    t.clock.set("2024-12-16T02:00:00.123456789Z".parse().unwrap());
    let f = t.fixture_again(&f).await;
    let order = f.order(&t, "CAL-OLD").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;
    f.shop.ok(&case, "reject", json!({ "reason": "other", "text": "不同意" })).await;
    let (status, problem) = f.buyer.act(&case, "escalate", json!({ "text": "申请平台介入" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(problem["code"], "calendar_not_covered");
}

#[tokio::test]
async fn importing_2027_recounts_open_deadlines_and_12315_clocks_but_not_fired_ones() {
    let t = TestApp::start().await;
    t.app.load_calendar().await.unwrap();
    let f = t.fixture().await;

    // Escalated in December: its provisional decision SLA (2027-01-11) fires before the import.
    t.clock.set("2026-12-20T02:00:00.123456789Z".parse().unwrap());
    let f = t.fixture_again(&f).await;
    let fired = escalated_and_taken(&t, &f, "CAL-FIRED").await;

    // Monday 2027-02-01, 10:00 Beijing time.
    t.clock.set("2027-02-01T02:00:00.123456789Z".parse().unwrap());
    let f = t.fixture_again(&f).await;
    assert!(t.tick().await.timeouts_fired >= 1);
    let before = f.agent.case(&fired).await["case"]["deadline"].clone();
    assert_eq!(before["on_timeout"], "overdue", "{before}");

    // Open: a decision SLA from Monday 1 February. Provisionally: Tue 2 (1), 3 (2), Thu 4 (3);
    // 除夕 Fri 5, 初一/初二 on the weekend, 初三 Mon 8 and the two days given back for the
    // weekend (Tue 9, Wed 10); Thu 11 (4), Fri 12 (5); 15–19 (6–10); 22–26 (11–15): the end of
    // Friday 26 February.
    let open = escalated_and_taken(&t, &f, "CAL-OPEN").await;
    let deadline = f.buyer.case(&open).await["case"]["deadline"].clone();
    assert_eq!(
        (deadline["due"].as_str(), deadline["provisional"].as_bool()),
        (Some("2027-02-26T16:00:00Z"), Some(true))
    );

    // Open: a 12315 complaint filed on 1 February. Provisionally 7 working days: 2, 3, 4, 11, 12,
    // 15, 16 → the end of Tuesday 16 February.
    let order = f.order(&t, "CAL-12315").await;
    let complained = f.file(&order, "refund_only", "counterfeit", 39900).await;
    let path = format!("/api/v1/cases/{complained}/external-escalations");
    let (status, filed) = f.buyer.post(&path, json!({ "channel": "regulator_12315", "filed_on": "2027-02-01" })).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["acceptance_due"], "2027-02-16T16:00:00Z");
    assert_eq!(filed["acceptance_provisional_year"], 2027);

    let (status, imported) = put_calendar(&t, &f.admin, &notice_2027()).await;
    assert_eq!(status, StatusCode::OK, "{imported}");
    assert_eq!(imported["recounted_deadlines"], 1, "{imported}");
    assert_eq!(imported["recounted_regulator_clocks"], 1, "{imported}");

    // With the notice: Tue 2 (1), 3 (2), Thu 4 (3); holidays 5–12; 15–19 (4–8); Saturday 20 is
    // worked (9); 22–26 (10–14); Mon 1 March (15): the end of Monday 1 March.
    let detail = f.buyer.case(&open).await;
    let deadline = &detail["case"]["deadline"];
    assert_eq!(deadline["due"], "2027-03-01T16:00:00Z", "{detail}");
    assert_eq!(deadline["provisional"], false, "no longer provisional");
    let timeline = detail["timeline"].as_array().unwrap();
    let recount = &timeline.iter().find(|e| e["body"]["type"] == "deadline_recounted").unwrap()["body"];
    assert_eq!(
        (recount["old_due"].as_str(), recount["new_due"].as_str()),
        (Some("2027-02-26T16:00:00Z"), Some("2027-03-01T16:00:00Z"))
    );
    let (_, chain) = f.buyer.get(&format!("/api/v1/cases/{open}/chain")).await;
    assert_eq!(chain["intact"], true, "{chain}");

    // The 12315 clock: 2, 3, 4, 15, 16, 17, 18 → the end of Thursday 18 February; on the chain too.
    let (_, listed) = f.buyer.get(&path).await;
    let clock = &listed["items"][0];
    assert_eq!(clock["acceptance_due"], "2027-02-18T16:00:00Z", "{listed}");
    assert_eq!(clock["acceptance_provisional_year"], Value::Null);
    assert!(timeline_types(&f.buyer.case(&complained).await).contains(&"deadline_recounted".to_owned()));

    // The buyer is told of both.
    let (_, notes) = f.buyer.get("/api/v1/notifications").await;
    let kinds: Vec<&str> = notes["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"deadline_recounted") && kinds.contains(&"external_clock_recounted"), "{kinds:?}");

    // The deadline that fired stays fired: not recounted, not moved.
    let after = f.agent.case(&fired).await;
    assert_eq!(after["case"]["deadline"], before);
    assert!(!timeline_types(&after).contains(&"deadline_recounted".to_owned()));

    // 2027 is no longer provisional; a second import recounts nothing.
    let (_, calendar) = f.admin.get("/api/v1/calendar").await;
    assert_eq!(calendar["provisional_years"], Value::Null, "{calendar}");
    let (_, again) = put_calendar(&t, &f.admin, &notice_2027()).await;
    assert_eq!(
        (again["recounted_deadlines"].as_i64(), again["recounted_regulator_clocks"].as_i64()),
        (Some(0), Some(0))
    );
    // Only admins import, and only valid notices.
    assert_eq!(put_calendar(&t, &f.agent, &notice_2027()).await.0, StatusCode::FORBIDDEN);
    let bad =
        json!({ "years": [{ "year": 2027, "source": "x", "holidays": [{ "name": "x", "start": "2028-01-01" }] }] });
    assert_eq!(put_calendar(&t, &f.admin, &bad).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    // The import is kept: a fresh load from the database sees 2027 too.
    t.app.load_calendar().await.unwrap();
    assert!(t.app.calendar.current().covered_years().contains(&2027));
}

#[tokio::test]
async fn a_provisional_12315_clock_says_so_in_its_reminder() {
    let t = TestApp::start().await;
    t.app.load_calendar().await.unwrap();
    let f = t.fixture().await;
    // Saturday 2026-12-26, 10:00 Beijing time.
    t.clock.set("2026-12-26T02:00:00.123456789Z".parse().unwrap());
    let f = t.fixture_again(&f).await;
    let order = f.order(&t, "CAL-REMIND").await;
    let case = f.file(&order, "refund_only", "counterfeit", 39900).await;
    let path = format!("/api/v1/cases/{case}/external-escalations");
    let (status, filed) = f.buyer.post(&path, json!({ "channel": "regulator_12315", "filed_on": "2026-12-26" })).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    // 7 working days: 28, 29, 30, 31 December; 1 January is 元旦; 4, 5, 6 January → the end of
    // Wednesday 2027-01-06, counted over provisional 2027.
    assert_eq!(filed["acceptance_due"], "2027-01-06T16:00:00Z");
    assert_eq!(filed["acceptance_provisional_year"], 2027);
    t.clock.set("2027-01-05T16:00:00.5Z".parse().unwrap());
    assert_eq!(t.tick().await.reminders_sent, 1);
    let buyer = t.login("buyer").await;
    let (_, notes) = buyer.get_in("en", "/api/v1/notifications").await;
    let note = &notes["items"][0];
    assert_eq!(note["kind"], "external_acceptance_soon");
    assert!(note["text"].as_str().unwrap().contains("provisional"), "{note}");
    // The same stored notification, read in Chinese.
    let (_, notes) = buyer.get_in("zh-CN", "/api/v1/notifications").await;
    assert_eq!(notes["items"][0]["id"], note["id"]);
    assert!(notes["items"][0]["text"].as_str().unwrap().contains("暂定"), "{notes}");
}
