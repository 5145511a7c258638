//! The store contract of notifications (issue 12), on SQLite and PostgreSQL: a case change
//! writes its notifications to the inbox and their email jobs in its own transaction; a change
//! that fails writes none; an email job is written only for a reader with an address who did not
//! turn its kind off, and is claimed with a lease.

mod support;

use jiff::SignedDuration;
use redress_app::email::{EMAIL_TOPIC, NotificationSettings};
use redress_app::ports::StoreError;
use redress_domain::case::Remedy;
use redress_domain::vocabulary::RemedyKind;
use redress_domain::{Command, Money};
use support::{Cast, TestDb, World, refund_request};

support::contract! {
    notifications_are_written_with_their_change => sqlite_notifications_are_written_with_their_change, postgres_notifications_are_written_with_their_change;
}

async fn notification_story(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let staff = cast.staff.user_id().unwrap();
    assert!(store.set_user_email(staff, Some("shop@example.com")).await.unwrap());
    let order = world.order("SH-NOTE-1", cast.shop, cast.buyer_id()).await;
    let now = world.now();
    let lease = now.checked_add(SignedDuration::from_secs(60)).unwrap();

    // Filing tells the shop's staff; its email job is claimed once while leased.
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    let inbox = store.notifications(staff, None, 10).await.unwrap();
    assert_eq!(inbox.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), ["filed"]);
    assert!(store.notifications(cast.buyer_id(), None, 10).await.unwrap().is_empty(), "not of one's own move");
    let jobs = store.claim_jobs(EMAIL_TOPIC, now, lease, "w1", 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].payload["notification"], serde_json::json!(inbox[0].id));
    assert!(store.claim_jobs(EMAIL_TOPIC, now, lease, "w2", 10).await.unwrap().is_empty(), "leased");
    assert_eq!(store.notification(inbox[0].id).await.unwrap().as_ref(), Some(&inbox[0]));
    let email = world.app.email_of(&jobs[0].payload).await.unwrap().expect("an email");
    assert_eq!(email.to, "shop@example.com");
    assert!(email.body.contains("买家提交了售后申请"), "{}", email.body);
    store.complete_job(jobs[0].id, now).await.unwrap();

    // The buyer has no address: told in the inbox, no email job.
    let offer = Command::Offer(redress_domain::command::Proposal {
        remedy: Remedy { kind: RemedyKind::Refund, amount: Money::from_fen(20000) },
        note: String::new(),
    });
    world.app.act(&cast.staff, case.id, offer).await.unwrap();
    assert_eq!(store.notifications(cast.buyer_id(), None, 10).await.unwrap()[0].kind, "offer_made");
    assert!(store.claim_jobs(EMAIL_TOPIC, now, lease, "w1", 10).await.unwrap().is_empty());

    // A kind turned off writes no email job.
    let settings = NotificationSettings { language: redress_text::Lang::En, email_off: vec!["message_posted".into()] };
    store.put_notification_settings(staff, &settings, now).await.unwrap();
    assert_eq!(store.notification_settings(staff).await.unwrap(), Some(settings));
    let message = Command::Message { text: "还在吗".into(), evidence: Vec::new() };
    world.app.act(&cast.buyer, case.id, message).await.unwrap();
    assert_eq!(store.notifications(staff, None, 10).await.unwrap()[0].kind, "message_posted");
    assert!(store.claim_jobs(EMAIL_TOPIC, now, lease, "w1", 10).await.unwrap().is_empty());

    // A change that fails (a stale version) leaves no notification behind.
    let record = store.case(case.id).await.unwrap().unwrap();
    let event = redress_domain::Event {
        at: now,
        actor: redress_domain::Actor::Buyer { user: cast.buyer_id() },
        body: redress_domain::EventBody::MessagePosted { text: "stale".into(), evidence: Vec::new() },
        transition: None,
    };
    let note = redress_app::escalations::Notification::new(
        staff,
        Some(case.id),
        redress_text::NotificationKind::MessagePosted,
        serde_json::json!({ "party": "buyer" }),
        now,
    );
    let items = redress_app::notices::inbox_items(std::slice::from_ref(&note)).unwrap();
    let stale = store.append(&record.case, record.version - 1, &record.last_hash, &[event], &items, None).await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");
    assert!(store.notification(note.id).await.unwrap().is_none());
    assert_eq!(store.notifications(staff, None, 10).await.unwrap().len(), 2);
}

async fn notifications_are_written_with_their_change(db: TestDb) {
    notification_story(db).await;
}
