//! Reads for a batch of claimed cases (`SweepStore`): the same SQL on both databases, one
//! statement for the whole batch (`IN` over its ids) instead of one per case.

use crate::codec::{Id, Json};
use crate::shared::other;
use redress_app::ports::{CaseRecord, StoreResult, SweepStore};
use redress_domain::{Case, CaseId, MerchantId, UserId};

/// Ids per statement at most (well inside both databases' limits on parameters).
const IDS_PER_STATEMENT: usize = 1000;

#[derive(sqlx::FromRow)]
struct CaseRow {
    body: Json<Case>,
    version: i64,
    last_hash: String,
}

#[derive(sqlx::FromRow)]
struct StaffRow {
    merchant_id: Id,
    id: Id,
}

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
                        list.push_bind(Id::from(*id));
                    }
                    let rows: Vec<CaseRow> =
                        select.push(")").build_query_as().fetch_all(&self.pool).await.map_err(other)?;
                    records.extend(rows.into_iter().map(|r| CaseRecord {
                        case: r.body.0,
                        version: r.version,
                        last_hash: r.last_hash,
                    }));
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
                        list.push_bind(Id::from(*merchant));
                    }
                    let rows: Vec<StaffRow> =
                        select.push(")").build_query_as().fetch_all(&self.pool).await.map_err(other)?;
                    staff.extend(rows.into_iter().map(|r| (r.merchant_id.into(), r.id.into())));
                }
                Ok(staff)
            }
        }
    };
}

sweep_store!(crate::SqliteStore, sqlx::Sqlite);
sweep_store!(crate::PgStore, sqlx::Postgres);
