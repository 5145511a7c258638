//! The `/api/v1` routes.

pub(crate) mod admin;
pub(crate) mod auth;
pub(crate) mod cases;
pub(crate) mod conversations;
pub(crate) mod dashboards;
pub(crate) mod escalations;
pub(crate) mod evidence;
pub(crate) mod notify;
pub(crate) mod orders;
pub(crate) mod rights;
pub(crate) mod search;
pub(crate) mod webhooks;

use axum::Router;
use axum::routing::{get, post};
use redress_app::App;

pub fn api(app: App) -> Router<App> {
    conversations::routes(Router::new())
        .route("/health", get(health))
        .route("/metrics", get(crate::telemetry::metrics))
        .route("/api/v1", get(index))
        .route("/api/v1/", get(index))
        .route("/api/v1/auth/login", post(auth::login))
        .route("/api/v1/auth/logout", post(auth::logout))
        .route("/api/v1/me", get(auth::me))
        .route("/api/v1/tokens", post(auth::issue_token).get(auth::tokens))
        .route("/api/v1/tokens/{id}", axum::routing::delete(auth::revoke_token))
        .route("/api/v1/merchants", post(admin::create_merchant).get(admin::merchants))
        .route("/api/v1/users", post(admin::create_user).get(admin::users))
        .route("/api/v1/calendar", get(admin::calendar).put(admin::import_calendar))
        .route("/api/v1/policies", post(admin::publish_policy).get(admin::policies))
        .route("/api/v1/orders", post(orders::create).get(orders::list))
        .route("/api/v1/orders:batch", post(orders::batch))
        .route("/api/v1/orders/{id}", get(orders::read))
        .route("/api/v1/orders/{id}/rights", get(rights::order))
        .route("/api/v1/complaint-check", post(rights::complaint_check))
        .route("/api/v1/cases", post(cases::file).get(cases::list))
        .route("/api/v1/cases/{id}", get(cases::read))
        .route("/api/v1/cases/{id}/actions/{action}", post(cases::act))
        .route("/api/v1/cases/{id}/chain", get(cases::chain))
        .route("/api/v1/dossier-key", get(evidence::dossier_key))
        .route("/api/v1/cases/{id}/timeline", get(cases::timeline))
        .route("/api/v1/cases/{id}/rights", get(rights::case))
        .route("/api/v1/cases/{id}/external-escalations", post(escalations::record).get(escalations::list))
        .route("/api/v1/cases/{id}/external-escalations/{eid}/acceptance", post(escalations::accepted))
        .route("/api/v1/notifications", get(escalations::notifications))
        .route("/api/v1/notifications/{id}/read", post(escalations::read))
        .route("/api/v1/me/notification-settings", get(notify::read).put(notify::change))
        .route("/api/v1/cases/{id}/complaint-12315", get(rights::regulator_complaint))
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/cases/{id}/similar", get(search::similar))
        .route("/api/v1/merchants/{id}/repeat-complaints", get(search::repeat_complaints))
        .route("/api/v1/merchants/{id}/dashboard", get(dashboards::shop))
        .route("/api/v1/dashboards/platform", get(dashboards::platform))
        .route("/api/v1/reputation/{id}", get(dashboards::reputation))
        .route("/api/v1/webhooks", post(webhooks::create).get(webhooks::list))
        .route("/api/v1/webhooks/event-types", get(webhooks::event_types))
        .route("/api/v1/webhooks/{id}", get(webhooks::read).patch(webhooks::change).delete(webhooks::delete))
        .route("/api/v1/webhooks/{id}/secret-rotation", post(webhooks::rotate_secret))
        .route("/api/v1/webhooks/{id}/deliveries", get(webhooks::deliveries))
        .route("/api/v1/webhooks/{id}/deliveries/{delivery}", get(webhooks::delivery))
        .route("/api/v1/webhooks/{id}/deliveries/{delivery}/redelivery", post(webhooks::redeliver))
        .route("/api/v1/webhooks/{id}/redeliveries", post(webhooks::redeliver_since))
        .route_layer(axum::middleware::from_fn(crate::documented_query::layer))
        // Who may call an operation at all, before its body or query is read.
        .route_layer(axum::middleware::from_fn_with_state(app, crate::roles::layer))
}

/// The cursor of the next page: the last item's id when the page is full, otherwise none.
pub(crate) fn next_before<T, Id>(items: &[T], limit: Option<i64>, id: impl Fn(&T) -> Id) -> Option<Id> {
    let full = redress_app::orders::page_size(limit).is_ok_and(|size| items.len() as i64 == size);
    items.last().filter(|_| full).map(id)
}

/// Parses a path id; a malformed one is simply not found.
pub(crate) fn path_id<T: std::str::FromStr>(raw: &str) -> Result<T, crate::Problem> {
    raw.parse().map_err(|_| crate::Problem::new(axum::http::StatusCode::NOT_FOUND, "not_found", None))
}

#[utoipa::path(get, path = "/health", operation_id = "health", tag = "meta", security(), responses((status = 200, description = "`ok`, then one warning line per provisional calendar year", content_type = "text/plain", body = String), crate::openapi::Failures))]
/// `GET /health`: `ok`, then one line per provisional year operators must import a notice for,
/// in the caller's language (the status stays 200: the platform works; the line says how sure its deadlines are).
pub(crate) async fn health(
    axum::extract::State(app): axum::extract::State<App>,
    crate::extract::AcceptLang(lang): crate::extract::AcceptLang,
) -> String {
    let mut body = String::from("ok\n");
    for w in app.calendar_file().provisional_years {
        body.push_str(&redress_text::law::provisional_year(lang, w.year));
        body.push('\n');
    }
    body
}

/// Where things are, for someone who opens the printed URL.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Index {
    name: &'static str,
    /// The software's version.
    version: &'static str,
    /// The API document's version (`info.version` of /api/openapi.json).
    api_version: &'static str,
    guide: &'static str,
    /// The OpenAPI document and its browsable page.
    openapi: &'static str,
    docs: &'static str,
    /// First requests to try, by name.
    start: std::collections::BTreeMap<&'static str, &'static str>,
}

#[utoipa::path(get, path = "/api/v1", operation_id = "index", tag = "meta", security(), responses((status = 200, description = "Where things are", body = Index), crate::openapi::Failures))]
/// `GET /api/v1`: where things are, for someone who opens the printed URL.
pub(crate) async fn index() -> crate::answer::Json<Index> {
    crate::answer::Json(Index {
        name: "redress",
        version: env!("CARGO_PKG_VERSION"),
        api_version: crate::openapi::API_VERSION,
        guide: "README.md, section 'API guide'",
        openapi: "/api/openapi.json",
        docs: "/api/docs/",
        start: [
            ("login", "POST /api/v1/auth/login"),
            ("me", "GET /api/v1/me"),
            ("cases", "GET /api/v1/cases"),
            ("orders", "GET /api/v1/orders"),
        ]
        .into(),
    })
}
