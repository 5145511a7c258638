//! A case change's writes as statements built together (`Script`), sent in one call: each call
//! is a round trip (on SQLite a hand-over to sqlx's connection thread and back, which on a
//! loaded machine costs more than the statement; on PostgreSQL a message exchange and an
//! executor start, which were most of PostgreSQL's time in the deadline sweep). SQLite takes
//! several statements in one call; PostgreSQL takes parameters for one statement only, so
//! there the writes are the parts of one statement's `WITH`. The rows after the case row's
//! UPDATE are written only if that UPDATE took (`Guard`), so a stale change writes nothing.
//!
//! Values are bound as the database's own types (`Id`, `Time`, `Json`: `docs/storage.md`). The
//! statements differ per database only in a notification's key (PostgreSQL partitions the table
//! by time, so its key is (id, created_at)): `change_script!` is instantiated once per database,
//! in `script::sqlite` and `script::postgres`.

use crate::codec::{Id, Json, Time};
use jiff::Timestamp;
use redress_app::escalations::Notification;
use redress_app::ports::{OutboxItem, StoreError, StoreResult};
use redress_domain::chain::Link;
use redress_domain::{CaseId, Event, UserId};

/// An outbox row about to be written (its payload borrowed from the change's outbox item: a
/// webhook's payload is the largest part of a change, and copying it was a tenth of the sweep's CPU).
pub struct Job<'a> {
    pub topic: String,
    pub case_id: Option<CaseId>,
    pub payload: std::borrow::Cow<'a, serde_json::Value>,
    pub at: Timestamp,
    /// Set for the email of a notification: it is queued only on the conditions below.
    pub email: Option<Email>,
}

/// When a notification's email job is written: its reader has an address and did not turn its
/// kind off (the worker checks again when it sends), and the notification is new (a retried
/// notification already queued its email).
pub struct Email {
    pub reader: UserId,
    /// Matches the reader's turned-off kinds (the settings' JSON list) if this kind is among them.
    pub unless_off: String,
    pub notification: uuid::Uuid,
}

impl<'a> Job<'a> {
    pub fn of(item: &'a OutboxItem, at: Timestamp) -> Job<'a> {
        let payload = std::borrow::Cow::Borrowed(&item.payload);
        Job { topic: item.topic.clone(), case_id: item.case_id, payload, at, email: None }
    }

    /// The email of a notification.
    pub fn email(n: &Notification) -> Job<'static> {
        Job {
            topic: "email".into(),
            case_id: n.case_id,
            payload: std::borrow::Cow::Owned(serde_json::json!({ "notification": n.id })),
            at: n.created_at,
            email: Some(Email { reader: n.user_id, unless_off: format!("%\"{}\"%", n.kind), notification: n.id }),
        }
    }
}

/// `notifications` as rows: each once (by id: a twin in the same batch is the same
/// notification), and their email jobs.
pub fn notification_rows(
    notifications: impl IntoIterator<Item = Notification>,
) -> (Vec<Notification>, Vec<Job<'static>>) {
    let mut seen = std::collections::HashSet::new();
    let distinct: Vec<Notification> = notifications.into_iter().filter(|n| seen.insert(n.id)).collect();
    let emails = distinct.iter().map(Job::email).collect();
    (distinct, emails)
}

/// A change's outbox items as rows: the notifications for the inbox, and every job (the
/// notifications' emails among them).
pub fn outbox_rows(items: &[OutboxItem], at: Timestamp) -> StoreResult<(Vec<Notification>, Vec<Job<'_>>)> {
    let mut notifications = Vec::new();
    let mut jobs = Vec::with_capacity(items.len());
    for item in items {
        // A notification goes to its reader's inbox now, with the change.
        if item.topic == redress_app::notices::NOTIFICATION_TOPIC {
            notifications.push(
                <Notification as serde::Deserialize>::deserialize(&item.payload)
                    .map_err(|e| StoreError::Other(e.into()))?,
            );
        } else {
            jobs.push(Job::of(item, at));
        }
    }
    let (notifications, emails) = notification_rows(notifications);
    jobs.extend(emails);
    Ok((notifications, jobs))
}

