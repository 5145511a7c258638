//! Webhook rows on both databases: a case change and its webhook payload commit together (or
//! not at all); fanning out makes each (subscription, event) delivery once; each attempt is
//! claimed by one worker only, even from two processes at once, and only that worker may log
//! it; retries wait for their time; dead letters are sent again on request.

mod support;

use jiff::{SignedDuration, Timestamp};
use redress_app::webhooks::{Attempt, AttemptOutcome, DeliveryStatus, NewDelivery, Subscription};
use redress_app::{Store, StoreError};
use redress_domain::MerchantId;
use std::sync::Arc;
use support::{Cast, TestDb, World};
use uuid::Uuid;

support::contract! {
    a_change_and_its_webhook_payload_commit_together => sqlite_a_change_and_its_webhook_payload_commit_together, postgres_a_change_and_its_webhook_payload_commit_together;
    each_attempt_is_claimed_and_logged_once => sqlite_each_attempt_is_claimed_and_logged_once, postgres_each_attempt_is_claimed_and_logged_once;
    two_processes_never_claim_one_attempt => sqlite_two_processes_never_claim_one_attempt, postgres_two_processes_never_claim_one_attempt;
}

fn subscription(shop: MerchantId, types: &[&str], now: Timestamp) -> Subscription {
    Subscription {
        id: Uuid::now_v7(),
        merchant_id: shop,
        url: "https://erp.example.com/hooks/redress".into(),
        event_types: types.iter().map(|t| t.to_string()).collect(),
        active: true,
        secret: "whsec_one".into(),
        previous_secret: None,
        previous_until: None,
        created_at: now,
        updated_at: now,
    }
}

fn attempt(n: i64, at: Timestamp, status: u16) -> Attempt {
    Attempt { attempt: n, at, status_code: Some(status), response: Some("ok".into()), error: None, duration_ms: 3 }
}

