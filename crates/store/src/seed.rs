//! Bulk loading for benchmarks (`redress bench seed`): a generated data set written a large
//! transaction at a time, through the same statements filing uses (`create_case_in`), so the
//! rows (case columns, the hash chain, due and reminder times, outbox) are the app's own; only
//! the per-request work (sessions, reads, one transaction per case) is skipped.

use redress_app::ports::{OutboxItem, StoreResult, User};
use redress_domain::order::Order;
use redress_domain::{Case, Event};
use std::sync::Arc;

/// One transaction's worth of a data set: accounts, then orders, then the cases filed on them.
pub struct SeedBatch {
    pub users: Vec<User>,
    /// One hash for every generated account (hashing is not what is being loaded).
    pub password_hash: String,
    pub orders: Vec<Order>,
    /// Each case as filing made it: the case, its `Filed` event, its outbox rows.
    pub cases: Vec<(Case, Event, Vec<OutboxItem>)>,
    pub at: jiff::Timestamp,
}

#[async_trait::async_trait]
pub trait BulkLoad: Send + Sync {
    /// Writes the whole batch in one transaction.
    async fn load(&self, batch: &SeedBatch) -> StoreResult<()>;
}

/// Implements `BulkLoad` for `$store` with the statements `shared_store!` defines beside it.
macro_rules! bulk_load {
    ($store:ty, $module:ident) => {
        #[async_trait::async_trait]
        impl crate::seed::BulkLoad for $store {
            async fn load(&self, batch: &crate::seed::SeedBatch) -> StoreResult<()> {
                let mut tx = self.begin_write().await.map_err(other)?;
                for user in &batch.users {
                    crate::accounts::$module::insert_user_in(&mut *tx, user, &batch.password_hash, batch.at).await?;
                }
                for order in &batch.orders {
                    insert_order_in(&mut *tx, order).await?;
                }
                for (case, filed, outbox) in &batch.cases {
                    create_case_in(&mut *tx, case, filed, outbox, 0, 0, None, None).await?;
                }
                tx.commit().await.map_err(other)
            }
        }
    };
}
pub(crate) use bulk_load;

/// The bulk loader of the database a URL names, and how many batches it takes at once (SQLite
/// has one writer; PostgreSQL overlaps a few transactions).
pub async fn bulk_loader(url: &str) -> anyhow::Result<(Arc<dyn BulkLoad>, usize)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Arc::new(crate::PgStore::connect(url).await?), 4))
    } else {
        Ok((Arc::new(crate::SqliteStore::connect(url).await?), 1))
    }
}
