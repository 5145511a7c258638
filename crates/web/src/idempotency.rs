//! `Idempotency-Key` on POST: the first answer to a key is replayed to every retry with the same
//! request; a key reused for a different request is refused. Scoped per caller.
//!
//! The answer to a change of a case (filing, actions, evidence) is recorded by the use case in
//! the change's own transaction (see `redress_app::idempotency`): this layer hands the handler
//! the claimed key and replays what is recorded. Other answers (refusals, requests that change
//! no case) are recorded here after the handler, when they are small enough to keep.

use crate::extract::{credential, lang_of};
use crate::problem::Problem;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use redress_app::idempotency::{Answered, IdempotencyKey, MAX_RECORDED_ANSWER, StoredAnswer};
use redress_app::{App, Principal};
use redress_domain::Detail;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Weak};

/// The largest JSON body the API accepts.
pub const MAX_BODY: usize = 1 << 20;

pub const HEADER: &str = "idempotency-key";

/// Marks a response whose answer the use case recorded (or replayed) itself.
#[derive(Clone, Copy)]
struct Recorded;

/// A JSON body in one form whatever its spacing and key order, so that a retry written out by
/// another serializer is the same request (a trial finding: `{"text": "one"}` after
/// `{"text":"one"}` was refused as another body). `None` for a body that is not JSON.
fn canonical(body: &[u8]) -> Option<Vec<u8>> {
    fn sorted(value: serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => {
                let mut entries: Vec<_> = map.into_iter().collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                serde_json::Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
            }
            serde_json::Value::Array(items) => serde_json::Value::Array(items.into_iter().map(sorted).collect()),
            other => other,
        }
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    serde_json::to_vec(&sorted(value)).ok()
}

/// The keys whose request is running now, each with a lock its twins wait on: a retry sent
/// while the first is still running waits for that answer instead of running beside it (and
/// taking the caller's allowance twice, a trial finding). Entries go when nobody holds them.
#[derive(Default)]
pub struct Running(std::sync::Mutex<HashMap<ScopedKey, Weak<tokio::sync::Mutex<()>>>>);

/// A caller's scope and the key they sent.
type ScopedKey = (String, String);

impl Running {
    /// The lock of `key` in `scope`, shared with any request running with it now.
    fn lock_of(&self, scope: &str, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut running = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let id = (scope.to_owned(), key.to_owned());
        if let Some(lock) = running.get(&id).and_then(Weak::upgrade) {
            return lock;
        }
        // Forget finished keys now and then: the map holds only the running ones and a few more.
        if running.len() >= 1024 {
            running.retain(|_, lock| lock.strong_count() > 0);
        }
        let lock = Arc::new(tokio::sync::Mutex::new(()));
        running.insert(id, Arc::downgrade(&lock));
        lock
    }
}

