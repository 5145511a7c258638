//! Order conversations on both databases, the same SQL: a message takes the next place of its
//! order's chain (the primary key refuses a second writer at the same place, who retries), with
//! its file rows, the other side's notifications and the request's idempotency answer, in one
//! transaction. Receipts only move forward (`WHERE up_to < excluded.up_to`).

use crate::codec::{Id, Time, from_json};
use crate::shared::other;
use redress_app::conversations::{Appended, ConversationStore, ReadReceipt, StoredMessage};
use redress_app::escalations::Notification;
use redress_app::ports::{IdempotencyRecord, StoreError, StoreResult};
use redress_domain::chain::Link;
use redress_domain::{CaseId, EvidenceId, OrderId, Party};
use sqlx::Row;

fn stored_from(
    order: OrderId,
    seq: i64,
    content: String,
    prev_hash: String,
    hash: String,
) -> StoreResult<StoredMessage> {
    let message: redress_domain::conversation::Message = from_json(&content)?;
    if message.order_id != order || message.seq != seq {
        return Err(StoreError::Other(anyhow::anyhow!(
            "conversation {order} #{seq}: stored content names another place"
        )));
    }
    Ok(StoredMessage { message, link: Link { seq, content, prev_hash, hash } })
}

fn side(text: &str) -> StoreResult<Party> {
    match text {
        "buyer" => Ok(Party::Buyer),
        "merchant" => Ok(Party::Merchant),
        other => Err(StoreError::Other(anyhow::anyhow!("stored conversation side `{other}`"))),
    }
}

