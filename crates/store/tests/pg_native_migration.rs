//! An existing PostgreSQL database keeps its data through migration 0024 (native columns: uuid,
//! timestamptz, jsonb). A data set is made through the application on SQLite, whose schema is
//! the one PostgreSQL had before 0024 (TEXT ids, BIGINT microseconds, JSON as TEXT); its rows are
//! copied into a PostgreSQL database migrated up to the version before 0024; then 0024 and later
//! run, and every read of the ports answers on PostgreSQL what it answers on SQLite.

// The PostgreSQL-only story uses none of the two-database runner.
#[allow(unused_macros, unused_imports)]
mod support;

use jiff::{SignedDuration, Timestamp};
use redress_app::email::NotificationSettings;
use redress_app::escalations::{ExternalChannel, NewEscalation, Notification};
use redress_app::ports::IdempotencyRecord;
use redress_app::ports::{ApiToken, CaseFilter, LoginAttempts, OrderFilter, PayoutKind};
use redress_app::webhooks::{Attempt, AttemptOutcome, Subscription};
use redress_app::{Role, Store};
use redress_domain::evidence::EvidenceFile;
use redress_domain::vocabulary::EvidenceKind;
use redress_domain::{Event, EventBody, EvidenceId, Money, TokenId, apply};
use redress_text::NotificationKind;
use sqlx::Row;
use std::sync::Arc;
use support::{Cast, World, refund_request};

/// The last PostgreSQL migration before native columns.
const BEFORE_NATIVE: i64 = 23;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_data_from_before_native_columns_reads_back_the_same() {
    support::run_on_empty_postgres("postgres_data_from_before_native_columns_reads_back_the_same", story).await;
}

/// What the reads are asked about.
struct Made {
    world: World,
    cast: Cast,
    agent: redress_app::Principal,
    order: redress_domain::order::Order,
    talk: redress_domain::order::Order,
    case: redress_domain::CaseId,
    subscription: uuid::Uuid,
    notes: Vec<uuid::Uuid>,
    answer: IdempotencyRecord,
}

async fn story(pg_url: String) {
    let dir = tempfile::tempdir().unwrap();
    let sqlite_url = format!("sqlite://{}", dir.path().join("before.db").display());
    redress_store::migrate(&sqlite_url).await.unwrap();
    let sqlite = redress_store::connect(&sqlite_url).await.unwrap();
    let made = fill(World::new(sqlite.clone()).await).await;

    let pool = sqlx::PgPool::connect(&pg_url).await.unwrap();
    sqlx::migrate!("migrations/postgres").run_to(BEFORE_NATIVE, &pool).await.unwrap();
    let mut pg = pool.acquire().await.unwrap();
    let raw_sqlite = sqlx::SqlitePool::connect(&sqlite_url).await.unwrap();
    copy_rows(&raw_sqlite, &mut pg).await;

    redress_store::migrate(&pg_url).await.unwrap();
    let converted = redress_store::connect(&pg_url).await.unwrap();
    reads_agree(&sqlite, &converted, &made).await;

    // Times keep their microseconds (the clock has sub-millisecond parts).
    let before: i64 = sqlx::query_scalar("SELECT filed_at FROM cases").fetch_one(&raw_sqlite).await.unwrap();
    assert_ne!(before % 1000, 0, "a time with sub-millisecond parts");
    let after: Timestamp = sqlx::query_scalar::<_, jiff_sqlx::Timestamp>("SELECT filed_at FROM cases")
        .fetch_one(&mut *pg)
        .await
        .unwrap()
        .to_jiff();
    assert_eq!(after.as_microsecond(), before);
    let types: Vec<String> = sqlx::query_scalar(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'cases' AND column_name IN ('id', 'filed_at', 'body') ORDER BY column_name",
    )
    .fetch_all(&mut *pg)
    .await
    .unwrap();
    assert_eq!(types, ["jsonb", "timestamp with time zone", "uuid"]);
    let partitioned: Vec<String> =
        sqlx::query_scalar("SELECT CAST(partrelid::regclass AS TEXT) FROM pg_partitioned_table ORDER BY 1")
            .fetch_all(&mut *pg)
            .await
            .unwrap();
    assert_eq!(partitioned, ["notifications", "outbox", "webhook_attempts"]);
}

