//! PostgreSQL: the scale-out backend. Any number of servers and workers share it; background
//! work is claimed with `FOR UPDATE SKIP LOCKED` plus a lease, so no advisory locks or
//! LISTEN/NOTIFY are assumed (PostgreSQL-compatible distributed databases work too).

use crate::codec::*;
use crate::shared::{other, shared_store, unique_or};
// Case changes and messages record their idempotency answer in their own transaction.
pub(crate) use crate::idempotency::postgres::insert_answer;
// Case changes, messages and escalations store notifications in their own transaction.
pub(crate) use crate::notify::postgres::insert_notifications_in;
// A case change's writes, one call on SQLite.
use crate::script::postgres::{
    Guard, Script, push_figure, push_links, push_negotiation, push_new_case, push_outbox, push_search_doc,
    push_search_text,
};
use jiff::Timestamp;
use redress_app::ports::*;
use redress_domain::chain::Link;
use redress_domain::order::{Order, OrderHistory};
use redress_domain::{Case, CaseId, Event, MerchantId, OrderId, Policy};
use sqlx::Row;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

/// Durability: every commit waits for PostgreSQL's own setting, `synchronous_commit` (default
/// `on`: the WAL is flushed before the commit returns); run production clusters with `fsync=on`.
/// One filing, message or payout at a time per order: the order's row lock.
pub(crate) const LOCK_ORDER: &str = "SELECT id FROM orders WHERE id = $1 FOR UPDATE";

pub struct PgStore {
    pub(crate) pool: sqlx::PgPool,
    changed: std::sync::Arc<tokio::sync::watch::Sender<u64>>,
    policies: crate::shared::PolicyCache,
    pub(crate) sessions: crate::shared::SessionCache,
    pub(crate) accounts: crate::shared::AccountCache,
}

impl PgStore {
    pub async fn connect(url: &str) -> anyhow::Result<PgStore> {
        let pool =
            PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(30)).connect(url).await?;
        Ok(PgStore {
            pool,
            changed: std::sync::Arc::new(tokio::sync::watch::Sender::new(0)),
            policies: Default::default(),
            sessions: Default::default(),
            accounts: Default::default(),
        })
    }

    pub async fn migrate(&self) -> anyhow::Result<()> {
        sqlx::migrate!("migrations/postgres").run(&self.pool).await?;
        Ok(())
    }

    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    /// PostgreSQL keeps one transaction per change on its pool: its commits already overlap.
    pub(crate) async fn write_change(&self, change: crate::shared::Change<sqlx::Postgres>) -> StoreResult<()> {
        let mut tx = self.begin_write().await.map_err(other)?;
        change(&mut tx).await?;
        tx.commit().await.map_err(other)
    }

    /// The same as `write_change` on PostgreSQL (on SQLite it saves the writer a call).
    pub(crate) async fn write_scripted_change(&self, change: crate::shared::Change<sqlx::Postgres>) -> StoreResult<()> {
        self.write_change(change).await
    }
}

shared_store!(
    PgStore,
    sqlx::Postgres,
    claim_cases: "UPDATE cases SET lease_until = $2, lease_owner = $3 WHERE id IN (SELECT id FROM cases WHERE sweep_at <= $1 AND (lease_until IS NULL OR lease_until < $1) ORDER BY sweep_at LIMIT $4 FOR UPDATE SKIP LOCKED) AND sweep_at <= $1 AND (lease_until IS NULL OR lease_until < $1) RETURNING id, sweep_at",
    lock_order: LOCK_ORDER
);

crate::search::search_store!(
    PgStore,
    sqlx::Postgres,
    matches: "t.tsv @@ to_tsquery('simple', $1)",
    within: "t.tsv @@ to_tsquery('simple', $1)",
    query: |terms| terms.tsquery(),
    query_within: |terms, words| terms.tsquery_within(words)
);
crate::seed::bulk_load!(PgStore, postgres);
