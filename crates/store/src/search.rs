//! Case search documents (issue 13): written with the case change that adds their text, searched
//! with the database's own full-text index (FTS5 on SQLite, a GIN-indexed tsvector on
//! PostgreSQL). The queries differ per database only in how words are matched and ranked.

/// The conditions every search applies after matching, as `$2`..`$12` (see `search_cases`).
pub const FILTERS: &str = "(CAST($2 AS TEXT) IS NULL OR c.buyer_id = $2) AND (CAST($3 AS TEXT) IS NULL OR c.merchant_id = $3) AND (CAST($4 AS TEXT) IS NULL OR c.state = $4) AND (CAST($5 AS TEXT) IS NULL OR c.stage = $5) AND (CAST($6 AS TEXT) IS NULL OR c.reason = $6) AND (CAST($7 AS TEXT) IS NULL OR c.kind = $7) AND ($8 IS NULL OR c.filed_at >= $8) AND ($9 IS NULL OR c.filed_at < $9) AND ($10 IS NULL OR (c.state <> 'closed' AND c.deadline_due < $10)) AND (CAST($11 AS BIGINT) = 0 OR c.state <> 'closed') AND (CAST($12 AS TEXT) IS NULL OR c.id <> $12)";

/// Whose cases a search looks through. A buyer's or a shop's are read from `cases` by their
/// index first and only those are matched and ranked (`scope_matches`); everyone's (the
/// platform's) are matched and ranked in the full-text index. With a million cases a common
/// word matches hundreds of thousands: matching first and dropping those out of scope after
/// cost seconds.
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

/// The page after the cursor (`$13` score, `$14` id), best first, at most `$15`.
pub const PAGE: &str = "WHERE (CAST($13 AS DOUBLE PRECISION) IS NULL OR score < $13 OR (score = $13 AND id < $14)) ORDER BY score DESC, id DESC LIMIT $15";

/// Everyone's matches, ranked by the index's `ranked` (`hit, score` of every match, `join` ties
/// `hit` to the document `t`), then their cases under `FILTERS`.
pub fn everyone(ranked: &str, join: &str) -> String {
    format!(
        "SELECT c.id, c.body, t.plain, m.score FROM ({ranked}) m JOIN case_texts t ON {join} JOIN cases c ON c.id = t.case_id WHERE {FILTERS}"
    )
}

/// The same when nothing but the page narrows the search (an agent's plain query): ranking
/// every match is unavoidable, reading each one's case is not. The page's lowest score `k`
/// (the `$15`th best below the cursor's score) is found among the ranked matches alone, and
/// only the matches scoring at least that (and those tied with the cursor) are joined to their
/// cases. A common word matches a fifth of a million cases: this reads a page of them, not all.
pub fn everyone_top(ranked: &str, join: &str) -> String {
    format!(
        "WITH m AS MATERIALIZED ({ranked}), k AS MATERIALIZED (SELECT score FROM m WHERE CAST($13 AS DOUBLE PRECISION) IS NULL OR score < $13 ORDER BY score DESC LIMIT 1 OFFSET $15 - 1) \
         SELECT c.id, c.body, t.plain, m.score FROM m JOIN case_texts t ON {join} JOIN cases c ON c.id = t.case_id \
         WHERE (m.score = $13 OR NOT EXISTS (SELECT 1 FROM k) OR m.score >= (SELECT score FROM k)) AND {FILTERS}"
    )
}