/// Something in every table a person's work writes.
async fn fill(world: World) -> Made {
    let store = world.store().clone();
    let cast = Cast::new(&world).await;
    let agent = world.user("agent", Role::Agent, None).await;
    let buyer = cast.buyer_id();
    store.set_user_email(buyer, Some("buyer@example.com")).await.unwrap();
    let settings = NotificationSettings { language: redress_text::Lang::En, email_off: vec!["offer_made".into()] };
    store.put_notification_settings(buyer, &settings, world.now()).await.unwrap();

    let order = world.order("MIG-1", cast.shop, buyer).await;
    let case = world.app.file_case(&cast.buyer, refund_request(39900), order.id).await.unwrap();
    world.advance_hours(1);
    let record = store.case(case.id).await.unwrap().unwrap();
    let file = EvidenceFile {
        evidence_id: EvidenceId(uuid::Uuid::now_v7()),
        sha256: "ab".repeat(32),
        kind: EvidenceKind::ChatRecord,
        caption: "聊天记录".into(),
        size: 1234,
        media_type: "text/plain; charset=utf-8".into(),
        confidential: true,
    };
    let event =
        Event { at: world.now(), actor: cast.buyer.actor(), body: EventBody::EvidenceAdded { file }, transition: None };
    store.append(&apply(record.case, &event), record.version, &record.last_hash, &[event], &[], None).await.unwrap();
    let new = NewEscalation {
        channel: ExternalChannel::Regulator12315,
        filed_on: redress_law::calendar::shanghai_date(world.now()),
        reference: "12315-2026-0042".into(),
    };
    world.app.record_external_escalation(&cast.buyer, case.id, new).await.unwrap();

    let talk = world.order("MIG-2", cast.shop, buyer).await;
    world.app.post_message(&cast.buyer, talk.id, "耳机左耳没有声音", None).await.unwrap();
    world.app.mark_conversation_read(&cast.staff, talk.id, 1).await.unwrap();

    let note = Notification::new(
        buyer,
        Some(case.id),
        NotificationKind::DeadlineReminder,
        serde_json::json!({ "due": world.now() }),
        world.now(),
    );
    store.insert_notifications(std::slice::from_ref(&note)).await.unwrap();
    store.mark_notification_read(buyer, note.id, world.now()).await.unwrap();
    let notes = store.notifications(buyer, None, 100).await.unwrap().into_iter().map(|n| n.id).collect();

    let token = ApiToken {
        id: TokenId(uuid::Uuid::now_v7()),
        merchant_id: cast.shop,
        name: "ERP".into(),
        created_at: world.now(),
    };
    store.insert_api_token(&token, "token-hash").await.unwrap();
    store
        .insert_session("session-hash", buyer, world.now() + SignedDuration::from_hours(24 * 30), world.now())
        .await
        .unwrap();
    let answer = IdempotencyRecord {
        scope: "buyer".into(),
        key: "k-1".into(),
        request_hash: "h".into(),
        status: 201,
        body: "{\"id\": 1,  \"spacing\": \"kept\"}".into(),
        created_at: world.now(),
        expires_at: world.now() + SignedDuration::from_hours(24),
    };
    store.idempotency_record(&answer, world.now()).await.unwrap();
    store.ledger_refund(&order, "refund-1", Money::from_fen(1000), PayoutKind::Refund, world.now()).await.unwrap();
    let attempts = LoginAttempts { attempts: 2, not_before: world.now(), last_at: world.now() };
    store.swap_login_attempts("login:buyer", None, &attempts).await.unwrap();
    store.put_calendar_years(&[(2031, "{\"y\": 2031,  \"kept\": true}".into())], world.now()).await.unwrap();
    let stricter = redress_domain::Policy { merchant_response_hours: 24, ..redress_domain::Policy::default() };
    store.insert_policy(2, &stricter, world.now(), world.now() + SignedDuration::from_hours(24 * 8)).await.unwrap();

    let subscription = Subscription {
        id: uuid::Uuid::now_v7(),
        merchant_id: cast.shop,
        url: "https://erp.example.com/hooks".into(),
        event_types: vec!["*".into()],
        active: true,
        secret: "whsec_one".into(),
        previous_secret: Some("whsec_old".into()),
        previous_until: Some(world.now() + SignedDuration::from_hours(1)),
        created_at: world.now(),
        updated_at: world.now(),
    };
    store.insert_subscription(&subscription).await.unwrap();
    // A second case change after the subscription, so that a webhook payload is waiting.
    world.advance_hours(1);
    let second = world.order("MIG-3", cast.shop, buyer).await;
    world.app.file_case(&cast.buyer, refund_request(100), second.id).await.unwrap();
    let sender = redress_worker::Worker::new(world.app.clone()).webhooks().unwrap();
    assert!(sender.fan_out().await.unwrap() >= 1);
    let later = world.now() + SignedDuration::from_hours(1);
    let claimed = store.claim_deliveries(later, later + SignedDuration::from_mins(5), "w1", 10).await.unwrap();
    let delivery = &claimed[0].delivery;
    let tried = Attempt {
        attempt: delivery.attempts,
        at: later,
        status_code: Some(502),
        response: Some("bad gateway".into()),
        error: None,
        duration_ms: 12,
    };
    let retry = AttemptOutcome::RetryAt(later + SignedDuration::from_mins(1));
    assert!(store.record_attempt(delivery.id, "w1", &tried, retry).await.unwrap());

    Made { world, cast, agent, order, talk, case: case.id, subscription: subscription.id, notes, answer }
}

