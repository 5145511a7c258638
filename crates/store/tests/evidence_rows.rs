//! Evidence rows on both databases: written only with their `EvidenceAdded` event, in its
//! transaction (a conflicting append leaves neither), read back exactly, per case.

mod support;

use redress_app::StoreError;
use redress_domain::evidence::EvidenceFile;
use redress_domain::vocabulary::EvidenceKind;
use redress_domain::{Command, Event, EventBody, EvidenceId, apply};
use support::{Cast, TestDb, World, refund_request};

support::contract! {
    evidence_rows_follow_their_events => sqlite_evidence_rows_follow_their_events, postgres_evidence_rows_follow_their_events;
}

fn file(n: u8, confidential: bool) -> EvidenceFile {
    EvidenceFile {
        evidence_id: EvidenceId(uuid::Uuid::now_v7()),
        sha256: hex_of(n),
        kind: EvidenceKind::ChatRecord,
        caption: format!("聊天记录 {n}"),
        size: 1000 + u64::from(n),
        media_type: "text/plain; charset=utf-8".into(),
        confidential,
    }
}

fn hex_of(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

async fn evidence_rows_follow_their_events(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let cast = Cast::new(&world).await;
    let order = world.order("SH-EV-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    let store = world.store();
    assert!(store.evidence(case.id).await.unwrap().is_empty());

    // Through the use case path: decide → apply → append.
    let first = file(1, false);
    let record = store.case(case.id).await.unwrap().unwrap();
    let event = Event {
        at: world.now(),
        actor: cast.buyer.actor(),
        body: EventBody::EvidenceAdded { file: first.clone() },
        transition: None,
    };
    let folded = apply(record.case.clone(), &event);
    store.append(&folded, record.version, &record.last_hash, std::slice::from_ref(&event), &[], None).await.unwrap();

    // A stale append (same expected version) is refused, and its evidence row with it.
    let second = file(2, true);
    let stale = Event { body: EventBody::EvidenceAdded { file: second.clone() }, ..event.clone() };
    let err = store
        .append(&apply(record.case.clone(), &stale), record.version, &record.last_hash, &[stale], &[], None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict), "{err:?}");
    assert_eq!(
        db.count("SELECT COUNT(*) FROM evidence WHERE CAST(id AS TEXT) = $1", &[&second.evidence_id.to_string()]).await,
        0
    );

    let rows = store.evidence(case.id).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].file, first);
    assert_eq!(rows[0].seq, 2);
    assert_eq!(rows[0].uploader, cast.buyer.actor());
    assert_eq!(rows[0].added_at, world.now());
    assert_eq!(store.evidence_item(case.id, first.evidence_id).await.unwrap().as_ref(), Some(&rows[0]));
    assert_eq!(store.evidence_item(case.id, second.evidence_id).await.unwrap(), None);

    // The merchant's confidential file, added through the app's command path.
    world
        .app
        .act(&cast.staff, case.id, Command::Message { text: "请看".into(), evidence: vec![first.evidence_id] })
        .await
        .unwrap();
    let record = store.case(case.id).await.unwrap().unwrap();
    let event = Event {
        at: world.now(),
        actor: cast.staff.actor(),
        body: EventBody::EvidenceAdded { file: second.clone() },
        transition: None,
    };
    store
        .append(&apply(record.case.clone(), &event), record.version, &record.last_hash, &[event], &[], None)
        .await
        .unwrap();
    let rows = store.evidence(case.id).await.unwrap();
    assert_eq!(rows.iter().map(|r| (r.seq, r.file.confidential)).collect::<Vec<_>>(), [(2, false), (4, true)]);
    assert_eq!(store.case(case.id).await.unwrap().unwrap().case.evidence_bytes, first.size + second.size);
    // Another case's id finds nothing.
    let other = world.order("SH-EV-2", cast.shop, cast.buyer_id()).await;
    let other_case = world.app.file_case(&cast.buyer, refund_request(100), other.id).await.unwrap();
    assert_eq!(store.evidence_item(other_case.id, first.evidence_id).await.unwrap(), None);
    assert_eq!(world.app.verify_chain(case.id).await.unwrap(), Ok(4));
}
