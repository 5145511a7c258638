//! Idempotency keys (`IdempotencyStore`): the answer given to a request under its key, recorded
//! with the change it made (`insert_answer`, called inside the change's transaction) or alone,
//! replayed while it lives, purged after. The same SQL on both databases; the answer's body is
//! TEXT on both (a replay is the answer first given, byte for byte).

use crate::codec::Time;
use crate::shared::other;
use redress_app::ports::{IdempotencyRecord, StoreError, StoredAnswer};

#[derive(sqlx::FromRow)]
struct AnswerRow {
    request_hash: String,
    status: Option<i64>,
    body: Option<String>,
}

impl From<AnswerRow> for StoredAnswer {
    fn from(r: AnswerRow) -> StoredAnswer {
        StoredAnswer {
            request_hash: r.request_hash,
            status: r.status.and_then(|s| u16::try_from(s).ok()).unwrap_or(500),
            body: r.body.unwrap_or_default(),
        }
    }
}

/// Implements `IdempotencyStore` for `$store` on `$db`, in a module `$module` that also holds
/// `insert_answer` (the case changes and messages record their answer in their transaction).
macro_rules! idempotency_store {
    ($module:ident, $store:ty, $db:ty) => {
        pub(crate) mod $module {
            use super::*;
            use jiff::Timestamp;
            use redress_app::ports::{IdempotencyStore, StoreResult};

            /// Records the answer to an Idempotency-Key in `tx`; a live answer under the key already
            /// is `AlreadyAnswered` (an expired one is replaced).
            pub(crate) async fn insert_answer(conn: &mut <$db as sqlx::Database>::Connection, answer: &IdempotencyRecord) -> StoreResult<()> {
                let written = sqlx::query("INSERT INTO idempotency_keys (scope, key, request_hash, status, body, created_at, completed_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $6, $7) ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status, body = excluded.body, created_at = excluded.created_at, completed_at = excluded.completed_at, expires_at = excluded.expires_at WHERE idempotency_keys.expires_at <= excluded.created_at")
                    .bind(&answer.scope)
                    .bind(&answer.key)
                    .bind(&answer.request_hash)
                    .bind(i64::from(answer.status))
                    .bind(&answer.body)
                    .bind(Time(answer.created_at))
                    .bind(Time(answer.expires_at))
                    .execute(&mut *conn)
                    .await
                    .map_err(other)?;
                if written.rows_affected() == 1 { Ok(()) } else { Err(StoreError::AlreadyAnswered) }
            }


            #[async_trait::async_trait]
            impl IdempotencyStore for $store {
                async fn idempotency_answer(&self, scope: &str, key: &str, now: Timestamp) -> StoreResult<Option<StoredAnswer>> {
                    let row: Option<AnswerRow> = sqlx::query_as("SELECT request_hash, status, body FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at > $3 AND status IS NOT NULL")
                        .bind(scope)
                        .bind(key)
                        .bind(Time(now))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(row.map(StoredAnswer::from))
                }

                async fn idempotency_record(&self, answer: &IdempotencyRecord, _now: Timestamp) -> StoreResult<bool> {
                    let mut tx = self.begin_write().await.map_err(other)?;
                    match insert_answer(&mut *tx, answer).await {
                        Ok(()) => {
                            tx.commit().await.map_err(other)?;
                            Ok(true)
                        }
                        Err(StoreError::AlreadyAnswered) => Ok(false),
                        Err(e) => Err(e),
                    }
                }

                async fn purge_idempotency(&self, now: Timestamp) -> StoreResult<u64> {
                    let deleted = sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
                        .bind(Time(now))
                        .execute(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(deleted.rows_affected())
                }
            }
        }
    };
}

idempotency_store!(sqlite, crate::SqliteStore, sqlx::Sqlite);
idempotency_store!(postgres, crate::PgStore, sqlx::Postgres);
