//! The backlog `/metrics` reports (issue 13): outbox jobs not done per topic and deadlines past
//! due, the same SQL on both databases (each reads a partial index of pending rows).

use crate::codec::Time;
use crate::shared::other;
use jiff::Timestamp;
use redress_app::ports::StoreResult;
use redress_app::telemetry::{Backlog, BacklogStore};
use sqlx::Row;

macro_rules! backlog_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl BacklogStore for $store {
            async fn backlog(&self, now: Timestamp) -> StoreResult<Backlog> {
                let rows = sqlx::query("SELECT topic, CAST(COUNT(*) AS BIGINT) AS waiting, MIN(created_at) AS oldest FROM outbox WHERE done_at IS NULL GROUP BY topic ORDER BY topic")
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut outbox = Vec::with_capacity(rows.len());
                for r in rows {
                    let oldest: Time = r.try_get("oldest").map_err(other)?;
                    outbox.push((r.try_get("topic").map_err(other)?, r.try_get("waiting").map_err(other)?, oldest.0));
                }
                let deadlines_due: i64 = sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM cases WHERE sweep_at <= $1")
                    .bind(Time(now))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(Backlog { outbox, deadlines_due })
            }
        }
    };
}

backlog_store!(crate::SqliteStore);
backlog_store!(crate::PgStore);
