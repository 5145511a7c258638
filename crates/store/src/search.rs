//! Case search documents (issue 13): written with the case change that adds their text, searched
//! with the database's own full-text index (FTS5 on SQLite, a GIN-indexed tsvector on
//! PostgreSQL). The queries differ per database only in how words are matched and ranked.

mod newest;

/// The conditions on a case's own state every search applies after matching, as `$4`..`$12`.
macro_rules! case_filters {
    () => {
        "(CAST($4 AS TEXT) IS NULL OR c.state = $4) AND (CAST($5 AS TEXT) IS NULL OR c.stage = $5) AND (CAST($6 AS TEXT) IS NULL OR c.reason = $6) AND (CAST($7 AS TEXT) IS NULL OR c.kind = $7) AND ($8 IS NULL OR c.filed_at >= $8) AND ($9 IS NULL OR c.filed_at < $9) AND ($10 IS NULL OR (c.state <> 'closed' AND c.deadline_due < $10)) AND (CAST($11 AS BIGINT) = 0 OR c.state <> 'closed') AND (CAST($12 AS TEXT) IS NULL OR c.id <> $12)"
    };
}

/// `FILTERS` but the scope (an agent's search has none): every column it reads is in SQLite's
/// index `cases_search_filters`.
pub const CASE_FILTERS: &str = case_filters!();

/// The conditions every search applies after matching, as `$2`..`$12` (see `search_cases`).
pub const FILTERS: &str = concat!(
    "(CAST($2 AS TEXT) IS NULL OR c.buyer_id = $2) AND (CAST($3 AS TEXT) IS NULL OR c.merchant_id = $3) AND ",
    case_filters!()
);

/// Whose cases a search looks through. A buyer's or a shop's are matched inside the full-text
/// index through their scope word and ranked whole (`scope_indexed`); everyone's (the
/// platform's) are read newest first a block at a time (`newest`). With a million cases a
/// common word matches hundreds of thousands: ranking them all costs seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Buyer,
    Shop,
    Everyone,
}

impl Scope {
    pub fn of(f: &redress_app::search::SearchFilter) -> Scope {
        match (f.buyer_id, f.merchant_id) {
            (Some(_), _) => Scope::Buyer,
            (None, Some(_)) => Scope::Shop,
            (None, None) => Scope::Everyone,
        }
    }

    /// The condition on `cases c` that its index answers (`FILTERS` checks the same again).
    pub fn cases(self) -> &'static str {
        match self {
            Scope::Buyer => "c.buyer_id = $2",
            Scope::Shop => "c.merchant_id = $3",
            Scope::Everyone => "1 = 1",
        }
    }
}

/// Whether a search has filters other than its scope and page (which need each case's row).
pub fn narrowed_beyond_scope(f: &redress_app::search::SearchFilter) -> bool {
    let redress_app::search::SearchFilter {
        buyer_id: _,
        merchant_id: _,
        state,
        stage,
        reason,
        kind,
        filed_from,
        filed_before,
        due_before,
        open_only,
        except,
        after: _,
        limit: _,
        block: _,
    } = f;
    state.is_some()
        || stage.is_some()
        || reason.is_some()
        || kind.is_some()
        || filed_from.is_some()
        || filed_before.is_some()
        || due_before.is_some()
        || *open_only
        || except.is_some()
}

/// A scope's matches found inside the full-text index: `within` says on a document `t` that it
/// matches `$1`, the query's terms and the scope's word (`redress_app::search::shop_word`). The
/// index intersects the word's documents with the scope's by seeking; `FILTERS` checks the
/// scope again on each case found.
pub fn scope_indexed(within: &str) -> String {
    format!("SELECT c.id, t.words FROM case_texts t JOIN cases c ON c.id = t.case_id WHERE {within} AND {FILTERS}")
}

/// The same when the scope is the only filter: the scope word keeps to it, so no case row is
/// read until the page's (`read_page` checks their scope again).
pub fn scope_only(within: &str) -> String {
    format!("SELECT t.case_id AS id, t.words FROM case_texts t WHERE {within}")
}

/// A scope's matches, for ranking in the application (`redress_app::search::rank`): the id and
/// indexed words of the scope's cases (read by `Scope::cases`) under `FILTERS` that match `$1`
/// by `matches`, a condition on their document `t`.
pub fn scope_matches(scope: Scope, matches: &str) -> String {
    format!(
        "SELECT c.id, t.words FROM cases c JOIN case_texts t ON t.case_id = c.id WHERE {} AND {FILTERS} AND {matches}",
        scope.cases()
    )
}

