//! The port methods the other stories reach only through the application, called by name on
//! both databases (`port_coverage.rs` checks that every method is): a conversation's pages,
//! head, files, receipts and a message refused while a case is open; search documents, ids and
//! counts; the dashboards' reads; the backlog; an escalation stored as given; the commit signal;
//! a notification stored twice kept once (PostgreSQL keys it with its time: it is partitioned).

mod support;

use jiff::SignedDuration;
use redress_app::conversations::{Appended, ReadReceipt};
use redress_app::search::{SearchDoc, SearchFilter, Terms};
use redress_app::{Store, StoreError};
use redress_domain::{EvidenceId, Party};
use support::{Cast, TestDb, World, refund_request};

support::contract! {
    a_conversation_read_by_name => sqlite_a_conversation_read_by_name, postgres_a_conversation_read_by_name;
    search_dashboards_and_backlog_read_by_name => sqlite_search_dashboards_and_backlog_read_by_name, postgres_search_dashboards_and_backlog_read_by_name;
    an_escalation_and_the_commit_signal => sqlite_an_escalation_and_the_commit_signal, postgres_an_escalation_and_the_commit_signal;
}

async fn a_conversation_read_by_name(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let order = world.order("PN-1", cast.shop, cast.buyer_id()).await;
    world.app.post_message(&cast.buyer, order.id, "左耳没有声音", None).await.unwrap();
    world.advance_hours(1);
    world.app.post_message(&cast.staff, order.id, "请寄回检测", None).await.unwrap();

    let head = store.conversation_head(order.id).await.unwrap().expect("a head");
    assert_eq!(head.link.seq, 2);
    let older = store.messages_page(order.id, Some(2), 10).await.unwrap();
    assert_eq!(older.iter().map(|m| m.link.seq).collect::<Vec<_>>(), [1]);
    assert_eq!(store.messages_page(order.id, None, 1).await.unwrap()[0].link, head.link);
    assert!(store.message_with_file(order.id, EvidenceId(uuid::Uuid::now_v7())).await.unwrap().is_none());

    // A message at a place already taken is a conflict; nothing is written twice.
    let taken = store.append_message(&head, &[], None).await;
    assert!(matches!(taken, Err(StoreError::Conflict)), "{taken:?}");
    assert_eq!(store.messages(order.id).await.unwrap().len(), 2);

    let reader = format!("user:{}", cast.buyer_id());
    let receipt = |up_to| ReadReceipt { reader: reader.clone(), side: Party::Buyer, up_to, read_at: world.now() };
    assert_eq!(store.mark_read(order.id, &receipt(2)).await.unwrap().up_to, 2);
    assert_eq!(store.mark_read(order.id, &receipt(1)).await.unwrap().up_to, 2, "receipts only move forward");
    assert_eq!(store.read_receipts(order.id).await.unwrap(), [receipt(2)]);

    // Filed on the order, the case's record counts the two messages; a next message is refused.
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    assert_eq!(store.negotiation_length(case.id).await.unwrap(), Some(2));
    let mut next = head.clone();
    next.message.seq += 1;
    next.link.seq += 1;
    assert_eq!(store.append_message(&next, &[], None).await.unwrap(), Appended::CaseOpen);
    assert_eq!(store.messages(order.id).await.unwrap().len(), 2);
}

