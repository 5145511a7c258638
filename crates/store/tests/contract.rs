//! The store contract: one suite of stories, written once against `Arc<dyn Store>`, that every
//! adapter must pass. Each story runs on a fresh SQLite file (`sqlite_<story>`) and on a fresh
//! PostgreSQL database (`postgres_<story>`, when `REDRESS_TEST_POSTGRES_URL` is set; required
//! when `CI` or `REDRESS_REQUIRE_POSTGRES=1` is set).
//!
//! Run against PostgreSQL:
//! `REDRESS_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:55432/postgres cargo test -p redress-store`

mod support;

use jiff::{SignedDuration, Timestamp};
use redress_app::ports::{
    ApiToken, CaseFilter, IdempotencyRecord, LedgerRefund, OrderFilter, OutboxItem, PayoutKind, StoredEvent,
};
use redress_app::{AppError, Principal, Role, StoreError};
use redress_domain::chain::{self, ChainBreak};
use redress_domain::event::EventBody;
use redress_domain::order::Order;
use redress_domain::vocabulary::RejectReason;
use redress_domain::{Actor, Case, CaseId, CaseState, Command, Event, Money, Outcome, Policy, TokenId, apply};
use redress_worker::{TickReport, Worker};
use std::collections::HashSet;
use support::{Cast, START, TestDb, World, refund_request};

support::contract! {
    users_sessions_and_tokens => sqlite_users_sessions_and_tokens, postgres_users_sessions_and_tokens;
    merchants_and_orders => sqlite_merchants_and_orders, postgres_merchants_and_orders;
    policy_in_force_is_the_newest_effective => sqlite_policy_in_force_is_the_newest_effective, postgres_policy_in_force_is_the_newest_effective;
    case_changes_are_one_transaction => sqlite_case_changes_are_one_transaction, postgres_case_changes_are_one_transaction;
    tampering_is_named => sqlite_tampering_is_named, postgres_tampering_is_named;
    outbox_and_ledger => sqlite_outbox_and_ledger, postgres_outbox_and_ledger;
    deadlines_are_claimed_with_a_lease => sqlite_deadlines_are_claimed_with_a_lease, postgres_deadlines_are_claimed_with_a_lease;
    concurrent_workers_and_writers => sqlite_concurrent_workers_and_writers, postgres_concurrent_workers_and_writers;
    idempotency_keys => sqlite_idempotency_keys, postgres_idempotency_keys;
    concurrent_filings_on_one_item => sqlite_concurrent_filings_on_one_item, postgres_concurrent_filings_on_one_item;
    recount_candidates_and_notifications => sqlite_recount_candidates_and_notifications, postgres_recount_candidates_and_notifications;
    a_burst_of_changes_fails_only_the_stale_ones => sqlite_a_burst_of_changes_fails_only_the_stale_ones, postgres_a_burst_of_changes_fails_only_the_stale_ones;
    a_committed_change_wakes_the_worker => sqlite_a_committed_change_wakes_the_worker, postgres_a_committed_change_wakes_the_worker;
}

/// 11. What a calendar import recounts: open cases due from an instant (paged by id), 12315
///     escalations whose clocks have not fired, and notifications stored once per id.
async fn recount_candidates_and_notifications(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let first = world.order("SH-RC-1", cast.shop, cast.buyer_id()).await;
    let second = world.order("SH-RC-2", cast.shop, cast.buyer_id()).await;
    let open = world.app.file_case(&cast.buyer, refund_request(39900), first.id).await.unwrap();
    let closed = world.app.file_case(&cast.buyer, refund_request(39900), second.id).await.unwrap();
    world.app.act(&cast.buyer, closed.id, Command::Withdraw).await.unwrap();
    let due = open.deadline.as_ref().unwrap().due;
    let ids = |cases: Vec<Case>| cases.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(ids(store.cases_due_from(start(), None, 10).await.unwrap()), [open.id]);
    assert_eq!(ids(store.cases_due_from(due, None, 10).await.unwrap()), [open.id]);
    let after_due = due.checked_add(SignedDuration::from_micros(1)).unwrap();
    assert!(store.cases_due_from(after_due, None, 10).await.unwrap().is_empty());
    assert!(store.cases_due_from(start(), Some(open.id), 10).await.unwrap().is_empty());

    let new = redress_app::escalations::NewEscalation {
        channel: redress_app::escalations::ExternalChannel::Regulator12315,
        filed_on: redress_law::calendar::shanghai_date(world.now()),
        reference: String::new(),
    };
    let filed = world.app.record_external_escalation(&cast.buyer, open.id, new).await.unwrap();
    let (reminder, _) = filed.next_reminder().unwrap();
    assert_eq!(store.external_escalations_due_from(reminder).await.unwrap(), std::slice::from_ref(&filed));
    let later = reminder.checked_add(SignedDuration::from_micros(1)).unwrap();
    assert!(store.external_escalations_due_from(later).await.unwrap().is_empty());

    let note = redress_app::escalations::Notification::new(
        cast.buyer_id(),
        Some(open.id),
        redress_text::NotificationKind::DeadlineRecounted,
        serde_json::json!({ "old_due": world.now(), "new_due": later }),
        world.now(),
    );
    store.insert_notifications(std::slice::from_ref(&note)).await.unwrap();
    store.insert_notifications(std::slice::from_ref(&note)).await.unwrap();
    assert_eq!(store.notifications(cast.buyer_id(), None, 10).await.unwrap(), std::slice::from_ref(&note));
    // Stored as a kind plus arguments, it reads in either language.
    assert!(note.text(redress_text::Lang::En).contains("deadline moved from"));
    assert!(note.text(redress_text::Lang::Zh).contains("调整为"));

    // A notification stored before the text catalogue, its text frozen in both languages, still reads.
    let legacy = uuid::Uuid::now_v7();
    let body = serde_json::json!({
        "id": legacy, "user_id": cast.buyer_id(), "case_id": open.id, "kind": "deadline_recounted",
        "text_zh": "期限已重新计算", "text_en": "deadline recounted", "created_at": world.now(), "read_at": null,
    });
    let (buyer, case, micros) = (cast.buyer_id().to_string(), open.id.to_string(), world.now().as_microsecond());
    let row = [&legacy.to_string(), &buyer, &case, "deadline_recounted", &body.to_string(), &micros.to_string()];
    let sql = db.either(
        "INSERT INTO notifications (id, user_id, case_id, kind, body, created_at) \
         VALUES ($1, $2, $3, $4, $5, CAST($6 AS BIGINT))",
        "INSERT INTO notifications (id, user_id, case_id, kind, body, created_at) \
         VALUES (CAST($1 AS uuid), CAST($2 AS uuid), CAST($3 AS uuid), $4, CAST($5 AS jsonb), \
         TIMESTAMPTZ 'epoch' + CAST($6 AS BIGINT) * INTERVAL '1 microsecond')",
    );
    db.execute(sql, &row).await;
    let read = store.notifications(cast.buyer_id(), None, 10).await.unwrap();
    assert_eq!((read.len(), read[0].id), (2, legacy));
    assert_eq!(read[0].text(redress_text::Lang::En), "deadline recounted");
    assert_eq!(read[0].text(redress_text::Lang::Zh), "期限已重新计算");

    // A sweep whose due time does not match the case's is refused: counted and logged, never
    // dropped silently (and never fired).
    let earlier = db.either(
        "UPDATE cases SET sweep_at = sweep_at - 1 WHERE id = $1",
        "UPDATE cases SET sweep_at = sweep_at - INTERVAL '1 microsecond' WHERE id = CAST($1 AS uuid)",
    );
    db.execute(earlier, &[&open.id.to_string()]).await;
    world.advance_hours(49);
    let report = Worker::new(world.app.clone()).tick().await.unwrap();
    assert_eq!((report.timeouts_fired, report.timeouts_refused), (0, 1));
}

