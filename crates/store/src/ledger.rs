//! The built-in payment ledger (`LedgerStore`): a payout recorded once per refund id, refunds
//! never past what the order paid, under the order's lock. The same SQL on both databases except
//! the order's lock (`LOCK_ORDER` of each database).

use crate::codec::{Id, Time};
use crate::shared::other;
use redress_app::ports::LedgerRefund;
use redress_domain::Money;
use redress_domain::order::Order;

/// Implements `LedgerStore` for `$store` on `$db`, in a module `$module`.
macro_rules! ledger_store {
    ($module:ident, $store:ty, $db:ty, lock_order: $lock_order:expr) => {
        pub(crate) mod $module {
            use super::*;
            use jiff::Timestamp;
            use redress_app::ports::{LedgerStore, StoreResult};
            use redress_domain::OrderId;

            /// Records a payout in the ledger on `conn` (inside the caller's transaction), at most once per refund id
            /// and never past what the order paid.
            async fn ledger_refund_in(conn: &mut <$db as sqlx::Database>::Connection, order: &Order, refund_id: &str, amount: Money, kind: redress_app::ports::PayoutKind, at: Timestamp) -> StoreResult<LedgerRefund> {
                sqlx::query($lock_order).bind(Id::from(order.id)).fetch_optional(&mut *conn).await.map_err(other)?;
                let existing: Option<i64> = sqlx::query_scalar("SELECT amount FROM refund_ledger WHERE refund_id = $1")
                    .bind(refund_id)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(other)?;
                if existing.is_some() {
                    return Ok(LedgerRefund::Executed);
                }
                let total: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM refund_ledger WHERE order_id = $1 AND kind = 'refund'")
                    .bind(Id::from(order.id))
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(other)?;
                let is_refund = kind == redress_app::ports::PayoutKind::Refund;
                if !amount.is_positive() || (is_refund && total + amount.fen() > order.amount_paid.fen()) {
                    return Ok(LedgerRefund::Refused(format!(
                        "refunds on order {} would reach {} of {} paid",
                        order.number,
                        Money::from_fen(total + amount.fen()),
                        order.amount_paid
                    )));
                }
                sqlx::query("INSERT INTO refund_ledger (refund_id, order_id, amount, created_at, kind) VALUES ($1, $2, $3, $4, $5)")
                    .bind(refund_id)
                    .bind(Id::from(order.id))
                    .bind(amount.fen())
                    .bind(Time(at))
                    .bind(kind.as_str())
                    .execute(&mut *conn)
                    .await
                    .map_err(other)?;
                Ok(LedgerRefund::Executed)
            }


            #[async_trait::async_trait]
            impl LedgerStore for $store {
                async fn ledger_refund(&self, order: &Order, refund_id: &str, amount: Money, kind: redress_app::ports::PayoutKind, at: Timestamp) -> StoreResult<LedgerRefund> {
                    // Through the writer: on SQLite it joins a group commit instead of waiting for the
                    // write lock behind it and paying an fsync of its own.
                    let (order, refund_id) = (order.clone(), refund_id.to_owned());
                    crate::shared::write_returning::<$db, _, _, _, _>(|c| self.write_change(c), move |conn| {
                        Box::pin(async move { ledger_refund_in(conn, &order, &refund_id, amount, kind, at).await })
                    })
                    .await
                }

                async fn ledger_total(&self, order_id: OrderId) -> StoreResult<Money> {
                    let total: i64 = sqlx::query_scalar("SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM refund_ledger WHERE order_id = $1 AND kind = 'refund'")
                        .bind(Id::from(order_id))
                        .fetch_one(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(Money::from_fen(total))
                }
            }
        }
    };
}

ledger_store!(sqlite, crate::SqliteStore, sqlx::Sqlite, lock_order: crate::sqlite::LOCK_ORDER);
ledger_store!(postgres, crate::PgStore, sqlx::Postgres, lock_order: crate::postgres::LOCK_ORDER);