/// Every table's rows, column by column, into the same table on PostgreSQL (foreign keys are
/// not checked while copying: the rows are consistent as a whole, not in copy order).
async fn copy_rows(from: &sqlx::SqlitePool, to: &mut sqlx::PgConnection) {
    sqlx::query("SET session_replication_role = replica").execute(&mut *to).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_sqlx_migrations' ORDER BY table_name")
        .fetch_all(&mut *to)
        .await
        .unwrap();
    let mut copied = 0;
    for table in tables {
        let columns: Vec<(String, String)> = sqlx::query_as("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position")
            .bind(&table)
            .fetch_all(&mut *to)
            .await
            .unwrap();
        let on_sqlite: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1)").bind(&table).fetch_all(from).await.unwrap();
        let columns: Vec<_> = columns.into_iter().filter(|(c, _)| on_sqlite.contains(c)).collect();
        if columns.is_empty() {
            continue;
        }
        let names = columns.iter().map(|(c, _)| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
        let places = (1..=columns.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        // Table and column names from the schema itself, not from input.
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {names} FROM {table}"))).fetch_all(from).await.unwrap();
        for row in rows {
            let insert = format!("INSERT INTO {table} ({names}) VALUES ({places})");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(insert));
            for (i, (column, data_type)) in columns.iter().enumerate() {
                q = match data_type.as_str() {
                    "bigint" | "integer" => q.bind(row.get::<Option<i64>, _>(i)),
                    "text" => q.bind(row.get::<Option<String>, _>(i)),
                    other => panic!("{table}.{column}: {other} before 0024"),
                };
            }
            q.execute(&mut *to).await.unwrap();
            copied += 1;
        }
    }
    assert!(copied >= 40, "only {copied} rows copied");
    sqlx::query("SET session_replication_role = DEFAULT").execute(&mut *to).await.unwrap();
}

/// `$read` (an expression on `s`, the store) answers the same on both stores; its answer.
macro_rules! same {
    ($a:expr, $b:expr, |$s:ident| $read:expr) => {{
        let before = {
            let $s = $a;
            format!("{:?}", $read.await.unwrap())
        };
        let after = {
            let $s = $b;
            format!("{:?}", $read.await.unwrap())
        };
        assert_eq!(before, after, "{}", stringify!($read));
        before
    }};
    // Compared as values: a JSON object's keys come back in jsonb's order, which the `Debug` of
    // a map that keeps insertion order (serde_json's `preserve_order`, on in the full workspace
    // build) shows, though the maps are equal.
    ($a:expr, $b:expr, equal |$s:ident| $read:expr) => {{
        let before = {
            let $s = $a;
            $read.await.unwrap()
        };
        let after = {
            let $s = $b;
            $read.await.unwrap()
        };
        assert!(before == after, "{}: {before:?} != {after:?}", stringify!($read));
        format!("{before:?}")
    }};
}

