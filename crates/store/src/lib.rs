//! Storage adapters: SQLite (embedded default) and PostgreSQL (scale-out), one `Store`
//! implementation written once (`shared_store!`) and instantiated for each database, each with
//! its own migrations.

mod accounts;
pub mod blobs;
mod codec;
mod conversations;
mod dashboards;
mod idempotency;
mod jobs;
mod ledger;
mod notify;
mod postgres;
mod script;
mod search;
pub mod seed;
mod shared;
mod signing_keys;
mod sqlite;
mod sweep;
mod telemetry;
mod throttle;
mod webhooks;
mod writer;

pub mod skipped;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use redress_app::Store;
use std::sync::Arc;

/// Opens the store a URL names (`sqlite://PATH` or `postgres://...`), without migrating.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else {
        // Only the scheme is repeated: the rest of a URL may hold a password.
        let scheme = url.split("://").next().unwrap_or("");
        anyhow::bail!("unsupported database URL scheme `{scheme}`: use sqlite://PATH or postgres://...")
    }
}

/// Applies the migrations of the database a URL names.
pub async fn migrate(url: &str) -> anyhow::Result<()> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        PgStore::connect(url).await?.migrate().await
    } else {
        SqliteStore::connect(url).await?.migrate().await
    }
}
