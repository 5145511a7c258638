//! Notifications by email: each person's settings and address, and a notification by id, in the
//! same SQL on both databases. (The notification rows and their email jobs are written by the
//! case change's transaction: `insert_notifications_in` in `shared.rs`.)

use crate::codec::{from_json, micros, to_json};
use crate::shared::other;
use jiff::Timestamp;
use redress_app::email::NotificationSettings;
use redress_app::escalations::Notification;
use redress_app::ports::{NotificationStore, StoreResult};
use redress_domain::UserId;
use sqlx::Row;

macro_rules! notification_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl NotificationStore for $store {
            async fn notification(&self, id: uuid::Uuid) -> StoreResult<Option<Notification>> {
                let row = sqlx::query("SELECT body, read_at FROM notifications WHERE id = $1")
                    .bind(id.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                let Some(row) = row else { return Ok(None) };
                let mut n: Notification = from_json(&row.try_get::<String, _>("body").map_err(other)?)?;
                n.read_at = row.try_get::<Option<i64>, _>("read_at").map_err(other)?.map(crate::codec::timestamp).transpose()?;
                Ok(Some(n))
            }

            async fn notification_settings(&self, user: UserId) -> StoreResult<Option<NotificationSettings>> {
                let row = sqlx::query("SELECT language, email_off FROM notification_settings WHERE user_id = $1")
                    .bind(user.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                let Some(row) = row else { return Ok(None) };
                let language: String = row.try_get("language").map_err(other)?;
                Ok(Some(NotificationSettings {
                    language: from_json(&format!("\"{language}\""))?,
                    email_off: from_json(&row.try_get::<String, _>("email_off").map_err(other)?)?,
                }))
            }

            async fn put_notification_settings(&self, user: UserId, settings: &NotificationSettings, at: Timestamp) -> StoreResult<()> {
                let language = to_json(&settings.language)?;
                sqlx::query("INSERT INTO notification_settings (user_id, language, email_off, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO UPDATE SET language = excluded.language, email_off = excluded.email_off, updated_at = excluded.updated_at")
                    .bind(user.to_string())
                    .bind(language.trim_matches('"'))
                    .bind(to_json(&settings.email_off)?)
                    .bind(micros(at))
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                Ok(())
            }

            async fn set_user_email(&self, user: UserId, email: Option<&str>) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
                    .bind(email)
                    .bind(user.to_string())
                    .execute(&self.pool)
                    .await
                    .map_err(other)?;
                self.sessions.forget_user(user);
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

notification_store!(crate::SqliteStore);
notification_store!(crate::PgStore);