/// Whether a search of everyone's cases is narrowed by nothing but its page (see `everyone_top`).
pub fn only_paged(f: &redress_app::search::SearchFilter) -> bool {
    let redress_app::search::SearchFilter {
        buyer_id,
        merchant_id,
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
    } = f;
    buyer_id.is_none()
        && merchant_id.is_none()
        && state.is_none()
        && stage.is_none()
        && reason.is_none()
        && kind.is_none()
        && filed_from.is_none()
        && filed_before.is_none()
        && due_before.is_none()
        && !open_only
        && except.is_none()
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

/// Implements `SearchStore` for `$store` and defines `index_new_case_in` / `index_events_in`,
/// which the case writes call inside their transaction. `$ranked` selects `hit, score` of every
/// document matching `$1` (made by `$query` from the terms), `$join` ties `m.hit` to the document
/// `t` (see `everyone`); `$matches` says on a document `t` that it matches `$1` (see
/// `scope_matches`).
macro_rules! search_store {
    ($store:ty, $db:ty, ranked: $ranked:expr, join: $join:expr, matches: $matches:expr, query: $query:expr) => {
        /// Binds the query's terms as `$1` and the filter as `$2`..`$12` (see `FILTERS`).
        fn bind_filters<'q>(
            q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>,
            terms: &redress_app::search::Terms,
            f: &redress_app::search::SearchFilter,
        ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments> {
            let query: fn(&redress_app::search::Terms) -> String = $query;
            q.bind(query(terms))
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
                // Built from the constants of search.rs only; the words are bound.
                let sql = crate::search::scope_matches(scope, $matches);
                let rows = bind_filters(sqlx::query(sqlx::AssertSqlSafe(sql)), terms, f)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut scored = Vec::with_capacity(rows.len());
                for r in &rows {
                    let id = r.try_get::<Id, _>("id").map_err(other)?.into();
                    scored.push((id, terms.score(&r.try_get::<String, _>("words").map_err(other)?)));
                }
                let mut page = Vec::new();
                for (id, score) in redress_app::search::rank::page(scored, f.after, f.limit) {
                    let r = sqlx::query("SELECT c.body, t.plain FROM cases c JOIN case_texts t ON t.case_id = c.id WHERE c.id = $1")
                        .bind(Id::from(id))
                        .fetch_one(&self.pool)
                        .await
                        .map_err(other)?;
                    page.push(redress_app::search::SearchRow {
                        case: r.try_get::<Json<Case>, _>("body").map_err(other)?.0,
                        plain: r.try_get("plain").map_err(other)?,
                        score,
                    });
                }
                Ok(page)
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
                let hits = match crate::search::only_paged(f) {
                    true => crate::search::everyone_top($ranked, $join),
                    false => crate::search::everyone($ranked, $join),
                };
                let sql = format!("SELECT body, plain, score FROM ({hits}) h {}", crate::search::PAGE);
                // Built from the constants above only; the words are bound.
                let rows = bind_filters(sqlx::query(sqlx::AssertSqlSafe(sql)), terms, f)
                    .bind(f.after.map(|a| a.score))
                    .bind(f.after.map(|a| Id::from(a.id)))
                    .bind(f.limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                rows.iter()
                    .map(|r| {
                        Ok(redress_app::search::SearchRow {
                            case: r.try_get::<Json<Case>, _>("body").map_err(other)?.0,
                            plain: r.try_get("plain").map_err(other)?,
                            score: r.try_get("score").map_err(other)?,
                        })
                    })
                    .collect()
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

        /// Starts a new case's document: shop name, claimed items' titles, then `text` (the
        /// filing's, segmented before the write).
        async fn index_new_case_in(
            conn: &mut <$db as sqlx::Database>::Connection,
            case: &Case,
            text: &redress_app::search::SearchDoc,
        ) -> StoreResult<()> {
            let row = sqlx::query("SELECT o.body, m.name FROM orders o JOIN merchants m ON m.id = o.merchant_id WHERE o.id = $1")
                .bind(Id::from(case.order_id))
                .fetch_one(&mut *conn)
                .await
                .map_err(other)?;
            let order = row.try_get::<Json<Order>, _>("body").map_err(other)?.0;
            let mut doc = redress_app::search::SearchDoc::head(case, &order, &row.try_get::<String, _>("name").map_err(other)?);
            doc.append(text);
            sqlx::query("INSERT INTO case_texts (case_id, plain, words) VALUES ($1, $2, $3)")
                .bind(Id::from(case.id))
                .bind(&doc.plain)
                .bind(&doc.words)
                .execute(&mut *conn)
                .await
                .map_err(other)?;
            Ok(())
        }

        /// Appends the text of a change to its case's document (a case filed before search
        /// existed has none until `redress reindex` builds it).
        async fn index_events_in(
            conn: &mut <$db as sqlx::Database>::Connection,
            case_id: CaseId,
            text: &redress_app::search::SearchDoc,
        ) -> StoreResult<()> {
            if text.is_empty() {
                return Ok(());
            }
            sqlx::query("UPDATE case_texts SET plain = plain || $2, words = words || $3 WHERE case_id = $1")
                .bind(Id::from(case_id))
                .bind(&text.plain)
                .bind(&text.words)
                .execute(&mut *conn)
                .await
                .map_err(other)?;
            Ok(())
        }
    };
}
pub(crate) use search_store;