macro_rules! conversation_store {
    ($store:ty, $module:ident, lock_order: $lock_order:expr) => {
        #[async_trait::async_trait]
        impl ConversationStore for $store {
            async fn append_message(
                &self,
                stored: &StoredMessage,
                notifications: &[Notification],
                answer: Option<&IdempotencyRecord>,
            ) -> StoreResult<Appended> {
                let (m, link) = (&stored.message, &stored.link);
                let mut tx = self.begin_write().await.map_err(other)?;
                // Under the order's lock, which a filing takes too: a case filed before this
                // message counted the record without it, so the message is refused.
                sqlx::query($lock_order).bind(Id::from(m.order_id)).fetch_optional(&mut *tx).await.map_err(other)?;
                let open: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE order_id = $1 AND state <> 'closed'")
                    .bind(Id::from(m.order_id))
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(other)?;
                if open > 0 {
                    return Ok(Appended::CaseOpen);
                }
                let inserted = sqlx::query("INSERT INTO conversation_messages (order_id, seq, at, author_side, content, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(Id::from(m.order_id))
                    .bind(link.seq)
                    .bind(Time(m.at))
                    .bind(m.side().as_str())
                    .bind(&link.content)
                    .bind(&link.prev_hash)
                    .bind(&link.hash)
                    .execute(&mut *tx)
                    .await;
                match inserted {
                    Ok(_) => {}
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Err(StoreError::Conflict),
                    Err(e) => return Err(other(e)),
                }
                for file in &m.files {
                    sqlx::query("INSERT INTO conversation_files (id, order_id, seq, sha256, created_at) VALUES ($1, $2, $3, $4, $5)")
                        .bind(Id::from(file.evidence_id))
                        .bind(Id::from(m.order_id))
                        .bind(link.seq)
                        .bind(&file.sha256)
                        .bind(Time(m.at))
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| match e {
                            // The file's id is the upload's key: a twin request sent it first.
                            sqlx::Error::Database(e) if e.is_unique_violation() => StoreError::Conflict,
                            e => other(e),
                        })?;
                }
                crate::$module::insert_notifications_in(&mut *tx, notifications).await?;
                if let Some(answer) = answer {
                    crate::$module::insert_answer(&mut *tx, answer).await?;
                }
                tx.commit().await.map_err(other)?;
                Ok(Appended::Done)
            }

            async fn negotiation_length(&self, case: CaseId) -> StoreResult<Option<i64>> {
                sqlx::query_scalar("SELECT messages FROM case_negotiations WHERE case_id = $1")
                    .bind(Id::from(case))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)
            }

            async fn conversation_head(&self, order: OrderId) -> StoreResult<Option<StoredMessage>> {
                Ok(self.messages_page(order, None, 1).await?.pop())
            }

            async fn messages_page(&self, order: OrderId, before: Option<i64>, limit: i64) -> StoreResult<Vec<StoredMessage>> {
                let rows = sqlx::query("SELECT seq, content, prev_hash, hash FROM conversation_messages WHERE order_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3")
                    .bind(Id::from(order))
                    .bind(before.unwrap_or(i64::MAX))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                rows.into_iter()
                    .map(|r| stored_from(order, r.try_get("seq").map_err(other)?, r.try_get("content").map_err(other)?, r.try_get("prev_hash").map_err(other)?, r.try_get("hash").map_err(other)?))
                    .collect()
            }

            async fn messages(&self, order: OrderId) -> StoreResult<Vec<StoredMessage>> {
                let mut all = self.messages_page(order, None, i64::MAX).await?;
                all.reverse();
                Ok(all)
            }

            async fn message_with_file(&self, order: OrderId, file: EvidenceId) -> StoreResult<Option<StoredMessage>> {
                let row = sqlx::query("SELECT m.seq, m.content, m.prev_hash, m.hash FROM conversation_files f JOIN conversation_messages m ON m.order_id = f.order_id AND m.seq = f.seq WHERE f.id = $1 AND f.order_id = $2")
                    .bind(Id::from(file))
                    .bind(Id::from(order))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                row.map(|r| stored_from(order, r.try_get("seq").map_err(other)?, r.try_get("content").map_err(other)?, r.try_get("prev_hash").map_err(other)?, r.try_get("hash").map_err(other)?))
                    .transpose()
            }

            async fn mark_read(&self, order: OrderId, receipt: &ReadReceipt) -> StoreResult<ReadReceipt> {
                let mut tx = self.begin_write().await.map_err(other)?;
                sqlx::query("INSERT INTO conversation_reads (order_id, reader, side, up_to, read_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (order_id, reader) DO UPDATE SET up_to = excluded.up_to, read_at = excluded.read_at WHERE conversation_reads.up_to < excluded.up_to")
                    .bind(Id::from(order))
                    .bind(&receipt.reader)
                    .bind(receipt.side.as_str())
                    .bind(receipt.up_to)
                    .bind(Time(receipt.read_at))
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                let row = sqlx::query("SELECT reader, side, up_to, read_at FROM conversation_reads WHERE order_id = $1 AND reader = $2")
                    .bind(Id::from(order))
                    .bind(&receipt.reader)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                receipt_from(&row)
            }

            async fn read_receipts(&self, order: OrderId) -> StoreResult<Vec<ReadReceipt>> {
                let rows = sqlx::query("SELECT reader, side, up_to, read_at FROM conversation_reads WHERE order_id = $1 ORDER BY reader")
                    .bind(Id::from(order))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                rows.iter().map(|r| receipt_from(r)).collect()
            }
        }
    };
}

fn receipt_from<R: Row>(r: &R) -> StoreResult<ReadReceipt>
where
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Time: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ReadReceipt {
        reader: r.try_get("reader").map_err(other)?,
        side: side(&r.try_get::<String, _>("side").map_err(other)?)?,
        up_to: r.try_get("up_to").map_err(other)?,
        read_at: r.try_get::<Time, _>("read_at").map_err(other)?.0,
    })
}

conversation_store!(crate::SqliteStore, sqlite, lock_order: crate::sqlite::LOCK_ORDER);
conversation_store!(crate::PgStore, postgres, lock_order: crate::postgres::LOCK_ORDER);