/// Eight filings on the same item at once, through two pools: exactly one case opens, and the
/// others are told the item already has an open case.
async fn concurrent_filings_on_one_item(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let other = World::with_clock(db.another_store().await, world.clock.clone());
    let cast = Cast::new(&world).await;
    let order = world.order("SH-TWICE-1", cast.shop, cast.buyer_id()).await;
    let mut filings = tokio::task::JoinSet::new();
    for i in 0..8 {
        let app = if i % 2 == 0 { world.app.clone() } else { other.app.clone() };
        let buyer = cast.buyer.clone();
        filings.spawn(async move { app.file_case(&buyer, refund_request(39900), order.id).await });
    }
    let (mut opened, mut refused) = (0, 0);
    while let Some(result) = filings.join_next().await {
        match result.unwrap() {
            Ok(_) => opened += 1,
            Err(AppError::Rejected(r)) if r.code == redress_domain::RejectionCode::ItemsHaveOpenCase => refused += 1,
            Err(e) => panic!("unexpected: {e:?}"),
        }
    }
    assert_eq!((opened, refused), (1, 7));
    assert_eq!(db.count("SELECT COUNT(*) FROM cases", &[]).await, 1);
}

fn start() -> Timestamp {
    START.parse().unwrap()
}

fn hours(h: i64) -> SignedDuration {
    SignedDuration::from_hours(h)
}

fn types(events: &[StoredEvent]) -> Vec<&'static str> {
    events.iter().map(|e| e.event.body.type_name()).collect()
}

fn count_type(events: &[StoredEvent], name: &str) -> usize {
    events.iter().filter(|e| e.event.body.type_name() == name).count()
}

fn links(events: &[StoredEvent]) -> Vec<chain::Link> {
    events.iter().map(|e| e.link.clone()).collect()
}

/// Folds the stored events from the filing on: what the stored case body must equal.
fn fold(events: &[StoredEvent]) -> Case {
    let EventBody::Filed(filed) = &events[0].event.body else {
        panic!("first event is {}", events[0].event.body.type_name())
    };
    events.iter().fold(Case::opened(filed, events[0].event.at), |case, e| apply(case, &e.event))
}

fn message(text: &str) -> Command {
    Command::Message { text: text.into(), evidence: Vec::new() }
}

/// 1. People and access: users by id and login, sessions that expire, API tokens by hash.
async fn users_sessions_and_tokens(db: TestDb) {
    let store = &db.store;
    // Times reach the store from a clock, which gives microseconds.
    let now = redress_domain::time::micros(start());
    let shop = support::merchant("山海数码旗舰店");
    store.insert_merchant(&shop, now).await.unwrap();

    let buyer = support::user("buyer", Role::Buyer, None);
    let staff = support::user("shop", Role::Merchant, Some(shop.id));
    store.insert_user(&buyer, "hash-buyer", now).await.unwrap();
    store.insert_user(&staff, "hash-shop", now).await.unwrap();

    let (found, hash) = store.user_by_login("buyer").await.unwrap().expect("buyer");
    assert_eq!(found, buyer);
    assert_eq!(hash, "hash-buyer");
    assert_eq!(store.user(staff.id).await.unwrap(), Some(staff.clone()));
    assert!(store.user_by_login("nobody").await.unwrap().is_none());
    assert!(store.user_by_login("BUYER").await.unwrap().is_none());

    // A second account with a taken login is refused, and nothing of it is stored.
    let twin = support::user("buyer", Role::Agent, None);
    let err = store.insert_user(&twin, "hash-twin", now).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
    assert!(store.user(twin.id).await.unwrap().is_none());
    assert_eq!(store.user_by_login("buyer").await.unwrap().unwrap().0.id, buyer.id);

    // A session is valid until (not at) its expiry.
    let expires = now.checked_add(hours(7 * 24)).unwrap();
    store.insert_session("session-hash", buyer.id, expires, now).await.unwrap();
    assert_eq!(store.session_user("session-hash", now).await.unwrap(), Some(buyer.clone()));
    let just_before = expires.checked_sub(SignedDuration::from_micros(1)).unwrap();
    assert_eq!(store.session_user("session-hash", just_before).await.unwrap(), Some(buyer.clone()));
    assert_eq!(store.session_user("session-hash", expires).await.unwrap(), None);
    assert_eq!(store.session_user("other-hash", now).await.unwrap(), None);
    store.delete_session("session-hash").await.unwrap();
    assert_eq!(store.session_user("session-hash", now).await.unwrap(), None);

    // API tokens are found by the hash of their secret, until revoked.
    let token =
        ApiToken {
            id: TokenId(uuid::Uuid::now_v7()), merchant_id: shop.id, name: "ERP 对接".into(), created_at: now
        };
    store.insert_api_token(&token, "token-hash").await.unwrap();
    let found = store.api_token("token-hash").await.unwrap().expect("token");
    assert_eq!(
        (found.id, found.merchant_id, found.name.as_str(), found.created_at),
        (token.id, shop.id, "ERP 对接", now)
    );
    assert!(store.api_token("other-hash").await.unwrap().is_none());
    let revoked =
        db.execute("UPDATE api_tokens SET revoked_at = created_at WHERE token_hash = $1", &["token-hash"]).await;
    assert_eq!(revoked, 1);
    assert!(store.api_token("token-hash").await.unwrap().is_none());
}

