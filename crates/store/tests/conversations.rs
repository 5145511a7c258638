//! Order conversations on both databases: messages chained in order (also when two server
//! processes write at once), notices to the other side and idempotency answers written with
//! the message, receipts that only move forward, files that keep their stored objects.

mod support;

use redress_app::idempotency::{Answered, IdempotencyKey};
use redress_app::{AppError, Role};
use redress_domain::RejectionCode;
use redress_domain::chain::{Link, verify};
use support::{Cast, TestDb, World, refund_request};

support::contract! {
    a_conversation_is_chained_noticed_and_read => sqlite_a_conversation_is_chained_noticed_and_read, postgres_a_conversation_is_chained_noticed_and_read;
    two_processes_write_one_message_at_a_time => sqlite_two_processes_write_one_message_at_a_time, postgres_two_processes_write_one_message_at_a_time;
    twin_uploads_with_one_key_get_the_first_answer => sqlite_twin_uploads_with_one_key_get_the_first_answer, postgres_twin_uploads_with_one_key_get_the_first_answer;
    every_accepted_message_is_in_the_record_or_refused => sqlite_every_accepted_message_is_in_the_record_or_refused, postgres_every_accepted_message_is_in_the_record_or_refused;
    a_case_is_found_by_its_negotiation_record => sqlite_a_case_is_found_by_its_negotiation_record, postgres_a_case_is_found_by_its_negotiation_record;
    a_case_detail_shows_another_process_change_at_once => sqlite_a_case_detail_shows_another_process_change_at_once, postgres_a_case_detail_shows_another_process_change_at_once;
}

fn status(answered: &Answered) -> u16 {
    match answered {
        Answered::Fresh { status, .. } => *status,
        Answered::Replayed(a) => a.status,
    }
}

async fn a_conversation_is_chained_noticed_and_read(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let app = &world.app;
    let order = world.order("CV-1", cast.shop, cast.buyer_id()).await;
    let agent = world.user("agent", Role::Agent, None).await;
    let stranger = world.user("stranger", Role::Buyer, None).await;

    let key =
        IdempotencyKey { scope: IdempotencyKey::scope_of(&cast.buyer), key: "m-1".into(), request_hash: "h".into() };
    let first = app.post_message(&cast.buyer, order.id, "3月1日签收,左耳无声,请问怎么处理?", Some(&key)).await.unwrap();
    assert_eq!(status(&first), 201);
    let again = app.post_message(&cast.buyer, order.id, "3月1日签收,左耳无声,请问怎么处理?", Some(&key)).await.unwrap();
    assert!(matches!(again, Answered::Replayed(_)), "a retry is answered from the record");
    world.advance_hours(1);
    app.post_message(&cast.staff, order.id, "请拍一段视频给我们看看", None).await.unwrap();

    let page = app.conversation(&cast.buyer, order.id, None, None).await.unwrap();
    assert_eq!(page.count, 2, "the retry wrote nothing");
    assert_eq!(page.items.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2]);
    let links: Vec<Link> = db.store.messages(order.id).await.unwrap().into_iter().map(|s| s.link).collect();
    assert_eq!(verify(&links), Ok(()));
    assert_eq!(page.head_hash.as_deref(), Some(links[1].hash.as_str()));

    // Each side is told of the other's message, in the message's transaction.
    let staff_id = cast.staff.user_id().unwrap();
    let told_shop = db.store.notifications(staff_id, None, 10).await.unwrap();
    assert_eq!(told_shop.iter().map(|n| n.kind.as_str()).collect::<Vec<_>>(), ["conversation_message"]);
    assert_eq!(db.store.notifications(cast.buyer_id(), None, 10).await.unwrap().len(), 1);

    // Paged from the newest, oldest first within a page.
    let newest = app.conversation(&cast.buyer, order.id, None, Some(1)).await.unwrap();
    assert_eq!((newest.items[0].seq, newest.next_before), (2, Some(2)));
    let older = app.conversation(&cast.buyer, order.id, Some(2), Some(1)).await.unwrap();
    assert_eq!((older.items[0].seq, older.next_before), (1, None));

    // Receipts move forward only, and keep the time of the first reading.
    let read = app.mark_conversation_read(&cast.staff, order.id, 1).await.unwrap();
    world.advance_hours(1);
    assert_eq!(app.mark_conversation_read(&cast.staff, order.id, 1).await.unwrap(), read);
    let moved = app.mark_conversation_read(&cast.staff, order.id, 2).await.unwrap();
    assert_eq!(moved.up_to, 2);
    assert!(moved.read_at > read.read_at);
    assert!(app.mark_conversation_read(&cast.staff, order.id, 3).await.is_err(), "no such message");
    assert_eq!(app.conversation(&agent, order.id, None, None).await.unwrap().receipts, vec![moved]);

    // The platform reads only; anyone else finds nothing.
    assert!(matches!(app.post_message(&agent, order.id, "平台", None).await, Err(AppError::Forbidden(_))));
    assert!(matches!(app.mark_conversation_read(&agent, order.id, 1).await, Err(AppError::Forbidden(_))));
    assert!(matches!(app.conversation(&stranger, order.id, None, None).await, Err(AppError::NotFound)));
    assert!(matches!(app.post_message(&stranger, order.id, "hi", None).await, Err(AppError::NotFound)));

    // Once a case is open on the order, the talk goes on in the case; its record is kept.
    world.advance_hours(1);
    let case = app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    let refused = app.post_message(&cast.buyer, order.id, "还在吗", None).await;
    assert!(matches!(refused, Err(AppError::Rejected(r)) if r.code == RejectionCode::CaseOpenOnOrder));
    let record = app.negotiation(redress_domain::Party::Buyer, &case, 20).await.unwrap();
    assert_eq!(record.messages, 2);
    assert_eq!(record.head_hash.as_deref(), Some(links[1].hash.as_str()));
    assert!(record.buyer_contacted_at.is_some());
}

