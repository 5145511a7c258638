//! Reads for a batch of claimed cases (`SweepStore`): the same SQL on both databases, one
//! statement for the whole batch (`IN` over its ids) instead of one per case.

use crate::codec::{from_json, parse_id};
use crate::shared::other;
use redress_app::ports::{CaseRecord, StoreResult, SweepStore};
use redress_domain::{CaseId, MerchantId, UserId};
use sqlx::Row;

/// Ids per statement at most (well inside both databases' limits on parameters).
const IDS_PER_STATEMENT: usize = 1000;

macro_rules! sweep_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl SweepStore for $store {
            async fn cases_by_id(&self, ids: &[CaseId]) -> StoreResult<Vec<CaseRecord>> {
                let mut records = Vec::with_capacity(ids.len());
                for ids in ids.chunks(IDS_PER_STATEMENT) {
                    let mut select =
                        sqlx::QueryBuilder::<$db>::new("SELECT body, version, last_hash FROM cases WHERE id IN (");
                    let mut list = select.separated(", ");
                    for id in ids {
                        list.push_bind(id.to_string());
                    }
                    let rows = select.push(")").build().fetch_all(&self.pool).await.map_err(other)?;
                    for r in rows {
                        records.push(CaseRecord {
                            case: from_json(&r.try_get::<String, _>("body").map_err(other)?)?,
                            version: r.try_get("version").map_err(other)?,
                            last_hash: r.try_get("last_hash").map_err(other)?,
                        });
                    }
                }
                Ok(records)
            }

            async fn staff_of(&self, merchants: &[MerchantId]) -> StoreResult<Vec<(MerchantId, UserId)>> {
                let mut staff = Vec::new();
                for merchants in merchants.chunks(IDS_PER_STATEMENT) {
                    let mut select = sqlx::QueryBuilder::<$db>::new(
                        "SELECT merchant_id, id FROM users WHERE role = 'merchant' AND merchant_id IN (",
                    );
                    let mut list = select.separated(", ");
                    for merchant in merchants {
                        list.push_bind(merchant.to_string());
                    }
                    let rows = select.push(")").build().fetch_all(&self.pool).await.map_err(other)?;
                    for r in rows {
                        staff.push((
                            parse_id(&r.try_get::<String, _>("merchant_id").map_err(other)?)?,
                            parse_id(&r.try_get::<String, _>("id").map_err(other)?)?,
                        ));
                    }
                }
                Ok(staff)
            }
        }
    };
}

sweep_store!(crate::SqliteStore, sqlx::Sqlite);
sweep_store!(crate::PgStore, sqlx::Postgres);
