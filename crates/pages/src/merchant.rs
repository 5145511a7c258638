//! The merchant's pages: the queue sorted by deadline (overdue and due soon marked), and the
//! shop's API tokens. The case page is the shared one: its actions are the merchant's allowed
//! ones, the buyer's contact masked by the app.

use crate::case::{Cursor, page_of_cases, queue_page, row};
use crate::failure::Failure;
use crate::i18n::Tr;
use crate::session::Signed;
use crate::shell::{Posted, Shell, ok, see};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use redress_app::ports::CaseFilter;
use redress_app::{App, Role};

/// `GET /queue[?before=]`: the shop's open cases, soonest deadline first, a page at a time.
pub async fn queue(
    State(app): State<App>,
    signed: Signed,
    axum::extract::Query(cursor): axum::extract::Query<Cursor>,
) -> Result<Response, Failure> {
    let t = signed.tr;
    if signed.user.role != Role::Merchant {
        return Err(Failure::Forbidden(t));
    }
    let filter = CaseFilter { sort_by_due: true, ..Default::default() };
    let (cases, next) = page_of_cases(&app, &signed, filter, &cursor, "/queue").await?;
    let (reader, now) = (signed.principal.actor().party(), app.clock.now());
    let rows = cases.iter().map(|c| row(c, reader, now, t)).collect();
    Ok(queue_page(&signed, t.get("queue-title"), rows, next))
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    t: Tr,
    s: Shell,
    /// (id, name, created)
    tokens: Vec<(String, String, String)>,
    /// A token just issued: the heading naming it, and its secret, shown this once.
    issued: Option<(String, String)>,
    name_error: Option<String>,
}

async fn tokens_page(
    app: &App,
    signed: &Signed,
    issued: Option<(String, String)>,
    name_error: Option<String>,
) -> Result<Response, Failure> {
    let t = signed.tr;
    // A shop's tokens: an admin manages them through the API, naming the shop.
    if signed.user.role != Role::Merchant {
        return Err(Failure::Forbidden(t));
    }
    let list = app.api_tokens(&signed.principal, None).await.map_err(|e| Failure::from_app(e, t))?;
    let tokens = list.iter().map(|k| (k.id.to_string(), k.name.clone(), t.time(k.created_at))).collect();
    Ok(ok(&TokensPage { t, s: Shell::of(signed), tokens, issued, name_error }))
}

/// `GET /tokens`: the shop's live tokens (never their secrets).
pub async fn tokens(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    tokens_page(&app, &signed, None, None).await
}

/// `POST /tokens`: issues a token and shows its secret once (this answer is not redirected: the
/// secret must not sit in a URL or be shown again).
pub async fn issue_token(State(app): State<App>, signed: Signed, posted: Posted) -> Result<Response, Failure> {
    let t = signed.tr;
    let name = posted.get("name").unwrap_or("").trim().to_owned();
    if name.is_empty() {
        return tokens_page(&app, &signed, None, Some(t.get("form-error-required"))).await;
    }
    match app.issue_api_token(&signed.principal, None, &name).await {
        Ok((token, secret)) => {
            let heading = t.with("tokens-issued", &[("name", token.name)]);
            tokens_page(&app, &signed, Some((heading, secret)), None).await
        }
        Err(e @ (redress_app::AppError::Invalid(_) | redress_app::AppError::Duplicate(_))) => {
            tokens_page(&app, &signed, None, Some(crate::failure::app_error_text(&e, t))).await
        }
        Err(e) => Err(Failure::from_app(e, t)),
    }
}

/// `POST /tokens/{id}/revoke`
pub async fn revoke_token(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<String>,
    _form: Posted,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let id = id.parse().map_err(|_| Failure::NotFound(t))?;
    app.revoke_api_token(&signed.principal, None, id).await.map_err(|e| Failure::from_app(e, t))?;
    Ok(see("/tokens"))
}