async fn search_dashboards_and_backlog_read_by_name(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let filed_from = world.now();
    let order = world.order("PN-2", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    world.advance_hours(1);

    let terms = Terms::parse("左耳").unwrap();
    let filter = SearchFilter { merchant_id: Some(cast.shop), limit: 10, ..Default::default() };
    let hits = store.search_cases(&terms, &filter).await.unwrap();
    assert_eq!(hits.iter().map(|h| h.case.id).collect::<Vec<_>>(), [case.id]);
    let everyone = SearchFilter { filed_from: Some(filed_from), limit: 10, ..Default::default() };
    assert_eq!(store.search_cases(&terms, &everyone).await.unwrap().len(), 1);
    let record = store.case(case.id).await.unwrap().unwrap();
    let doc = SearchDoc { plain: "换过的文字".into(), words: "换过 的 文字".into() };
    assert!(!store.put_search_doc(case.id, record.version - 1, &doc).await.unwrap(), "a case that moved on");
    assert!(store.put_search_doc(case.id, record.version, &doc).await.unwrap());
    assert!(store.search_cases(&terms, &filter).await.unwrap().is_empty(), "the document was replaced");
    assert_eq!(store.case_ids(None, false, 10).await.unwrap(), [case.id]);
    assert!(store.case_ids(None, true, 10).await.unwrap().is_empty(), "every case has its document");
    assert_eq!(store.open_cases_of_shop(cast.shop, 10).await.unwrap().len(), 1);
    let counted = store.repeat_count(cast.shop, Some(filed_from), Some(world.now())).await.unwrap();
    assert_eq!((counted.cases, counted.repeats), (1, 0));

    let period = store.dashboard_cases(Some(cast.shop), filed_from, world.now()).await.unwrap();
    assert_eq!(period.iter().map(|(c, events)| (c.id, events.len())).collect::<Vec<_>>(), [(case.id, 1)]);
    let edges = [filed_from - SignedDuration::from_hours(1), filed_from + SignedDuration::from_micros(1), world.now()];
    assert_eq!(store.orders_recorded(Some(cast.shop), &edges).await.unwrap(), [1, 0]);
    let open = store.open_case_counts(world.now() + SignedDuration::from_hours(24 * 30)).await.unwrap();
    assert_eq!(open.iter().map(|o| (o.open, o.overdue)).collect::<Vec<_>>(), [(1, 1)]);

    let backlog = store.backlog(world.now() + SignedDuration::from_hours(24 * 30)).await.unwrap();
    assert_eq!(backlog.deadlines_due, 1);
    assert!(backlog.outbox.iter().all(|(_, waiting, oldest)| *waiting > 0 && *oldest <= world.now()), "{backlog:?}");
}

async fn an_escalation_and_the_commit_signal(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store: std::sync::Arc<dyn Store> = world.store().clone();
    let cast = Cast::new(&world).await;
    let order = world.order("PN-3", cast.shop, cast.buyer_id()).await;
    let mut committed = store.committed().expect("both stores signal commits");
    committed.mark_unchanged();
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    assert!(committed.has_changed().unwrap(), "a filing is signalled");
    committed.mark_unchanged();
    store.wake();
    assert!(committed.has_changed().unwrap(), "so is a wake");

    let new = redress_app::escalations::NewEscalation {
        channel: redress_app::escalations::ExternalChannel::Regulator12315,
        filed_on: redress_law::calendar::shanghai_date(world.now()),
        reference: "12315-PN-1".into(),
    };
    let filed = world.app.record_external_escalation(&cast.buyer, case.id, new).await.unwrap();
    let mut copy = filed.clone();
    copy.id = uuid::Uuid::now_v7();
    copy.reference = "12315-PN-2".into();
    store.insert_external_escalation(&copy).await.unwrap();
    assert_eq!(store.external_escalations(case.id).await.unwrap(), [filed, copy]);

    // A notification stored twice (a retried job) is one notification, and one email job.
    let note = redress_app::escalations::Notification::new(
        cast.buyer_id(),
        Some(case.id),
        redress_text::NotificationKind::DeadlineReminder,
        serde_json::json!({}),
        world.now(),
    );
    store.set_user_email(cast.buyer_id(), Some("buyer@example.com")).await.unwrap();
    let emails = "SELECT COUNT(*) FROM outbox WHERE topic = 'email'";
    let (notes_before, emails_before) =
        (store.notifications(cast.buyer_id(), None, 100).await.unwrap().len(), db.count(emails, &[]).await);
    store.insert_notifications(&[note.clone(), note.clone()]).await.unwrap();
    store.insert_notifications(std::slice::from_ref(&note)).await.unwrap();
    assert_eq!(store.notifications(cast.buyer_id(), None, 100).await.unwrap().len(), notes_before + 1);
    assert_eq!(db.count(emails, &[]).await, emails_before + 1, "one email for one notification");
}
