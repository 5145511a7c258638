use crate::extract::{Body, Caller, Query};
use crate::problem::Problem;
use crate::routes::path_id;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use redress_app::App;
use redress_app::orders::NewOrder;
use redress_domain::OrderId;
use redress_domain::order::Order;
use serde::Deserialize;
use serde_json::json;

pub async fn create(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<NewOrder>,
) -> Result<(StatusCode, Json<Order>), Problem> {
    let order = app.create_order(&caller.principal, body).await.map_err(|e| Problem::from_app(e, caller.lang))?;
    Ok((StatusCode::CREATED, Json(order)))
}

#[derive(Deserialize)]
pub struct Page {
    before: Option<String>,
    limit: Option<i64>,
}

pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Query(page): Query<Page>,
) -> Result<Json<serde_json::Value>, Problem> {
    let before = page.before.as_deref().map(|b| b.parse::<OrderId>()).transpose().map_err(|_| {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", caller.lang, Some("before: not an id".into()))
    })?;
    let orders =
        app.list_orders(&caller.principal, before, page.limit).await.map_err(|e| Problem::from_app(e, caller.lang))?;
    let next = crate::routes::next_before(&orders, page.limit, |o| o.id);
    Ok(Json(json!({ "items": orders, "next_before": next })))
}

pub async fn read(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<Order>, Problem> {
    let id = path_id(&id, caller.lang)?;
    Ok(Json(app.order(&caller.principal, id).await.map_err(|e| Problem::from_app(e, caller.lang))?))
}
