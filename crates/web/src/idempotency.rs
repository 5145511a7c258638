//! `Idempotency-Key` on POST: the first answer to a key is stored and replayed to every retry
//! with the same request; a key reused for a different request is refused. Scoped per caller.

use crate::extract::{credential, lang_of};
use crate::problem::Problem;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use redress_app::ports::IdempotencyState;
use redress_app::{App, Principal};
use sha2::{Digest, Sha256};

/// The largest JSON body the API accepts.
pub const MAX_BODY: usize = 1 << 20;
pub const HEADER: &str = "idempotency-key";

pub async fn layer(State(app): State<App>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || crate::routes::evidence::is_upload(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(HEADER).cloned() else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let lang = lang_of(&parts);
    let key = match key.to_str() {
        Ok(k) if !k.is_empty() && k.len() <= 255 => k.to_owned(),
        _ => {
            return Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                lang,
                Some("Idempotency-Key: 1 to 255 visible ASCII characters".into()),
            )
            .into_response();
        }
    };
    // Scoped per caller (the user or the API token), not per credential: a client that signs in
    // again between retries still gets its first answer. A request without a valid credential
    // is refused by its handler and leaves nothing to remember.
    let scope = match credential(&parts.headers) {
        Some(credential) => match app.authenticate(&credential).await {
            Ok(Principal::User(user)) => format!("user:{}", user.id),
            Ok(Principal::MerchantToken { token, .. }) => format!("token:{token}"),
            Err(_) => return next.run(Request::from_parts(parts, body)).await,
        },
        None => return next.run(Request::from_parts(parts, body)).await,
    };
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", lang, None).into_response();
    };
    let request_hash = {
        let mut h = Sha256::new();
        h.update(parts.method.as_str());
        h.update(b" ");
        h.update(parts.uri.path());
        h.update(b"\n");
        h.update(&bytes);
        hex::encode(h.finalize())
    };
    let now = app.clock.now();
    let state = match app.store.idempotency_start(&scope, &key, &request_hash, now).await {
        Ok(state) => state,
        Err(e) => return Problem::from_app(e.into(), lang).into_response(),
    };
    match state {
        IdempotencyState::InProgress => {
            Problem::new(StatusCode::CONFLICT, "request_in_progress", lang, None).into_response()
        }
        IdempotencyState::Completed { request_hash: stored, .. } if stored != request_hash => {
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", lang, None).into_response()
        }
        IdempotencyState::Completed { status, body, .. } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            let content_type = if status.is_success() { "application/json" } else { "application/problem+json" };
            let mut response = (status, body).into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
            response
        }
        IdempotencyState::Started => {
            let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
            let (parts, body) = response.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
                let _ = app.store.idempotency_abandon(&scope, &key).await;
                return Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", lang, None).into_response();
            };
            // Server errors are not answers: the key is released so a retry runs again.
            let saved = if parts.status.is_server_error() {
                app.store.idempotency_abandon(&scope, &key).await
            } else {
                app.store
                    .idempotency_complete(
                        &scope,
                        &key,
                        parts.status.as_u16(),
                        &String::from_utf8_lossy(&bytes),
                        app.clock.now(),
                    )
                    .await
            };
            if let Err(e) = saved {
                tracing::error!(error = %e, "idempotency key not saved");
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}