/// Defines `Guard`, `Script`, the `push_*` functions that append a case change's multi-row
/// INSERTs to a query, and `write_outbox`, for `$db` (`$one_call`: it takes several statements
/// in one call), whose notifications are keyed by
/// `$key` (`$stored`: the condition that notification `v.column8` created at `v.column5` is
/// stored under that key).
macro_rules! change_script {
    ($db:ty, one_call: $one_call:literal, notification_key: $key:literal, stored: $stored:literal) => {
        use super::*;
        use crate::shared::other;

        /// The case row at the head a change just wrote: a statement guarded by it runs only if
        /// the change's UPDATE (or a filing's INSERT), the script's first statement, took.
        pub(crate) struct Guard<'a> {
            pub case: CaseId,
            pub version: i64,
            pub hash: &'a str,
        }

        /// Pushes the guard's condition (`TRUE` without one).
        fn push_condition(q: &mut sqlx::QueryBuilder<$db>, guard: Option<&Guard>) {
            match guard {
                // PostgreSQL runs a script as one statement whose parts share one snapshot (the
                // case row as it was before): the rows the first part wrote tell instead.
                Some(_) if !ONE_CALL => {
                    q.push("EXISTS (SELECT 1 FROM head)");
                }
                Some(g) => {
                    q.push("EXISTS (SELECT 1 FROM cases WHERE id = ")
                        .push_bind(Id::from(g.case))
                        .push(" AND version = ")
                        .push_bind(g.version)
                        .push(" AND last_hash = ")
                        .push_bind(g.hash)
                        .push(")");
                }
                None => {
                    q.push("TRUE");
                }
            }
        }

        /// SQLite takes several statements in one call (each with its parameters); PostgreSQL
        /// takes parameters for one statement only, so there a script is one statement, each
        /// write a part of its `WITH` (`head`, `s1`, `s2`, ...).
        const ONE_CALL: bool = $one_call;

        /// The statements of one change, sent in one call.
        #[derive(Default)]
        pub(crate) struct Script {
            /// SQLite: the statements joined by `;`. PostgreSQL: one statement, each write a part
            /// of its `WITH` (`head`, `s1`, `s2`, ...).
            query: Option<sqlx::QueryBuilder<$db>>,
            parts: usize,
            /// The first statement starts with the SQLite writer's opening of this change
            /// (`writer::Opening`): sending it tells the writer so.
            opens: bool,
        }

        impl Script {
            /// Where the next statement goes (at least one must be pushed there).
            pub fn next(&mut self) -> &mut sqlx::QueryBuilder<$db> {
                self.parts += 1;
                if self.query.is_none() {
                    let start = if ONE_CALL {
                        // The first statement carries the writer's savepoint statements of a
                        // scripted change, saving a call of their own.
                        let opening = crate::writer::Opening::take();
                        self.opens = opening.is_some();
                        opening.unwrap_or_default()
                    } else {
                        "WITH head AS ("
                    };
                    return self.query.insert(sqlx::QueryBuilder::new(start));
                }
                let q = self.query.as_mut().expect("started");
                if ONE_CALL {
                    q.push("; ");
                } else {
                    q.push(format_args!(" RETURNING 1), s{} AS (", self.parts - 1));
                }
                q
            }

            /// Runs the statements in order: the rows they touched, together.
            pub async fn run(self, conn: &mut <$db as sqlx::Database>::Connection) -> Result<u64, sqlx::Error> {
                use futures_util::TryStreamExt;
                let Some(mut q) = self.query else { return Ok(0) };
                if !ONE_CALL {
                    let parts = std::iter::once("head".to_owned()).chain((1..self.parts).map(|i| format!("s{i}")));
                    let counts: Vec<String> = parts.map(|part| format!("(SELECT COUNT(*) FROM {part})")).collect();
                    q.push(format_args!(" RETURNING 1) SELECT {}", counts.join(" + ")));
                    let touched: i64 = q.build_query_scalar().fetch_one(&mut *conn).await?;
                    return Ok(touched as u64);
                }
                if self.opens {
                    crate::writer::Opening::mark_sent();
                }
                // The opening's statements are not counted: SQLite reports the rows of the last
                // INSERT, UPDATE or DELETE for a statement that is none of them (the previous
                // change's), which would hide that this change's UPDATE took nothing.
                let skip = if self.opens { crate::writer::OPENING_STATEMENTS } else { 0 };
                let results: Vec<<$db as sqlx::Database>::QueryResult> =
                    sqlx::Executor::execute_many(&mut *conn, q.build()).try_collect().await?;
                Ok(results.iter().skip(skip).map(|r| r.rows_affected()).sum())
            }
        }

        /// A filing's case row (version 1, head `head`), written only if its order still has
        /// `prior_cases` cases and `said` messages in its conversation: what the filing was
        /// decided on and what its negotiation record counts. Otherwise nothing is written, nor
        /// by the statements guarded by it.
        pub(crate) fn push_new_case(
            q: &mut sqlx::QueryBuilder<$db>,
            case: &redress_domain::Case,
            filed_at: Timestamp,
            head: &str,
            prior_cases: u32,
            said: i64,
        ) {
            q.push("INSERT INTO cases (id, order_id, buyer_id, merchant_id, state, stage, outcome, assigned_agent, deadline_due, sweep_at, filed_at, updated_at, version, last_hash, body, remind_at) SELECT * FROM (");
            q.push_values([case], |mut row, case| {
                row.push_bind(Id::from(case.id))
                    .push_bind(Id::from(case.order_id))
                    .push_bind(Id::from(case.buyer_id))
                    .push_bind(Id::from(case.merchant_id))
                    .push_bind(case.state.as_str())
                    .push_bind(case.stage.as_str())
                    .push_bind(case.outcome.map(|o| o.as_str()))
                    .push_bind(case.assigned_agent.map(Id::from))
                    .push_bind(case.deadline.as_ref().map(|d| Time(d.due)))
                    .push_bind(case.sweep_at().map(Time))
                    .push_bind(Time(case.filed_at))
                    .push_bind(Time(filed_at))
                    .push_bind(1_i64)
                    .push_bind(head)
                    .push_bind(Json(case))
                    .push_bind(case.reminder_after(filed_at).map(Time));
            });
            q.push(") AS v WHERE (SELECT COUNT(*) FROM cases WHERE order_id = ")
                .push_bind(Id::from(case.order_id))
                .push(") = ")
                .push_bind(i64::from(prior_cases))
                .push(" AND (SELECT COUNT(*) FROM conversation_messages WHERE order_id = ")
                .push_bind(Id::from(case.order_id))
                .push(") = ")
                .push_bind(said);
        }

        /// A filing's negotiation record: the `messages` of its order's conversation it carries.
        pub(crate) fn push_negotiation(q: &mut sqlx::QueryBuilder<$db>, case_id: CaseId, messages: i64, guard: &Guard) {
            q.push("INSERT INTO case_negotiations (case_id, messages) SELECT * FROM (");
            q.push_values([(case_id, messages)], |mut row, (case_id, messages)| {
                row.push_bind(Id::from(case_id)).push_bind(messages);
            });
            q.push(") AS v WHERE ");
            push_condition(q, Some(guard));
        }

        /// A new case's search document.
        pub(crate) fn push_search_doc(
            q: &mut sqlx::QueryBuilder<$db>,
            case_id: CaseId,
            doc: &redress_app::search::SearchDoc,
            guard: &Guard,
        ) {
            q.push("INSERT INTO case_texts (case_id, plain, words) SELECT * FROM (");
            q.push_values([doc], |mut row, doc| {
                row.push_bind(Id::from(case_id)).push_bind(&doc.plain).push_bind(&doc.words);
            });
            q.push(") AS v WHERE ");
            push_condition(q, Some(guard));
        }

        /// The platform dashboard's row of `case` (`case_figures`), written or rewritten with
        /// each change of the case.
        pub(crate) fn push_figure(q: &mut sqlx::QueryBuilder<$db>, case: &redress_domain::Case, guard: Option<&Guard>) {
            let f = redress_app::dashboards::CaseFigure::of(case);
            q.push("INSERT INTO case_figures (case_id, month, reason, kind, escalated, sla_breaches, escalated_on, decided_on, decided_by) SELECT * FROM (");
            q.push_values([f], |mut row, f| {
                let ruling = f.ruling.as_ref();
                row.push_bind(Id::from(f.case))
                    .push_bind(f.month)
                    .push_bind(f.reason.as_str())
                    .push_bind(f.kind.as_str())
                    .push_bind(i32::from(f.escalated))
                    .push_bind(i32::try_from(f.sla_breaches).unwrap_or(i32::MAX))
                    .push_bind(ruling.map(|r| r.escalated_on.to_string()))
                    .push_bind(ruling.map(|r| r.decided_on.to_string()))
                    .push_bind(ruling.map(|r| Id::from(r.agent)));
            });
            q.push(") AS v WHERE ");
            push_condition(q, guard);
            q.push(" ON CONFLICT (case_id) DO UPDATE SET month = excluded.month, reason = excluded.reason, kind = excluded.kind, escalated = excluded.escalated, sla_breaches = excluded.sla_breaches, escalated_on = excluded.escalated_on, decided_on = excluded.decided_on, decided_by = excluded.decided_by");
        }

        /// The words of a change's events, added to its case's search document.
        pub(crate) fn push_search_text(
            q: &mut sqlx::QueryBuilder<$db>,
            case_id: CaseId,
            text: &redress_app::search::SearchDoc,
            guard: &Guard,
        ) {
            q.push("UPDATE case_texts SET plain = plain || ")
                .push_bind(&text.plain)
                .push(", words = words || ")
                .push_bind(&text.words)
                .push(" WHERE case_id = ")
                .push_bind(Id::from(case_id))
                .push(" AND ");
            push_condition(q, Some(guard));
        }

        /// `events` with their chain `links`, one multi-row INSERT.
        pub(crate) fn push_links(
            q: &mut sqlx::QueryBuilder<$db>,
            case_id: CaseId,
            events: &[Event],
            links: &[Link],
            guard: Option<&Guard>,
        ) {
            q.push("INSERT INTO case_events (case_id, seq, at, event_type, content, prev_hash, hash) SELECT * FROM (");
            q.push_values(events.iter().zip(links), |mut row, (event, link)| {
                row.push_bind(Id::from(case_id))
                    .push_bind(link.seq)
                    .push_bind(Time(event.at))
                    .push_bind(event.body.type_name())
                    .push_bind(&link.content)
                    .push_bind(&link.prev_hash)
                    .push_bind(&link.hash);
            });
            q.push(") AS v WHERE ");
            push_condition(q, guard);
        }

        /// `notifications` into their readers' inboxes, one multi-row INSERT (one stored before
        /// is left as it is).
        fn push_inbox(q: &mut sqlx::QueryBuilder<$db>, notifications: &[Notification], guard: Option<&Guard>) {
            q.push("INSERT INTO notifications (id, user_id, case_id, kind, body, created_at) SELECT * FROM (");
            q.push_values(notifications, |mut row, n| {
                row.push_bind(Id::from(n.id))
                    .push_bind(Id::from(n.user_id))
                    .push_bind(n.case_id.map(Id::from))
                    .push_bind(&n.kind)
                    .push_bind(Json(n))
                    .push_bind(Time(n.created_at));
            });
            q.push(") AS v WHERE ");
            push_condition(q, guard);
            q.push(concat!(" ON CONFLICT ", $key, " DO NOTHING"));
        }

        /// `jobs` into the outbox, one INSERT ... SELECT; an email job only on its `Email`'s
        /// conditions.
        fn push_jobs(q: &mut sqlx::QueryBuilder<$db>, jobs: &[Job<'_>], guard: Option<&Guard>) {
            // VALUES columns are named column1, column2, ... on both databases.
            q.push("INSERT INTO outbox (id, topic, case_id, payload, created_at, available_at) SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column5 FROM (");
            q.push_values(jobs, |mut row, job| {
                let email = job.email.as_ref();
                row.push_bind(Id::from(uuid::Uuid::now_v7()))
                    .push_bind(&job.topic)
                    .push_bind(job.case_id.map(Id::from))
                    .push_bind(Json(job.payload.as_ref()))
                    .push_bind(Time(job.at))
                    .push_bind(email.map(|e| Id::from(e.reader)))
                    .push_bind(email.map(|e| e.unless_off.as_str()))
                    .push_bind(email.map(|e| Id::from(e.notification)));
            });
            q.push(concat!(
                ") AS v WHERE (v.column6 IS NULL OR (EXISTS (SELECT 1 FROM users u WHERE u.id = v.column6 AND u.email IS NOT NULL ",
                "AND NOT EXISTS (SELECT 1 FROM notification_settings s WHERE s.user_id = u.id AND CAST(s.email_off AS TEXT) LIKE v.column7)) ",
                "AND NOT EXISTS (SELECT 1 FROM notifications n WHERE ",
                $stored,
                "))) AND "
            ));
            push_condition(q, guard);
        }

        /// Pushes a change's outbox rows: the jobs first, so that a notification's email is
        /// queued only if the notification is not stored yet, then the notifications.
        pub(crate) fn push_outbox(script: &mut Script, notifications: &[Notification], jobs: &[Job<'_>], guard: Option<&Guard>) {
            if !jobs.is_empty() {
                push_jobs(script.next(), jobs, guard);
            }
            if !notifications.is_empty() {
                push_inbox(script.next(), notifications, guard);
            }
        }

        /// Writes outbox rows (from `outbox_rows` or `notification_rows`) on `conn`, inside the
        /// caller's transaction.
        pub(crate) async fn write_outbox(
            conn: &mut <$db as sqlx::Database>::Connection,
            (notifications, jobs): (Vec<Notification>, Vec<Job<'_>>),
        ) -> StoreResult<()> {
            let mut script = Script::default();
            push_outbox(&mut script, &notifications, &jobs, None);
            script.run(conn).await.map_err(other)?;
            Ok(())
        }
    };
}

pub(crate) mod sqlite {
    change_script!(sqlx::Sqlite, one_call: true, notification_key: "(id)", stored: "n.id = v.column8");
}

pub(crate) mod postgres {
    change_script!(
        sqlx::Postgres,
        one_call: false,
        notification_key: "(id, created_at)",
        stored: "n.id = v.column8 AND n.created_at = v.column5"
    );
}
