//! Signing in and out, and the language switch.

use crate::failure::{Failure, safe_next};
use crate::i18n::Tr;
use crate::session::{SESSION_COOKIE, Signed, Visitor};
use crate::shell::{Posted, Shell, html, see};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_app::{App, AppError};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    t: Tr,
    s: Shell,
    csrf: String,
    next: String,
    login: String,
    error: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /login`: the form, with a fresh token in its cookie and its hidden field.
pub async fn login_form(visitor: Visitor, Query(q): Query<Next>) -> Response {
    let csrf = crate::csrf::fresh();
    let page = LoginPage {
        t: visitor.tr,
        s: Shell::anonymous(),
        csrf: csrf.clone(),
        next: safe_next(q.next.as_deref()),
        login: String::new(),
        error: None,
    };
    with_login_cookie(html(StatusCode::OK, &page), &csrf)
}

fn with_login_cookie(mut response: Response, csrf: &str) -> Response {
    let cookie = format!("{}={csrf}; Path=/login; HttpOnly; SameSite=Strict", crate::csrf::LOGIN_COOKIE);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

/// `POST /login`: a session cookie and on to `next`; a wrong password shows the form again with
/// the reason beside it.
pub async fn login(
    State(app): State<App>,
    visitor: Visitor,
    crate::session::Peer(peer): crate::session::Peer,
    form: Posted,
) -> Response {
    let t = visitor.tr;
    let login = form.get("login").unwrap_or("").to_owned();
    let next = safe_next(form.get("next"));
    match app.login(&login, form.get("password").unwrap_or(""), peer).await {
        Ok((token, _user)) => {
            let mut response = see(&next);
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
                redress_app::auth::SESSION_TTL.as_secs()
            );
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(e) => {
            let status = match e {
                AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
                AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
                AppError::Internal(_) => return Failure::from_app(e, t).into_response(),
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let csrf = crate::csrf::fresh();
            let error = Some(crate::failure::app_error_text(&e, t));
            let page = LoginPage { t, s: Shell::anonymous(), csrf: csrf.clone(), next, login, error };
            with_login_cookie(html(status, &page), &csrf)
        }
    }
}

/// `POST /logout`: ends the session and clears its cookie.
pub async fn logout(State(app): State<App>, signed: Signed, visitor: Visitor, _form: Posted) -> Response {
    if let Some(session) = visitor.session
        && let Err(e) = app.logout(&session).await
    {
        return Failure::from_app(e, signed.tr).into_response();
    }
    let mut response = see("/login");
    response.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static("redress_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    response
}

/// `GET /lang/{en|zh-CN}?next=`: remembers the language for a year and goes back. (Only a
/// cookie of the reader's changes, so a link is enough: no form, no token.)
pub async fn switch_language(Path(lang): Path<String>, Query(q): Query<Next>, visitor: Visitor) -> Response {
    let value = match lang.as_str() {
        "en" => "en",
        "zh-CN" => "zh-CN",
        _ => return Failure::NotFound(visitor.tr).into_response(),
    };
    let mut response = see(&safe_next(q.next.as_deref()));
    let cookie = format!("{}={value}; Path=/; SameSite=Lax; Max-Age=31536000", crate::session::LANG_COOKIE);
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
