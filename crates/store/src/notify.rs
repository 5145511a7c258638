//! Notifications by email: each person's settings and address, and a notification by id, in the
//! same SQL on both databases. (The notification rows and their email jobs are written by the
//! case change's transaction: `insert_notification` in `shared.rs`.)

use crate::codec::{Id, Json, Time, from_json, to_json};
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
                    .bind(Id::from(id))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other)?;
                let Some(row) = row else { return Ok(None) };
                let mut n = row.try_get::<Json<Notification>, _>("body").map_err(other)?.0;
                n.read_at = row.try_get::<Option<Time>, _>("read_at").map_err(other)?.map(Timestamp::from);
                Ok(Some(n))
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
                self.sessions.forget_user(user);
                Ok(done.rows_affected() == 1)
            }
        }
    };
}

notification_store!(crate::SqliteStore);
notification_store!(crate::PgStore);
