//! Escalations outside the platform and the notifications their clocks send.

use crate::answer::Json;
use crate::extract::{Body, Caller, Query};
use crate::problem::Problem;
use crate::routes::path_id;
use crate::views::{NotificationView, Page as PageOf};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use redress_app::App;
use redress_app::escalations::NewEscalation;
use redress_app::views::EscalationView;
use serde::Deserialize;

#[utoipa::path(post, operation_id = "escalations_record", extensions(("x-roles" = json!(["buyer", "agent", "admin"]))), path = "/api/v1/cases/{id}/external-escalations", tag = "escalations", params(("id" = redress_domain::CaseId, Path, description = "The case")), request_body = NewEscalation, responses((status = 201, description = "The escalation recorded", body = EscalationView), crate::openapi::Failures))]
pub async fn record(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<NewEscalation>,
) -> Result<(StatusCode, Json<EscalationView>), Problem> {
    let id = path_id(&id)?;
    let escalation = app.record_external_escalation(&caller.principal, id, body).await?;
    Ok((StatusCode::CREATED, Json(EscalationView::from(&escalation))))
}

#[utoipa::path(get, operation_id = "escalations_list", path = "/api/v1/cases/{id}/external-escalations", tag = "escalations", params(("id" = redress_domain::CaseId, Path, description = "The case")), responses((status = 200, description = "The case's escalations", body = crate::views::Items<EscalationView>), crate::openapi::Failures))]
pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<crate::views::Items<EscalationView>>, Problem> {
    let id = path_id(&id)?;
    let items = app.external_escalations(&caller.principal, id).await?;
    Ok(Json(crate::views::Items { items: items.iter().map(EscalationView::from).collect() }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Acceptance {
    accepted_on: jiff::civil::Date,
}

#[utoipa::path(post, operation_id = "escalations_accepted", extensions(("x-roles" = json!(["buyer", "agent", "admin"]))), path = "/api/v1/cases/{id}/external-escalations/{eid}/acceptance", tag = "escalations", params(("id" = redress_domain::CaseId, Path, description = "The case"), ("eid" = uuid::Uuid, Path, description = "The escalation")), request_body = Acceptance, responses((status = 200, description = "The escalation, accepted", body = EscalationView), crate::openapi::Failures))]
pub async fn accepted(
    State(app): State<App>,
    caller: Caller,
    Path((id, eid)): Path<(String, String)>,
    Body(body): Body<Acceptance>,
) -> Result<Json<EscalationView>, Problem> {
    let (id, eid) = (path_id(&id)?, path_id(&eid)?);
    let escalation = app.record_acceptance(&caller.principal, id, eid, body.accepted_on).await?;
    Ok(Json(EscalationView::from(&escalation)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Page {
    before: Option<uuid::Uuid>,
    limit: Option<i64>,
}

#[utoipa::path(get, operation_id = "escalations_notifications", path = "/api/v1/notifications", tag = "escalations", params(Page), responses((status = 200, description = "The caller's notifications, newest first", body = PageOf<NotificationView>), crate::openapi::Failures))]
pub async fn notifications(
    State(app): State<App>,
    caller: Caller,
    Query(page): Query<Page>,
) -> Result<Json<PageOf<NotificationView>>, Problem> {
    let items = app.notifications(&caller.principal, page.before, page.limit).await?;
    let next = crate::routes::next_before(&items, page.limit, |n| n.id);
    let items = items.iter().map(|n| NotificationView::of(n, caller.lang)).collect();
    Ok(Json(PageOf { items, next_before: next }))
}

#[utoipa::path(post, operation_id = "escalations_read", path = "/api/v1/notifications/{id}/read", tag = "escalations", params(("id" = uuid::Uuid, Path, description = "The notification")), responses((status = 204, description = "Marked read"), crate::openapi::Failures))]
pub async fn read(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    let id = path_id(&id)?;
    app.mark_notification_read(&caller.principal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
