//! The store methods no other story calls directly, on both databases: a merchant's API tokens
//! listed and revoked, the published policy versions, notifications marked read, a shop's staff,
//! the business calendar's stored years, 12315 escalations and deadline reminders advanced once,
//! the platform's signing key kept once.

mod support;

use jiff::SignedDuration;
use redress_app::Role;
use redress_app::escalations::{ExternalChannel, NewEscalation, Notification};
use redress_app::ports::ApiToken;
use redress_domain::{Policy, TokenId};
use redress_text::NotificationKind;
use support::{Cast, TestDb, World, refund_request};

support::contract! {
    api_tokens_are_listed_and_revoked_once => sqlite_api_tokens_are_listed_and_revoked_once, postgres_api_tokens_are_listed_and_revoked_once;
    policy_versions_and_calendar_years => sqlite_policy_versions_and_calendar_years, postgres_policy_versions_and_calendar_years;
    notifications_are_read_by_their_owner_once => sqlite_notifications_are_read_by_their_owner_once, postgres_notifications_are_read_by_their_owner_once;
    escalation_and_deadline_reminders_advance_once => sqlite_escalation_and_deadline_reminders_advance_once, postgres_escalation_and_deadline_reminders_advance_once;
    a_signing_key_is_kept_once => sqlite_a_signing_key_is_kept_once, postgres_a_signing_key_is_kept_once;
}

/// The first key stored for a purpose is the key: a second process's later one is dropped.
async fn a_signing_key_is_kept_once(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    assert_eq!(store.signing_key("dossier").await.unwrap(), None);
    let (first, second) = (
        store.keep_signing_key("dossier", "aa01", world.now()),
        store.keep_signing_key("dossier", "bb02", world.now()),
    );
    let (a, b) = tokio::join!(first, second);
    a.unwrap();
    b.unwrap();
    let kept = store.signing_key("dossier").await.unwrap().expect("a key is kept");
    assert!(kept == "aa01" || kept == "bb02", "{kept}");
    store.keep_signing_key("dossier", "cc03", world.now()).await.unwrap();
    assert_eq!(store.signing_key("dossier").await.unwrap().as_deref(), Some(kept.as_str()), "kept, not replaced");
    assert_eq!(store.signing_key("webhooks").await.unwrap(), None, "one key per purpose");
}

async fn api_tokens_are_listed_and_revoked_once(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let (shop, other_shop) = (world.merchant("店铺甲").await, world.merchant("店铺乙").await);
    let token = |merchant, name: &str| ApiToken {
        id: TokenId(uuid::Uuid::now_v7()),
        merchant_id: merchant,
        name: name.into(),
        created_at: world.now(),
    };
    let (erp, crm, theirs) = (token(shop, "ERP"), token(shop, "CRM"), token(other_shop, "ERP"));
    for (t, hash) in [(&erp, "h-erp"), (&crm, "h-crm"), (&theirs, "h-theirs")] {
        store.insert_api_token(t, hash).await.unwrap();
    }
    let names = |tokens: Vec<ApiToken>| tokens.into_iter().map(|t| t.name).collect::<Vec<_>>();
    assert_eq!(names(store.api_tokens(shop).await.unwrap()), ["CRM", "ERP"], "newest first, this shop's only");

    assert!(!store.revoke_api_token(other_shop, erp.id, world.now()).await.unwrap(), "another shop's token");
    assert!(store.revoke_api_token(shop, erp.id, world.now()).await.unwrap());
    assert!(!store.revoke_api_token(shop, erp.id, world.now()).await.unwrap(), "revoked once");
    assert_eq!(names(store.api_tokens(shop).await.unwrap()), ["CRM"]);
    assert!(store.api_token("h-erp").await.unwrap().is_none(), "a revoked token opens nothing");
    assert_eq!(store.api_token("h-theirs").await.unwrap().map(|t| t.merchant_id), Some(other_shop));
}

async fn policy_versions_and_calendar_years(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let (published, effective) = (world.now(), world.now() + SignedDuration::from_hours(24 * 8));
    let stricter = Policy { merchant_response_hours: 24, ..Policy::default() };
    store.insert_policy(2, &stricter, published, effective).await.unwrap();
    let versions = store.policy_versions().await.unwrap();
    assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(versions[1].policy, stricter);
    assert_eq!((versions[1].published_at, versions[1].effective_at), (published, effective));

    store
        .put_calendar_years(&[(2031, "{\"y\":2031}".into()), (2030, "{\"y\":2030}".into())], world.now())
        .await
        .unwrap();
    store.put_calendar_years(&[(2031, "{\"y\":2031,\"v\":2}".into())], world.now()).await.unwrap();
    let years = store.calendar_years().await.unwrap();
    let ours: Vec<_> = years.iter().filter(|b| b.contains("203")).map(String::as_str).collect();
    assert_eq!(ours, ["{\"y\":2030}", "{\"y\":2031,\"v\":2}"], "by year, the newest body kept");
}

