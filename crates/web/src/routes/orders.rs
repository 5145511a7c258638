use crate::answer::Json;
use crate::extract::{Body, Caller, Query};
use crate::problem::Problem;
use crate::routes::path_id;
use crate::views::Page as PageOf;
use crate::views::{BatchReport, BatchResult};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use redress_app::App;
use redress_app::orders::{Imported, NewOrder};
use redress_app::views::OrderView;
use redress_domain::OrderId;
use serde::Deserialize;

#[utoipa::path(post, operation_id = "orders_create", extensions(("x-roles" = json!(["admin", "merchant"]))), path = "/api/v1/orders", tag = "orders", request_body = NewOrder, responses((status = 201, description = "The order", body = OrderView), crate::openapi::Failures))]
pub async fn create(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<NewOrder>,
) -> Result<(StatusCode, Json<OrderView>), Problem> {
    let order = app.create_order(&caller.principal, body).await?;
    Ok((StatusCode::CREATED, Json(OrderView::from(&order))))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Page {
    before: Option<String>,
    limit: Option<i64>,
}

#[utoipa::path(get, operation_id = "orders_list", path = "/api/v1/orders", tag = "orders", params(Page), responses((status = 200, description = "Orders, newest first", body = PageOf<OrderView>), crate::openapi::Failures))]
pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Query(page): Query<Page>,
) -> Result<Json<PageOf<OrderView>>, Problem> {
    let before = page
        .before
        .as_deref()
        .map(|b| b.parse::<OrderId>())
        .transpose()
        .map_err(|_| Problem::invalid(redress_domain::Detail::NotAnId { field: "before".into() }))?;
    let orders = app.list_orders(&caller.principal, before, page.limit).await?;
    let next = crate::routes::next_before(&orders, page.limit, |o| o.id);
    let items = orders.iter().map(OrderView::from).collect();
    Ok(Json(PageOf { items, next_before: next.map(|id| id.as_uuid()) }))
}

#[utoipa::path(get, operation_id = "orders_read", path = "/api/v1/orders/{id}", tag = "orders", params(("id" = OrderId, Path, description = "The order")), responses((status = 200, description = "The order", body = OrderView), crate::openapi::Failures))]
pub async fn read(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Json<OrderView>, Problem> {
    let id = path_id(&id)?;
    let order = app.order(&caller.principal, id).await?;
    Ok(Json(OrderView::from(&order)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// Read one by one, so that an order that is not valid JSON for an order is refused alone.
    orders: Vec<serde_json::Value>,
}

/// `POST /api/v1/orders:batch`: up to `MAX_BATCH` orders at once, idempotent on (shop, number).
/// Answers 200 with one result per order, in order: `created`, `already_present` or `refused`
/// (with a problem in the caller's language and the field at fault).
#[utoipa::path(post, operation_id = "orders_batch", extensions(("x-roles" = json!(["admin", "merchant"]))), path = "/api/v1/orders:batch", tag = "orders", request_body = Batch, responses((status = 200, description = "One result per order, in order", body = BatchReport), crate::openapi::Failures))]
pub async fn batch(
    State(app): State<App>,
    caller: Caller,
    Body(body): Body<Batch>,
) -> Result<Json<BatchReport>, Problem> {
    let batch = body.orders.into_iter().map(NewOrder::from_json).collect();
    let outcomes = app.import_orders(Some(&caller.principal), batch).await?;
    let mut counts = [0usize; 3];
    let results: Vec<_> = outcomes
        .into_iter()
        .enumerate()
        .map(|(index, outcome)| match outcome {
            Imported::Created(order) => {
                counts[0] += 1;
                BatchResult::Created { index, id: order.id, number: order.number }
            }
            Imported::AlreadyPresent(order) => {
                counts[1] += 1;
                BatchResult::AlreadyPresent { index, id: order.id, number: order.number }
            }
            Imported::Refused(refusal) => {
                counts[2] += 1;
                let problem = Problem::from(refusal.error).document(caller.lang);
                BatchResult::Refused { index, field: refusal.field, problem }
            }
        })
        .collect();
    Ok(Json(BatchReport { created: counts[0], already_present: counts[1], refused: counts[2], results }))
}