/// Implements `SearchStore` for `$store` and defines `search_head`, which a filing reads its
/// document's head with (a change's words go in its script: `script::push_search_text`). `$ranked` selects `hit, score` of every
/// document matching `$1` (made by `$query` from the terms), `$join` ties `m.hit` to the document
/// `t` (see `everyone`); `$matches` says on a document `t` that it matches `$1` (see
/// `scope_matches`).
macro_rules! search_store {
    ($store:ty, $db:ty, matches: $matches:expr, within: $within:expr, query: $query:expr, query_within: $query_within:expr) => {
        /// Binds the query's terms as `$1` and the filter as `$2`..`$12` (see `FILTERS`).
        fn bind_filters<'q>(
            q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>,
            terms: &redress_app::search::Terms,
            f: &redress_app::search::SearchFilter,
        ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
            let query: fn(&redress_app::search::Terms) -> String = $query;
            bind_query(q, query(terms), f)
        }

        /// Binds a query text as `$1` and the filter as `$2`..`$12` (see `FILTERS`).
        pub(crate) fn bind_query<'q>(
            q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>,
            query: String,
            f: &redress_app::search::SearchFilter,
        ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
            q.bind(query)
                .bind(f.buyer_id.map(Id::from))
                .bind(f.merchant_id.map(Id::from))
                .bind(f.state.clone())
                .bind(f.stage.clone())
                .bind(f.reason.clone())
                .bind(f.kind.clone())
                .bind(f.filed_from.map(Time))
                .bind(f.filed_before.map(Time))
                .bind(f.due_before.map(Time))
                .bind(i64::from(f.open_only))
                .bind(f.except.map(Id::from))
        }

        impl $store {
            /// A buyer's or a shop's matches, ranked here, then the page's cases read by id.
            async fn search_scope(
                &self,
                scope: crate::search::Scope,
                terms: &redress_app::search::Terms,
                f: &redress_app::search::SearchFilter,
            ) -> StoreResult<Vec<redress_app::search::SearchRow>> {
                // Until every document has its scope words, the scope's cases are read first
                // and each one matched.
                let words = redress_app::search::filter_words(f);
                let ready = self.scope_words_ready().await?;
                // Built from the constants of search.rs only; the words are bound.
                let within: fn(&redress_app::search::Terms, &[String]) -> String = $query_within;
                // Planned for these words each time, not prepared once (see `newest_matches`).
                let statement = |sql: String| sqlx::query(sqlx::AssertSqlSafe(sql)).persistent(false);
                let rows = match ready {
                    true if !crate::search::narrowed_beyond_scope(f) => {
                        statement(crate::search::scope_only($within)).bind(within(terms, &words))
                    }
                    true => bind_query(statement(crate::search::scope_indexed($within)), within(terms, &words), f),
                    false => bind_filters(statement(crate::search::scope_matches(scope, $matches)), terms, f),
                }
                .fetch_all(&self.pool)
                .await
                .map_err(other)?;
                let mut scored = Vec::with_capacity(rows.len());
                for r in &rows {
                    let id = r.try_get::<Id, _>("id").map_err(other)?.into();
                    scored.push((id, terms.score(&r.try_get::<String, _>("words").map_err(other)?)));
                }
                let page = redress_app::search::rank::page(scored, f.after.as_ref(), f.limit);
                self.read_page(f, page.into_iter().map(|(id, score)| (id, score, None))).await
            }

            /// An agent's search, ranked a block at a time (`rank::Block`; `newest_matches` reads
            /// each block, in `search/newest.rs`).
            async fn search_blocks(
                &self,
                terms: &redress_app::search::Terms,
                f: &redress_app::search::SearchFilter,
            ) -> StoreResult<Vec<redress_app::search::SearchRow>> {
                use redress_app::search::rank;
                let plain: fn(&redress_app::search::Terms) -> String = $query;
                let within: fn(&redress_app::search::Terms, &[String]) -> String = $query_within;
                // A reason or kind filter is matched inside the index too, once every document
                // has those words; the filters are checked on each case found all the same.
                let words = redress_app::search::filter_words(f);
                let query = match words.is_empty() || !self.scope_words_ready().await? {
                    true => plain(terms),
                    false => within(terms, &words),
                };
                let size = if f.block == 0 { rank::BLOCK } else { f.block };
                let newest = |within: rank::Within| {
                    let query = query.clone();
                    async move {
                        let found = self.newest_matches(query, f, &within, size).await?;
                        StoreResult::Ok(found.into_iter().map(|(place, id, words)| (place, id, terms.score(&words))).collect::<Vec<_>>())
                    }
                };
                let page = rank::blocks_page(newest, f.after.as_ref(), f.limit, size).await?;
                self.read_page(f, page.into_iter().map(|(id, score, block)| (id, score, Some(block)))).await
            }

            /// Whether every document starts with its scope, reason and kind words: documents
            /// written before them get them in the background (`add_scope_words`).
            async fn scope_words_ready(&self) -> StoreResult<bool> {
                let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM case_text_scopes_pending")
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(pending == 0)
            }

            /// The cases of a page ranked here, with their documents' text; only those in the
            /// filter's scope (the scope word found them: this holds by construction).
            async fn read_page(
                &self,
                f: &redress_app::search::SearchFilter,
                page: impl Iterator<Item = (CaseId, f64, Option<redress_app::search::rank::Block>)>,
            ) -> StoreResult<Vec<redress_app::search::SearchRow>> {
                let mut rows = Vec::new();
                for (id, score, block) in page {
                    let r = sqlx::query("SELECT c.body, t.plain FROM cases c JOIN case_texts t ON t.case_id = c.id WHERE c.id = $1")
                        .bind(Id::from(id))
                        .fetch_one(&self.pool)
                        .await
                        .map_err(other)?;
                    let case: Case = r.try_get::<Json<Case>, _>("body").map_err(other)?.0;
                    if f.buyer_id.is_some_and(|b| b != case.buyer_id) || f.merchant_id.is_some_and(|m| m != case.merchant_id) {
                        continue;
                    }
                    rows.push(redress_app::search::SearchRow {
                        case,
                        plain: r.try_get("plain").map_err(other)?,
                        score,
                        block,
                    });
                }
                Ok(rows)
            }
        }

        #[async_trait::async_trait]
        impl redress_app::search::SearchStore for $store {
            async fn search_cases(
                &self,
                terms: &redress_app::search::Terms,
                f: &redress_app::search::SearchFilter,
            ) -> StoreResult<Vec<redress_app::search::SearchRow>> {
                let scope = crate::search::Scope::of(f);
                if scope != crate::search::Scope::Everyone {
                    return self.search_scope(scope, terms, f).await;
                }
                self.search_blocks(terms, f).await
            }

            async fn add_scope_words(&self, limit: i64) -> StoreResult<u64> {
                let pending: Option<Option<String>> = sqlx::query_scalar("SELECT after_case FROM case_text_scopes_pending")
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                let Some(after) = pending else { return Ok(0) };
                let batch = sqlx::query("SELECT t.case_id, c.merchant_id, c.buyer_id, c.reason, c.kind FROM case_texts t JOIN cases c ON c.id = t.case_id WHERE (CAST($1 AS TEXT) IS NULL OR t.case_id > $1) ORDER BY t.case_id LIMIT $2")
                    .bind(after.map(|a| a.parse::<uuid::Uuid>().map(Id)).transpose().map_err(|e| StoreError::Other(e.into()))?)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut words = Vec::with_capacity(batch.len());
                for r in &batch {
                    let case_id: CaseId = r.try_get::<Id, _>("case_id").map_err(other)?.into();
                    let shop: MerchantId = r.try_get::<Id, _>("merchant_id").map_err(other)?.into();
                    let buyer: redress_domain::UserId = r.try_get::<Id, _>("buyer_id").map_err(other)?.into();
                    let reason: String = r.try_get("reason").map_err(other)?;
                    let kind: String = r.try_get("kind").map_err(other)?;
                    words.push((
                        case_id,
                        redress_app::search::scope_words(shop, buyer, &reason, &kind),
                        redress_app::search::shop_and_buyer_words(shop, buyer),
                    ));
                }
                let done = words.len() as u64;
                let last = words.last().map(|(id, _, _)| id.to_string());
                let finished = (words.len() as i64) < limit;
                self.write_change(crate::shared::change::<$db, _>(move |conn| {
                    Box::pin(async move {
                        // A document written meanwhile (by a change, or rebuilt) has them already;
                        // one that starts with the shop's and buyer's words only (before migration
                        // 0033) has those replaced.
                        for (case_id, scope, older) in &words {
                            sqlx::query("UPDATE case_texts SET words = $2 || CASE WHEN substr(words, 1, length($3)) = $3 THEN substr(words, length($3) + 1) ELSE words END WHERE case_id = $1 AND substr(words, 1, length($2)) <> $2")
                                .bind(Id::from(*case_id))
                                .bind(scope)
                                .bind(older)
                                .execute(&mut *conn)
                                .await
                                .map_err(other)?;
                        }
                        let next = match finished {
                            true => sqlx::query("DELETE FROM case_text_scopes_pending"),
                            false => sqlx::query("UPDATE case_text_scopes_pending SET after_case = $1").bind(last),
                        };
                        next.execute(&mut *conn).await.map_err(other)?;
                        Ok(())
                    })
                }))
                .await?;
                Ok(done)
            }

            async fn put_search_doc(
                &self,
                case_id: CaseId,
                version: i64,
                doc: &redress_app::search::SearchDoc,
            ) -> StoreResult<bool> {
                let written = sqlx::query("INSERT INTO case_texts (case_id, plain, words) SELECT $1, $2, $3 WHERE (SELECT version FROM cases WHERE id = $1) = $4 ON CONFLICT (case_id) DO UPDATE SET plain = excluded.plain, words = excluded.words")
                    .bind(Id::from(case_id))
                    .bind(&doc.plain)
                    .bind(&doc.words)
                    .bind(version)
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(written.rows_affected() == 1)
            }

            async fn case_ids(&self, after: Option<CaseId>, missing_doc_only: bool, limit: i64) -> StoreResult<Vec<CaseId>> {
                let ids: Vec<Id> = sqlx::query_scalar("SELECT c.id FROM cases c WHERE (CAST($1 AS TEXT) IS NULL OR c.id > $1) AND (CAST($3 AS BIGINT) = 0 OR NOT EXISTS (SELECT 1 FROM case_texts t WHERE t.case_id = c.id)) ORDER BY c.id LIMIT $2")
                    .bind(after.map(Id::from))
                    .bind(limit)
                    .bind(i64::from(missing_doc_only))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(ids.into_iter().map(CaseId::from).collect())
            }

            async fn open_cases_of_shop(&self, merchant: MerchantId, limit: i64) -> StoreResult<Vec<Case>> {
                let bodies: Vec<Json<Case>> = sqlx::query_scalar("SELECT body FROM cases WHERE merchant_id = $1 AND state <> 'closed' ORDER BY id DESC LIMIT $2")
                    .bind(Id::from(merchant))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(bodies.into_iter().map(|b| b.0).collect())
            }

            async fn repeat_count(
                &self,
                merchant: MerchantId,
                from: Option<Timestamp>,
                before: Option<Timestamp>,
            ) -> StoreResult<redress_app::search::RepeatCount> {
                let row = sqlx::query("SELECT CAST(COUNT(*) AS BIGINT) AS cases, CAST(COALESCE(SUM(is_repeat), 0) AS BIGINT) AS repeats FROM cases WHERE merchant_id = $1 AND ($2 IS NULL OR filed_at >= $2) AND ($3 IS NULL OR filed_at < $3)")
                    .bind(Id::from(merchant))
                    .bind(from.map(Time))
                    .bind(before.map(Time))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(redress_app::search::RepeatCount {
                    cases: row.try_get("cases").map_err(other)?,
                    repeats: row.try_get("repeats").map_err(other)?,
                })
            }
        }

        impl $store {
            /// The head of a new case's document: its shop's name and its claimed items' titles
            /// (read before the filing's write, which appends the rest).
            pub(crate) async fn search_head(&self, case: &Case) -> StoreResult<redress_app::search::SearchDoc> {
                let row = sqlx::query("SELECT o.body, m.name FROM orders o JOIN merchants m ON m.id = o.merchant_id WHERE o.id = $1")
                    .bind(Id::from(case.order_id))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)?;
                let order = row.try_get::<Json<Order>, _>("body").map_err(other)?.0;
                Ok(redress_app::search::SearchDoc::head(case, &order, &row.try_get::<String, _>("name").map_err(other)?))
            }
        }

    };
}
pub(crate) use search_store;
