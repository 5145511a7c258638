//! An agent's search (every case, with or without filters) reads its newest matches a block at a
//! time (`redress_app::search::rank::Block`); each database has its own way of reading matches
//! newest first without touching the older ones.

use crate::codec::Id;
use crate::search::CASE_FILTERS;
use crate::shared::other;
use redress_app::ports::StoreResult;
use redress_app::search::SearchFilter;
use redress_app::search::rank::Within;
use redress_domain::CaseId;
use sqlx::Row;

/// A match: its place in the index (as text), its case and its document's indexed words.
pub type Match = (String, CaseId, String);

/// The bounds of a block read: lowest place, highest place (both included) and the place the
/// matches are below, with the database's lowest and highest places for those not given.
fn bounds(within: &Within, lowest: &str, highest: &str) -> [String; 3] {
    match within {
        Within::Newest => [lowest.into(), highest.into(), highest.into()],
        Within::Block(b) => [b.oldest.clone(), b.newest.clone(), highest.into()],
        Within::Older(below) => [lowest.into(), highest.into(), below.clone()],
    }
}

/// The case and the conditions on it for a search with filters (`CASE_FILTERS`, `$4`..`$12`;
/// an agent's search has no scope), read through `index` when given; a plain query reads no
/// case.
fn filters(f: &SearchFilter, index: &str) -> (String, &'static str) {
    match crate::search::narrowed_beyond_scope(f) {
        true => (format!(" JOIN cases c{index} ON c.id = t.case_id"), CASE_FILTERS),
        false => (String::new(), "1 = 1"),
    }
}

fn matches<R: Row>(rows: &[R]) -> StoreResult<Vec<Match>>
where
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Id: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> &'r str: sqlx::ColumnIndex<R>,
{
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String, _>("place").map_err(other)?,
                r.try_get::<Id, _>("case_id").map_err(other)?.into(),
                r.try_get::<String, _>("words").map_err(other)?,
            ))
        })
        .collect()
}

impl crate::sqlite::SqliteStore {
    /// FTS5 walks a word's doclist backwards from a rowid cheaply (rowids are in filing order),
    /// so the newest `size` matches under the filters are one statement, whatever their number.
    pub(crate) async fn newest_matches(
        &self,
        query: String,
        f: &SearchFilter,
        within: &Within,
        size: usize,
    ) -> StoreResult<Vec<Match>> {
        let [lowest, highest, below] = bounds(within, &i64::MIN.to_string(), &i64::MAX.to_string());
        // The filters' columns from their index, not from each case's row (migration 0032).
        let (join, filters) = filters(f, " INDEXED BY cases_search_filters");
        let sql = format!(
            "SELECT CAST(s.rowid AS TEXT) AS place, t.case_id, t.words FROM case_search s JOIN case_texts t ON t.doc = s.rowid{join} WHERE s.case_search MATCH $1 AND {filters} AND s.rowid >= CAST($13 AS INTEGER) AND s.rowid <= CAST($14 AS INTEGER) AND s.rowid < CAST($15 AS INTEGER) ORDER BY s.rowid DESC LIMIT $16"
        );
        // Built from the constants above only; the words and filters are bound.
        let rows = crate::sqlite::bind_query(sqlx::query(sqlx::AssertSqlSafe(sql)), query, f)
            .bind(lowest)
            .bind(highest)
            .bind(below)
            .bind(size as i64)
            .fetch_all(&self.pool)
            .await
            .map_err(other)?;
        matches(&rows)
    }
}

/// The first window of a PostgreSQL block read, in documents per match wanted.
const FIRST_WINDOW_PER_MATCH: i64 = 16;
/// A window this wide (documents) is not measured out first: the rest is read at once.
const WIDEST_WINDOW: i64 = 200_000;

impl crate::postgres::PgStore {
    /// PostgreSQL has no index that reads a word's matches in case order (GIN gives them all,
    /// unordered). Reading the primary key backwards and testing each document costs a pass
    /// over thousands of documents for a rare word; taking every match of a common word from
    /// GIN and sorting costs a pass over hundreds of thousands. So the newest documents are read
    /// in windows of case ids (UUIDv7, filing order), newest first: in each the planner
    /// intersects the word's GIN matches with the window's key range (or walks the window, for
    /// a common word), so a window costs what it holds. The first window is
    /// `FIRST_WINDOW_PER_MATCH` documents per match wanted; each next one is sized by the
    /// matches found so far per document, until the block is full or the cases run out.
    pub(crate) async fn newest_matches(
        &self,
        query: String,
        f: &SearchFilter,
        within: &Within,
        size: usize,
    ) -> StoreResult<Vec<Match>> {
        const NIL: &str = "00000000-0000-0000-0000-000000000000";
        const MAX: &str = "ffffffff-ffff-ffff-ffff-ffffffffffff";
        let parse = |s: &str| s.parse::<uuid::Uuid>().map_err(|e| redress_app::ports::StoreError::Other(e.into()));
        let [lowest, highest, below] = bounds(within, NIL, MAX);
        let (lowest, highest, mut below) = (parse(&lowest)?, parse(&highest)?, parse(&below)?);
        let (join, filters) = filters(f, "");
        let sql = format!(
            "SELECT CAST(t.case_id AS TEXT) AS place, t.case_id, t.words FROM case_texts t{join} WHERE t.tsv @@ to_tsquery('simple', $1) AND {filters} AND t.case_id >= $13 AND t.case_id <= $14 AND t.case_id < $15 ORDER BY t.case_id DESC LIMIT $16"
        );
        let mut found: Vec<Match> = Vec::new();
        let (mut window, mut read) = (FIRST_WINDOW_PER_MATCH * size as i64, 0i64);
        loop {
            // The window's oldest case id: `window` documents below `below` within the bounds
            // (none: read the rest).
            let oldest: Option<Id> = match window < WIDEST_WINDOW {
                true => sqlx::query_scalar("SELECT case_id FROM case_texts WHERE case_id < $1 AND case_id >= $2 AND case_id <= $3 ORDER BY case_id DESC OFFSET $4 LIMIT 1")
                    .persistent(false)
                    .bind(Id(below))
                    .bind(Id(lowest))
                    .bind(Id(highest))
                    .bind(window - 1)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?,
                false => None,
            };
            let from = oldest.map_or(lowest, |id| id.0);
            // Built from the constants above only; the words and filters are bound. Planned for
            // these words and this window each time (not prepared once): a plan made for any
            // words, as PostgreSQL makes after a few runs of a prepared statement, cannot tell a
            // common word from a rare one and took 15-175 ms where the right one takes 3-25.
            let statement = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).persistent(false);
            let rows = crate::postgres::bind_query(statement, query.clone(), f)
                .bind(Id(from))
                .bind(Id(highest))
                .bind(Id(below))
                .bind((size - found.len()) as i64)
                .fetch_all(&self.pool)
                .await
                .map_err(other)?;
            found.extend(matches(&rows)?);
            read += window;
            if found.len() >= size || oldest.is_none() {
                return Ok(found);
            }
            below = from;
            let wanted = (size - found.len()) as i64;
            window = match found.len() as i64 {
                0 => window * 16,
                n => (wanted * read / n + wanted * read / n / 4).max(window),
            };
        }
    }
}
