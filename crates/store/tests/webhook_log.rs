//! The webhook delivery log does not grow for ever (issue 12 finding): the worker purges
//! deliveries delivered or dead longer than the retention ago, with their attempts, in batches;
//! pending ones (and finished ones younger than the retention) stay. Both databases, a clock
//! with sub-microsecond parts.

mod support;

use jiff::{SignedDuration, Timestamp};
use redress_app::Store;
use redress_app::webhooks::{Attempt, AttemptOutcome, DEFAULT_LOG_RETENTION, NewDelivery, Subscription};
use std::sync::Arc;
use support::{TestDb, World};
use uuid::Uuid;

support::contract! {
    finished_deliveries_are_purged_after_the_retention => sqlite_finished_deliveries_are_purged_after_the_retention, postgres_finished_deliveries_are_purged_after_the_retention;
}

/// Makes a delivery and takes it through one attempt at `at` that ends with `outcome`.
async fn delivery(
    store: &Arc<dyn Store>,
    subscription: Uuid,
    n: usize,
    at: Timestamp,
    outcome: AttemptOutcome,
) -> Uuid {
    let id = Uuid::now_v7();
    let new = NewDelivery {
        id,
        subscription_id: subscription,
        event_id: format!("case.{n}"),
        event_type: "filed".into(),
        case_id: None,
        body: "{}".into(),
    };
    store.fan_out_webhooks(Uuid::now_v7(), &[new], at).await.unwrap();
    let lease = at.checked_add(SignedDuration::from_secs(60)).unwrap();
    let claimed = store.claim_deliveries(at, lease, "worker-a", 10).await.unwrap();
    assert_eq!(claimed.iter().map(|c| c.delivery.id).collect::<Vec<_>>(), [id], "only the new one is due (#{n})");
    let attempt = Attempt { attempt: 1, at, status_code: Some(200), response: None, error: None, duration_ms: 1 };
    assert!(store.record_attempt(id, "worker-a", &attempt, outcome).await.unwrap());
    id
}

async fn finished_deliveries_are_purged_after_the_retention(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let shop = world.merchant("日志小店").await;
    let store = db.store.clone();
    let start = world.now();
    // The app's clock keeps microseconds (what the databases store); the purge is asked at
    // instants with nanoseconds too.
    let raw: Timestamp = support::START.parse().unwrap();
    assert_ne!(raw.subsec_nanosecond() % 1000, 0, "sub-microsecond parts");
    let s = Subscription {
        id: Uuid::now_v7(),
        merchant_id: shop,
        url: "https://erp.example.com/hooks".into(),
        event_types: vec!["*".into()],
        active: true,
        secret: "whsec_one".into(),
        previous_secret: None,
        previous_until: None,
        created_at: start,
        updated_at: start,
    };
    store.insert_subscription(&s).await.unwrap();
    let later = |d: SignedDuration| start.checked_add(d).unwrap();
    let delivered = delivery(&store, s.id, 1, start, AttemptOutcome::Delivered).await;
    let dead = delivery(&store, s.id, 2, start, AttemptOutcome::Dead).await;
    let young = delivery(&store, s.id, 4, later(SignedDuration::from_hours(24)), AttemptOutcome::Delivered).await;
    // Still retrying (its next attempt far ahead, so later claims here leave it alone).
    let retry_at = later(SignedDuration::from_hours(1000 * 24));
    let retrying = delivery(&store, s.id, 3, start, AttemptOutcome::RetryAt(retry_at)).await;
    let rows = "SELECT COUNT(*) FROM webhook_deliveries";
    let attempts = "SELECT COUNT(*) FROM webhook_attempts";
    assert_eq!((db.count(rows, &[]).await, db.count(attempts, &[]).await), (4, 4));

    let worker = redress_worker::Worker::new(world.app.clone());
    // Exactly the retention after they finished (to the nanosecond): kept.
    let exactly = raw.checked_add(DEFAULT_LOG_RETENTION).unwrap();
    assert_eq!(worker.purge_webhook_log(exactly).await.unwrap(), 0);
    // A microsecond later: the delivered and the dead one go, with their attempts.
    let past = exactly.checked_add(SignedDuration::from_micros(1)).unwrap();
    assert_eq!(worker.purge_webhook_log(past).await.unwrap(), 2);
    let left: Vec<Uuid> = store.deliveries(s.id, None, None, 10).await.unwrap().iter().map(|d| d.id).collect();
    assert!(!left.contains(&delivered) && !left.contains(&dead), "{left:?}");
    assert!(left.contains(&retrying) && left.contains(&young), "pending and young ones stay: {left:?}");
    assert_eq!(db.count(attempts, &[]).await, 2, "the purged deliveries' attempts went with them");

    // In batches: a small limit takes a few at a time, the worker's loop takes them all.
    for n in 10..15 {
        delivery(&store, s.id, n, later(SignedDuration::from_hours(48)), AttemptOutcome::Delivered).await;
    }
    let much_later = later(DEFAULT_LOG_RETENTION + SignedDuration::from_hours(72));
    assert_eq!(store.purge_deliveries(much_later, 2).await.unwrap(), 2);
    assert_eq!(worker.purge_webhook_log(much_later).await.unwrap(), 4, "the young one and the 3 left");
    let left: Vec<Uuid> = store.deliveries(s.id, None, None, 10).await.unwrap().iter().map(|d| d.id).collect();
    assert_eq!(left, [retrying]);
}