/// Twenty messages at once, half through each of two server processes: each takes its own
/// place, the chain has no gap and verifies.
async fn two_processes_write_one_message_at_a_time(db: TestDb) {
    let one = World::new(db.store.clone()).await;
    let two = World::with_clock(db.another_store().await, one.clock.clone());
    let cast = Cast::new(&one).await;
    let order = one.order("CV-2", cast.shop, cast.buyer_id()).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = if i % 2 == 0 { one.app.clone() } else { two.app.clone() };
        let who = if i % 3 == 0 { cast.staff.clone() } else { cast.buyer.clone() };
        tasks.push(tokio::spawn(async move { app.post_message(&who, order.id, &format!("第{i}条"), None).await }));
    }
    for t in tasks {
        assert_eq!(status(&t.await.unwrap().unwrap()), 201);
    }
    let stored = db.store.messages(order.id).await.unwrap();
    assert_eq!(stored.iter().map(|s| s.link.seq).collect::<Vec<_>>(), (1..=20).collect::<Vec<_>>());
    let links: Vec<Link> = stored.iter().map(|s| s.link.clone()).collect();
    assert_eq!(verify(&links), Ok(()));
    assert!(stored.windows(2).all(|w| w[0].message.at <= w[1].message.at), "times in order");
}

/// One file sent at once by a client retrying before its first answer (same Idempotency-Key),
/// through two server processes: every twin gets the first answer and the conversation holds
/// the file once (the trial saw 409 `duplicate` for the twins).
async fn twin_uploads_with_one_key_get_the_first_answer(db: TestDb) {
    let one = World::new(db.store.clone()).await;
    let two = World::with_clock(db.another_store().await, one.clock.clone());
    let cast = Cast::new(&one).await;
    let order = one.order("CV-3", cast.shop, cast.buyer_id()).await;
    let key =
        IdempotencyKey { scope: IdempotencyKey::scope_of(&cast.buyer), key: "twin-1".into(), request_hash: "h".into() };
    let mut tasks = Vec::new();
    for i in 0..6 {
        let app = if i % 2 == 0 { one.app.clone() } else { two.app.clone() };
        let (buyer, key) = (cast.buyer.clone(), key.clone());
        tasks.push(tokio::spawn(async move {
            let body = futures_util::stream::iter([Ok::<_, std::convert::Infallible>(bytes::Bytes::from_static(
                b"%PDF-1.4\n% a receipt\n%%EOF\n",
            ))]);
            let received = app.receive_evidence(body, 1 << 20).await.unwrap();
            let description = redress_app::evidence::Description {
                kind: redress_domain::vocabulary::EvidenceKind::Invoice,
                caption: "发票".into(),
                confidential: false,
            };
            app.post_file(&buyer, order.id, received, description, "发票见附件", Some(&key)).await
        }));
    }
    let mut bodies = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(Answered::Fresh { status, body }) => bodies.push((status, body)),
            Ok(Answered::Replayed(a)) => bodies.push((a.status, a.body)),
            Err(e) => panic!("a twin was refused: {e:?}"),
        }
    }
    assert!(bodies.iter().all(|b| *b == bodies[0]), "{bodies:?}");
    assert_eq!(bodies[0].0, 201);
    assert_eq!(db.store.messages(order.id).await.unwrap().len(), 1, "one message, one file");
}

