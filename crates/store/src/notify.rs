//! Notifications (`NotificationStore`): a person's inbox, read marks, e-mail settings and
//! address, in the same SQL on both databases. The notification rows and their e-mail jobs are
//! written in the transaction of what caused them (`insert_notifications_in`, called by messages
//! and escalations; a case change writes them in its own script), by `script.rs`, which holds
//! the one statement that differs: a notification's key (PostgreSQL partitions the table by time,
//! migration 0025, so its key is (id, created_at)).

use crate::codec::{Id, Json, Time, from_json, to_json};
use crate::shared::other;
use jiff::Timestamp;
use redress_app::email::NotificationSettings;
use redress_app::escalations::Notification;
use redress_app::ports::{NotificationStore, StoreResult};
use redress_domain::UserId;
use sqlx::Row;

#[derive(sqlx::FromRow)]
struct NotificationRow {
    body: Json<Notification>,
    read_at: Option<Time>,
}

impl From<NotificationRow> for Notification {
    fn from(r: NotificationRow) -> Notification {
        Notification { read_at: r.read_at.map(Timestamp::from), ..r.body.0 }
    }
}

/// Implements `NotificationStore` for `$store` on `$db`, in a module `$module` that also holds
/// `insert_notifications_in`.
macro_rules! notification_store {
    ($module:ident, $store:ty, $db:ty) => {
        pub(crate) mod $module {
            use super::*;

            /// Puts `notifications` in their readers' inboxes and queues the emails of those not
            /// stored before (a retried job's were queued then), on `conn` inside the caller's
            /// transaction: one call on SQLite (`script.rs`).
            pub(crate) async fn insert_notifications_in(conn: &mut <$db as sqlx::Database>::Connection, notifications: &[Notification]) -> StoreResult<()> {
                crate::script::$module::write_outbox(conn, crate::script::notification_rows(notifications.iter().cloned())).await
            }

            #[async_trait::async_trait]
            impl NotificationStore for $store {
                async fn notification(&self, id: uuid::Uuid) -> StoreResult<Option<Notification>> {
                    let row: Option<NotificationRow> = sqlx::query_as("SELECT body, read_at FROM notifications WHERE id = $1")
                        .bind(Id::from(id))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(row.map(Notification::from))
                }

                async fn notification_settings(&self, user: UserId) -> StoreResult<Option<NotificationSettings>> {
                    let row = sqlx::query("SELECT language, email_off FROM notification_settings WHERE user_id = $1")
                        .bind(Id::from(user))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other)?;
                    let Some(row) = row else { return Ok(None) };
                    let language: String = row.try_get("language").map_err(other)?;
                    Ok(Some(NotificationSettings {
                        language: from_json(&format!("\"{language}\""))?,
                        email_off: row.try_get::<Json<_>, _>("email_off").map_err(other)?.0,
                    }))
                }

                async fn put_notification_settings(&self, user: UserId, settings: &NotificationSettings, at: Timestamp) -> StoreResult<()> {
                    let language = to_json(&settings.language)?;
                    sqlx::query("INSERT INTO notification_settings (user_id, language, email_off, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, email_off = excluded.email_off, updated_at = excluded.updated_at")
                        .bind(Id::from(user))
                        .bind(language.trim_matches('"'))
                        .bind(Json(&settings.email_off))
                        .bind(Time(at))
                        .execute(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(())
                }

                async fn set_user_email(&self, user: UserId, email: Option<&str>) -> StoreResult<bool> {
                    let done = sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
                        .bind(email)
                        .bind(Id::from(user))
                        .execute(&self.pool)
                        .await
                        .map_err(other)?;
                    self.sessions.retain(|_, (signed_in, _)| signed_in.id != user);
                    self.accounts.users.forget(&user);
                    Ok(done.rows_affected() == 1)
                }

                async fn notifications(&self, user: UserId, before: Option<uuid::Uuid>, limit: i64) -> StoreResult<Vec<Notification>> {
                    let rows: Vec<NotificationRow> = sqlx::query_as("SELECT body, read_at FROM notifications WHERE user_id = $1 AND (CAST($2 AS TEXT) IS NULL OR id < $2) ORDER BY id DESC LIMIT $3")
                        .bind(Id::from(user))
                        .bind(before.map(Id::from))
                        .bind(limit)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(rows.into_iter().map(Notification::from).collect())
                }

                async fn insert_notifications(&self, notifications: &[Notification]) -> StoreResult<()> {
                    let mut tx = self.begin_write().await.map_err(other)?;
                    insert_notifications_in(&mut *tx, notifications).await?;
                    tx.commit().await.map_err(other)?;
                    Ok(())
                }

                async fn mark_notification_read(&self, user: UserId, id: uuid::Uuid, at: Timestamp) -> StoreResult<bool> {
                    let updated = sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3")
                        .bind(Time(at))
                        .bind(Id::from(id))
                        .bind(Id::from(user))
                        .execute(&self.pool)
                        .await
                        .map_err(other)?;
                    Ok(updated.rows_affected() == 1)
                }
            }
        }
    };
}

notification_store!(sqlite, crate::SqliteStore, sqlx::Sqlite);
notification_store!(postgres, crate::PgStore, sqlx::Postgres);
