//! The one `Store` implementation, written against the SQL both databases accept (`$N`
//! parameters, TEXT and BIGINT columns, `ON CONFLICT`, `RETURNING`) and instantiated per
//! database by `shared_store!`. What differs (locking clauses, how a write transaction begins)
//! comes in as arguments.

/// Implements `redress_app::Store` for `$store` (a struct with `pool: sqlx::Pool<$db>`,
/// `changed` (a `Notify`), `policies` (a `PolicyCache`), `sessions` (a `SessionCache`), an async `begin_write` and
/// `write_change`), using the given SQL for the statements that differ per database.
macro_rules! shared_store {
    ($store:ty, $db:ty, claim_cases: $claim_cases:expr, lock_order: $lock_order:expr) => {
        #[async_trait::async_trait]
        impl redress_app::Store for $store {
            async fn insert_order(&self, order: &Order) -> StoreResult<()> {
                insert_order_in(&self.pool, order).await
            }

            async fn insert_orders(&self, orders: &[Order]) -> StoreResult<Vec<OrderInsert>> {
                let mut tx = self.begin_write().await.map_err(other)?;
                let mut outcomes = Vec::with_capacity(orders.len());
                for order in orders {
                    let inserted = sqlx::query("INSERT INTO orders (id, number, merchant_id, buyer_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (merchant_id, number) DO NOTHING")
                        .bind(Id::from(order.id))
                        .bind(&order.number)
                        .bind(Id::from(order.merchant_id))
                        .bind(Id::from(order.buyer_id))
                        .bind(Json(order))
                        .bind(Time(order.created_at))
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| unique_or("order id", e))?;
                    if inserted.rows_affected() == 1 {
                        outcomes.push(OrderInsert::Inserted);
                        continue;
                    }
                    let body: Json<Order> = sqlx::query_scalar("SELECT body FROM orders WHERE merchant_id = $1 AND number = $2")
                        .bind(Id::from(order.merchant_id))
                        .bind(&order.number)
                        .fetch_one(&mut *tx)
                        .await
                        .map_err(other)?;
                    outcomes.push(OrderInsert::Existing(Box::new(body.0)));
                }
                tx.commit().await.map_err(other)?;
                Ok(outcomes)
            }

            async fn order(&self, id: OrderId) -> StoreResult<Option<Order>> {
                let body: Option<Json<Order>> = sqlx::query_scalar("SELECT body FROM orders WHERE id = $1")
                    .bind(Id::from(id))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(body.map(|b| b.0))
            }

            async fn list_orders(&self, filter: &OrderFilter) -> StoreResult<Vec<Order>> {
                let bodies: Vec<Json<Order>> = sqlx::query_scalar(
                    "SELECT body FROM orders WHERE (CAST($1 AS TEXT) IS NULL OR buyer_id = $1) AND (CAST($2 AS TEXT) IS NULL OR merchant_id = $2) AND (CAST($3 AS TEXT) IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
                )
                .bind(filter.buyer_id.map(Id::from))
                .bind(filter.merchant_id.map(Id::from))
                .bind(filter.before.map(Id::from))
                .bind(filter.limit)
                .fetch_all(&self.pool)
                .await
                .map_err(other)?;
                Ok(bodies.into_iter().map(|b| b.0).collect())
            }

            async fn order_history(&self, order: &Order) -> StoreResult<OrderHistory> {
                let bodies: Vec<Json<Case>> = sqlx::query_scalar("SELECT body FROM cases WHERE order_id = $1")
                    .bind(Id::from(order.id))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let cases: Vec<Case> = bodies.into_iter().map(|b| b.0).collect();
                Ok(OrderHistory::of(&cases))
            }

            async fn insert_policy(&self, version: i64, policy: &Policy, published_at: Timestamp, effective_at: Timestamp) -> StoreResult<()> {
                sqlx::query("INSERT INTO policy_versions (version, body, published_at, effective_at) VALUES ($1, $2, $3, $4)")
                    .bind(version)
                    .bind(Json(policy))
                    .bind(Time(published_at))
                    .bind(Time(effective_at))
                    .execute(&self.pool)
                    .await
                    .map_err(|e| unique_or("policy version", e))?;
                Ok(())
            }

            async fn policy_in_force(&self, now: Timestamp) -> StoreResult<Option<(i64, Policy)>> {
                let row = sqlx::query("SELECT version, body FROM policy_versions WHERE effective_at <= $1 ORDER BY version DESC LIMIT 1")
                    .bind(Time(now))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                let Some(r) = row else { return Ok(None) };
                let body: Json<Policy> = r.try_get("body").map_err(other)?;
                Ok(Some((r.try_get("version").map_err(other)?, body.0)))
            }

            async fn policy(&self, version: i64) -> StoreResult<Option<Policy>> {
                // A published version never changes: read once, then served from memory.
                if let Some(policy) = self.policies.read().unwrap_or_else(|p| p.into_inner()).get(&version) {
                    return Ok(Some(policy.clone()));
                }
                let body: Option<Json<Policy>> = sqlx::query_scalar("SELECT body FROM policy_versions WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                let policy: Option<Policy> = body.map(|b| b.0);
                if let Some(policy) = &policy {
                    self.policies.write().unwrap_or_else(|p| p.into_inner()).insert(version, policy.clone());
                }
                Ok(policy)
            }

            async fn policy_versions(&self) -> StoreResult<Vec<PolicyVersion>> {
                let rows = sqlx::query("SELECT version, body, published_at, effective_at FROM policy_versions ORDER BY version")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut versions = Vec::with_capacity(rows.len());
                for r in rows {
                    versions.push(PolicyVersion {
                        version: r.try_get("version").map_err(other)?,
                        policy: r.try_get::<Json<Policy>, _>("body").map_err(other)?.0,
                        published_at: r.try_get::<Time, _>("published_at").map_err(other)?.0,
                        effective_at: r.try_get::<Time, _>("effective_at").map_err(other)?.0,
                    });
                }
                Ok(versions)
            }

            async fn calendar_years(&self) -> StoreResult<Vec<String>> {
                let bodies: Vec<String> = sqlx::query_scalar("SELECT body FROM calendar_years ORDER BY year")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(bodies)
            }

            async fn put_calendar_years(&self, years: &[(i16, String)], at: Timestamp) -> StoreResult<()> {
                let mut tx = self.begin_write().await.map_err(other)?;
                for (year, body) in years {
                    sqlx::query("INSERT INTO calendar_years (year, body, updated_at) VALUES ($1, $2, $3) ON CONFLICT (year) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at")
                        .bind(i64::from(*year))
                        .bind(body)
                        .bind(Time(at))
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?;
                }
                tx.commit().await.map_err(other)?;
                Ok(())
            }

            async fn insert_external_escalation(&self, escalation: &redress_app::escalations::ExternalEscalation) -> StoreResult<()> {
                sqlx::query("INSERT INTO external_escalations (id, case_id, next_reminder_at, created_at, body) VALUES ($1, $2, $3, $4, $5)")
                    .bind(Id::from(escalation.id))
                    .bind(Id::from(escalation.case_id))
                    .bind(escalation.next_reminder().map(|(at, _)| Time(at)))
                    .bind(Time(escalation.recorded_at))
                    .bind(Json(escalation))
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(())
            }

            async fn external_escalations(&self, case_id: CaseId) -> StoreResult<Vec<redress_app::escalations::ExternalEscalation>> {
                let bodies: Vec<Json<redress_app::escalations::ExternalEscalation>> = sqlx::query_scalar("SELECT body FROM external_escalations WHERE case_id = $1 ORDER BY id")
                    .bind(Id::from(case_id))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(bodies.into_iter().map(|b| b.0).collect())
            }

            async fn due_external_escalations(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<redress_app::escalations::ExternalEscalation>> {
                let bodies: Vec<Json<redress_app::escalations::ExternalEscalation>> = sqlx::query_scalar("SELECT body FROM external_escalations WHERE next_reminder_at <= $1 ORDER BY next_reminder_at LIMIT $2")
                    .bind(Time(now))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(bodies.into_iter().map(|b| b.0).collect())
            }

            async fn external_escalations_due_from(&self, from: Timestamp) -> StoreResult<Vec<redress_app::escalations::ExternalEscalation>> {
                let bodies: Vec<Json<redress_app::escalations::ExternalEscalation>> = sqlx::query_scalar("SELECT body FROM external_escalations WHERE next_reminder_at >= $1 ORDER BY id")
                    .bind(Time(from))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(bodies.into_iter().map(|b| b.0).collect())
            }

            async fn update_external_escalation(
                &self,
                escalation: &redress_app::escalations::ExternalEscalation,
                expected_next: Option<Timestamp>,
                notification: Option<&redress_app::escalations::Notification>,
            ) -> StoreResult<bool> {
                let mut tx = self.begin_write().await.map_err(other)?;
                // `IS NOT DISTINCT FROM` is spelled `IS` in SQLite: the same test, spelled out for both.
                let updated = sqlx::query("UPDATE external_escalations SET body = $1, next_reminder_at = $2 WHERE id = $3 AND (next_reminder_at = $4 OR (next_reminder_at IS NULL AND $4 IS NULL))")
                    .bind(Json(escalation))
                    .bind(escalation.next_reminder().map(|(at, _)| Time(at)))
                    .bind(Id::from(escalation.id))
                    .bind(expected_next.map(Time))
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                if updated.rows_affected() != 1 {
                    return Ok(false);
                }
                insert_notifications_in(&mut *tx, notification.map(std::slice::from_ref).unwrap_or_default()).await?;
                tx.commit().await.map_err(other)?;
                Ok(true)
            }

            async fn due_reminders(&self, now: Timestamp, limit: i64) -> StoreResult<Vec<(Case, Timestamp)>> {
                let rows = sqlx::query("SELECT body, remind_at FROM cases WHERE remind_at <= $1 ORDER BY remind_at LIMIT $2")
                    .bind(Time(now))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut due = Vec::with_capacity(rows.len());
                for r in rows {
                    let case = r.try_get::<Json<Case>, _>("body").map_err(other)?.0;
                    due.push((case, r.try_get::<Time, _>("remind_at").map_err(other)?.0));
                }
                Ok(due)
            }

            async fn advance_reminder(
                &self,
                case_id: CaseId,
                expected: Timestamp,
                next: Option<Timestamp>,
                notifications: &[redress_app::escalations::Notification],
            ) -> StoreResult<bool> {
                let mut tx = self.begin_write().await.map_err(other)?;
                let updated = sqlx::query("UPDATE cases SET remind_at = $1 WHERE id = $2 AND remind_at = $3")
                    .bind(next.map(Time))
                    .bind(Id::from(case_id))
                    .bind(Time(expected))
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                if updated.rows_affected() != 1 {
                    return Ok(false);
                }
                insert_notifications_in(&mut *tx, notifications).await?;
                tx.commit().await.map_err(other)?;
                Ok(true)
            }

            async fn create_case(&self, case: &Case, filed: &Event, outbox: &[OutboxItem], prior_cases: u32, answer: Option<&IdempotencyRecord>) -> StoreResult<()> {
                let kind = filed.body.type_name();
                let (case, filed, outbox, answer) = (case.clone(), filed.clone(), outbox.to_vec(), answer.cloned());
                // The search document is made before the write (the writer's time is for
                // writing): the order's items and the shop's name, the filing, and the
                // negotiation record, whose length the filing checks in its transaction (a
                // message that landed since it was read here makes it a conflict, retried).
                let said = redress_app::conversations::ConversationStore::messages(self, case.order_id).await?;
                let mut doc = self.search_head(&case).await?;
                doc.append(&redress_app::search::SearchDoc::of_events(std::slice::from_ref(&filed)));
                doc.append(&redress_app::search::SearchDoc::of_messages(said.iter().map(|s| &s.message)));
                let said = said.len() as i64;
                // Without an answer to record, the filing's first writes are one script.
                let scripted = answer.is_none();
                let change = crate::shared::change::<$db, _>(move |conn| {
                    Box::pin(async move {
                        create_case_in(conn, &case, &filed, &outbox, prior_cases, said, Some(&doc), answer.as_ref()).await
                    })
                });
                if scripted { self.write_scripted_change(change).await? } else { self.write_change(change).await? }
                redress_app::telemetry::events_committed([kind]);
                crate::shared::wake(&self.changed);
                Ok(())
            }

            async fn append(&self, case: &Case, expected_version: i64, expected_hash: &str, events: &[Event], outbox: &[OutboxItem], answer: Option<&IdempotencyRecord>) -> StoreResult<()> {
                if events.is_empty() {
                    return Ok(());
                }
                let kinds: Vec<&'static str> = events.iter().map(|e| e.body.type_name()).collect();
                let (case, head, events, outbox, answer) = (case.clone(), expected_hash.to_owned(), events.to_vec(), outbox.to_vec(), answer.cloned());
                let text = redress_app::search::SearchDoc::of_events(&events);
                // Without an answer to record, the change's first writes are `append_in`'s script.
                let scripted = answer.is_none();
                let change = crate::shared::change::<$db, _>(move |conn| {
                    Box::pin(async move {
                        append_in(conn, &case, expected_version, &head, &events, &outbox, &text, answer.as_ref()).await
                    })
                });
                if scripted { self.write_scripted_change(change).await? } else { self.write_change(change).await? }
                redress_app::telemetry::events_committed(kinds);
                crate::shared::wake(&self.changed);
                Ok(())
            }

            fn wake(&self) {
                crate::shared::wake(&self.changed);
            }

            fn committed(&self) -> Option<tokio::sync::watch::Receiver<u64>> {
                Some(self.changed.subscribe())
            }

            async fn case(&self, id: CaseId) -> StoreResult<Option<CaseRecord>> {
                let row = sqlx::query("SELECT body, version, last_hash FROM cases WHERE id = $1")
                    .bind(Id::from(id))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                let Some(r) = row else { return Ok(None) };
                let body: Json<Case> = r.try_get("body").map_err(other)?;
                Ok(Some(CaseRecord { case: body.0, version: r.try_get("version").map_err(other)?, last_hash: r.try_get("last_hash").map_err(other)? }))
            }

            async fn cases_due_from(&self, from: Timestamp, after: Option<CaseId>, limit: i64) -> StoreResult<Vec<Case>> {
                let bodies: Vec<Json<Case>> = sqlx::query_scalar("SELECT body FROM cases WHERE deadline_due >= $1 AND state <> 'closed' AND (CAST($2 AS TEXT) IS NULL OR id > $2) ORDER BY id LIMIT $3")
                    .bind(Time(from))
                    .bind(after.map(Id::from))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(bodies.into_iter().map(|b| b.0).collect())
            }

            async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<Vec<Case>> {
                const FILTERS: &str = "(CAST($1 AS TEXT) IS NULL OR buyer_id = $1) AND (CAST($2 AS TEXT) IS NULL OR merchant_id = $2) AND (CAST($3 AS TEXT) IS NULL OR state = $3) AND (CAST($4 AS TEXT) IS NULL OR stage = $4) AND (CAST($5 AS TEXT) IS NULL OR order_id = $5) AND (CAST($6 AS TEXT) IS NULL OR assigned_agent = $6) AND (CAST($9 AS TEXT) IS NULL OR waiting_for LIKE $9) AND ($10 IS NULL OR deadline_due < $10) AND (CAST($11 AS BIGINT) = 0 OR is_repeat = 1) AND (CAST($12 AS BIGINT) = 0 OR under_appeal = 1)";
                // Newest first, paged by id; or the soonest deadline first, paged after a case.
                let sql = if filter.sort_by_due {
                    format!("SELECT body FROM cases WHERE {FILTERS} AND deadline_due IS NOT NULL AND (CAST($7 AS TEXT) IS NULL OR (deadline_due, id) > (SELECT deadline_due, id FROM cases WHERE id = $7)) ORDER BY deadline_due, id LIMIT $8")
                } else {
                    format!("SELECT body FROM cases WHERE {FILTERS} AND (CAST($7 AS TEXT) IS NULL OR id < $7) ORDER BY id DESC LIMIT $8")
                };
                // Built from the constants above only, never from input.
                let bodies: Vec<Json<Case>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                .bind(filter.buyer_id.map(Id::from))
                .bind(filter.merchant_id.map(Id::from))
                .bind(filter.state.clone())
                .bind(filter.stage.clone())
                .bind(filter.order_id.map(Id::from))
                .bind(filter.assigned_agent.map(Id::from))
                .bind(filter.before.map(Id::from))
                .bind(filter.limit)
                .bind(filter.waiting_for.map(|p| format!("%\"{}\"%", p.as_str())))
                .bind(filter.due_before.map(Time))
                .bind(i64::from(filter.repeat))
                .bind(i64::from(filter.under_appeal))
                .fetch_all(&self.pool)
                .await
                .map_err(other)?;
                Ok(bodies.into_iter().map(|b| b.0).collect())
            }

            async fn events(&self, id: CaseId) -> StoreResult<Vec<StoredEvent>> {
                let rows = sqlx::query("SELECT seq, content, prev_hash, hash FROM case_events WHERE case_id = $1 ORDER BY seq")
                    .bind(Id::from(id))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                rows.iter().map(|r| stored_event_from(r)).collect()
            }

            async fn claim_due_cases(&self, now: Timestamp, lease_until: Timestamp, owner: &str, limit: i64) -> StoreResult<Vec<DueCase>> {
                // Through the writer: on SQLite the claim joins a group commit (the sweep claims
                // its next batch while the last one commits) instead of waiting on the write lock
                // behind the writer and paying an fsync of its own.
                let owner = owner.to_owned();
                let mut due = crate::shared::write_returning::<$db, _, _, _, _>(|c| self.write_change(c), move |conn| {
                    Box::pin(async move {
                        let rows = sqlx::query($claim_cases)
                            .bind(Time(now))
                            .bind(Time(lease_until))
                            .bind(owner)
                            .bind(limit)
                            .fetch_all(&mut *conn)
                            .await
                            .map_err(other)?;
                        let mut due = Vec::with_capacity(rows.len());
                        for r in rows {
                            due.push(DueCase { case_id: r.try_get::<Id, _>("id").map_err(other)?.into(), due: r.try_get::<Time, _>("sweep_at").map_err(other)?.0 });
                        }
                        Ok(due)
                    })
                })
                .await?;
                due.sort_by_key(|d| d.due);
                Ok(due)
            }

            async fn evidence(&self, case_id: CaseId) -> StoreResult<Vec<redress_app::evidence::EvidenceRecord>> {
                let rows = sqlx::query("SELECT case_id, seq, id, sha256, kind, caption, size, media_type, confidential, uploader, created_at FROM evidence WHERE case_id = $1 ORDER BY seq")
                    .bind(Id::from(case_id))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(rows.iter().map(|r| evidence_from(r)).collect::<anyhow::Result<_>>()?)
            }

            async fn evidence_item(&self, case_id: CaseId, evidence_id: redress_domain::EvidenceId) -> StoreResult<Option<redress_app::evidence::EvidenceRecord>> {
                let row = sqlx::query("SELECT case_id, seq, id, sha256, kind, caption, size, media_type, confidential, uploader, created_at FROM evidence WHERE case_id = $1 AND id = $2")
                    .bind(Id::from(case_id))
                    .bind(Id::from(evidence_id))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(row.map(|r| evidence_from(&r)).transpose()?)
            }

            async fn evidence_hash_referenced(&self, sha256: &str) -> StoreResult<bool> {
                // Conversation files share the stored objects: a file is referenced from either.
                let row = sqlx::query("SELECT 1 FROM evidence WHERE sha256 = $1 UNION ALL SELECT 1 FROM conversation_files WHERE sha256 = $1 LIMIT 1")
                    .bind(sha256)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(row.is_some())
            }

            async fn events_page(&self, id: CaseId, before_seq: Option<i64>, limit: i64) -> StoreResult<Vec<StoredEvent>> {
                let rows = sqlx::query("SELECT seq, content, prev_hash, hash FROM case_events WHERE case_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3")
                    .bind(Id::from(id))
                    .bind(before_seq.unwrap_or(i64::MAX))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                rows.iter().map(|r| stored_event_from(r)).collect()
            }

            async fn purge_expired(&self, now: Timestamp, done_before: Timestamp, limit: i64) -> StoreResult<Purged> {
                let sessions = sqlx::query("DELETE FROM sessions WHERE token_hash IN (SELECT token_hash FROM sessions WHERE expires_at <= $1 LIMIT $2)")
                    .bind(Time(now))
                    .bind(limit)
                    .execute(&self.pool)
                    .await
                    .map_err(other)?
                    .rows_affected();
                let outbox = sqlx::query("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE done_at IS NOT NULL AND done_at < $1 LIMIT $2)")
                    .bind(Time(done_before))
                    .bind(limit)
                    .execute(&self.pool)
                    .await
                    .map_err(other)?
                    .rows_affected();
                Ok(Purged { sessions, outbox })
            }
        }

        async fn insert_order_in<'e>(ex: impl sqlx::Executor<'e, Database = $db>, order: &Order) -> StoreResult<()> {
            sqlx::query("INSERT INTO orders (id, number, merchant_id, buyer_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(Id::from(order.id))
                .bind(&order.number)
                .bind(Id::from(order.merchant_id))
                .bind(Id::from(order.buyer_id))
                .bind(Json(order))
                .bind(Time(order.created_at))
                .execute(ex)
                .await
                .map_err(|e| unique_or("order number", e))?;
            Ok(())
        }

        /// Files `case` on `conn` (inside the caller's transaction) if its order still has
        /// `prior_cases` cases and `said` messages (else `Conflict`, nothing written), with
        /// `doc` as its search document. Its rows go in one call on SQLite (`Script`): the case
        /// row's INSERT carries both checks and guards every later row.
        #[allow(clippy::too_many_arguments)]
        async fn create_case_in(conn: &mut <$db as sqlx::Database>::Connection, case: &Case, filed: &Event, outbox: &[OutboxItem], prior_cases: u32, said: i64, doc: Option<&redress_app::search::SearchDoc>, answer: Option<&IdempotencyRecord>) -> StoreResult<()> {
            if let Some(answer) = answer {
                insert_answer(&mut *conn, answer).await?;
            }
            // One filing at a time per order: on PostgreSQL the order's row lock, so that the
            // counts are the order's; SQLite's writer makes one change at a time already (and
            // its script must be the change's first write).
            if <$db as sqlx::Database>::NAME != "SQLite" {
                sqlx::query($lock_order).bind(Id::from(case.order_id)).fetch_optional(&mut *conn).await.map_err(other)?;
            }
            let filed = std::slice::from_ref(filed);
            let link = redress_domain::chain::next_link(redress_domain::chain::GENESIS, 1, to_json(&filed[0])?);
            let guard = Guard { case: case.id, version: 1, hash: &link.hash };
            let mut script = Script::default();
            push_new_case(script.next(), case, filed[0].at, &link.hash, prior_cases, said);
            push_negotiation(script.next(), case.id, said, &guard);
            push_links(script.next(), case.id, filed, std::slice::from_ref(&link), Some(&guard));
            let (notifications, jobs) = crate::script::outbox_rows(outbox, filed[0].at)?;
            push_outbox(&mut script, &notifications, &jobs, Some(&guard));
            // On SQLite's writer, the words go with the batch's (`Opening::defer_search`).
            if let Some(doc) = doc
                && !crate::writer::Opening::defer_search(|| crate::writer::SearchWords::New(case.id, doc.clone()))
            {
                push_search_doc(script.next(), case.id, doc, &guard);
            }
            push_figure(script.next(), case, Some(&guard));
            if script.run(&mut *conn).await.map_err(|e| unique_or("case", e))? == 0 {
                return Err(StoreError::Conflict);
            }
            insert_evidence_of(conn, case.id, filed, std::slice::from_ref(&link)).await
        }

        /// Appends `events` to `case` on `conn` (inside the caller's transaction), with their
        /// words (`text`) for its search document and its dashboard figure, if the case is still
        /// at `expected_version` with head `expected_hash`: the case row's UPDATE checks both,
        /// so nothing is read first.
        #[allow(clippy::too_many_arguments)]
        async fn append_in(conn: &mut <$db as sqlx::Database>::Connection, case: &Case, expected_version: i64, expected_hash: &str, events: &[Event], outbox: &[OutboxItem], text: &redress_app::search::SearchDoc, answer: Option<&IdempotencyRecord>) -> StoreResult<()> {
            let Some(last) = events.last() else { return Ok(()) };
            // The answer first: a key answered meanwhile stops the change before anything else.
            if let Some(answer) = answer {
                insert_answer(&mut *conn, answer).await?;
            }
            let mut prev = expected_hash.to_owned();
            let mut links = Vec::with_capacity(events.len());
            for (i, event) in events.iter().enumerate() {
                let link = redress_domain::chain::next_link(&prev, expected_version + 1 + i as i64, to_json(event)?);
                prev = link.hash.clone();
                links.push(link);
            }
            let new_version = expected_version + events.len() as i64;
            // The case row checked against the version and head the change was decided on, and
            // the rows of the change written only if it took: one call on SQLite. Without an
            // answer this script is the change's first write (`append` sends it scripted: the
            // writer's savepoint goes in this call), so nothing may be written before it.
            let mut script = Script::default();
            script
                .next()
                .push("UPDATE cases SET state = ")
                .push_bind(case.state.as_str())
                .push(", stage = ")
                .push_bind(case.stage.as_str())
                .push(", outcome = ")
                .push_bind(case.outcome.map(|o| o.as_str()))
                .push(", assigned_agent = ")
                .push_bind(case.assigned_agent.map(Id::from))
                .push(", deadline_due = ")
                .push_bind(case.deadline.as_ref().map(|d| Time(d.due)))
                .push(", sweep_at = ")
                .push_bind(case.sweep_at().map(Time))
                .push(", lease_until = NULL, lease_owner = NULL, updated_at = ")
                .push_bind(Time(last.at))
                .push(", version = ")
                .push_bind(new_version)
                .push(", last_hash = ")
                .push_bind(&prev)
                .push(", body = ")
                .push_bind(Json(case))
                .push(", remind_at = ")
                .push_bind(case.reminder_after(last.at).map(Time))
                .push(" WHERE id = ")
                .push_bind(Id::from(case.id))
                .push(" AND version = ")
                .push_bind(expected_version)
                .push(" AND last_hash = ")
                .push_bind(expected_hash);
            let guard = Guard { case: case.id, version: new_version, hash: &prev };
            push_links(script.next(), case.id, events, &links, Some(&guard));
            let (notifications, jobs) = crate::script::outbox_rows(outbox, last.at)?;
            push_outbox(&mut script, &notifications, &jobs, Some(&guard));
            if !text.is_empty()
                && !crate::writer::Opening::defer_search(|| crate::writer::SearchWords::Appended(case.id, text.clone()))
            {
                push_search_text(script.next(), case.id, text, &guard);
            }
            push_figure(script.next(), case, Some(&guard));
            // An event already at one of the new places (a twin's) is a lost race too.
            let touched = script.run(&mut *conn).await.map_err(|e| match unique_or("event", e) {
                StoreError::Duplicate(_) => StoreError::Conflict,
                e => e,
            })?;
            if touched == 0 {
                return Err(StoreError::Conflict);
            }
            insert_evidence_of(conn, case.id, events, &links).await.map_err(|e| match e {
                StoreError::Duplicate(_) => StoreError::Conflict,
                e => e,
            })
        }

        fn stored_event_from(r: &<$db as sqlx::Database>::Row) -> StoreResult<StoredEvent> {
            let link = Link {
                seq: r.try_get("seq").map_err(other)?,
                content: r.try_get("content").map_err(other)?,
                prev_hash: r.try_get("prev_hash").map_err(other)?,
                hash: r.try_get("hash").map_err(other)?,
            };
            Ok(StoredEvent { seq: link.seq, event: from_json(&link.content)?, link })
        }

        async fn insert_evidence_of(conn: &mut <$db as sqlx::Database>::Connection, case_id: CaseId, events: &[Event], links: &[Link]) -> StoreResult<()> {
            for (event, link) in events.iter().zip(links) {
                insert_evidence(conn, case_id, event, link).await?;
            }
            Ok(())
        }

        /// The evidence row of an `EvidenceAdded` event, written in the event's transaction: the
        /// table is a projection of the chain, never ahead of it.
        async fn insert_evidence(conn: &mut <$db as sqlx::Database>::Connection, case_id: CaseId, event: &Event, link: &Link) -> StoreResult<()> {
            let redress_domain::EventBody::EvidenceAdded { file } = &event.body else { return Ok(()) };
            sqlx::query("INSERT INTO evidence (id, case_id, seq, sha256, kind, caption, size, media_type, confidential, uploader, uploader_party, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
                .bind(Id::from(file.evidence_id))
                .bind(Id::from(case_id))
                .bind(link.seq)
                .bind(&file.sha256)
                .bind(file.kind.as_str())
                .bind(&file.caption)
                .bind(i64::try_from(file.size).map_err(|e| StoreError::Other(e.into()))?)
                .bind(&file.media_type)
                .bind(i64::from(file.confidential))
                .bind(Json(&event.actor))
                .bind(event.actor.party().as_str())
                .bind(Time(event.at))
                .execute(&mut *conn)
                .await
                .map_err(|e| unique_or("evidence", e))?;
            Ok(())
        }

        fn evidence_from(r: &<$db as sqlx::Database>::Row) -> anyhow::Result<redress_app::evidence::EvidenceRecord> {
            let kind: String = r.try_get("kind")?;
            Ok(redress_app::evidence::EvidenceRecord {
                case_id: r.try_get::<Id, _>("case_id")?.into(),
                seq: r.try_get("seq")?,
                file: redress_domain::evidence::EvidenceFile {
                    evidence_id: r.try_get::<Id, _>("id")?.into(),
                    sha256: r.try_get("sha256")?,
                    kind: kind.parse().map_err(|e| anyhow::anyhow!("stored evidence kind: {e}"))?,
                    caption: r.try_get("caption")?,
                    size: u64::try_from(r.try_get::<i64, _>("size")?)?,
                    media_type: r.try_get("media_type")?,
                    confidential: r.try_get::<i64, _>("confidential")? != 0,
                },
                uploader: r.try_get::<Json<_>, _>("uploader")?.0,
                added_at: r.try_get::<Time, _>("created_at")?.0,
            })
        }
    };
}
pub(crate) use shared_store;

pub fn other(e: sqlx::Error) -> redress_app::StoreError {
    redress_app::StoreError::Other(e.into())
}

pub fn unique_or(what: &str, e: sqlx::Error) -> redress_app::StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => redress_app::StoreError::Duplicate(what.to_owned()),
        _ => other(e),
    }
}