/// 2. Merchants and orders: stored as given, listed newest first with filters and a cursor.
async fn merchants_and_orders(db: TestDb) {
    let store = &db.store;
    let now = start();
    let shop = support::merchant("山海数码旗舰店");
    let other_shop = support::merchant("别家小店");
    for m in [&shop, &other_shop] {
        store.insert_merchant(m, now).await.unwrap();
    }
    assert_eq!(store.merchant(shop.id).await.unwrap(), Some(shop.clone()));
    assert!(store.merchant(support::merchant("x").id).await.unwrap().is_none());
    let err = store.insert_merchant(&shop, now).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");

    let buyer = support::user("buyer", Role::Buyer, None);
    let other_buyer = support::user("other-buyer", Role::Buyer, None);
    for u in [&buyer, &other_buyer] {
        store.insert_user(u, "hash", now).await.unwrap();
    }

    // Inserted oldest first: (number, merchant, buyer).
    let plan = [
        ("SH-1", shop.id, buyer.id),
        ("SH-2", shop.id, other_buyer.id),
        ("SH-3", other_shop.id, buyer.id),
        ("SH-4", shop.id, buyer.id),
        ("SH-5", other_shop.id, other_buyer.id),
        ("SH-6", shop.id, buyer.id),
    ];
    let mut orders: Vec<Order> = Vec::new();
    for (i, (number, merchant, buyer)) in plan.into_iter().enumerate() {
        let created = now.checked_add(SignedDuration::from_mins(i as i64)).unwrap();
        let order = support::order(number, merchant, buyer, created);
        store.insert_order(&order).await.unwrap();
        orders.push(order);
    }
    for order in &orders {
        assert_eq!(store.order(order.id).await.unwrap().as_ref(), Some(order));
    }

    let numbers = |list: &[Order]| list.iter().map(|o| o.number.clone()).collect::<Vec<_>>();
    let list = |filter: OrderFilter| async move { store.list_orders(&filter).await.unwrap() };

    let all = list(OrderFilter { limit: 100, ..Default::default() }).await;
    assert_eq!(numbers(&all), ["SH-6", "SH-5", "SH-4", "SH-3", "SH-2", "SH-1"]);
    let mine = list(OrderFilter { buyer_id: Some(buyer.id), limit: 100, ..Default::default() }).await;
    assert_eq!(numbers(&mine), ["SH-6", "SH-4", "SH-3", "SH-1"]);
    let shops = list(OrderFilter { merchant_id: Some(shop.id), limit: 100, ..Default::default() }).await;
    assert_eq!(numbers(&shops), ["SH-6", "SH-4", "SH-2", "SH-1"]);
    let both = list(OrderFilter {
        buyer_id: Some(buyer.id),
        merchant_id: Some(other_shop.id),
        limit: 100,
        ..Default::default()
    })
    .await;
    assert_eq!(numbers(&both), ["SH-3"]);

    // Paging with the `before` cursor walks the buyer's orders once, newest first.
    let mut pages = Vec::new();
    let mut before = None;
    loop {
        let page = list(OrderFilter { buyer_id: Some(buyer.id), before, limit: 3, ..Default::default() }).await;
        if page.is_empty() {
            break;
        }
        before = Some(page.last().unwrap().id);
        pages.push(numbers(&page));
    }
    assert_eq!(
        pages,
        [vec!["SH-6", "SH-4", "SH-3"], vec!["SH-1"]].map(|p| p.into_iter().map(String::from).collect::<Vec<_>>())
    );

    // A taken order number is refused, and nothing of the order is stored.
    let dup = support::order("SH-4", shop.id, buyer.id, now);
    let err = store.insert_order(&dup).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
    assert!(store.order(dup.id).await.unwrap().is_none());

    let history = store.order_history(&orders[0]).await.unwrap();
    assert_eq!(history.prior_cases, 0);
    assert_eq!(history.committed_refunds, Money::ZERO);
}