/// The filing writes its webhook payload in its own transaction; a change that loses its
/// optimistic race writes none. Fanning the payload out twice still makes one delivery.
async fn a_change_and_its_webhook_payload_commit_together(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let store = db.store.clone();
    let wanted = subscription(cast.shop, &["*"], world.now());
    let other = subscription(cast.shop, &["offer_made"], world.now());
    store.insert_subscription(&wanted).await.unwrap();
    store.insert_subscription(&other).await.unwrap();
    let order = world.order("WH-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, support::refund_request(39900), order.id).await.unwrap();
    let payloads = "SELECT COUNT(*) FROM outbox WHERE topic = 'webhook' AND CAST(case_id AS TEXT) = $1";
    assert_eq!(db.count(payloads, &[&case.id.to_string()]).await, 1);

    // A stale version: nothing of the change is written, its webhook payload neither.
    let record = store.case(case.id).await.unwrap().unwrap();
    let event = redress_domain::Event {
        at: world.now(),
        actor: cast.staff.actor(),
        body: redress_domain::EventBody::MessagePosted { text: "迟到的写入".into(), evidence: vec![] },
        transition: None,
    };
    let stale = redress_app::ports::OutboxItem {
        topic: "webhook".into(),
        case_id: Some(case.id),
        payload: serde_json::json!({ "merchant_id": cast.shop, "events": [] }),
    };
    let lost = store.append(&record.case, record.version - 1, &record.last_hash, &[event], &[stale], None).await;
    assert!(matches!(lost, Err(StoreError::Conflict)), "{lost:?}");
    assert_eq!(db.count(payloads, &[&case.id.to_string()]).await, 1);

    let sender = redress_worker::Worker::new(world.app.clone()).webhooks().unwrap();
    assert_eq!(sender.fan_out().await.unwrap(), 1);
    assert_eq!(sender.fan_out().await.unwrap(), 0, "the outbox row is done");
    let made = store.deliveries(wanted.id, None, None, 10).await.unwrap();
    assert_eq!(made.len(), 1);
    assert_eq!((made[0].event_type.as_str(), made[0].event_id.clone()), ("filed", format!("{}.1", case.id)));
    assert!(store.deliveries(other.id, None, None, 10).await.unwrap().is_empty(), "not a type it asked for");

    // The same event again (a fan-out retried after a crash): still one delivery.
    let again = NewDelivery {
        id: Uuid::now_v7(),
        subscription_id: wanted.id,
        event_id: made[0].event_id.clone(),
        event_type: "filed".into(),
        case_id: Some(case.id),
        body: "{}".into(),
    };
    let job = Uuid::now_v7();
    store.fan_out_webhooks(job, &[again], world.now()).await.unwrap();
    assert_eq!(store.deliveries(wanted.id, None, None, 10).await.unwrap().len(), 1);
}

/// One delivery through its life: claimed for attempt 1 by one worker (the lease keeps others
/// off), logged only by it, retried no earlier than asked, dead after its window, listed as a
/// dead letter, sent again from a new window, and deleted with its subscription.
async fn each_attempt_is_claimed_and_logged_once(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let shop = world.merchant("别家小店").await;
    let store = db.store.clone();
    let mut s = subscription(shop, &["*"], world.now());
    store.insert_subscription(&s).await.unwrap();
    let start = world.now();
    let new = NewDelivery {
        id: Uuid::now_v7(),
        subscription_id: s.id,
        event_id: "case.1".into(),
        event_type: "filed".into(),
        case_id: None,
        body: r#"{"id":"case.1"}"#.into(),
    };
    store.fan_out_webhooks(Uuid::now_v7(), std::slice::from_ref(&new), start).await.unwrap();
    let lease = start.checked_add(SignedDuration::from_secs(60)).unwrap();

    let claimed = store.claim_deliveries(start, lease, "worker-a", 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let d = &claimed[0];
    assert_eq!(
        (d.delivery.attempts, d.body.as_str(), d.subscription.secret.as_str()),
        (1, new.body.as_str(), "whsec_one")
    );
    assert!(store.claim_deliveries(start, lease, "worker-b", 10).await.unwrap().is_empty(), "leased");
    let retry_at = Timestamp::from_microsecond(start.as_microsecond() + 30_000_123).unwrap();
    assert!(
        !store
            .record_attempt(new.id, "worker-b", &attempt(1, start, 500), AttemptOutcome::RetryAt(retry_at))
            .await
            .unwrap(),
        "not b's lease"
    );
    assert!(
        store
            .record_attempt(new.id, "worker-a", &attempt(1, start, 500), AttemptOutcome::RetryAt(retry_at))
            .await
            .unwrap()
    );
    assert!(
        !store.record_attempt(new.id, "worker-a", &attempt(1, start, 500), AttemptOutcome::Delivered).await.unwrap(),
        "logged once"
    );

    let before = Timestamp::from_microsecond(retry_at.as_microsecond() - 1).unwrap();
    assert!(store.claim_deliveries(before, lease, "worker-b", 10).await.unwrap().is_empty(), "not due yet");
    // A lease that expired is taken over, for the next attempt; the old holder can no longer log.
    let second = store.claim_deliveries(retry_at, lease, "worker-b", 10).await.unwrap();
    assert_eq!(second[0].delivery.attempts, 2);
    let late = retry_at.checked_add(SignedDuration::from_secs(120)).unwrap();
    let third = store
        .claim_deliveries(late, late.checked_add(SignedDuration::from_secs(60)).unwrap(), "worker-c", 10)
        .await
        .unwrap();
    assert_eq!(third[0].delivery.attempts, 3);
    assert!(!store.record_attempt(new.id, "worker-b", &attempt(2, retry_at, 500), AttemptOutcome::Dead).await.unwrap());
    assert!(store.record_attempt(new.id, "worker-c", &attempt(3, late, 503), AttemptOutcome::Dead).await.unwrap());

    let dead = store.deliveries(s.id, Some(DeliveryStatus::Dead), None, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].last_status, dead[0].next_attempt_at), (Some(503), None));
    assert!(store.deliveries(s.id, Some(DeliveryStatus::Pending), None, 10).await.unwrap().is_empty());
    let (_, body, attempts) = store.delivery(s.id, new.id).await.unwrap().unwrap();
    assert_eq!(body, new.body);
    assert_eq!(
        attempts.iter().map(|a| (a.attempt, a.status_code)).collect::<Vec<_>>(),
        [(1, Some(500)), (3, Some(503))]
    );
    assert_eq!(attempts[0].at, start, "microseconds kept");

    // Sent again: a new window from `now`, counted from 1.
    let now = late.checked_add(SignedDuration::from_hours(1)).unwrap();
    assert!(store.redeliver(s.id, new.id, now).await.unwrap());
    assert!(!store.redeliver(s.id, new.id, now).await.unwrap(), "pending already");
    assert!(!store.redeliver(Uuid::now_v7(), new.id, now).await.unwrap(), "another subscription's");
    let again = store
        .claim_deliveries(now, now.checked_add(SignedDuration::from_secs(60)).unwrap(), "worker-a", 10)
        .await
        .unwrap();
    assert_eq!((again[0].delivery.attempts, again[0].delivery.retry_from), (1, now));
    assert!(store.record_attempt(new.id, "worker-a", &attempt(1, now, 204), AttemptOutcome::Delivered).await.unwrap());
    let delivered = store.deliveries(s.id, Some(DeliveryStatus::Delivered), None, 10).await.unwrap();
    assert_eq!(delivered[0].delivered_at, Some(now));
    assert_eq!(store.redeliver_since(s.id, now, now).await.unwrap(), 0, "created before `since`");
    assert_eq!(store.redeliver_since(s.id, start, now).await.unwrap(), 1);

    // An inactive subscription's deliveries wait; rotated secrets are kept.
    s.active = false;
    s.previous_secret = Some("whsec_one".into());
    s.secret = "whsec_two".into();
    s.previous_until = Some(now);
    assert!(store.update_subscription(&s).await.unwrap());
    assert_eq!(store.subscription(shop, s.id).await.unwrap(), Some(s.clone()));
    assert!(store.claim_deliveries(now, now, "worker-a", 10).await.unwrap().is_empty());
    assert!(store.subscription(MerchantId(Uuid::now_v7()), s.id).await.unwrap().is_none());

    assert!(!store.delete_subscription(MerchantId(Uuid::now_v7()), s.id).await.unwrap(), "another shop's");
    assert!(store.delete_subscription(shop, s.id).await.unwrap());
    assert!(store.subscriptions(shop).await.unwrap().is_empty());
    assert_eq!(
        db.count("SELECT COUNT(*) FROM webhook_attempts WHERE CAST(delivery_id AS TEXT) = $1", &[&new.id.to_string()])
            .await,
        0
    );
}

/// Two worker processes (two pools on one database) claim 40 due deliveries at once, in many
/// small batches: each is claimed exactly once.
async fn two_processes_never_claim_one_attempt(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let shop = world.merchant("山海数码旗舰店").await;
    let s = subscription(shop, &["*"], world.now());
    db.store.insert_subscription(&s).await.unwrap();
    let now = world.now();
    let deliveries: Vec<NewDelivery> = (0..40)
        .map(|i| NewDelivery {
            id: Uuid::now_v7(),
            subscription_id: s.id,
            event_id: format!("case.{i}"),
            event_type: "filed".into(),
            case_id: None,
            body: "{}".into(),
        })
        .collect();
    db.store.fan_out_webhooks(Uuid::now_v7(), &deliveries, now).await.unwrap();
    let lease = now.checked_add(SignedDuration::from_secs(60)).unwrap();
    let stores: [Arc<dyn Store>; 2] = [db.store.clone(), db.another_store().await];
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = stores[i % 2].clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let got = store.claim_deliveries(now, lease, &format!("worker-{i}"), 3).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|c| c.delivery.id));
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let total = all.len();
    all.sort();
    all.dedup();
    assert_eq!((total, all.len()), (40, 40));
}