async fn reads_agree(a: &Arc<dyn Store>, b: &Arc<dyn Store>, m: &Made) {
    let (buyer, staff, agent) = (m.cast.buyer_id(), m.cast.staff.user_id().unwrap(), m.agent.user_id().unwrap());
    let now = m.world.now();
    let far = now + SignedDuration::from_hours(24 * 400);
    let epoch = Timestamp::UNIX_EPOCH;
    // Reads that must find something (an empty answer on both would prove nothing).
    let found = [
        same!(a, b, |s| s.user(buyer)),
        same!(a, b, |s| s.user(agent)),
        same!(a, b, |s| s.user_by_login("shop")),
        same!(a, b, |s| s.list_users(None, 100)),
        same!(a, b, |s| s.list_merchants(None, 100)),
        same!(a, b, |s| s.merchant_staff(m.cast.shop)),
        same!(a, b, |s| s.session_user("session-hash", now)),
        same!(a, b, |s| s.api_token("token-hash")),
        same!(a, b, |s| s.api_tokens(m.cast.shop)),
        same!(a, b, |s| s.order(m.order.id)),
        same!(a, b, |s| s.list_orders(&OrderFilter { buyer_id: Some(buyer), limit: 100, ..Default::default() })),
        same!(a, b, |s| s.order_history(&m.order)),
        same!(a, b, |s| s.policy_versions()),
        same!(a, b, |s| s.policy_in_force(far)),
        same!(a, b, |s| s.calendar_years()),
        same!(a, b, |s| s.case(m.case)),
        same!(a, b, |s| s.events(m.case)),
        same!(a, b, |s| s.events_page(m.case, None, 1)),
        same!(a, b, |s| s.list_cases(&CaseFilter { limit: 100, ..Default::default() })),
        same!(a, b, |s| s.list_cases(&CaseFilter { sort_by_due: true, limit: 100, ..Default::default() })),
        same!(a, b, |s| s.cases_due_from(epoch, None, 100)),
        same!(a, b, |s| s.evidence(m.case)),
        same!(a, b, |s| s.external_escalations(m.case)),
        same!(a, b, |s| s.external_escalations_due_from(epoch)),
        same!(a, b, |s| s.due_external_escalations(far, 100)),
        same!(a, b, |s| s.due_reminders(far, 100)),
        same!(a, b, equal | s | s.notifications(buyer, None, 100)),
        same!(a, b, equal | s | s.notifications(staff, None, 100)),
        same!(a, b, equal | s | s.notification(m.notes[0])),
        same!(a, b, |s| s.notification_settings(buyer)),
        same!(a, b, |s| s.idempotency_answer(&m.answer.scope, &m.answer.key, now)),
        same!(a, b, |s| s.messages(m.talk.id)),
        same!(a, b, |s| s.read_receipts(m.talk.id)),
        same!(a, b, |s| s.negotiation_length(m.case)),
        same!(a, b, |s| s.login_attempts("login:buyer")),
        same!(a, b, |s| s.subscriptions(m.cast.shop)),
        same!(a, b, |s| s.deliveries(m.subscription, None, None, 100)),
        same!(a, b, |s| s.dashboard_cases(None, epoch, far)),
        same!(a, b, |s| s.open_case_counts(now)),
    ];
    for answer in found {
        assert!(!["None", "[]", "Ok(None)"].contains(&answer.as_str()), "found nothing: {answer}");
    }
    assert_eq!(same!(a, b, |s| s.ledger_total(m.order.id)), format!("{:?}", Money::from_fen(1000)));
    // The stored bytes of an answer come back as they were (TEXT, not jsonb).
    assert!(same!(a, b, |s| s.idempotency_answer("buyer", "k-1", now)).contains("\\\"spacing\\\": \\\"kept\\\""));
    // The jobs waiting, claimed the same way on both (claiming changes them: last).
    for topic in ["email", "refund", "webhook", "notification"] {
        same!(a, b, |s| s.claim_jobs(topic, far, far + SignedDuration::from_mins(5), "w2", 100));
    }
}