pub async fn layer(State((app, running)): State<(App, Arc<Running>)>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST || crate::routes::evidence::is_upload(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let key = match claimed_key(request.headers()) {
        Ok(Some(key)) => key,
        Ok(None) => return next.run(request).await,
        Err(refused) => return refused.into_response(),
    };
    let (mut parts, body) = request.into_parts();
    let lang = lang_of(&parts);
    // A request without a valid credential is refused by its handler and leaves nothing to
    // remember.
    let Some(scope) = scope(&app, &parts.headers).await else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return crate::limits::body_too_large(MAX_BODY).into_response();
    };
    let request_hash = {
        let mut h = Sha256::new();
        h.update(parts.method.as_str());
        h.update(b" ");
        h.update(parts.uri.path());
        h.update(b"\n");
        h.update(canonical(&bytes).as_deref().unwrap_or(&bytes));
        hex::encode(h.finalize())
    };
    // Held until this request's answer is recorded (or it is known that none will be).
    let _running = running.lock_of(&scope, &key).lock_owned().await;
    let key = IdempotencyKey { scope, key, request_hash };
    match app.recorded_answer(&key).await {
        Ok(Some(answer)) => return replay(&answer, &key),
        Ok(None) => {}
        Err(e) => return Problem::from(e).into_response(),
    }
    parts.extensions.insert(key.clone());
    // A refusal is kept in words: rendered here, in the language of the request that is answered.
    let response = crate::problem::render(next.run(Request::from_parts(parts, Body::from(bytes))).await, lang);
    if response.extensions().get::<Recorded>().is_some() {
        return response;
    }
    // Server errors and rate limits are not answers: a retry runs again. Nor is a refusal of
    // the version the client read (`If-Match`, not part of the request's fingerprint): the
    // same request after reading the case again is taken, under the same key.
    let status = response.status();
    if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::PRECONDITION_FAILED
    {
        return response;
    }
    let small =
        axum::body::HttpBody::size_hint(response.body()).upper().is_some_and(|n| n <= MAX_RECORDED_ANSWER as u64);
    if !small {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_RECORDED_ANSWER).await else {
        return Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None).into_response();
    };
    match app.record_answer(&key, parts.status.as_u16(), String::from_utf8_lossy(&bytes).into_owned()).await {
        Ok(None) => Response::from_parts(parts, Body::from(bytes)),
        // A twin request with this key committed its change first (which is likely why this
        // one was refused): its answer is the answer.
        Ok(Some(first)) => replay(&first, &key),
        Err(e) => {
            tracing::error!(error = %e, "idempotency answer not recorded");
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

/// The request's key, if it sent one: one header of the documented pattern, or refused (two keys
/// would leave it to chance which one a retry is matched by).
fn claimed_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, Problem> {
    let mut keys = headers.get_all(HEADER).iter();
    let Some(key) = keys.next() else { return Ok(None) };
    if keys.next().is_some() {
        return Err(Problem::invalid(Detail::HeaderTwice { name: "Idempotency-Key".into() }));
    }
    valid_key(key).map(Some).ok_or_else(|| Problem::invalid(Detail::IdempotencyKey))
}

/// The documented pattern `^[\x21-\x7e]{1,255}$`: `HeaderValue::to_str` alone would also let
/// spaces and tabs through.
fn valid_key(key: &HeaderValue) -> Option<String> {
    let bytes = key.as_bytes();
    let visible = (1..=255).contains(&bytes.len()) && bytes.iter().all(|b| (0x21..=0x7e).contains(b));
    visible.then(|| String::from_utf8_lossy(bytes).into_owned())
}

/// Scoped per caller (the user or the API token), not per credential: a client that signs in
/// again between retries still gets its first answer.
async fn scope(app: &App, headers: &axum::http::HeaderMap) -> Option<String> {
    let principal: Principal = app.authenticate(&credential(headers)?).await.ok()?;
    Some(IdempotencyKey::scope_of(&principal))
}

/// The key of an upload, whose body is never buffered here: it names the request by its path
/// (the use case checks the file itself). A malformed key is refused as on any POST (it was
/// taken as none: a retry uploaded the file again).
pub fn upload_key(
    principal: &Principal,
    headers: &axum::http::HeaderMap,
    path: &str,
) -> Result<Option<IdempotencyKey>, Problem> {
    let Some(key) = claimed_key(headers)? else { return Ok(None) };
    let request_hash = hex::encode(Sha256::digest(format!("POST {path}\n(upload)").as_bytes()));
    Ok(Some(IdempotencyKey { scope: IdempotencyKey::scope_of(principal), key, request_hash }))
}

/// The response to a change's answer: fresh, or replayed from its record.
pub fn respond(answered: Answered, key: Option<&IdempotencyKey>) -> Response {
    let mut response = match answered {
        Answered::Fresh { status, body } => json(StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body),
        Answered::Replayed(answer) => match key {
            Some(key) => replay(&answer, key),
            None => json(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK), answer.body),
        },
    };
    response.extensions_mut().insert(Recorded);
    response
}

fn json(status: StatusCode, body: String) -> Response {
    let content_type = if status.is_success() { "application/json" } else { "application/problem+json" };
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

/// The recorded answer, if it answered this very request; a key reused for another is refused.
fn replay(answer: &StoredAnswer, key: &IdempotencyKey) -> Response {
    if answer.request_hash != key.request_hash {
        let detail = Some(Detail::IdempotencyKeyForAnotherRequest);
        return Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused", detail).into_response();
    }
    let mut response = json(StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK), answer.body.clone());
    response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}

/// The key the idempotency layer claimed for this request, if it had one.
pub struct Claimed(pub Option<IdempotencyKey>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Claimed {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Claimed(parts.extensions.get::<IdempotencyKey>().cloned()))
    }
}
