//! A change to the API is JSON or nothing: a body of another type (an HTML form, `text/plain`)
//! is `415 unsupported_media_type` on every operation, those that read no body too, and a POST
//! signed in by the session cookie must say `Content-Type: application/json` even without a
//! body. A browser sends a form or a bare `fetch(url, {method: "POST"})` to another site (or
//! a sibling subdomain, where `SameSite` does not help) without asking first; it asks before
//! sending `application/json`. Trial finding: a bodiless POST with the shop's cookie rotated its
//! webhook secret. Checked when the caller is known (`Caller`), after the role check: an
//! unknown caller hears 401 and a caller who may not use an operation 403, whatever they sent.
//! Uploads take `multipart/form-data`, which a page of another site may send: a change signed in
//! by the cookie is refused (403) when the browser says it comes from another origin.

use crate::extract::{credential, is_json};
use crate::problem::Problem;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};

/// The refusal of this request, if it is a change that is not JSON (and not an upload), or a
/// change signed in by the cookie that another site's page sent.
pub(crate) fn refusal(parts: &Parts) -> Option<Problem> {
    let method = &parts.method;
    let change = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method);
    let headers = &parts.headers;
    // Without an `Authorization` header, the credential is the session cookie.
    let by_cookie = !headers.contains_key(header::AUTHORIZATION) && credential(headers).is_some();
    if change
        && by_cookie
        && let Some(origin) = foreign_origin(headers)
    {
        let detail = redress_domain::Detail::CrossSite { origin };
        return Some(Problem::new(StatusCode::FORBIDDEN, "forbidden", Some(detail)));
    }
    if !change {
        return None;
    }
    // Two declared types: which one the body is in is not guessed (trial helper-45: the first
    // was taken).
    if headers.get_all(header::CONTENT_TYPE).iter().nth(1).is_some() {
        let twice = redress_domain::Detail::HeaderTwice { name: "Content-Type".into() };
        return Some(Problem::invalid(twice));
    }
    if crate::routes::evidence::is_upload(method, parts.uri.path()) {
        return None;
    }
    let declared_json = headers.get(header::CONTENT_TYPE).is_some_and(is_json);
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).is_some_and(|length| length.trim() != "0");
    let refused = !declared_json && (has_body || (by_cookie && method == Method::POST));
    refused.then(not_json)
}

/// `415 unsupported_media_type`: the body is not declared JSON.
pub(crate) fn not_json() -> Problem {
    Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", Some(redress_domain::Detail::NotJson))
}

/// The `Origin` a browser sent, if it is not this server's own (`Host`): a multipart upload is a
/// form a page of another site may send with the cookie without asking (trial finding: a file
/// added to a case from `https://evil.example`). No `Origin` (a program, not a browser) passes.
fn foreign_origin(headers: &axum::http::HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().unwrap_or("?");
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let authority = origin.split_once("://").map(|(_, authority)| authority);
    (authority.is_none() || authority != host).then(|| origin.to_owned())
}