/// 3. Policy versions: the one in force is the newest already effective, never one announced
///    for later.
async fn policy_in_force_is_the_newest_effective(db: TestDb) {
    let store = &db.store;
    let now = start();
    let epoch = Timestamp::UNIX_EPOCH;
    let v1 = Policy::default();
    let v2 = Policy { merchant_response_hours: 72, ..Policy::default() };
    let v3 = Policy { merchant_response_hours: 24, ..Policy::default() };
    assert_eq!(store.policy_in_force(now).await.unwrap(), None);
    store.insert_policy(1, &v1, epoch, epoch).await.unwrap();
    assert_eq!(store.policy_in_force(now).await.unwrap(), Some((1, v1.clone())));

    let v2_effective = now.checked_sub(hours(1)).unwrap();
    let v3_effective = now.checked_add(hours(24)).unwrap();
    store.insert_policy(2, &v2, now.checked_sub(hours(30 * 24)).unwrap(), v2_effective).await.unwrap();
    // Published now, effective tomorrow: announced, not yet in force.
    store.insert_policy(3, &v3, now, v3_effective).await.unwrap();

    assert_eq!(store.policy_in_force(now).await.unwrap(), Some((2, v2.clone())));
    assert_eq!(
        store.policy_in_force(v2_effective.checked_sub(SignedDuration::from_micros(1)).unwrap()).await.unwrap(),
        Some((1, v1.clone()))
    );
    assert_eq!(store.policy_in_force(v2_effective).await.unwrap(), Some((2, v2.clone())));
    assert_eq!(store.policy_in_force(v3_effective).await.unwrap(), Some((3, v3.clone())));
    assert_eq!(store.policy_in_force(epoch.checked_sub(hours(1)).unwrap()).await.unwrap(), None);
    assert_eq!(store.policy(3).await.unwrap(), Some(v3));
    assert_eq!(store.policy(9).await.unwrap(), None);
    let err = store.insert_policy(2, &v1, now, now).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");
    assert_eq!(store.policy(2).await.unwrap(), Some(v2));

    // The app files new cases under the version in force.
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let order = world.order("SH-POLICY", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    assert_eq!(case.policy_version, 2);
}

/// 4. Every change to a case is one transaction: events with a gap-free sequence and a valid
///    hash chain, the case row as their fold, and a stale version refused with nothing written.
async fn case_changes_are_one_transaction(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store();
    let cast = Cast::new(&world).await;
    let order = world.order("SH-TX-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    let app = &world.app;
    app.act(&cast.buyer, case.id, message("左耳没有声音,请处理")).await.unwrap();
    world.advance_hours(1);
    app.act(&cast.staff, case.id, message("请提供照片")).await.unwrap();
    app.act(
        &cast.staff,
        case.id,
        Command::Reject { reason: RejectReason::UsedOrDamagedByBuyer, text: "耳机有进水痕迹".into() },
    )
    .await
    .unwrap();
    world.advance_hours(2);
    app.act(&cast.buyer, case.id, Command::Escalate { text: "商家拒绝,申请平台介入".into() }).await.unwrap();

    let events = store.events(case.id).await.unwrap();
    assert_eq!(types(&events), ["filed", "message_posted", "message_posted", "rejected", "escalated"]);
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=5).collect::<Vec<_>>());
    assert_eq!(chain::verify(&links(&events)), Ok(()));
    assert_eq!(app.verify_chain(case.id).await.unwrap(), Ok(5));
    let record = store.case(case.id).await.unwrap().expect("case");
    assert_eq!(record.version, 5);
    assert_eq!(record.last_hash, events[4].link.hash);
    assert_eq!(record.case.state, CaseState::PlatformReview);
    assert_eq!(fold(&events), record.case);
    assert!(store.case(CaseId(uuid::Uuid::now_v7())).await.unwrap().is_none());

    // The case row's columns serve the filters.
    let listed = store
        .list_cases(&CaseFilter {
            buyer_id: Some(cast.buyer_id()),
            state: Some("platform_review".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(listed, std::slice::from_ref(&record.case));
    let none = store
        .list_cases(&CaseFilter {
            merchant_id: Some(cast.shop),
            state: Some("awaiting_merchant".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    let history = store.order_history(&order).await.unwrap();
    assert_eq!(history.prior_cases, 1);

    // Filing the same case twice is refused.
    let err = store.create_case(&record.case, &events[0].event, &[], 1, None).await.unwrap_err();
    assert!(matches!(err, StoreError::Duplicate(_)), "{err:?}");

    // A writer that read an older version loses, and writes nothing: no event, no outbox row.
    let buyer = cast.buyer_id();
    let late = Event {
        at: world.now(),
        actor: Actor::Buyer { user: buyer },
        body: EventBody::MessagePosted { text: "来晚了".into(), evidence: Vec::new() },
        transition: None,
    };
    let after = apply(record.case.clone(), &late);
    let job = OutboxItem {
        topic: "refund".into(),
        case_id: Some(case.id),
        payload: serde_json::json!({ "refund_id": "stale" }),
    };
    for stale in [record.version - 1, 1, record.version + 1] {
        let err = store
            .append(&after, stale, &record.last_hash, std::slice::from_ref(&late), std::slice::from_ref(&job), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict), "{stale}: {err:?}");
    }
    // The current version with another head (the chain would not continue from the stored one).
    let other_head = chain::next_link(&record.last_hash, record.version + 1, "{}".into()).hash;
    let err = store
        .append(&after, record.version, &other_head, std::slice::from_ref(&late), std::slice::from_ref(&job), None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    let err = store
        .append(
            &Case { id: CaseId(uuid::Uuid::now_v7()), ..after.clone() },
            1,
            &record.last_hash,
            std::slice::from_ref(&late),
            &[],
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    assert_eq!(store.events(case.id).await.unwrap().len(), 5);
    let unchanged = store.case(case.id).await.unwrap().unwrap();
    assert_eq!(unchanged.version, 5);
    assert_eq!(unchanged.case, record.case);
    // (The case's webhook rows are its earlier changes'; the stale writes tried a refund row.)
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox WHERE topic = 'refund'", &[]).await, 0);

    // The current version is accepted, with its outbox row.
    store
        .append(
            &after,
            record.version,
            &record.last_hash,
            std::slice::from_ref(&late),
            std::slice::from_ref(&job),
            None,
        )
        .await
        .unwrap();
    let events = store.events(case.id).await.unwrap();
    assert_eq!(events.len(), 6);
    assert_eq!(events[5].seq, 6);
    assert_eq!(chain::verify(&links(&events)), Ok(()));
    let record = store.case(case.id).await.unwrap().unwrap();
    assert_eq!((record.version, &record.case), (6, &after));
    assert_eq!(fold(&events), after);
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM outbox WHERE CAST(case_id AS TEXT) = $1 AND topic = 'refund'",
            &[&case.id.to_string()]
        )
        .await,
        1
    );
}

/// 5. Tampering with stored events is detected and names the event.
async fn tampering_is_named(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let order = world.order("SH-TAMPER-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    for (who, text) in [(&cast.buyer, "左耳没有声音"), (&cast.staff, "请提供照片"), (&cast.buyer, "照片已上传")]
    {
        world.app.act(who, case.id, message(text)).await.unwrap();
    }
    let app = &world.app;
    assert_eq!(app.verify_chain(case.id).await.unwrap(), Ok(4));

    let id = case.id.to_string();
    let original = world.store().events(case.id).await.unwrap()[1].link.clone();
    assert!(original.content.contains("左耳没有声音"));
    let forged = original.content.replace("左耳没有声音", "耳机完好无损");

    // Someone with database access rewrites what the buyer said.
    let n = db
        .execute("UPDATE case_events SET content = $1 WHERE CAST(case_id AS TEXT) = $2 AND seq = 2", &[&forged, &id])
        .await;
    assert_eq!(n, 1);
    assert_eq!(app.verify_chain(case.id).await.unwrap(), Err(ChainBreak::ContentAltered { seq: 2 }));

    // ... and recomputes that event's hash: the next event no longer follows it.
    let rehashed = chain::link_hash(&original.prev_hash, 2, &forged);
    db.execute("UPDATE case_events SET hash = $1 WHERE CAST(case_id AS TEXT) = $2 AND seq = 2", &[&rehashed, &id])
        .await;
    assert_eq!(app.verify_chain(case.id).await.unwrap(), Err(ChainBreak::LinkBroken { seq: 3 }));

    // Put back, the chain is whole again.
    db.execute(
        "UPDATE case_events SET content = $1, hash = $2 WHERE CAST(case_id AS TEXT) = $3 AND seq = 2",
        &[&original.content, &original.hash, &id],
    )
    .await;
    assert_eq!(app.verify_chain(case.id).await.unwrap(), Ok(4));

    // An event removed is named by the gap it leaves.
    let n = db.execute("DELETE FROM case_events WHERE CAST(case_id AS TEXT) = $1 AND seq = 3", &[&id]).await;
    assert_eq!(n, 1);
    assert_eq!(app.verify_chain(case.id).await.unwrap(), Err(ChainBreak::SequenceGap { expected: 3, found: 4 }));
}

/// 6. The outbox and the ledger: the refund job is written with the change that asks for it,
///    claimed under a lease, and the ledger pays each refund once and never more than was paid.
async fn outbox_and_ledger(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let order = world.order("SH-REFUND-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    let now = world.now();
    let lease = now.checked_add(SignedDuration::from_secs(60)).unwrap();
    assert!(store.claim_jobs("refund", now, lease, "w1", 10).await.unwrap().is_empty(), "filing asks for no refund");

    let approved = world.app.act(&cast.staff, case.id, Command::Approve).await.unwrap();
    assert_eq!(approved.state, CaseState::Refunding);
    let refund = approved.refund.clone().expect("pending refund");
    let events = store.events(case.id).await.unwrap();
    assert_eq!(types(&events)[1..], ["approved", "refund_started"]);
    assert_eq!(
        db.count(
            "SELECT COUNT(*) FROM outbox WHERE CAST(case_id AS TEXT) = $1 AND topic = 'refund'",
            &[&case.id.to_string()]
        )
        .await,
        1
    );

    // Claimed by one worker; nobody else gets it while the lease runs.
    let jobs = store.claim_jobs("refund", now, lease, "w1", 10).await.unwrap();
    assert_eq!(jobs.len(), 1);
    let job = &jobs[0];
    assert_eq!(job.topic, "refund");
    assert_eq!(job.case_id, Some(case.id));
    assert_eq!(job.payload["refund_id"], refund.refund_id.as_str());
    assert_eq!(job.payload["amount"], 39900);
    assert_eq!(job.attempts, 1);
    // Another topic's jobs (the webhook payloads of the filing and the approval) are claimed apart.
    let webhooks = store.claim_jobs("webhook", now, lease, "w2", 10).await.unwrap();
    assert_eq!(webhooks.len(), 2);
    assert!(webhooks.iter().all(|w| w.topic == "webhook" && w.id != job.id));
    assert!(store.claim_jobs("refund", now, lease, "w2", 10).await.unwrap().is_empty());
    let mid_lease = now.checked_add(SignedDuration::from_secs(30)).unwrap();
    assert!(store.claim_jobs("refund", mid_lease, lease, "w2", 10).await.unwrap().is_empty());
    // The first worker died: after its lease the job is claimed again.
    let later = lease.checked_add(SignedDuration::from_secs(1)).unwrap();
    let later_lease = later.checked_add(SignedDuration::from_secs(60)).unwrap();
    let again = store.claim_jobs("refund", later, later_lease, "w2", 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, job.id);
    assert_eq!(again[0].attempts, 2);

    // The ledger: idempotent per refund id, never beyond what was paid.
    let amount = Money::from_fen(39900);
    assert_eq!(
        store.ledger_refund(&order, &refund.refund_id, amount, PayoutKind::Refund, now).await.unwrap(),
        LedgerRefund::Executed
    );
    assert_eq!(
        store.ledger_refund(&order, &refund.refund_id, amount, PayoutKind::Refund, now).await.unwrap(),
        LedgerRefund::Executed
    );
    assert_eq!(store.ledger_total(order.id).await.unwrap(), amount);
    let refused =
        store.ledger_refund(&order, "another-refund", Money::from_fen(1), PayoutKind::Refund, now).await.unwrap();
    assert!(matches!(refused, LedgerRefund::Refused(_)), "{refused:?}");
    let refused = store.ledger_refund(&order, "nothing", Money::ZERO, PayoutKind::Refund, now).await.unwrap();
    assert!(matches!(refused, LedgerRefund::Refused(_)), "{refused:?}");
    assert_eq!(store.ledger_total(order.id).await.unwrap(), amount);
    // Statutory compensation is not a refund: it may go beyond the price, once per id.
    let damages = Money::from_fen(3 * 39900 + 39900);
    for _ in 0..2 {
        let paid = store.ledger_refund(&order, "damages-1", damages, PayoutKind::Compensation, now).await.unwrap();
        assert_eq!(paid, LedgerRefund::Executed);
    }
    assert_eq!(store.ledger_total(order.id).await.unwrap(), amount, "refunds alone are still capped");

    // Partial refunds add up to what was paid, and not a fen more.
    let split = world.order("SH-REFUND-2", cast.shop, cast.buyer_id()).await;
    for (id, fen, executed) in [("part-a", 20000, true), ("part-b", 19900, true), ("part-c", 1, false)] {
        let result = store.ledger_refund(&split, id, Money::from_fen(fen), PayoutKind::Refund, now).await.unwrap();
        assert_eq!(result == LedgerRefund::Executed, executed, "{id}: {result:?}");
    }
    assert_eq!(store.ledger_total(split.id).await.unwrap(), amount);
    assert_eq!(
        store.ledger_total(support::order("none", cast.shop, cast.buyer_id(), now).id).await.unwrap(),
        Money::ZERO
    );

    // A job put back for later is not claimed before its time.
    let other_order = world.order("SH-REFUND-3", cast.shop, cast.buyer_id()).await;
    let other = world.app.file_case(&cast.buyer, refund_request(10000), other_order.id).await.unwrap();
    world.app.act(&cast.staff, other.id, Command::Approve).await.unwrap();
    let claimed = store.claim_jobs("refund", now, lease, "w3", 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].case_id, Some(other.id));
    let retry_at = now.checked_add(SignedDuration::from_mins(10)).unwrap();
    store.retry_job(claimed[0].id, retry_at, "gateway timed out").await.unwrap();
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox WHERE last_error = $1", &["gateway timed out"]).await, 1);
    let before_retry = retry_at.checked_sub(SignedDuration::from_secs(1)).unwrap();
    let claimed_early = store.claim_jobs("refund", before_retry, retry_at, "w3", 10).await.unwrap();
    assert!(claimed_early.iter().all(|j| j.id != claimed[0].id), "{claimed_early:?}");

    // Refunds racing on one order from two processes: the ledger never pays beyond the order.
    let second_store = db.another_store().await;
    let contested = world.order("SH-REFUND-4", cast.shop, cast.buyer_id()).await;
    let mut racers = tokio::task::JoinSet::new();
    for i in 0..10 {
        let store = if i % 2 == 0 { store.clone() } else { second_store.clone() };
        let order = contested.clone();
        racers.spawn(async move {
            store
                .ledger_refund(&order, &format!("race-{i}"), Money::from_fen(10000), PayoutKind::Refund, now)
                .await
                .unwrap()
        });
    }
    let results = racers.join_all().await;
    let executed = results.iter().filter(|r| **r == LedgerRefund::Executed).count();
    assert_eq!(executed, 3, "{results:?}");
    assert_eq!(store.ledger_total(contested.id).await.unwrap(), Money::from_fen(30000));
    // One refund id sent many times at once is paid once.
    let repeated = world.order("SH-REFUND-5", cast.shop, cast.buyer_id()).await;
    let mut racers = tokio::task::JoinSet::new();
    for i in 0..6 {
        let store = if i % 2 == 0 { store.clone() } else { second_store.clone() };
        let order = repeated.clone();
        racers.spawn(async move {
            store.ledger_refund(&order, "same-refund", Money::from_fen(39900), PayoutKind::Refund, now).await.unwrap()
        });
    }
    assert!(racers.join_all().await.iter().all(|r| *r == LedgerRefund::Executed));
    assert_eq!(store.ledger_total(repeated.id).await.unwrap(), Money::from_fen(39900));

    // Jobs claimed by racing workers in two processes: each job goes to exactly one of them.
    let record = store.case(other.id).await.unwrap().unwrap();
    let note = Event {
        at: now,
        actor: Actor::System,
        body: EventBody::MessagePosted { text: "通知商家".into(), evidence: Vec::new() },
        transition: None,
    };
    let hooks: Vec<OutboxItem> = (0..12)
        .map(|i| OutboxItem { topic: "probe".into(), case_id: Some(other.id), payload: serde_json::json!({ "n": i }) })
        .collect();
    store
        .append(
            &apply(record.case.clone(), &note),
            record.version,
            &record.last_hash,
            std::slice::from_ref(&note),
            &hooks,
            None,
        )
        .await
        .unwrap();
    let mut seen = Vec::new();
    for round in 0..5 {
        let mut claimers = tokio::task::JoinSet::new();
        for i in 0..4 {
            let store = if i % 2 == 0 { store.clone() } else { second_store.clone() };
            claimers.spawn(async move {
                store.claim_jobs("probe", now, lease, &format!("hook-{round}-{i}"), 5).await.unwrap()
            });
        }
        let claimed: Vec<_> = claimers.join_all().await.into_iter().flatten().collect();
        if claimed.is_empty() {
            break;
        }
        seen.extend(claimed.into_iter().map(|j| j.payload["n"].as_i64().unwrap()));
    }
    seen.sort();
    assert_eq!(seen, (0..12).collect::<Vec<_>>());

    // The worker settles both: the first refund, already in the ledger, is not paid twice.
    world.advance_hours(1);
    let report = Worker::new(world.app.clone()).tick().await.unwrap();
    assert_eq!(report.refunds_settled, 2);
    assert_eq!(store.ledger_total(order.id).await.unwrap(), amount);
    assert_eq!(store.ledger_total(other_order.id).await.unwrap(), Money::from_fen(10000));
    for id in [case.id, other.id] {
        let record = store.case(id).await.unwrap().unwrap();
        assert_eq!(record.case.state, CaseState::Closed);
        assert_eq!(record.case.outcome, Some(Outcome::Refunded));
    }
    // Completed jobs are never claimed again.
    let far = world.now().checked_add(hours(24 * 365)).unwrap();
    assert!(store.claim_jobs("refund", far, far, "w4", 10).await.unwrap().is_empty());
}

/// 7. Deadlines: only cases whose sweep time has come are claimed, oldest first, each by one
///    sweeper until its lease runs out.
async fn deadlines_are_claimed_with_a_lease(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let first_order = world.order("SH-DUE-1", cast.shop, cast.buyer_id()).await;
    let second_order = world.order("SH-DUE-2", cast.shop, cast.buyer_id()).await;
    let first = world.app.file_case(&cast.buyer, refund_request(39900), first_order.id).await.unwrap();
    world.advance_hours(10);
    let second = world.app.file_case(&cast.buyer, refund_request(39900), second_order.id).await.unwrap();
    let due1 = first.sweep_at().expect("merchant deadline");
    let due2 = second.sweep_at().expect("merchant deadline");
    // Kept to the microsecond: the clock's sub-microsecond part never reaches the store.
    assert_eq!(due1, redress_domain::time::micros(start().checked_add(hours(48)).unwrap()));
    assert!(due1 < due2);

    let lease = |at: Timestamp| at.checked_add(SignedDuration::from_secs(60)).unwrap();
    let claim = |at: Timestamp, owner: &'static str, limit: i64| {
        let store = store.clone();
        async move {
            store
                .claim_due_cases(at, lease(at), owner, limit)
                .await
                .unwrap()
                .into_iter()
                .map(|d| (d.case_id, d.due))
                .collect::<Vec<_>>()
        }
    };

    assert!(claim(world.now(), "a", 10).await.is_empty());
    let just_before = due1.checked_sub(SignedDuration::from_micros(1)).unwrap();
    assert!(claim(just_before, "a", 10).await.is_empty());
    assert_eq!(claim(due1, "a", 10).await, [(first.id, due1)]);
    // Leased to `a`: nobody else gets it, not even later, until the lease has run out.
    assert!(claim(due1, "b", 10).await.is_empty());
    let mid = due1.checked_add(SignedDuration::from_secs(30)).unwrap();
    assert!(claim(mid, "b", 10).await.is_empty());
    let expired = lease(due1).checked_add(SignedDuration::from_secs(1)).unwrap();
    assert_eq!(claim(expired, "b", 10).await, [(first.id, due1)]);

    // Both due, oldest first, split between claimers by the limit.
    let both = due2;
    assert!(both > lease(expired));
    assert_eq!(claim(both, "c", 1).await, [(first.id, due1)]);
    assert_eq!(claim(both, "d", 10).await, [(second.id, due2)]);
    assert!(claim(both, "e", 10).await.is_empty());

    // A change to the case releases the lease and moves (or clears) its sweep time.
    world.app.act(&cast.buyer, second.id, Command::Withdraw).await.unwrap();
    let rejected = world
        .app
        .act(
            &cast.staff,
            first.id,
            Command::Reject { reason: RejectReason::UsedOrDamagedByBuyer, text: "耳机有进水痕迹".into() },
        )
        .await
        .unwrap();
    let due3 = rejected.sweep_at().expect("buyer deadline");
    let far = due3.checked_add(hours(24 * 365)).unwrap();
    assert_eq!(claim(far, "f", 10).await, [(first.id, due3)]);
}

/// 8. Concurrency: workers in several processes fire each deadline once and pay each refund
///    once; concurrent writers to one case all land, in one gap-free, intact chain.
async fn concurrent_workers_and_writers(db: TestDb) {
    const CASES: usize = 30;
    const RACED_BY_MERCHANT: usize = 10;
    let world = World::new(db.store.clone()).await;
    let other_store = db.another_store().await;
    let other = World::with_clock(other_store.clone(), world.clock.clone());
    let store = world.store().clone();
    let cast = Cast::new(&world).await;

    let mut cases = Vec::new();
    for i in 0..CASES {
        let order = world.order(&format!("SH-RACE-{i}"), cast.shop, cast.buyer_id()).await;
        let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
        cases.push((case.id, order.id));
    }
    world.advance_hours(48);

    // Sweepers in two processes claim at once: each overdue case goes to exactly one of them.
    let now = world.now();
    let lease = now.checked_add(SignedDuration::from_secs(60)).unwrap();
    let mut claimed = Vec::new();
    for round in 0..5 {
        let mut claimers = tokio::task::JoinSet::new();
        for i in 0..4 {
            let store = if i % 2 == 0 { store.clone() } else { other_store.clone() };
            claimers.spawn(async move {
                store.claim_due_cases(now, lease, &format!("sweeper-{round}-{i}"), 10).await.unwrap()
            });
        }
        let due: Vec<_> = claimers.join_all().await.into_iter().flatten().collect();
        if due.is_empty() {
            break;
        }
        claimed.extend(due.into_iter().map(|d| d.case_id));
    }
    claimed.sort();
    let mut expected: Vec<CaseId> = cases.iter().map(|c| c.0).collect();
    expected.sort();
    assert_eq!(claimed, expected);
    // Those sweepers all died; their leases run out.
    world.clock.advance(SignedDuration::from_secs(61));

    // Four workers, two per connection pool (process), tick at once; meanwhile the merchant
    // approves some of the overdue cases by hand, racing the sweepers.
    let workers = [
        Worker::new(world.app.clone()),
        Worker::new(world.app.clone()),
        Worker::new(other.app.clone()),
        Worker::new(other.app.clone()),
    ];
    let merchant_app = other.app.clone();
    let staff = cast.staff.clone();
    let raced: Vec<CaseId> = cases[..RACED_BY_MERCHANT].iter().map(|c| c.0).collect();
    let merchant = tokio::spawn(async move {
        let mut approved = 0;
        for id in raced {
            match merchant_app.act(&staff, id, Command::Approve).await {
                Ok(_) => approved += 1,
                Err(AppError::Rejected(_)) => {}
                Err(e) => panic!("approve {id}: {e:?}"),
            }
        }
        approved
    });
    let (r1, r2, r3, r4) = tokio::join!(workers[0].tick(), workers[1].tick(), workers[2].tick(), workers[3].tick());
    let by_merchant = merchant.await.unwrap();
    let reports = [r1.unwrap(), r2.unwrap(), r3.unwrap(), r4.unwrap()];
    let fired: usize = reports.iter().map(|r| r.timeouts_fired).sum();
    let settled: usize = reports.iter().map(|r| r.refunds_settled).sum();
    // The merchant's approvals may leave refunds for a later tick.
    let mut late = TickReport::default();
    for w in &workers {
        let r = w.tick().await.unwrap();
        late.timeouts_fired += r.timeouts_fired;
        late.refunds_settled += r.refunds_settled;
    }
    assert_eq!(late.timeouts_fired, 0);
    assert_eq!(fired + by_merchant, CASES, "{reports:?} + {by_merchant}");
    assert_eq!(settled + late.refunds_settled, CASES, "{reports:?} {late:?}");

    for (case_id, order_id) in &cases {
        let events = store.events(*case_id).await.unwrap();
        let kinds = types(&events);
        // Either the sweeper fired the deadline once, or the merchant approved first and it
        // never fired.
        let swept = events[1].event.actor == Actor::System;
        let first = if swept { "timed_out" } else { "approved" };
        assert_eq!(kinds[1], first, "{case_id}: {kinds:?}");
        assert_eq!(count_type(&events, "timed_out"), usize::from(swept), "{case_id}: {kinds:?}");
        for once in ["approved", "refund_started", "refund_succeeded"] {
            assert_eq!(count_type(&events, once), 1, "{case_id} {once}: {kinds:?}");
        }
        assert_eq!(chain::verify(&links(&events)), Ok(()), "{case_id}");
        let record = store.case(*case_id).await.unwrap().unwrap();
        assert_eq!(record.version, events.len() as i64);
        assert_eq!(record.case.outcome, Some(Outcome::Refunded), "{kinds:?}");
        assert_eq!(store.ledger_total(*order_id).await.unwrap(), Money::from_fen(39900));
    }
    assert_eq!(db.count("SELECT COUNT(*) FROM refund_ledger", &[]).await, CASES as i64);
    // Every job is done (webhook payloads wait for the webhook sender, which this story does not run).
    assert_eq!(db.count("SELECT COUNT(*) FROM outbox WHERE done_at IS NULL AND topic <> 'webhook'", &[]).await, 0);

    // Writers racing on one case, through both pools: the app retries a lost race with
    // jittered backoff, so every one of a burst of writers lands.
    let order = world.order("SH-CHAT-1", cast.shop, cast.buyer_id()).await;
    let chat = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    let apps = [world.app.clone(), other.app.clone()];
    let (landed, contended) = burst(&apps, &cast, chat.id, 5, "甲").await;
    assert_eq!((landed.len(), contended), (5, 0));
    let (more, contended) = burst(&apps, &cast, chat.id, 10, "乙").await;
    assert_eq!((more.len(), contended), (10, 0));
    let events = store.events(chat.id).await.unwrap();
    let n = 1 + landed.len() + more.len();
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=n as i64).collect::<Vec<_>>());
    assert_eq!(chain::verify(&links(&events)), Ok(()));
    let texts: HashSet<String> = events
        .iter()
        .filter_map(|e| match &e.event.body {
            EventBody::MessagePosted { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(texts, landed.union(&more).cloned().collect());
    let record = store.case(chat.id).await.unwrap().unwrap();
    assert_eq!(record.version, n as i64);
    assert_eq!(fold(&events), record.case);
}

/// Posts `n` messages on a case at once, alternating apps (pools) and parties; returns the
/// texts that landed and how many gave up as contended.
async fn burst(
    apps: &[redress_app::App; 2],
    cast: &Cast,
    case: CaseId,
    n: usize,
    tag: &str,
) -> (HashSet<String>, usize) {
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..n {
        let app = apps[i % 2].clone();
        let who: Principal = if i % 3 == 0 { cast.staff.clone() } else { cast.buyer.clone() };
        let text = format!("消息 {tag}{i}");
        writers.spawn(async move {
            let result = app.act(&who, case, message(&text)).await;
            (text, result)
        });
    }
    let (mut landed, mut contended) = (HashSet::new(), 0);
    while let Some(joined) = writers.join_next().await {
        match joined.unwrap() {
            (text, Ok(_)) => {
                landed.insert(text);
            }
            (_, Err(AppError::Contended)) => contended += 1,
            (text, Err(e)) => panic!("{text}: {e:?}"),
        }
    }
    (landed, contended)
}

/// 9. Idempotency keys: an answer is recorded in the transaction of the change it answers; a
///    second change under a live key is refused whole (`AlreadyAnswered`, nothing written), keys
///    are per scope, answers expire and are purged, and of racing changes under one key one lands.
async fn idempotency_keys(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let store = &db.store;
    let now = world.now();
    let key = |scope: &str, key: &str, status: u16, body: &str| {
        redress_app::idempotency::IdempotencyKey { scope: scope.into(), key: key.into(), request_hash: "h1".into() }
            .record(status, body.into(), now)
    };
    let order = world.order("SH-IDEM-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    assert_eq!(store.idempotency_answer("user:1", "k1", now).await.unwrap(), None);

    // The answer lands with the change.
    let posted = |text: &str| Event {
        at: now,
        actor: cast.buyer.actor(),
        body: EventBody::MessagePosted { text: text.into(), evidence: Vec::new() },
        transition: None,
    };
    let record = store.case(case.id).await.unwrap().unwrap();
    let first = posted("一");
    let answer = key("user:1", "k1", 200, r#"{"version":2}"#);
    store
        .append(
            &apply(record.case.clone(), &first),
            record.version,
            &record.last_hash,
            std::slice::from_ref(&first),
            &[],
            Some(&answer),
        )
        .await
        .unwrap();
    let stored = store.idempotency_answer("user:1", "k1", now).await.unwrap().expect("recorded with the change");
    assert_eq!((stored.status, stored.body.as_str(), stored.request_hash.as_str()), (200, r#"{"version":2}"#, "h1"));

    // The same key again, on a fresh version: refused whole, the message is not stored twice.
    let record = store.case(case.id).await.unwrap().unwrap();
    let again = posted("一");
    let err = store
        .append(
            &apply(record.case.clone(), &again),
            record.version,
            &record.last_hash,
            &[again],
            &[],
            Some(&key("user:1", "k1", 200, "x")),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::AlreadyAnswered), "{err:?}");
    assert_eq!(store.case(case.id).await.unwrap().unwrap().version, record.version);
    assert_eq!(store.idempotency_answer("user:1", "k1", now).await.unwrap(), Some(stored.clone()));
    // A filing under an answered key is refused whole too.
    let other = world.order("SH-IDEM-2", cast.shop, cast.buyer_id()).await;
    let filed = world.app.file_case(&cast.buyer, refund_request(100), other.id).await.unwrap();
    let events = store.events(filed.id).await.unwrap();
    let twin = Case { id: CaseId(uuid::Uuid::now_v7()), ..filed.clone() };
    let err =
        store.create_case(&twin, &events[0].event, &[], 1, Some(&key("user:1", "k1", 201, "x"))).await.unwrap_err();
    assert!(matches!(err, StoreError::AlreadyAnswered), "{err:?}");
    assert!(store.case(twin.id).await.unwrap().is_none());

    // Keys are per scope; an answer without a change is recorded once.
    assert!(store.idempotency_record(&key("user:2", "k1", 409, "refused"), now).await.unwrap());
    assert!(!store.idempotency_record(&key("user:2", "k1", 200, "other"), now).await.unwrap());
    assert_eq!(store.idempotency_answer("user:2", "k1", now).await.unwrap().unwrap().body, "refused");

    // Answers expire (and free their key), and the expired are purged.
    let expiry = answer.expires_at;
    let just_before = expiry.checked_sub(SignedDuration::from_micros(1)).unwrap();
    assert!(store.idempotency_answer("user:1", "k1", just_before).await.unwrap().is_some());
    assert_eq!(store.idempotency_answer("user:1", "k1", expiry).await.unwrap(), None);
    let renewed = IdempotencyRecord {
        created_at: expiry,
        expires_at: expiry.checked_add(hours(24)).unwrap(),
        body: "renewed".into(),
        ..key("user:1", "k1", 200, "")
    };
    assert!(store.idempotency_record(&renewed, expiry).await.unwrap());
    assert_eq!(store.purge_idempotency(expiry).await.unwrap(), 1, "user:2's answer expired");
    assert_eq!(store.idempotency_answer("user:1", "k1", expiry).await.unwrap().unwrap().body, "renewed");

    // Racing changes under one key, each on the version it read: exactly one lands.
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let app = world.app.clone();
        let buyer = cast.buyer.clone();
        let case_id = case.id;
        racers.spawn(async move {
            let key = redress_app::idempotency::IdempotencyKey {
                scope: "user:1".into(),
                key: "k4".into(),
                request_hash: "h1".into(),
            };
            app.act_answered(&buyer, case_id, message("同一条"), Some(&key), None).await
        });
    }
    let (mut fresh, mut replayed) = (0, 0);
    while let Some(result) = racers.join_next().await {
        match result.unwrap().unwrap() {
            redress_app::idempotency::Answered::Fresh { .. } => fresh += 1,
            redress_app::idempotency::Answered::Replayed(_) => replayed += 1,
        }
    }
    assert_eq!((fresh, replayed), (1, 7));
    let events = store.events(case.id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.event.body == EventBody::MessagePosted { text: "同一条".into(), evidence: Vec::new() })
            .count(),
        1
    );
}

/// 13. A burst of changes sent at once (on SQLite they share group commits): on each case two
///     writers hold the same version and one loses with `Conflict`, a key answered twice is refused
///     the second time, and a loser leaves nothing behind while its batch-mates are all stored.
async fn a_burst_of_changes_fails_only_the_stale_ones(db: TestDb) {
    const CASES: usize = 24;
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let mut records = Vec::new();
    for i in 0..CASES {
        let order = world.order(&format!("SH-BURST-{i}"), cast.shop, cast.buyer_id()).await;
        let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
        records.push(store.case(case.id).await.unwrap().unwrap());
    }
    let buyer = cast.buyer_id();
    let now = world.now();
    let mut writers = tokio::task::JoinSet::new();
    for (i, record) in records.iter().enumerate() {
        for writer in 0..2 {
            let store = store.clone();
            let record = record.clone();
            let event = Event {
                at: now,
                actor: Actor::Buyer { user: buyer },
                body: EventBody::MessagePosted { text: format!("第{i}件 写者{writer}"), evidence: Vec::new() },
                transition: None,
            };
            // The first writers of cases 0 and 1 answer the same key: only one may land.
            let key = if i < 2 && writer == 0 { "shared".to_owned() } else { format!("k-{i}-{writer}") };
            let answer = IdempotencyRecord {
                scope: "burst".into(),
                key,
                request_hash: format!("h-{i}-{writer}"),
                status: 200,
                body: String::new(),
                created_at: now,
                expires_at: now.checked_add(hours(24)).unwrap(),
            };
            writers.spawn(async move {
                let after = apply(record.case.clone(), &event);
                let outcome =
                    store.append(&after, record.version, &record.last_hash, &[event], &[], Some(&answer)).await;
                (record.case.id, writer, answer.key, outcome)
            });
        }
    }
    let mut landed = Vec::new();
    let (mut conflicts, mut answered) = (0, 0);
    while let Some(joined) = writers.join_next().await {
        let (case, writer, key, outcome) = joined.unwrap();
        match outcome {
            Ok(()) => landed.push((case, writer, key)),
            Err(StoreError::Conflict) => conflicts += 1,
            Err(StoreError::AlreadyAnswered) => answered += 1,
            Err(e) => panic!("{case}: {e:?}"),
        }
    }
    assert_eq!((landed.len(), conflicts + answered), (CASES, CASES), "{conflicts} conflicts, {answered} answered");
    assert!(answered <= 1, "{answered}");
    for record in &records {
        let events = store.events(record.case.id).await.unwrap();
        let mine: Vec<_> = landed.iter().filter(|l| l.0 == record.case.id).collect();
        assert_eq!((events.len(), mine.len()), (2, 1), "{}", record.case.id);
        let EventBody::MessagePosted { text, .. } = &events[1].event.body else { panic!("{:?}", types(&events)) };
        assert!(text.ends_with(&format!("写者{}", mine[0].1)), "{text}");
        assert_eq!(chain::verify(&links(&events)), Ok(()));
        assert_eq!(store.case(record.case.id).await.unwrap().unwrap().version, 2);
    }
    // Only the landed changes' answers are stored.
    let stored = db.count("SELECT COUNT(*) FROM idempotency_keys WHERE scope = 'burst'", &[]).await;
    assert_eq!(stored, landed.iter().map(|l| &l.2).collect::<HashSet<_>>().len() as i64);
}

/// 14. A change committed in this process wakes the worker at once: with a poll interval of an
///     hour, an approved refund is still paid (the time limit only stops a hung test).
async fn a_committed_change_wakes_the_worker(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let mut cases = Vec::new();
    for i in 0..2 {
        let order = world.order(&format!("SH-WAKE-{i}"), cast.shop, cast.buyer_id()).await;
        cases.push(world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap().id);
    }
    let closed = |id: CaseId| {
        let store = store.clone();
        async move {
            while store.case(id).await.unwrap().unwrap().case.state != CaseState::Closed {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            }
        }
    };
    // The first is paid by the worker's first pass; the second is approved after it.
    world.app.act(&cast.staff, cases[0], Command::Approve).await.unwrap();
    let worker =
        tokio::spawn(Worker::new(world.app.clone()).run(std::time::Duration::from_secs(3600), std::future::pending()));
    let limit = std::time::Duration::from_secs(60);
    tokio::time::timeout(limit, closed(cases[0])).await.expect("first refund never paid");
    world.app.act(&cast.staff, cases[1], Command::Approve).await.unwrap();
    tokio::time::timeout(limit, closed(cases[1])).await.expect("a committed approval did not wake the worker");
    worker.abort();
    assert_eq!(db.count("SELECT COUNT(*) FROM refund_ledger", &[]).await, 2);
}