async fn notifications_are_read_by_their_owner_once(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let stranger = world.user("stranger", Role::Buyer, None).await.user_id().unwrap();
    let args = serde_json::json!({ "due": world.now() });
    let note = Notification::new(cast.buyer_id(), None, NotificationKind::DeadlineReminder, args, world.now());
    store.insert_notifications(std::slice::from_ref(&note)).await.unwrap();

    assert!(!store.mark_notification_read(stranger, note.id, world.now()).await.unwrap(), "not theirs");
    let first = world.now();
    assert!(store.mark_notification_read(cast.buyer_id(), note.id, first).await.unwrap());
    world.advance_hours(1);
    assert!(store.mark_notification_read(cast.buyer_id(), note.id, world.now()).await.unwrap());
    let read = store.notifications(cast.buyer_id(), None, 10).await.unwrap();
    assert_eq!(read[0].read_at, Some(first), "the first reading is kept");

    let staff = store.merchant_staff(cast.shop).await.unwrap();
    assert_eq!(staff, [cast.staff.user_id().unwrap()], "the shop's merchant accounts only");
}

async fn escalation_and_deadline_reminders_advance_once(db: TestDb) {
    let world = World::new(db.store.clone()).await;
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let order = world.order("SH-REM-1", cast.shop, cast.buyer_id()).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();

    // A deadline reminder: due once, advanced by one worker only.
    let remind_at = case.reminder_after(world.now()).expect("a 48-hour deadline has reminders");
    assert!(store.due_reminders(world.now(), 10).await.unwrap().is_empty());
    let due = store.due_reminders(remind_at, 10).await.unwrap();
    assert_eq!(due.iter().map(|(c, at)| (c.id, *at)).collect::<Vec<_>>(), [(case.id, remind_at)]);
    let next = case.reminder_after(remind_at);
    let note = Notification::new(
        cast.buyer_id(),
        Some(case.id),
        NotificationKind::DeadlineReminder,
        serde_json::json!({}),
        remind_at,
    );
    assert!(store.advance_reminder(case.id, remind_at, next, std::slice::from_ref(&note)).await.unwrap());
    assert!(!store.advance_reminder(case.id, remind_at, next, &[]).await.unwrap(), "advanced once");
    assert!(store.due_reminders(remind_at, 10).await.unwrap().is_empty());
    assert_eq!(store.notifications(cast.buyer_id(), None, 10).await.unwrap(), [note]);

    // A 12315 escalation's reminder, the same way.
    let new = NewEscalation {
        channel: ExternalChannel::Regulator12315,
        filed_on: redress_law::calendar::shanghai_date(world.now()),
        reference: "12315-2026-0001".into(),
    };
    let filed = world.app.record_external_escalation(&cast.buyer, case.id, new).await.unwrap();
    assert_eq!(store.external_escalations(case.id).await.unwrap(), std::slice::from_ref(&filed));
    let (at, _) = filed.next_reminder().unwrap();
    assert!(store.due_external_escalations(at - SignedDuration::from_micros(1), 10).await.unwrap().is_empty());
    assert_eq!(store.due_external_escalations(at, 10).await.unwrap(), std::slice::from_ref(&filed));
    let mut advanced = filed.clone();
    advanced.reference = "12315-2026-0001 (reminded)".into();
    advanced.acceptance_due = None;
    let told = Notification::new(
        cast.buyer_id(),
        Some(case.id),
        NotificationKind::ExternalAcceptanceSoon,
        serde_json::json!({}),
        at,
    );
    assert!(store.update_external_escalation(&advanced, Some(at), Some(&told)).await.unwrap());
    assert!(!store.update_external_escalation(&advanced, Some(at), None).await.unwrap(), "advanced once");
    assert_eq!(store.external_escalations(case.id).await.unwrap(), [advanced]);
    assert!(store.due_external_escalations(at, 10).await.unwrap().is_empty());
    assert_eq!(store.notifications(cast.buyer_id(), None, 1).await.unwrap(), [told]);
}
