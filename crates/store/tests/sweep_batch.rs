//! The deadline sweep's batch on both databases: the claimed cases and their shops' staff read
//! in one query each (`SweepStore`), then each timeout fired once, its events written as one
//! multi-row insert that still chains, its notices to the right shop's staff.

mod support;

use jiff::SignedDuration;
use redress_app::Role;
use redress_app::ports::DueCase;
use redress_domain::event::EventBody;
use redress_domain::{CaseId, CaseState};
use support::{TestDb, World, refund_request};

support::contract! {
    a_batch_of_due_cases_is_read_at_once_and_fired_once => sqlite_a_batch_of_due_cases_is_read_at_once_and_fired_once, postgres_a_batch_of_due_cases_is_read_at_once_and_fired_once;
}

async fn a_batch_of_due_cases_is_read_at_once_and_fired_once(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let (shop_a, shop_b) = (world.merchant("店铺甲").await, world.merchant("店铺乙").await);
    let a1 = world.user("a1", Role::Merchant, Some(shop_a)).await.user_id().unwrap();
    let (b1, b2) = (
        world.user("b1", Role::Merchant, Some(shop_b)).await.user_id().unwrap(),
        world.user("b2", Role::Merchant, Some(shop_b)).await.user_id().unwrap(),
    );
    world.user("agent", Role::Agent, None).await;
    let buyer = world.user("buyer", Role::Buyer, None).await;
    let mut cases = Vec::new();
    for (i, shop) in [shop_a, shop_a, shop_b].into_iter().enumerate() {
        let order = world.order(&format!("SW-{i}"), shop, buyer.user_id().unwrap()).await;
        cases.push(world.app.file_case(&buyer, refund_request(39900), order.id).await.unwrap());
    }

    // One read for the batch: the records as `case` reads them, unknown ids left out.
    let mut ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    ids.push(CaseId(uuid::Uuid::now_v7()));
    let mut records = store.cases_by_id(&ids).await.unwrap();
    records.sort_by_key(|r| r.case.id);
    assert_eq!(records.len(), 3);
    for record in &records {
        let one = store.case(record.case.id).await.unwrap().unwrap();
        assert_eq!((&record.case, record.version, &record.last_hash), (&one.case, one.version, &one.last_hash));
    }
    assert!(store.cases_by_id(&[]).await.unwrap().is_empty());
    let mut staff = store.staff_of(&[shop_a, shop_b]).await.unwrap();
    staff.sort();
    let mut expected = vec![(shop_a, a1), (shop_b, b1), (shop_b, b2)];
    expected.sort();
    assert_eq!(staff, expected, "merchant accounts of the shops asked for, no agent or buyer");
    assert!(store.staff_of(&[]).await.unwrap().is_empty());

    // Past the merchant's 48 hours: each claimed timeout fires once.
    world.advance_hours(49);
    let now = world.now();
    let due = store.claim_due_cases(now, now + SignedDuration::from_secs(60), "sweeper", 10).await.unwrap();
    assert_eq!(due.len(), 3);
    let fired = world.app.fire_timeouts(due.clone()).await.unwrap();
    assert!(fired.iter().all(|(_, outcome)| outcome.is_ok()), "{fired:?}");
    for case in &cases {
        let events = store.events(case.id).await.unwrap();
        let links: Vec<_> = events.iter().map(|e| e.link.clone()).collect();
        redress_domain::chain::verify(&links).expect("the multi-row insert keeps the chain");
        let record = store.case(case.id).await.unwrap().unwrap();
        assert_eq!(record.version, events.len() as i64);
        assert_eq!(record.last_hash, links.last().unwrap().hash);
        let timed_out = events.iter().filter(|e| matches!(e.event.body, EventBody::TimedOut { .. })).count();
        assert_eq!(timed_out, 1, "{:?}", events.iter().map(|e| e.event.body.type_name()).collect::<Vec<_>>());
        assert_ne!(record.case.state, CaseState::AwaitingMerchant);
    }
    // The timeouts' notices reached each shop's own staff, the two of shop B alike.
    let told = |user| {
        let store = store.clone();
        async move { store.notifications(user, None, 50).await.unwrap().len() }
    };
    let (to_a1, to_b1, to_b2) = (told(a1).await, told(b1).await, told(b2).await);
    assert!(to_a1 > 0 && to_b1 > 0, "a1 {to_a1}, b1 {to_b1}");
    assert_eq!(to_b1, to_b2);
    assert_eq!(to_a1, 2 * to_b1, "shop A has two of the cases");

    // The same deadlines again (a second sweeper holding a stale claim): refused, nothing twice.
    let again: Vec<DueCase> = due.clone();
    let refired = world.app.fire_timeouts(again).await.unwrap();
    assert!(refired.iter().all(|(_, outcome)| outcome.is_err()), "{refired:?}");
    for case in &cases {
        let events = store.events(case.id).await.unwrap();
        assert_eq!(events.iter().filter(|e| matches!(e.event.body, EventBody::TimedOut { .. })).count(), 1);
    }
    assert_eq!(told(a1).await, to_a1, "no notice twice");
}
