//! What the worker's housekeeping and the bounded reads need from storage, on both databases:
//! expired sessions and finished outbox rows are purged (and nothing else), a file's hash is
//! known to be on record or not, and a case's events are read a page at a time, newest first.

mod support;

use jiff::SignedDuration;
use redress_app::ports::Purged;
use redress_domain::evidence::EvidenceFile;
use redress_domain::vocabulary::EvidenceKind;
use redress_domain::{Command, Event, EventBody, EvidenceId, apply};
use support::{Cast, TestDb, World, refund_request};

support::contract! {
    expired_sessions_and_finished_jobs_are_purged => sqlite_expired_sessions_and_finished_jobs_are_purged, postgres_expired_sessions_and_finished_jobs_are_purged;
    evidence_hashes_and_event_pages => sqlite_evidence_hashes_and_event_pages, postgres_evidence_hashes_and_event_pages;
}

async fn expired_sessions_and_finished_jobs_are_purged(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let now = world.now();
    let day = SignedDuration::from_hours(24);
    let user = cast.buyer_id();
    for (hash, expires) in [("gone-1", now - day), ("gone-2", now), ("live", now + SignedDuration::from_micros(1))] {
        store.insert_session(hash, user, expires, now - day * 8).await.unwrap();
    }
    let sessions = || db.count("SELECT COUNT(*) FROM sessions WHERE token_hash LIKE $1", &["%"]);
    let before = sessions().await;

    // Two refunds: one finished long ago, one pending.
    let order = world.order("SH-PURGE-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    world.app.act(&cast.staff, case.id, Command::Approve).await.unwrap();
    let other = world.order("SH-PURGE-2", cast.shop, cast.buyer_id()).await;
    let pending = world.app.file_case(&cast.buyer, refund_request(100), other.id).await.unwrap();
    world.app.act(&cast.staff, pending.id, Command::Approve).await.unwrap();
    let jobs = store.claim_jobs("refund", now, now + SignedDuration::from_secs(60), "w", 10).await.unwrap();
    let finished = jobs.iter().find(|j| j.case_id == Some(case.id)).unwrap();
    store.complete_job(finished.id, now - day * 40).await.unwrap();
    let outbox = || db.count("SELECT COUNT(*) FROM outbox WHERE topic = $1", &["refund"]);
    assert_eq!(outbox().await, 2);

    // One row per batch: called until done, each call deletes at most one of each.
    let done_before = now - day * 30;
    assert_eq!(store.purge_expired(now, done_before, 1).await.unwrap(), Purged { sessions: 1, outbox: 1 });
    assert_eq!(store.purge_expired(now, done_before, 1).await.unwrap(), Purged { sessions: 1, outbox: 0 });
    assert_eq!(store.purge_expired(now, done_before, 1).await.unwrap(), Purged::default());
    assert_eq!(sessions().await, before - 2);
    assert_eq!(store.session_user("live", now).await.unwrap().map(|u| u.id), Some(user));
    assert_eq!(outbox().await, 1, "the pending refund stays");
    // Case records are never purged.
    assert_eq!(store.events(case.id).await.unwrap().len(), 3);
}

async fn evidence_hashes_and_event_pages(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let order = world.order("SH-PAGE-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    let sha = "ab".repeat(32);
    assert!(!store.evidence_hash_referenced(&sha).await.unwrap());
    let file = EvidenceFile {
        evidence_id: EvidenceId(uuid::Uuid::now_v7()),
        sha256: sha.clone(),
        kind: EvidenceKind::ChatRecord,
        caption: "聊天记录".into(),
        size: 10,
        media_type: "text/plain; charset=utf-8".into(),
        confidential: false,
    };
    let record = store.case(case.id).await.unwrap().unwrap();
    let event =
        Event { at: world.now(), actor: cast.buyer.actor(), body: EventBody::EvidenceAdded { file }, transition: None };
    store
        .append(&apply(record.case.clone(), &event), record.version, &record.last_hash, &[event], &[], None)
        .await
        .unwrap();
    assert!(store.evidence_hash_referenced(&sha).await.unwrap());
    assert!(!store.evidence_hash_referenced(&"cd".repeat(32)).await.unwrap());

    for i in 0..7 {
        world
            .app
            .act(&cast.buyer, case.id, Command::Message { text: format!("第 {i} 条"), evidence: Vec::new() })
            .await
            .unwrap();
    }
    let all = store.events(case.id).await.unwrap();
    let n = all.len() as i64;
    assert_eq!(n, 9);
    let seqs = |page: &[redress_app::ports::StoredEvent]| page.iter().map(|e| e.seq).collect::<Vec<_>>();
    let newest = store.events_page(case.id, None, 4).await.unwrap();
    assert_eq!(seqs(&newest), [9, 8, 7, 6]);
    let older = store.events_page(case.id, Some(6), 4).await.unwrap();
    assert_eq!(seqs(&older), [5, 4, 3, 2]);
    let oldest = store.events_page(case.id, Some(2), 4).await.unwrap();
    assert_eq!(seqs(&oldest), [1]);
    assert_eq!(oldest[0].link, all[0].link);
    assert!(store.events_page(case.id, Some(1), 4).await.unwrap().is_empty());
}
