//! Escalations outside the platform and the notifications their clocks send.

use crate::extract::{Body, Caller, Query};
use crate::problem::Problem;
use crate::routes::path_id;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use redress_app::App;
use redress_app::escalations::{ExternalEscalation, NewEscalation};
use serde::Deserialize;
use serde_json::json;

pub async fn record(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<NewEscalation>,
) -> Result<(StatusCode, Json<ExternalEscalation>), Problem> {
    let id = path_id(&id, caller.lang)?;
    let escalation = app
        .record_external_escalation(&caller.principal, id, body)
        .await
        .map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok((StatusCode::CREATED, Json(escalation)))
}

pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, Problem> {
    let id = path_id(&id, caller.lang)?;
    let items = app.external_escalations(&caller.principal, id).await.map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok(Json(json!({ "items": items })))
}

#[derive(Deserialize)]
pub struct Acceptance {
    accepted_on: jiff::civil::Date,
}

pub async fn accepted(
    State(app): State<App>,
    caller: Caller,
    Path((id, eid)): Path<(String, String)>,
    Body(body): Body<Acceptance>,
) -> Result<Json<ExternalEscalation>, Problem> {
    let (id, eid) = (path_id(&id, caller.lang)?, path_id(&eid, caller.lang)?);
    let escalation = app
        .record_acceptance(&caller.principal, id, eid, body.accepted_on)
        .await
        .map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok(Json(escalation))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    before: Option<uuid::Uuid>,
    limit: Option<i64>,
}

pub async fn notifications(
    State(app): State<App>,
    caller: Caller,
    Query(page): Query<Page>,
) -> Result<Json<serde_json::Value>, Problem> {
    let items = app
        .notifications(&caller.principal, page.before, page.limit)
        .await
        .map_err(|e| Problem::from_app(e, caller.lang))?;
    let next = crate::routes::next_before(&items, page.limit, |n| n.id);
    // Told in the reader's language now: the stored notification holds a kind and arguments.
    let items: Vec<_> = items
        .iter()
        .map(|n| {
            json!({
                "id": n.id,
                "case_id": n.case_id,
                "kind": n.kind,
                "args": n.args,
                "text": n.text(caller.lang),
                "created_at": n.created_at,
                "read_at": n.read_at,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items, "next_before": next })))
}

pub async fn read(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<StatusCode, Problem> {
    let id = path_id(&id, caller.lang)?;
    app.mark_notification_read(&caller.principal, id).await.map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok(StatusCode::NO_CONTENT)
}
