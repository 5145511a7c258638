//! Extractors: the caller (session cookie or bearer token), their language, and JSON bodies
//! whose errors are problems too.

use crate::problem::Problem;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use redress_app::{App, Principal};
use redress_domain::Lang;
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "redress_session";

pub struct AcceptLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for AcceptLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(AcceptLang(lang_of(parts)))
    }
}

pub fn lang_of(parts: &Parts) -> Lang {
    Lang::from_accept_language(parts.headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// The credential a request carries: `Authorization: Bearer …` first, else the session cookie.
pub fn credential(headers: &axum::http::HeaderMap) -> Option<String> {
    if let Some(auth) = headers.get(axum::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
        return auth.strip_prefix("Bearer ").map(|t| t.trim().to_owned());
    }
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The authenticated caller, with their language for any error.
pub struct Caller {
    pub principal: Principal,
    pub lang: Lang,
}

impl FromRequestParts<App> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let unauthenticated = || Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", lang, None);
        let credential = credential(&parts.headers).ok_or_else(unauthenticated)?;
        match app.authenticate(&credential).await {
            Ok(principal) => Ok(Caller { principal, lang }),
            Err(redress_app::AppError::Unauthenticated) => Err(unauthenticated()),
            Err(e) => Err(Problem::from_app(e, lang)),
        }
    }
}

/// A JSON body; a malformed one is a 400/422 problem, not axum's plain-text rejection. An empty
/// body reads as `{}` so actions without fields need none.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let lang = lang_of(&parts);
        // A body of another declared type (an HTML form, text/plain) is refused: browsers send
        // those cross-site without asking, so this is also the API's guard against CSRF.
        let content_type = parts.headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
        if content_type.is_some_and(|ct| !ct.trim_start().to_ascii_lowercase().starts_with("application/json")) {
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", lang, None));
        }
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", lang, None))?;
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) { b"{}" } else { &bytes };
        serde_json::from_slice(bytes)
            .map(Body)
            .map_err(|e| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", lang, Some(e.to_string())))
    }
}

/// A query string; one that does not parse (`limit=many`) is a 422 problem like any other bad
/// input, not axum's plain-text 400.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(q)| Query(q))
            .map_err(|e| {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", lang_of(parts), Some(e.body_text()))
            })
    }
}
