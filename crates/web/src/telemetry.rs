//! `/metrics` (Prometheus text format) and the request metrics behind it (issue 13). The names
//! are in `redress_app::telemetry`. Requests are labelled by their matched route template
//! (`/api/v1/cases/:id`), never the raw path, so the label set stays bounded.
//!
//! Who may read: an admin (session or bearer token), or a scraper presenting the metrics token
//! the server was started with (`REDRESS_METRICS_TOKEN`, `Authorization: Bearer …`). Everyone
//! else gets 401/403: route names and volumes are not for buyers or shops.

use crate::extract::Caller;
use crate::problem::Problem;
use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use redress_app::telemetry as names;
use redress_app::{App, AppError, Role};
use std::sync::OnceLock;
use std::time::Instant;

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
static TOKEN_SHA256: OnceLock<[u8; 32]> = OnceLock::new();

/// Installs the process's Prometheus recorder (once); `None` if another recorder was installed
/// first (metrics then go there, and `/metrics` answers empty).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let seconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
            let lag = [0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 21600.0, 86400.0];
            let batch = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0];
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(names::DEADLINE_LAG.into()), &lag)
                .and_then(|b| b.set_buckets_for_metric(Matcher::Full(names::WRITER_BATCH.into()), &batch))
                .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &seconds))
                .ok()?
                .build_recorder();
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).ok()?;
            names::describe();
            Some(handle)
        })
        .as_ref()
}

/// The bearer token a scraper presents (kept as its hash, compared in constant time).
pub fn set_metrics_token(token: &str) {
    use sha2::Digest;
    let _ = TOKEN_SHA256.set(sha2::Sha256::digest(token.as_bytes()).into());
}

fn is_metrics_token(headers: &axum::http::HeaderMap) -> bool {
    use sha2::Digest;
    let Some(expected) = TOKEN_SHA256.get() else { return false };
    let Some(presented) = crate::extract::bearer(headers) else { return false };
    let digest: [u8; 32] = sha2::Sha256::digest(presented.as_bytes()).into();
    digest.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// The matched route template of a request, carried out on its response.
#[derive(Clone)]
struct RouteTemplate(String);

/// On every routed request (a route layer): keeps the matched template for `count`.
pub async fn tag_route(request: Request, next: Next) -> Response {
    // Parameters as `:id`, not `{id}`: braces in label values trip common text-format parsers.
    let template = request.extensions().get::<MatchedPath>().map(|p| p.as_str().replace('{', ":").replace('}', ""));
    let mut response = next.run(request).await;
    if let Some(template) = template {
        response.extensions_mut().insert(RouteTemplate(template));
    }
    response
}

/// Counts and times every request, by method, route template and status.
pub async fn count(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let route = response.extensions().get::<RouteTemplate>().map_or_else(|| "unmatched".to_owned(), |r| r.0.clone());
    let status = response.status().as_u16().to_string();
    metrics::histogram!(names::HTTP_DURATION, "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!(names::HTTP_REQUESTS, "method" => method, "route" => route, "status" => status).increment(1);
    response
}

/// `GET /metrics`: the Prometheus text exposition, with the backlog read from the store now.
pub async fn metrics(State(app): State<App>, request: Request) -> Result<Response, Problem> {
    let (mut parts, _) = request.into_parts();
    if !is_metrics_token(&parts.headers) {
        let caller = Caller::from_request_parts(&mut parts, &app).await?;
        if caller.principal.role() != Role::Admin {
            return Err(AppError::Forbidden(redress_domain::Detail::MetricsReaders).into());
        }
    }
    let Some(handle) = install() else {
        return Ok((StatusCode::OK, "").into_response());
    };
    let now = app.clock.now();
    match app.store.backlog(now).await {
        Ok(backlog) => backlog.record(now),
        // The other figures are still worth a scrape; the gap in the backlog shows.
        Err(e) => tracing::warn!(error = %e, "reading the backlog for /metrics failed"),
    }
    handle.run_upkeep();
    let mut response = handle.render().into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"));
    Ok(response)
}