/// A filing counts its order's conversation in its own transaction, and a message is appended
/// only while no case is open (checked under the same lock): every accepted message is in the
/// case's negotiation record, whatever the clock says, and every later one is refused.
async fn every_accepted_message_is_in_the_record_or_refused(db: TestDb) {
    let one = World::new(db.store.clone()).await;
    let two = World::with_clock(db.another_store().await, one.clock.clone());
    let cast = Cast::new(&one).await;

    // Written in the very instant of the filing (the record was "messages before filed_at").
    let order = one.order("CV-4", cast.shop, cast.buyer_id()).await;
    one.app.post_message(&cast.buyer, order.id, "同一时刻", None).await.unwrap();
    let case = one.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    assert_eq!(one.app.negotiation_record(&case).await.unwrap().len(), 1, "the message of the filing's instant");

    // Posts through two processes while the buyer files.
    let order = one.order("CV-5", cast.shop, cast.buyer_id()).await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let app = if i % 2 == 0 { one.app.clone() } else { two.app.clone() };
        let who = if i % 3 == 0 { cast.staff.clone() } else { cast.buyer.clone() };
        tasks.push(tokio::spawn(async move { app.post_message(&who, order.id, &format!("第{i}条"), None).await }));
    }
    let filing = {
        let (app, buyer) = (two.app.clone(), cast.buyer.clone());
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            app.file_case(&buyer, refund_request(39900), order.id).await
        })
    };
    let mut accepted = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(Answered::Fresh { body, .. }) => {
                accepted.push(serde_json::from_str::<serde_json::Value>(&body).unwrap()["seq"].as_i64().unwrap())
            }
            Ok(other) => panic!("unkeyed: {other:?}"),
            Err(AppError::Rejected(r)) => assert_eq!(r.code, RejectionCode::CaseOpenOnOrder),
            Err(e) => panic!("{e:?}"),
        }
    }
    let case = filing.await.unwrap().unwrap();
    let record = one.app.negotiation_record(&case).await.unwrap();
    let stored = db.store.messages(order.id).await.unwrap();
    assert_eq!(record.len(), stored.len(), "no message lands after the filing");
    accepted.sort();
    assert_eq!(accepted, record.iter().map(|s| s.link.seq).collect::<Vec<_>>(), "every accepted message is on record");
}

/// What the buyer and the shop said before a filing is part of the case's search document, so
/// the case is found by it (by its readers only); before any case nothing of it is searched.
async fn a_case_is_found_by_its_negotiation_record(db: TestDb) {
    use redress_app::search::SearchRequest;
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let app = &world.app;
    let other_shop = world.merchant("星河电器").await;
    let stranger = world.user("stranger", Role::Buyer, None).await;
    let other_staff = world.user("other-shop", Role::Merchant, Some(other_shop)).await;
    let agent = world.user("agent", Role::Agent, None).await;
    let found = |who: redress_app::Principal, q: &'static str| async move {
        let page = app.search(&who, SearchRequest { q: q.into(), ..Default::default() }).await.unwrap();
        page.items.iter().map(|h| h.case.id).collect::<Vec<_>>()
    };
    let order = world.order("CV-6", cast.shop, cast.buyer_id()).await;
    app.post_message(&cast.buyer, order.id, "充电盒里面发霉了, mildew everywhere", None).await.unwrap();
    app.post_message(&cast.staff, order.id, "请提供照片", None).await.unwrap();
    assert!(found(cast.buyer.clone(), "发霉").await.is_empty(), "no case yet: nothing is searched");

    let case = app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    for who in [&cast.buyer, &cast.staff, &agent] {
        assert_eq!(found(who.clone(), "发霉").await, [case.id]);
        assert_eq!(found(who.clone(), "mildew").await, [case.id]);
    }
    for who in [&stranger, &other_staff] {
        assert!(found(who.clone(), "发霉").await.is_empty(), "a stranger finds nothing");
    }
    // A rebuilt document carries the record too.
    app.reindex_search(true).await.unwrap();
    assert_eq!(found(agent.clone(), "发霉").await, [case.id]);
}

/// A case's detail keeps in memory what never changes (its events up to a version, its
/// negotiation record): a change made through another process still shows in the next detail,
/// and the conversation going on after the case closed stays out of its record.
async fn a_case_detail_shows_another_process_change_at_once(db: TestDb) {
    let one = World::new(db.store.clone()).await;
    let two = World::with_clock(db.another_store().await, one.clock.clone());
    let cast = Cast::new(&one).await;
    let order = one.order("CV-9", cast.shop, cast.buyer_id()).await;
    one.app.post_message(&cast.buyer, order.id, "耳机左耳没声音", None).await.unwrap();
    let case = one.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    let first = one.app.case_detail(&cast.buyer, case.id).await.unwrap();
    let again = one.app.case_detail(&cast.buyer, case.id).await.unwrap();
    assert_eq!((first.timeline.len(), again.timeline.len(), first.negotiation.messages), (1, 1, 1));

    two.app.act(&cast.buyer, case.id, redress_domain::Command::Withdraw).await.unwrap();
    let after = one.app.case_detail(&cast.buyer, case.id).await.unwrap();
    assert_eq!(after.version, first.version + 1);
    let seqs: Vec<i64> = after.timeline.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [1, 2], "the other process's change shows at once");

    // The case is closed: the conversation goes on, the record stays as filed.
    two.app.post_message(&cast.buyer, order.id, "已经自己修好了", None).await.unwrap();
    let closed = one.app.case_detail(&cast.buyer, case.id).await.unwrap();
    assert_eq!((closed.timeline.len(), closed.negotiation.messages), (2, 1));
}
