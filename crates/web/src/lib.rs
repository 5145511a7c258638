//! HTTP: the `/api/v1` JSON API. Thin: every handler extracts, calls one use case, and maps
//! the result; errors become `application/problem+json` with a stable code.

mod answer;
mod documented_query;
mod extract;
mod idempotency;
mod json_only;
mod limits;
mod location;
mod openapi;
mod pace;
mod problem;
mod roles;
mod routes;
mod serve;
mod telemetry;
mod trace;
mod views;

pub use limits::{Limits, Rate};
pub use problem::{Problem, ProblemDocument};
pub use telemetry::{install as install_metrics, set_metrics_token};

use axum::Router;
use redress_app::App;
use std::sync::Arc;

/// The whole HTTP surface of Redress, with the default limits.
pub fn router(app: App) -> Router {
    router_with(app, &Limits::default())
}

/// The whole HTTP surface of Redress, with these rate limits and body read timeout.
pub fn router_with(app: App, limits: &Limits) -> Router {
    router_and_limiters(app, limits).0
}

fn router_and_limiters(app: App, limits: &Limits) -> (Router, Arc<limits::Limiters>) {
    let limiters = Arc::new(limits::Limiters::new(limits));
    telemetry::install();
    // The JSON API takes at most 1 MiB; evidence uploads have their own, larger limit, so the
    // two are layered apart and merged.
    let router = limits::with_body_limit(routes::api(app.clone()), idempotency::MAX_BODY)
        .merge(routes::evidence::routes(&app))
        .merge(routes::conversations::upload_routes(&app))
        .layer(axum::middleware::from_fn_with_state(
            (app.clone(), Arc::new(idempotency::Running::default())),
            idempotency::layer,
        ))
        .layer(axum::middleware::from_fn(location::layer))
        .fallback(fallback)
        .with_state(app.clone())
        .merge(openapi::routes())
        // The pages (issue 11) at `/`: they answer their own errors as pages.
        .merge(redress_pages::router(app))
        .route_layer(axum::middleware::from_fn(telemetry::tag_route))
        .layer(axum::middleware::from_fn_with_state(limiters.clone(), limits::per_address))
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(limits.body_read_timeout))
        .layer(axum::middleware::from_fn_with_state(limits.body_read_timeout, pace::layer))
        .layer(trace::layer())
        .layer(axum::middleware::from_fn(limits::request_size))
        // A handler that panics answers `internal`; the connection and the server live on.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(problem::panicked))
        // Outermost but the headers and the count: the caller's language, and every problem told in it.
        .layer(axum::middleware::from_fn(problem::language))
        .layer(axum::middleware::from_fn(secure_headers))
        .layer(axum::middleware::from_fn(telemetry::count));
    (router, limiters)
}

/// A path nobody serves: outside `/api`, for a browser or a reader of the pages (their language
/// or session cookie), the pages' 404 page in the reader's language and frame; a problem for
/// everyone else.
async fn fallback(
    axum::extract::State(app): axum::extract::State<App>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let headers = request.headers();
    let wants_page = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let reads_pages = [redress_pages::LANG_COOKIE, redress_pages::SESSION_COOKIE].iter().any(|name| {
        headers.get_all(axum::http::header::COOKIE).iter().any(|v| v.to_str().is_ok_and(|v| v.contains(name)))
    });
    if (wants_page || reads_pages) && !request.uri().path().starts_with("/api/") {
        return redress_pages::not_found_page(&app, request.headers(), request.uri()).await;
    }
    problem::not_found().await.into_response()
}

/// Every answer: never sniffed into another type; a document may load nothing but its own
/// inline styles and images (the 12315 complaint and dossier pages need no more).
async fn secure_headers(request: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Cases, dossiers and files are personal: no shared or browser cache keeps them, unless an
    // answer says otherwise (the pages' public assets do).
    headers.entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static("no-store"));
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    ));
    response
}

/// Serves Redress on `listener` with the default limits until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, app, Limits::default(), shutdown).await
}

/// Serves Redress on `listener` with `limits` until `shutdown` resolves.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: App,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (router, limiters) = router_and_limiters(app.clone(), &limits);
    // The rate limiters and the login throttle remember every client; forget the quiet ones.
    let forget = tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            limiters.forget_idle();
            if let Err(e) = app.forget_quiet_login_attempts().await {
                tracing::warn!(error = %e, "purging old login attempts failed");
            }
        }
    });
    let served = serve::serve(listener, router, &limits, shutdown).await;
    forget.abort();
    served
}
