//! `/api/v1/webhooks`: a shop's subscriptions, their delivery log, and redelivery. Managed by
//! the shop's staff or its API tokens (an admin names the shop with `merchant_id`). Secrets are
//! shown once, when created or rotated.

use crate::answer::Json;
use crate::extract::{Body, Caller, Query};
use crate::problem::Problem;
use crate::routes::path_id;
use crate::views::{Items, Page};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use redress_app::App;
use redress_app::webhooks::{Attempt, Delivery, DeliveryStatus, Subscription, SubscriptionChange};
use redress_domain::MerchantId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A subscription as its shop sees it (never its secrets).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionView {
    pub id: Uuid,
    pub merchant_id: MerchantId,
    pub url: String,
    /// Event type names, or `["*"]` for every type.
    pub event_types: Vec<String>,
    pub active: bool,
    /// While a rotation overlaps: until when the previous secret still signs too.
    pub previous_secret_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl SubscriptionView {
    fn new(s: &Subscription, now: Timestamp) -> SubscriptionView {
        SubscriptionView {
            id: s.id,
            merchant_id: s.merchant_id,
            url: s.url.clone(),
            event_types: s.event_types.clone(),
            active: s.active,
            previous_secret_until: s.previous_until.filter(|until| *until > now),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A subscription with its new secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionWithSecret {
    #[serde(flatten)]
    pub subscription: SubscriptionView,
    /// Verify `Redress-Signature` with it (see docs/integration.md).
    pub secret: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Shop {
    /// The shop (admins only; staff and tokens manage their own).
    merchant_id: Option<MerchantId>,
}

#[utoipa::path(get, operation_id = "webhooks_event_types", path = "/api/v1/webhooks/event-types", tag = "webhooks", responses((status = 200, description = "Every event type a subscription may ask for", body = Items<String>), crate::openapi::Failures))]
pub async fn event_types(_caller: Caller) -> Json<Items<&'static str>> {
    Json(Items { items: redress_app::webhooks::payload::event_types() })
}

#[utoipa::path(post, operation_id = "webhooks_create", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks", tag = "webhooks", params(Shop), request_body = SubscriptionChange, responses((status = 201, description = "Subscribed; the secret is shown this once", body = SubscriptionWithSecret), crate::openapi::Failures))]
pub async fn create(
    State(app): State<App>,
    caller: Caller,
    Query(shop): Query<Shop>,
    Body(change): Body<SubscriptionChange>,
) -> Result<(StatusCode, Json<SubscriptionWithSecret>), Problem> {
    let s = app.subscribe_webhook(&caller.principal, shop.merchant_id, change).await?;
    let subscription = SubscriptionView::new(&s, app.clock.now());
    Ok((StatusCode::CREATED, Json(SubscriptionWithSecret { subscription, secret: s.secret })))
}

#[utoipa::path(get, operation_id = "webhooks_list", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks", tag = "webhooks", params(Shop), responses((status = 200, description = "The shop's subscriptions, oldest first", body = Items<SubscriptionView>), crate::openapi::Failures))]
pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Query(shop): Query<Shop>,
) -> Result<Json<Items<SubscriptionView>>, Problem> {
    let all = app.webhook_subscriptions(&caller.principal, shop.merchant_id).await?;
    let now = app.clock.now();
    Ok(Json(Items { items: all.iter().map(|s| SubscriptionView::new(s, now)).collect() }))
}

#[utoipa::path(get, operation_id = "webhooks_read", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path, description = "The subscription"), Shop), responses((status = 200, description = "The subscription", body = SubscriptionView), crate::openapi::Failures))]
pub async fn read(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(shop): Query<Shop>,
) -> Result<Json<SubscriptionView>, Problem> {
    let id = path_id(&id)?;
    let s = app.webhook_subscription(&caller.principal, shop.merchant_id, id).await?;
    Ok(Json(SubscriptionView::new(&s, app.clock.now())))
}

#[utoipa::path(patch, operation_id = "webhooks_change", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path, description = "The subscription"), Shop), request_body = SubscriptionChange, responses((status = 200, description = "The subscription as changed", body = SubscriptionView), crate::openapi::Failures))]
pub async fn change(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(shop): Query<Shop>,
    Body(change): Body<SubscriptionChange>,
) -> Result<Json<SubscriptionView>, Problem> {
    let id = path_id(&id)?;
    let s = app.change_webhook(&caller.principal, shop.merchant_id, id, change).await?;
    Ok(Json(SubscriptionView::new(&s, app.clock.now())))
}

#[utoipa::path(delete, operation_id = "webhooks_delete", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path, description = "The subscription"), Shop), responses((status = 204, description = "Deleted, with its delivery log"), crate::openapi::Failures))]
pub async fn delete(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(shop): Query<Shop>,
) -> Result<StatusCode, Problem> {
    let id = path_id(&id)?;
    app.delete_webhook(&caller.principal, shop.merchant_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// Hours the previous secret keeps signing too (0 to 168) [default: 24].
    overlap_hours: Option<i64>,
}

#[utoipa::path(post, operation_id = "webhooks_rotate_secret", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks/{id}/secret-rotation", tag = "webhooks", params(("id" = Uuid, Path, description = "The subscription"), Shop, crate::openapi::IdempotencyKey), request_body = Rotation, responses((status = 200, description = "The new secret, shown this once; deliveries carry a signature with each secret while the overlap lasts", body = SubscriptionWithSecret), crate::openapi::Failures))]
pub async fn rotate_secret(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(shop): Query<Shop>,
    Body(rotation): Body<Rotation>,
) -> Result<Json<SubscriptionWithSecret>, Problem> {
    let id = path_id(&id)?;
    let overlap = rotation.overlap_hours.map(|h| jiff::SignedDuration::from_hours(h.clamp(-1, 10_000)));
    let s = app.rotate_webhook_secret(&caller.principal, shop.merchant_id, id, overlap).await?;
    let subscription = SubscriptionView::new(&s, app.clock.now());
    Ok(Json(SubscriptionWithSecret { subscription, secret: s.secret }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    merchant_id: Option<MerchantId>,
    /// Only deliveries in this status (`dead`: the dead letters).
    status: Option<DeliveryStatus>,
    /// The cursor: deliveries older than this one.
    before: Option<Uuid>,
    limit: Option<i64>,
}

#[utoipa::path(get, operation_id = "webhooks_deliveries", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = Uuid, Path, description = "The subscription"), DeliveryQuery), responses((status = 200, description = "The delivery log, newest first", body = Page<Delivery>), crate::openapi::Failures))]
pub async fn deliveries(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<DeliveryQuery>,
) -> Result<Json<Page<Delivery>>, Problem> {
    let id = path_id(&id)?;
    let items = app.webhook_deliveries(&caller.principal, q.merchant_id, id, q.status, q.before, q.limit).await?;
    let next_before = crate::routes::next_before(&items, q.limit, |d| d.id);
    Ok(Json(Page { items, next_before }))
}

/// One delivery: where it stands, what was sent, and every attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    pub delivery: Delivery,
    /// The signed body, as sent.
    #[schema(value_type = redress_app::webhooks::payload::WebhookEvent)]
    pub payload: serde_json::Value,
    /// Oldest first.
    pub attempts: Vec<Attempt>,
}

#[utoipa::path(get, operation_id = "webhooks_delivery", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks/{id}/deliveries/{delivery}", tag = "webhooks", params(("id" = Uuid, Path, description = "The subscription"), ("delivery" = Uuid, Path, description = "The delivery"), Shop), responses((status = 200, description = "The delivery, its payload and its attempts", body = DeliveryDetail), crate::openapi::Failures))]
pub async fn delivery(
    State(app): State<App>,
    caller: Caller,
    Path((id, delivery)): Path<(String, String)>,
    Query(shop): Query<Shop>,
) -> Result<Json<DeliveryDetail>, Problem> {
    let (id, delivery) = (path_id(&id)?, path_id(&delivery)?);
    let (delivery, body, attempts) = app.webhook_delivery(&caller.principal, shop.merchant_id, id, delivery).await?;
    let payload = serde_json::from_str(&body).map_err(|e| Problem::from(redress_app::AppError::Internal(e.into())))?;
    Ok(Json(DeliveryDetail { delivery, payload, attempts }))
}

#[utoipa::path(post, operation_id = "webhooks_redeliver", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks/{id}/deliveries/{delivery}/redelivery", tag = "webhooks", params(("id" = Uuid, Path, description = "The subscription"), ("delivery" = Uuid, Path, description = "The delivery"), Shop, crate::openapi::IdempotencyKey), responses((status = 202, description = "Sent again from now, with a new retry window (the same event id)"), crate::openapi::Failures))]
pub async fn redeliver(
    State(app): State<App>,
    caller: Caller,
    Path((id, delivery)): Path<(String, String)>,
    Query(shop): Query<Shop>,
) -> Result<StatusCode, Problem> {
    let (id, delivery) = (path_id(&id)?, path_id(&delivery)?);
    app.redeliver_webhook(&caller.principal, shop.merchant_id, id, delivery).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedeliverSince {
    /// Every delivered or dead delivery created at or after this time is sent again.
    since: Timestamp,
}

#[derive(Serialize, ToSchema)]
pub struct Redelivered {
    pub count: u64,
}

#[utoipa::path(post, operation_id = "webhooks_redeliver_since", extensions(("x-roles" = json!(["merchant", "admin"]))), path = "/api/v1/webhooks/{id}/redeliveries", tag = "webhooks", params(("id" = Uuid, Path, description = "The subscription"), Shop, crate::openapi::IdempotencyKey), request_body = RedeliverSince, responses((status = 202, description = "How many deliveries are sent again", body = Redelivered), crate::openapi::Failures))]
pub async fn redeliver_since(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(shop): Query<Shop>,
    Body(body): Body<RedeliverSince>,
) -> Result<(StatusCode, Json<Redelivered>), Problem> {
    let id = path_id(&id)?;
    let count = app.redeliver_webhooks_since(&caller.principal, shop.merchant_id, id, body.since).await?;
    Ok((StatusCode::ACCEPTED, Json(Redelivered { count })))
}
