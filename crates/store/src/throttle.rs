//! Login attempts per throttle key: the same SQL on both databases, so every server process on
//! one database sees one count. Each change is a compare-and-swap on the record's `attempts` and
//! `last_at`, so concurrent attempts are counted one by one.

use crate::codec::Time;
use crate::shared::other;
use jiff::Timestamp;
use redress_app::ports::{LoginAttemptStore, LoginAttempts, StoreResult};
use sqlx::Row;

macro_rules! login_attempt_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl LoginAttemptStore for $store {
            async fn login_attempts(&self, key: &str) -> StoreResult<Option<LoginAttempts>> {
                let row = sqlx::query("SELECT attempts, not_before, last_at FROM login_attempts WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                let Some(row) = row else { return Ok(None) };
                let attempts: i64 = row.try_get("attempts").map_err(other)?;
                Ok(Some(LoginAttempts {
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                    not_before: row.try_get::<Time, _>("not_before").map_err(other)?.0,
                    last_at: row.try_get::<Time, _>("last_at").map_err(other)?.0,
                }))
            }

            async fn swap_login_attempts(
                &self,
                key: &str,
                expected: Option<&LoginAttempts>,
                new: &LoginAttempts,
            ) -> StoreResult<bool> {
                let (attempts, not_before, last_at) = (i64::from(new.attempts), Time(new.not_before), Time(new.last_at));
                let done = match expected {
                    None => sqlx::query(
                        "INSERT INTO login_attempts (key, attempts, not_before, last_at) VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
                    )
                    .bind(key)
                    .bind(attempts)
                    .bind(not_before)
                    .bind(last_at)
                    .execute(&self.pool)
                    .await,
                    Some(old) => sqlx::query(
                        "UPDATE login_attempts SET attempts = $2, not_before = $3, last_at = $4 WHERE key = $1 AND attempts = $5 AND last_at = $6",
                    )
                    .bind(key)
                    .bind(attempts)
                    .bind(not_before)
                    .bind(last_at)
                    .bind(i64::from(old.attempts))
                    .bind(Time(old.last_at))
                    .execute(&self.pool)
                    .await,
                }
                .map_err(other)?;
                Ok(done.rows_affected() == 1)
            }

            async fn refund_login_attempt(&self, key: &str) -> StoreResult<()> {
                sqlx::query("UPDATE login_attempts SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0")
                    .bind(key)
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(())
            }

            async fn forget_login_attempts(&self, key: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM login_attempts WHERE key = $1").bind(key).execute(&self.pool).await.map_err(other)?;
                Ok(())
            }

            async fn purge_login_attempts(&self, now: Timestamp, quiet_before: Timestamp) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM login_attempts WHERE not_before < $1 AND last_at < $2")
                    .bind(Time(now))
                    .bind(Time(quiet_before))
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(done.rows_affected())
            }
        }
    };
}

login_attempt_store!(crate::SqliteStore);
login_attempt_store!(crate::PgStore);
