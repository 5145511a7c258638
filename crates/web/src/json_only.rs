//! A change to the API is JSON or nothing: a body of another type (an HTML form, `text/plain`)
//! is `415 unsupported_media_type` on every operation, those that read no body too, and a POST
//! signed in by the session cookie must say `Content-Type: application/json` even without a
//! body. A browser sends a form or a bare `fetch(url, {method: "POST"})` to another site (or
//! a sibling subdomain, where `SameSite` does not help) without asking first; it asks before
//! sending `application/json`. Trial finding: a bodiless POST with the shop's cookie rotated its
//! webhook secret. Checked when the caller is known (`Caller`), after the role check: an
//! unknown caller hears 401 and a caller who may not use an operation 403, whatever they sent.
//! Uploads take `multipart/form-data` and read no `Caller` of this kind before their body.

use crate::extract::{credential, is_json};
use crate::problem::Problem;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};

/// The refusal of this request, if it is a change that is not JSON (and not an upload).
pub(crate) fn refusal(parts: &Parts) -> Option<Problem> {
    let method = &parts.method;
    let change = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method);
    if !change || crate::routes::evidence::is_upload(method, parts.uri.path()) {
        return None;
    }
    let headers = &parts.headers;
    let declared_json = headers.get(header::CONTENT_TYPE).is_some_and(is_json);
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).is_some_and(|length| length.trim() != "0");
    // Without an `Authorization` header, the credential is the session cookie.
    let by_cookie = !headers.contains_key(header::AUTHORIZATION) && credential(headers).is_some();
    let refused = !declared_json && (has_body || (by_cookie && method == Method::POST));
    refused.then(not_json)
}

/// `415 unsupported_media_type`: the body is not declared JSON.
pub(crate) fn not_json() -> Problem {
    Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", Some(redress_domain::Detail::NotJson))
}
