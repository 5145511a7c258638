//! SQLite: the embedded default. WAL journal with `synchronous=FULL`. Case changes go through
//! one writer task with group commit (`writer.rs`); reads and the rarer other writes use a pool
//! (`BEGIN IMMEDIATE`, so those writers queue on the lock instead of failing mid-way).

use crate::codec::*;
use crate::shared::{other, shared_store, unique_or};
// Case changes and messages record their idempotency answer in their own transaction.
pub(crate) use crate::idempotency::sqlite::insert_answer;
// Case changes, messages and escalations store notifications in their own transaction.
pub(crate) use crate::notify::sqlite::insert_notifications_in;
// A case change's writes, one call on SQLite.
use crate::script::sqlite::{
    Guard, Script, push_figure, push_links, push_negotiation, push_new_case, push_outbox, push_search_doc,
    push_search_text,
};
use jiff::Timestamp;
use redress_app::ports::*;
use redress_domain::chain::Link;
use redress_domain::order::{Order, OrderHistory};
use redress_domain::{Case, CaseId, Event, MerchantId, OrderId, Policy};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::str::FromStr;
use std::time::Duration;

/// One filing, message or payout at a time per order: SQLite has one writer at a time, so its
/// write transaction is the lock and reading the row is enough.
pub(crate) const LOCK_ORDER: &str = "SELECT id FROM orders WHERE id = $1";

pub struct SqliteStore {
    pub(crate) pool: sqlx::SqlitePool,
    writer: crate::writer::Writer,
    changed: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    policies: crate::shared::PolicyCache,
    pub(crate) sessions: crate::shared::SessionCache,
    pub(crate) accounts: crate::shared::AccountCache,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite://PATH` URL.
    pub async fn connect(url: &str) -> anyhow::Result<SqliteStore> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // FULL: a commit acknowledged to a client survives a power loss, not only a crash.
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options.clone()).await?;
        // The writer's page cache holds a whole batch's pages (the case rows, their indexes, the
        // events and outbox): with the default 2 MB a batch of 64 changes spilled dirty pages to
        // the WAL before its commit and read index pages back from the file.
        // Its savepoint journals (one savepoint per change) are kept in memory: on a file, they
        // spilled past 64 KiB to a temporary file, about 60 writes to it a change in the sweep.
        // A released savepoint's journal is emptied, so it holds one change's pages at most.
        let writer_options = options
            .clone()
            .pragma("cache_size", format!("-{}", crate::writer::CACHE_KIB))
            .pragma("temp_store", "memory");
        let writer = crate::writer::Writer::start(sqlx::ConnectOptions::connect(&writer_options).await?);
        Ok(SqliteStore {
            pool,
            writer,
            changed: std::sync::Arc::new(tokio::sync::watch::Sender::new(0)),
            policies: Default::default(),
            sessions: Default::default(),
            accounts: Default::default(),
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        sqlx::migrate!("migrations/sqlite").run(&self.pool).await?;
        Ok(())
    }

    /// A consistent copy of the whole database at `dest` (a new file), taken while the server
    /// runs: `VACUUM INTO` reads one snapshot and writes a compact database from it.
    pub async fn backup_into(&self, dest: &std::path::Path) -> anyhow::Result<()> {
        anyhow::ensure!(!dest.exists(), "{} exists already", dest.display());
        let path = dest.to_str().ok_or_else(|| anyhow::anyhow!("{}: not UTF-8", dest.display()))?;
        sqlx::query("VACUUM INTO $1").bind(path).execute(&self.pool).await?;
        Ok(())
    }

    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    pub(crate) async fn write_change(&self, change: crate::shared::Change<sqlx::Sqlite>) -> StoreResult<()> {
        self.writer.write(change).await
    }

    /// `write_change` for a change whose first writes are one `Script` (`Writer::write_scripted`).
    pub(crate) async fn write_scripted_change(&self, change: crate::shared::Change<sqlx::Sqlite>) -> StoreResult<()> {
        self.writer.write_scripted(change).await
    }
}

shared_store!(
    SqliteStore,
    sqlx::Sqlite,
    claim_cases: "UPDATE cases SET lease_until = $2, lease_owner = $3 WHERE id IN (SELECT id FROM cases WHERE sweep_at <= $1 AND (lease_until IS NULL OR lease_until < $1) ORDER BY sweep_at LIMIT $4) RETURNING id, sweep_at",
    lock_order: LOCK_ORDER
);

crate::search::search_store!(
    SqliteStore,
    sqlx::Sqlite,
    // One document looked up by its rowid: the index seeks to it instead of reading the word's hits.
    matches: "EXISTS (SELECT 1 FROM case_search s WHERE s.case_search MATCH $1 AND s.rowid = t.doc)",
    // The scope's documents that match: FTS5 intersects the query's doclists with the scope
    // word's, seeking through the long one.
    within: "t.doc IN (SELECT rowid FROM case_search WHERE case_search MATCH $1)",
    query: |terms| terms.fts5(),
    query_within: |terms, words| terms.fts5_within(words)
);
crate::seed::bulk_load!(SqliteStore, sqlite);

#[cfg(test)]
mod tests {
    /// The writer's savepoint journals stay in memory (`temp_store = MEMORY`, 2): on a file they
    /// spilled to a temporary file, about 60 writes a change in the deadline sweep.
    #[tokio::test]
    async fn the_writer_keeps_its_savepoint_journals_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = super::SqliteStore::connect(&url).await.unwrap();
        let temp_store = crate::shared::write_returning::<sqlx::Sqlite, i64, _, _, _>(
            |change| store.write_change(change),
            |conn| {
                Box::pin(async move {
                    sqlx::query_scalar("PRAGMA temp_store").fetch_one(conn).await.map_err(crate::shared::other)
                })
            },
        )
        .await
        .unwrap();
        assert_eq!(temp_store, 2);
    }
}
