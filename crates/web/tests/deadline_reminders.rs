//! The party a case waits for is reminded 24 h and 2 h before a natural-time deadline, once each.

mod support;

use serde_json::json;
use support::TestApp;

/// The reminders among a person's notifications (each move on the case is told too).
async fn kinds(session: &support::Session) -> Vec<String> {
    let (_, notes) = session.get("/api/v1/notifications").await;
    let kinds = notes["items"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap().to_owned());
    kinds.filter(|k| k == "deadline_reminder").collect()
}

#[tokio::test]
async fn the_waiting_party_is_reminded_before_the_deadline() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let order = f.order(&t, "REM-1").await;
    let case = f.file(&order, "refund_only", "quality_defect", 39900).await;

    t.advance_hours(23);
    assert_eq!(t.tick().await.reminders_sent, 0);
    t.advance_hours(1);
    assert_eq!(t.tick().await.reminders_sent, 1, "24 h before the merchant's 48 h");
    assert_eq!(t.tick().await.reminders_sent, 0, "once");
    let (_, notes) = f.shop.get("/api/v1/notifications").await;
    let text = notes["items"][0]["text"].as_str().unwrap();
    assert!(text.contains("2026-03-04 09:00") && text.contains("自动同意"), "{text}");
    let (_, notes) = f.shop.get_in("en", "/api/v1/notifications").await;
    let text = notes["items"][0]["text"].as_str().unwrap();
    assert!(text.contains("2026-03-04 09:00") && text.contains("approved as the buyer requested"), "{text}");
    assert!(!notes["items"][0].to_string().chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "{notes}");
    assert!(kinds(&f.buyer).await.is_empty(), "the buyer is not the one waited for");
    assert!(kinds(&f.other_shop).await.is_empty());

    t.advance_hours(22);
    assert_eq!(t.tick().await.reminders_sent, 1, "2 h before");
    assert_eq!(kinds(&f.shop).await, ["deadline_reminder", "deadline_reminder"]);

    // The merchant answers: the buyer now waits-for, with reminders of their own deadline.
    f.shop.ok(&case, "ask", json!({ "question": "请提供视频" })).await;
    t.advance_hours(6 * 24);
    assert_eq!(t.tick().await.reminders_sent, 1);
    assert_eq!(kinds(&t.login("buyer").await).await, ["deadline_reminder"], "sessions last 7 days: sign in again");
}
