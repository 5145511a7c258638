//! Webhook subscriptions, deliveries and their attempt log: the same SQL on both databases
//! except how due deliveries are claimed (PostgreSQL skips rows another worker is claiming).
//! Every attempt is leased (`lease_owner` plus the attempt number), and its outcome is written
//! only by the worker that still holds that lease, so no attempt is made or logged twice.

use crate::codec::{Id, Json, Time};
use crate::shared::other;
use jiff::Timestamp;
use redress_app::ports::StoreResult;
use redress_app::webhooks::{
    Attempt, AttemptOutcome, ClaimedDelivery, Delivery, DeliveryStatus, NewDelivery, Subscription, WebhookStore,
};
use redress_domain::MerchantId;
use sqlx::Row;
use uuid::Uuid;

macro_rules! subscription_columns {
    () => {
        "id, merchant_id, url, event_types, active, secret, previous_secret, previous_until, created_at, updated_at"
    };
}
macro_rules! delivery_columns {
    () => {
        "id, subscription_id, event_id, event_type, case_id, status, attempts, created_at, retry_from, next_attempt_at, last_attempt_at, last_status, last_error, delivered_at"
    };
}

macro_rules! webhook_store {
    ($module:ident, $store:ty, $db:ty, claim: $claim:expr) => {
        mod $module {
        use super::*;

fn opt_time(t: Option<Time>) -> anyhow::Result<Option<Timestamp>> {
    Ok(t.map(Timestamp::from))
}

fn subscription_from(r: &<$db as sqlx::Database>::Row) -> anyhow::Result<Subscription> {
    Ok(Subscription {
        id: r.try_get::<Id, _>("id")?.into(),
        merchant_id: r.try_get::<Id, _>("merchant_id")?.into(),
        url: r.try_get("url")?,
        event_types: r.try_get::<Json<_>, _>("event_types")?.0,
        active: r.try_get::<i64, _>("active")? != 0,
        secret: r.try_get("secret")?,
        previous_secret: r.try_get("previous_secret")?,
        previous_until: opt_time(r.try_get("previous_until")?)?,
        created_at: r.try_get::<Time, _>("created_at")?.0,
        updated_at: r.try_get::<Time, _>("updated_at")?.0,
    })
}

fn delivery_from(r: &<$db as sqlx::Database>::Row) -> anyhow::Result<Delivery> {
    let status: String = r.try_get("status")?;
    let case_id: Option<Id> = r.try_get("case_id")?;
    Ok(Delivery {
        id: r.try_get::<Id, _>("id")?.into(),
        subscription_id: r.try_get::<Id, _>("subscription_id")?.into(),
        event_id: r.try_get("event_id")?,
        event_type: r.try_get("event_type")?,
        case_id: case_id.map(Into::into),
        status: DeliveryStatus::parse(&status).ok_or_else(|| anyhow::anyhow!("stored delivery status `{status}`"))?,
        attempts: r.try_get("attempts")?,
        created_at: r.try_get::<Time, _>("created_at")?.0,
        retry_from: r.try_get::<Time, _>("retry_from")?.0,
        next_attempt_at: opt_time(r.try_get("next_attempt_at")?)?,
        last_attempt_at: opt_time(r.try_get("last_attempt_at")?)?,
        last_status: r.try_get::<Option<i64>, _>("last_status")?.map(u16::try_from).transpose()?,
        last_error: r.try_get("last_error")?,
        delivered_at: opt_time(r.try_get("delivered_at")?)?,
    })
}

fn attempt_from(r: &<$db as sqlx::Database>::Row) -> anyhow::Result<Attempt> {
    Ok(Attempt {
        attempt: r.try_get("attempt")?,
        at: r.try_get::<Time, _>("at")?.0,
        status_code: r.try_get::<Option<i64>, _>("status_code")?.map(u16::try_from).transpose()?,
        response: r.try_get("response")?,
        error: r.try_get("error")?,
        duration_ms: r.try_get("duration_ms")?,
    })
}

        #[async_trait::async_trait]
        impl WebhookStore for $store {
            async fn insert_subscription(&self, s: &Subscription) -> StoreResult<()> {
                sqlx::query("INSERT INTO webhook_subscriptions (id, merchant_id, url, event_types, active, secret, previous_secret, previous_until, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                    .bind(Id::from(s.id))
                    .bind(Id::from(s.merchant_id))
                    .bind(&s.url)
                    .bind(Json(&s.event_types))
                    .bind(i64::from(s.active))
                    .bind(&s.secret)
                    .bind(&s.previous_secret)
                    .bind(s.previous_until.map(Time))
                    .bind(Time(s.created_at))
                    .bind(Time(s.updated_at))
                    .execute(&self.pool)
                    .await
                    .map_err(|e| crate::shared::unique_or("webhook subscription", e))?;
                Ok(())
            }

            async fn subscription(&self, merchant: MerchantId, id: Uuid) -> StoreResult<Option<Subscription>> {
                let row = sqlx::query(concat!("SELECT ", subscription_columns!(), " FROM webhook_subscriptions WHERE id = $1 AND merchant_id = $2"))
                    .bind(Id::from(id))
                    .bind(Id::from(merchant))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(row.map(|r| subscription_from(&r)).transpose()?)
            }

            async fn subscriptions(&self, merchant: MerchantId) -> StoreResult<Vec<Subscription>> {
                let rows = sqlx::query(concat!("SELECT ", subscription_columns!(), " FROM webhook_subscriptions WHERE merchant_id = $1 ORDER BY id"))
                    .bind(Id::from(merchant))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(rows.iter().map(subscription_from).collect::<anyhow::Result<_>>()?)
            }

            async fn update_subscription(&self, s: &Subscription) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE webhook_subscriptions SET url = $1, event_types = $2, active = $3, secret = $4, previous_secret = $5, previous_until = $6, updated_at = $7 WHERE id = $8 AND merchant_id = $9")
                    .bind(&s.url)
                    .bind(Json(&s.event_types))
                    .bind(i64::from(s.active))
                    .bind(&s.secret)
                    .bind(&s.previous_secret)
                    .bind(s.previous_until.map(Time))
                    .bind(Time(s.updated_at))
                    .bind(Id::from(s.id))
                    .bind(Id::from(s.merchant_id))
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(done.rows_affected() == 1)
            }

            async fn delete_subscription(&self, merchant: MerchantId, id: Uuid) -> StoreResult<bool> {
                let mut tx = self.begin_write().await.map_err(other)?;
                let id = Id(id);
                let owned: Option<Id> = sqlx::query_scalar("SELECT id FROM webhook_subscriptions WHERE id = $1 AND merchant_id = $2")
                    .bind(&id)
                    .bind(Id::from(merchant))
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(other)?;
                if owned.is_none() {
                    return Ok(false);
                }
                // Explicit, not left to ON DELETE CASCADE: SQLite enforces it only with foreign keys on.
                sqlx::query("DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries WHERE subscription_id = $1)")
                    .bind(&id)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                sqlx::query("DELETE FROM webhook_deliveries WHERE subscription_id = $1").bind(&id).execute(&mut *tx).await.map_err(other)?;
                sqlx::query("DELETE FROM webhook_subscriptions WHERE id = $1").bind(&id).execute(&mut *tx).await.map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(true)
            }

            async fn fan_out_webhooks(&self, job: Uuid, deliveries: &[NewDelivery], at: Timestamp) -> StoreResult<()> {
                let mut tx = self.begin_write().await.map_err(other)?;
                for d in deliveries {
                    sqlx::query("INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, case_id, body, status, attempts, retry_from, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $7) ON CONFLICT (subscription_id, event_id) DO NOTHING")
                        .bind(Id::from(d.id))
                        .bind(Id::from(d.subscription_id))
                        .bind(&d.event_id)
                        .bind(&d.event_type)
                        .bind(d.case_id.map(Id::from))
                        .bind(&d.body)
                        .bind(Time(at))
                        .execute(&mut *tx)
                        .await
                        .map_err(other)?;
                }
                sqlx::query("UPDATE outbox SET done_at = $1, lease_until = NULL, lease_owner = NULL WHERE id = $2")
                    .bind(Time(at))
                    .bind(Id::from(job))
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(())
            }

            async fn claim_deliveries(&self, now: Timestamp, lease_until: Timestamp, owner: &str, limit: i64) -> StoreResult<Vec<ClaimedDelivery>> {
                let ids: Vec<Id> = sqlx::query_scalar($claim)
                    .bind(Time(now))
                    .bind(Time(lease_until))
                    .bind(owner)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                let mut claimed = Vec::with_capacity(ids.len());
                for id in ids {
                    let row = sqlx::query(concat!("SELECT ", delivery_columns!(), ", body FROM webhook_deliveries WHERE id = $1 AND lease_owner = $2"))
                        .bind(&id)
                        .bind(owner)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    let Some(row) = row else { continue };
                    let delivery = delivery_from(&row)?;
                    let s = sqlx::query(concat!("SELECT ", subscription_columns!(), " FROM webhook_subscriptions WHERE id = $1"))
                        .bind(Id::from(delivery.subscription_id))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    let Some(s) = s else { continue };
                    claimed.push(ClaimedDelivery { body: row.try_get("body").map_err(other)?, subscription: subscription_from(&s)?, delivery });
                }
                Ok(claimed)
            }

            async fn record_attempt(&self, delivery: Uuid, owner: &str, attempt: &Attempt, outcome: AttemptOutcome) -> StoreResult<bool> {
                let (status, next, delivered_at) = match outcome {
                    AttemptOutcome::Delivered => (DeliveryStatus::Delivered, None, Some(Time(attempt.at))),
                    AttemptOutcome::RetryAt(at) => (DeliveryStatus::Pending, Some(Time(at)), None),
                    AttemptOutcome::Dead => (DeliveryStatus::Dead, None, None),
                };
                let mut tx = self.begin_write().await.map_err(other)?;
                let updated = sqlx::query("UPDATE webhook_deliveries SET status = $1, next_attempt_at = $2, delivered_at = $3, last_attempt_at = $4, last_status = $5, last_error = $6, lease_until = NULL, lease_owner = NULL WHERE id = $7 AND lease_owner = $8 AND attempts = $9 AND status = 'pending'")
                    .bind(status.as_str())
                    .bind(next)
                    .bind(delivered_at)
                    .bind(Time(attempt.at))
                    .bind(attempt.status_code.map(i64::from))
                    .bind(&attempt.error)
                    .bind(Id::from(delivery))
                    .bind(owner)
                    .bind(attempt.attempt)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                if updated.rows_affected() != 1 {
                    return Ok(false);
                }
                sqlx::query("INSERT INTO webhook_attempts (id, delivery_id, attempt, at, status_code, response, error, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(Id::from(Uuid::now_v7()))
                    .bind(Id::from(delivery))
                    .bind(attempt.attempt)
                    .bind(Time(attempt.at))
                    .bind(attempt.status_code.map(i64::from))
                    .bind(&attempt.response)
                    .bind(&attempt.error)
                    .bind(attempt.duration_ms)
                    .execute(&mut *tx)
                    .await
                    .map_err(other)?;
                tx.commit().await.map_err(other)?;
                Ok(true)
            }

            async fn deliveries(&self, subscription: Uuid, status: Option<DeliveryStatus>, before: Option<Uuid>, limit: i64) -> StoreResult<Vec<Delivery>> {
                let rows = sqlx::query(concat!("SELECT ", delivery_columns!(), " FROM webhook_deliveries WHERE subscription_id = $1 AND (CAST($2 AS TEXT) IS NULL OR status = $2) AND (CAST($3 AS TEXT) IS NULL OR id < $3) ORDER BY id DESC LIMIT $4"))
                    .bind(Id::from(subscription))
                    .bind(status.map(|s| s.as_str()))
                    .bind(before.map(Id::from))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(rows.iter().map(delivery_from).collect::<anyhow::Result<_>>()?)
            }

            async fn delivery(&self, subscription: Uuid, id: Uuid) -> StoreResult<Option<(Delivery, String, Vec<Attempt>)>> {
                let row = sqlx::query(concat!("SELECT ", delivery_columns!(), ", body FROM webhook_deliveries WHERE id = $1 AND subscription_id = $2"))
                    .bind(Id::from(id))
                    .bind(Id::from(subscription))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                let Some(row) = row else { return Ok(None) };
                let attempts = sqlx::query("SELECT attempt, at, status_code, response, error, duration_ms FROM webhook_attempts WHERE delivery_id = $1 ORDER BY id")
                    .bind(Id::from(id))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(Some((
                    delivery_from(&row)?,
                    row.try_get("body").map_err(other)?,
                    attempts.iter().map(attempt_from).collect::<anyhow::Result<_>>()?,
                )))
            }

            async fn redeliver(&self, subscription: Uuid, id: Uuid, now: Timestamp) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE webhook_deliveries SET status = 'pending', attempts = 0, retry_from = $1, next_attempt_at = $1 WHERE id = $2 AND subscription_id = $3 AND status <> 'pending'")
                    .bind(Time(now))
                    .bind(Id::from(id))
                    .bind(Id::from(subscription))
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(done.rows_affected() == 1)
            }

            async fn redeliver_since(&self, subscription: Uuid, since: Timestamp, now: Timestamp) -> StoreResult<u64> {
                let done = sqlx::query("UPDATE webhook_deliveries SET status = 'pending', attempts = 0, retry_from = $1, next_attempt_at = $1 WHERE subscription_id = $2 AND created_at >= $3 AND status <> 'pending'")
                    .bind(Time(now))
                    .bind(Id::from(subscription))
                    .bind(Time(since))
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(done.rows_affected())
            }

            async fn purge_deliveries(&self, finished_before: Timestamp, limit: i64) -> StoreResult<u64> {
                // The attempts go with their delivery (ON DELETE CASCADE). The expression is the
                // one `webhook_deliveries_finished` indexes.
                let done = sqlx::query("DELETE FROM webhook_deliveries WHERE id IN (SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND COALESCE(delivered_at, last_attempt_at, created_at) < $1 LIMIT $2)")
                    .bind(Time(finished_before))
                    .bind(limit)
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(done.rows_affected())
            }
        }
        }
    };
}

webhook_store!(
    sqlite,
    crate::SqliteStore,
    sqlx::Sqlite,
    claim: "UPDATE webhook_deliveries SET lease_until = $2, lease_owner = $3, attempts = attempts + 1 WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until < $1) AND s.active = 1 ORDER BY d.next_attempt_at LIMIT $4) RETURNING id"
);
webhook_store!(
    postgres,
    crate::PgStore,
    sqlx::Postgres,
    claim: "UPDATE webhook_deliveries SET lease_until = $2, lease_owner = $3, attempts = attempts + 1 WHERE id IN (SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until < $1) AND s.active = 1 ORDER BY d.next_attempt_at LIMIT $4 FOR UPDATE OF d SKIP LOCKED) AND status = 'pending' AND (lease_until IS NULL OR lease_until < $1) RETURNING id"
);
