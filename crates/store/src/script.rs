//! A case change's writes as statements built together (`Script`): on SQLite they go to the
//! database in one call (sqlx's SQLite connection runs on its own thread and each call is a
//! hand-over to it and back, which on a loaded machine costs more than the statement); on
//! PostgreSQL, which takes parameters for one statement at a time, one call each. The rows
//! after the case row's UPDATE are written only if that UPDATE took (`Guard`), so a stale
//! change writes nothing even when its statements run in one call.

/// Defines, in the module of a store for `$db`: `Guard`, `Script`, and the `push_*` functions
/// that append a case change's multi-row INSERTs to a query.
macro_rules! change_script {
    ($db:ty) => {
        /// The case row at the head a change just wrote: a statement guarded by it runs only if
        /// the change's UPDATE took.
        struct Guard<'a> {
            case: String,
            version: i64,
            hash: &'a str,
        }

        /// Pushes the guard's condition (`TRUE` without one).
        fn push_condition(q: &mut sqlx::QueryBuilder<$db>, guard: Option<&Guard>) {
            match guard {
                Some(g) => {
                    q.push("EXISTS (SELECT 1 FROM cases WHERE id = ")
                        .push_bind(g.case.clone())
                        .push(" AND version = ")
                        .push_bind(g.version)
                        .push(" AND last_hash = ")
                        .push_bind(g.hash.to_owned())
                        .push(")");
                }
                None => {
                    q.push("TRUE");
                }
            }
        }

        /// The statements of one change.
        #[derive(Default)]
        struct Script {
            statements: Vec<sqlx::QueryBuilder<$db>>,
        }

        impl Script {
            /// Where the next statement goes (at least one must be pushed there).
            fn next(&mut self) -> &mut sqlx::QueryBuilder<$db> {
                let one_call = <$db as sqlx::Database>::NAME == "SQLite";
                if !(one_call && !self.statements.is_empty()) {
                    self.statements.push(sqlx::QueryBuilder::new(""));
                    return self.statements.last_mut().expect("just pushed");
                }
                let q = self.statements.last_mut().expect("not empty");
                q.push("; ");
                q
            }

            /// Runs the statements in order: the rows they touched, together.
            async fn run(self, conn: &mut <$db as sqlx::Database>::Connection) -> Result<u64, sqlx::Error> {
                let mut touched = 0;
                for mut statement in self.statements {
                    touched += statement.build().execute(&mut *conn).await?.rows_affected();
                }
                Ok(touched)
            }
        }

        /// `events` with their chain `links`, one multi-row INSERT.
        fn push_links(q: &mut sqlx::QueryBuilder<$db>, case_id: CaseId, events: &[Event], links: &[Link], guard: Option<&Guard>) {
            let case = case_id.to_string();
            q.push("INSERT INTO case_events (case_id, seq, at, event_type, content, prev_hash, hash) SELECT * FROM (");
            q.push_values(events.iter().zip(links), |mut row, (event, link)| {
                row.push_bind(&case)
                    .push_bind(link.seq)
                    .push_bind(micros(event.at))
                    .push_bind(event.body.type_name())
                    .push_bind(&link.content)
                    .push_bind(&link.prev_hash)
                    .push_bind(&link.hash);
            });
            q.push(") AS v WHERE ");
            push_condition(q, guard);
        }

        /// `notifications` into their readers' inboxes, one multi-row INSERT.
        fn push_inbox(q: &mut sqlx::QueryBuilder<$db>, notifications: &[redress_app::escalations::Notification], guard: Option<&Guard>) -> StoreResult<()> {
            let bodies = notifications.iter().map(to_json).collect::<anyhow::Result<Vec<_>>>()?;
            q.push("INSERT INTO notifications (id, user_id, case_id, kind, body, created_at) SELECT * FROM (");
            q.push_values(notifications.iter().zip(&bodies), |mut row, (n, body)| {
                row.push_bind(n.id.to_string())
                    .push_bind(n.user_id.to_string())
                    .push_bind(n.case_id.map(|c| c.to_string()))
                    .push_bind(&n.kind)
                    .push_bind(body)
                    .push_bind(micros(n.created_at));
            });
            q.push(") AS v WHERE ");
            push_condition(q, guard);
            q.push(" ON CONFLICT (id) DO NOTHING");
            Ok(())
        }

        /// `jobs` into the outbox, one INSERT ... SELECT; an email job only for a reader with an
        /// address who did not turn its kind off (the worker checks again when it sends).
        fn push_jobs(q: &mut sqlx::QueryBuilder<$db>, jobs: &[crate::jobs::Job], guard: Option<&Guard>) {
            // VALUES columns are named column1, column2, ... on both databases.
            q.push("INSERT INTO outbox (id, topic, case_id, payload, created_at, available_at) SELECT v.column1, v.column2, v.column3, v.column4, v.column5, v.column5 FROM (");
            q.push_values(jobs, |mut row, job| {
                row.push_bind(uuid::Uuid::now_v7().to_string())
                    .push_bind(&job.topic)
                    .push_bind(job.case_id.map(|c| c.to_string()))
                    .push_bind(&job.payload)
                    .push_bind(micros(job.at))
                    .push_bind(job.reader.map(|r| r.to_string()))
                    .push_bind(job.unless_off.as_deref());
            });
            q.push(") AS v WHERE (v.column6 IS NULL OR EXISTS (SELECT 1 FROM users u WHERE u.id = v.column6 AND u.email IS NOT NULL AND NOT EXISTS (SELECT 1 FROM notification_settings s WHERE s.user_id = u.id AND s.email_off LIKE v.column7))) AND ");
            push_condition(q, guard);
        }

        /// A change's outbox items as rows: the notifications for the inbox, and every job (the
        /// notifications' emails among them).
        fn outbox_rows(items: &[OutboxItem], at: Timestamp) -> StoreResult<(Vec<redress_app::escalations::Notification>, Vec<crate::jobs::Job>)> {
            let mut notifications = Vec::new();
            let mut jobs = Vec::with_capacity(items.len());
            for item in items {
                // A notification goes to its reader's inbox now, with the change.
                if item.topic == redress_app::notices::NOTIFICATION_TOPIC {
                    let n: redress_app::escalations::Notification = serde_json::from_value(item.payload.clone()).map_err(|e| StoreError::Other(e.into()))?;
                    jobs.push(crate::jobs::Job::email(&n)?);
                    notifications.push(n);
                } else {
                    jobs.push(crate::jobs::Job::of(item, at)?);
                }
            }
            Ok((notifications, jobs))
        }
    };
}
pub(crate) use change_script;
