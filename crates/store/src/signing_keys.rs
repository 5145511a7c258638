//! The platform's signing keys: one row per purpose, the same SQL on both databases. The first
//! of several processes to store a key wins; the others read it back.

use crate::codec::Time;
use crate::shared::other;
use jiff::Timestamp;
use redress_app::ports::{SigningKeyStore, StoreResult};

macro_rules! signing_key_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl SigningKeyStore for $store {
            async fn signing_key(&self, purpose: &str) -> StoreResult<Option<String>> {
                sqlx::query_scalar("SELECT private_key FROM signing_keys WHERE purpose = $1")
                    .bind(purpose)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)
            }

            async fn keep_signing_key(&self, purpose: &str, private_key: &str, at: Timestamp) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO signing_keys (purpose, private_key, created_at) VALUES ($1, $2, $3) ON CONFLICT (purpose) DO NOTHING",
                )
                .bind(purpose)
                .bind(private_key)
                .bind(Time(at))
                .execute(&self.pool)
                .await
                .map_err(other)?;
                Ok(())
            }
        }
    };
}

signing_key_store!(crate::SqliteStore);
signing_key_store!(crate::PgStore);
