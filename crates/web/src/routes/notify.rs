//! A person's notification settings: the address notifications are emailed to, the language of
//! the email, and which kinds are emailed.

use crate::answer::Json;
use crate::extract::{Body, Caller};
use crate::problem::Problem;
use axum::extract::State;
use redress_app::App;
use redress_app::email::{NotificationSettingsChange, NotificationSettingsView};

#[utoipa::path(get, operation_id = "notification_settings", path = "/api/v1/me/notification-settings", tag = "escalations", responses((status = 200, description = "The caller's email address, email language and which notification kinds are emailed", body = NotificationSettingsView), crate::openapi::Failures))]
pub async fn read(State(app): State<App>, caller: Caller) -> Result<Json<NotificationSettingsView>, Problem> {
    let view = app.notification_settings(&caller.principal).await?;
    Ok(Json(view))
}

#[utoipa::path(put, operation_id = "notification_settings_change", path = "/api/v1/me/notification-settings", tag = "escalations", request_body(content = Option<NotificationSettingsChange>, description = "Only what changes: every field may be left out (an empty body changes nothing)"), responses((status = 200, description = "The settings now", body = NotificationSettingsView), crate::openapi::Failures))]
pub async fn change(
    State(app): State<App>,
    caller: Caller,
    Body(change): Body<NotificationSettingsChange>,
) -> Result<Json<NotificationSettingsView>, Problem> {
    let view = app.change_notification_settings(&caller.principal, change).await?;
    Ok(Json(view))
}
