//! A change to the API is JSON or nothing: a body of another type (an HTML form, `text/plain`)
//! is `415 unsupported_media_type` on every operation, those that read no body too, and a POST
//! signed in by the session cookie must say `Content-Type: application/json` even without a
//! body. A browser sends a form or a bare `fetch(url, {method: "POST"})` to another site (or
//! a sibling subdomain, where `SameSite` does not help) without asking first; it asks before
//! sending `application/json`. Trial finding: a bodiless POST with the shop's cookie rotated its
//! webhook secret. On the JSON routes only (uploads take
//! `multipart/form-data`), as a route layer inside the role check: who may not call an operation hears so whatever they send.

use crate::extract::{SESSION_COOKIE, is_json};
use crate::problem::Problem;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub(crate) async fn layer(request: Request, next: Next) -> Response {
    let method = request.method();
    let change = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE].contains(method);
    if !change {
        return next.run(request).await;
    }
    let headers = request.headers();
    let declared_json = headers.get(header::CONTENT_TYPE).is_some_and(is_json);
    let has_body = headers.contains_key(header::TRANSFER_ENCODING)
        || headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).is_some_and(|length| length.trim() != "0");
    let by_cookie = !headers.contains_key(header::AUTHORIZATION)
        && headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| v.split(';').any(|pair| pair.trim().starts_with(&format!("{SESSION_COOKIE}="))));
    if !declared_json && (has_body || (by_cookie && method == Method::POST)) {
        return Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None).into_response();
    }
    next.run(request).await
}