/// One case change, run on the write connection inside the writer's transaction.
pub type Change<DB> = Box<
    dyn for<'c> FnOnce(
            &'c mut <DB as sqlx::Database>::Connection,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = redress_app::ports::StoreResult<()>> + Send + 'c>,
        > + Send,
>;

/// Boxes a change (the bound gives the closure its higher-ranked signature).
pub fn change<DB: sqlx::Database, F>(f: F) -> Change<DB>
where
    F: for<'c> FnOnce(
            &'c mut DB::Connection,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = redress_app::ports::StoreResult<()>> + Send + 'c>,
        > + Send
        + 'static,
{
    Box::new(f)
}

/// A change that produces a value (a claim's rows, a payout's outcome): `f` runs through `write`
/// (the store's `write_change`) and what it returned is handed back once its batch committed.
pub async fn write_returning<DB, T, F, W, Fut>(write: W, f: F) -> redress_app::ports::StoreResult<T>
where
    DB: sqlx::Database,
    T: Send + 'static,
    F: for<'c> FnOnce(
            &'c mut DB::Connection,
        ) -> std::pin::Pin<
            Box<dyn std::future::Future<Output = redress_app::ports::StoreResult<T>> + Send + 'c>,
        > + Send
        + 'static,
    W: FnOnce(Change<DB>) -> Fut,
    Fut: std::future::Future<Output = redress_app::ports::StoreResult<()>>,
{
    let slot = std::sync::Arc::new(std::sync::Mutex::new(None));
    let out = slot.clone();
    write(change::<DB, _>(move |conn| {
        Box::pin(async move {
            let value = f(conn).await?;
            *out.lock().unwrap_or_else(|p| p.into_inner()) = Some(value);
            Ok(())
        })
    }))
    .await?;
    let value = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
    value.ok_or_else(|| redress_app::StoreError::Other(anyhow::anyhow!("the change did not run")))
}

/// Tells every worker loop of this process (the deadline sweeper, the webhook sender), each
/// through its own receiver, that something was committed.
pub fn wake(changed: &tokio::sync::watch::Sender<u64>) {
    changed.send_modify(|n| *n = n.wrapping_add(1));
}

/// Published policy versions by number (they never change once published).
pub type PolicyCache = std::sync::RwLock<std::collections::HashMap<i64, redress_domain::Policy>>;

/// Signed-in users by session token hash, with the session's end.
pub type SessionCache = redress_app::kept::Brief<String, (redress_app::ports::User, jiff::Timestamp)>;

/// Accounts by id: a case's detail names its buyer, its shop and every member of staff who
/// spoke, each a read before (issue 10: a dozen statements for one case detail).
#[derive(Default)]
pub struct AccountCache {
    pub users: redress_app::kept::Brief<redress_domain::UserId, redress_app::ports::User>,
    pub merchants: redress_app::kept::Brief<redress_domain::MerchantId, redress_domain::order::Merchant>,
}
