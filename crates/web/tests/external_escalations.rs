//! Taking a case to 12315: the regulator's clocks in working days, and reminders sent once.

mod support;

use reqwest::StatusCode;
use serde_json::json;
use support::TestApp;

#[tokio::test]
async fn regulator_clocks_and_reminders() {
    let t = TestApp::start().await;
    t.app.load_calendar().await.unwrap();
    let f = t.fixture().await;
    let order = f.order(&t, "EXT-1").await;
    let case = f.file(&order, "refund_only", "counterfeit", 39900).await;
    let path = format!("/api/v1/cases/{case}/external-escalations");

    let (status, _) = f.buyer.post(&path, json!({ "channel": "regulator_12315", "filed_on": "2026-03-03" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a filing date in the future");
    let (status, _) = f.shop.post(&path, json!({ "channel": "regulator_12315", "filed_on": "2026-03-02" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        f.other_buyer.post(&path, json!({ "channel": "regulator_12315", "filed_on": "2026-03-02" })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, filed) = f
        .buyer
        .post(&path, json!({ "channel": "regulator_12315", "filed_on": "2026-03-02", "reference": "1234567" }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    // Monday 2 March + 7 working days → end of Wednesday 11 March, Beijing time.
    assert_eq!(filed["acceptance_due"], "2026-03-11T16:00:00Z");
    let (_, court) = f.buyer.post(&path, json!({ "channel": "court", "filed_on": "2026-03-02" })).await;
    assert_eq!(court["acceptance_due"], serde_json::Value::Null);

    // Nothing is due yet; a day before the acceptance decision the buyer is reminded, once.
    assert_eq!(t.tick().await.reminders_sent, 0);
    t.clock.set("2026-03-10T16:00:00Z".parse().unwrap());
    assert_eq!(t.tick().await.reminders_sent, 1);
    assert_eq!(t.tick().await.reminders_sent, 0);
    let buyer = t.login("buyer").await;
    let (_, notes) = buyer.get("/api/v1/notifications").await;
    // The case's own moves (its merchant deadline fired meanwhile) are told too: the 12315 ones here.
    let items: Vec<_> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"].as_str().unwrap().starts_with("external_"))
        .collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["kind"], "external_acceptance_soon");
    assert!(items[0]["text"].as_str().unwrap().contains("受理"));
    let note_id = items[0]["id"].as_str().unwrap();
    let (status, _) =
        t.login("other-buyer").await.post(&format!("/api/v1/notifications/{note_id}/read"), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Accepted on 10 March: the mediation clock starts, and no overdue reminder follows.
    let eid = filed["id"].as_str().unwrap();
    let (status, accepted) =
        buyer.post(&format!("{path}/{eid}/acceptance"), json!({ "accepted_on": "2026-03-10" })).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let from = redress_law::calendar::start_of_shanghai_day("2026-03-10".parse().unwrap()).unwrap();
    let expected = t.app.calendar.current().add_working_days(from, 45).unwrap();
    assert_eq!(accepted["mediation_ends"], json!(expected));
    t.clock.set("2026-03-12T00:00:00Z".parse().unwrap());
    assert_eq!(t.tick().await.reminders_sent, 0);
    t.clock.set(expected);
    assert_eq!(t.tick().await.reminders_sent, 1, "one catch-up pass sends the earliest due reminder");
    assert_eq!(t.tick().await.reminders_sent, 1, "then the next one");
    assert_eq!(t.tick().await.reminders_sent, 0);
    let (_, listed) = t.login("buyer").await.get(&path).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 2);
}
