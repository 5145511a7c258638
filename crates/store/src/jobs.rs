//! Background jobs (`JobStore`): the outbox rows a case change wrote (refunds, emails, webhook
//! payloads), claimed in batches under a lease so that any number of workers share them, then
//! completed or put back for a retry. The same SQL on both databases except the claim
//! (PostgreSQL skips rows another worker is claiming). The rows themselves are written by the
//! case change's transaction (`script.rs`).

use crate::codec::{Id, Json, Time};
use crate::shared::other;
use jiff::Timestamp;
use redress_app::ports::{ClaimedJob, StoreResult};

#[derive(sqlx::FromRow)]
struct JobRow {
    id: Id,
    topic: String,
    case_id: Option<Id>,
    payload: Json<serde_json::Value>,
    attempts: i64,
}

impl From<JobRow> for ClaimedJob {
    fn from(r: JobRow) -> ClaimedJob {
        ClaimedJob {
            id: r.id.into(),
            topic: r.topic,
            case_id: r.case_id.map(Into::into),
            payload: r.payload.0,
            attempts: r.attempts,
        }
    }
}

/// Implements `JobStore` for `$store` on `$db`, claiming with `$claim` (`$1` topic, `$2` now, `$3` lease
/// end, `$4` owner, `$5` how many; returns the claimed rows).
macro_rules! job_store {
    ($store:ty, $db:ty, claim: $claim:expr) => {
        #[async_trait::async_trait]
        impl redress_app::ports::JobStore for $store {
            async fn claim_jobs(&self, topic: &str, now: Timestamp, lease_until: Timestamp, owner: &str, limit: i64) -> StoreResult<Vec<ClaimedJob>> {
                // Through the writer, as `claim_due_cases`: on SQLite a claim on the pool waited
                // for the write lock behind the writer's batches (SQLite's busy handler sleeps up
                // to 100 ms a try), and paid an fsync of its own.
                let (topic, owner) = (topic.to_owned(), owner.to_owned());
                let rows: Vec<JobRow> = crate::shared::write_returning::<$db, _, _, _, _>(|c| self.write_change(c), move |conn| {
                    Box::pin(async move {
                        sqlx::query_as($claim)
                            .bind(topic)
                            .bind(Time(now))
                            .bind(Time(lease_until))
                            .bind(owner)
                            .bind(limit)
                            .fetch_all(&mut *conn)
                            .await
                            .map_err(other)
                    })
                })
                .await?;
                Ok(rows.into_iter().map(ClaimedJob::from).collect())
            }

            async fn complete_job(&self, id: uuid::Uuid, at: Timestamp) -> StoreResult<()> {
                // Through the writer, as `ledger_refund`.
                self.write_change(crate::shared::change::<$db, _>(move |conn| {
                    Box::pin(async move {
                        sqlx::query("UPDATE outbox SET done_at = $1, lease_until = NULL, lease_owner = NULL WHERE id = $2")
                            .bind(Time(at))
                            .bind(Id::from(id))
                            .execute(&mut *conn)
                            .await
                            .map_err(other)?;
                        Ok(())
                    })
                }))
                .await
            }

            async fn retry_job(&self, id: uuid::Uuid, available_at: Timestamp, error: &str) -> StoreResult<()> {
                sqlx::query("UPDATE outbox SET available_at = $1, last_error = $2, lease_until = NULL, lease_owner = NULL WHERE id = $3")
                    .bind(Time(available_at))
                    .bind(error)
                    .bind(Id::from(id))
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(())
            }
        }
    };
}

job_store!(
    crate::SqliteStore,
    sqlx::Sqlite,
    claim: "UPDATE outbox SET lease_until = $3, lease_owner = $4, attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE topic = $1 AND done_at IS NULL AND available_at <= $2 AND (lease_until IS NULL OR lease_until < $2) ORDER BY available_at LIMIT $5) RETURNING id, topic, case_id, payload, attempts"
);
job_store!(
    crate::PgStore,
    sqlx::Postgres,
    claim: "UPDATE outbox SET lease_until = $3, lease_owner = $4, attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE topic = $1 AND done_at IS NULL AND available_at <= $2 AND (lease_until IS NULL OR lease_until < $2) ORDER BY available_at LIMIT $5 FOR UPDATE SKIP LOCKED) AND done_at IS NULL AND (lease_until IS NULL OR lease_until < $2) RETURNING id, topic, case_id, payload, attempts"
);
