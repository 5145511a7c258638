//! The pages of Redress: server-rendered HTML for buyers, merchants, agents and admins, mounted
//! at `/` next to the JSON API. Every page calls the use cases of `redress_app::App` directly,
//! like the JSON handlers do; every word comes from the text catalogue (`redress_text`); every
//! form works without JavaScript (POST, then a redirect to a GET) and carries a CSRF token; the
//! actions a case page offers are the case's allowed actions (`CommandKind`), each with the form
//! `forms::spec` derives for its kind.

mod admin;
mod assets;
mod auth;
mod buyer;
mod case;
mod charts;
mod conversation;
mod csrf;
mod dashboards;
mod failure;
mod forms;
mod frame;
mod i18n;
mod merchant;
mod platform;
mod search;
mod session;
mod shell;
mod upload;

pub use frame::not_found as not_found_page;
pub use i18n::Tr;
pub use session::{AccountAllowance, LANG_COOKIE, SESSION_COOKIE};

use axum::Router;
use axum::routing::{get, post};
use redress_app::App;

/// The largest form without a file (a long description is a few KiB).
const FORM_LIMIT: usize = 64 * 1024;

/// Every page and the pages' static files, with `app` as their state.
pub fn router(app: App) -> Router {
    // A filing and an evidence upload carry a file: the evidence limit plus multipart framing.
    let upload_limit = usize::try_from(app.evidence_limits.request_bytes()).unwrap_or(usize::MAX);
    let uploads = Router::new()
        .route("/orders/{id}/file", get(buyer::filing_form).post(buyer::file))
        .route("/cases/{id}/evidence", post(case::upload))
        .route("/orders/{id}/conversation/files", post(conversation::upload))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(upload_limit))
        .layer(axum::extract::DefaultBodyLimit::disable());
    Router::new()
        .route("/", get(shell::home))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/lang/{lang}", get(auth::switch_language))
        .route("/notifications", get(shell::notifications))
        .route("/notifications/{id}/read", post(shell::mark_read))
        .route("/orders", get(buyer::orders))
        .route("/orders/{id}/check", post(buyer::check))
        .route("/orders/{id}/conversation", get(conversation::page).post(conversation::post))
        .route("/cases", get(case::list))
        .route("/cases/{id}", get(case::page))
        .route("/cases/{id}/actions/{action}", post(case::act))
        .route("/queue", get(merchant::queue))
        .route("/tokens", get(merchant::tokens).post(merchant::issue_token))
        .route("/tokens/{id}/revoke", post(merchant::revoke_token))
        .route("/platform", get(platform::queue))
        .route("/platform/cases/{id}", get(platform::workbench))
        .route("/admin/users", get(admin::users))
        .route("/admin/new-shop", post(admin::new_shop))
        .route("/admin/new-user", post(admin::new_user))
        .route("/admin/policies", get(admin::policies))
        .route("/admin/calendar", get(admin::calendar))
        .route("/admin/overview", get(admin::overview))
        .route("/dashboard", get(dashboards::dashboard))
        .route("/dashboard/shops/{id}", get(dashboards::shop_dashboard))
        .route("/shops/{id}/reputation", get(dashboards::reputation))
        .route("/search", get(search::search))
        .route("/static/{file}", get(assets::serve))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(FORM_LIMIT))
        .merge(uploads)
        .layer(axum::middleware::from_fn_with_state(app.clone(), frame::failures))
        .layer(axum::middleware::from_fn(shell::page_headers))
        .with_state(app)
}
