//! HTTP: the `/api/v1` JSON API. Thin: every handler extracts, calls one use case, and maps
//! the result; errors become `application/problem+json` with a stable code.

mod extract;
mod idempotency;
mod problem;
mod routes;

pub use problem::Problem;

use axum::Router;
use redress_app::App;

/// The whole HTTP surface of Redress.
pub fn router(app: App) -> Router {
    // The JSON API takes at most 1 MiB; evidence uploads have their own, larger limit, so the
    // two are layered apart and merged.
    routes::api(app.clone())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(idempotency::MAX_BODY))
        .merge(routes::evidence::routes(&app))
        .layer(axum::middleware::from_fn_with_state(app.clone(), idempotency::layer))
        .fallback(problem::not_found)
        .with_state(app)
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(problem::ensure))
        // A handler that panics answers `internal`; the connection and the server live on.
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(problem::panicked))
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app)).with_graceful_shutdown(shutdown).await
}
