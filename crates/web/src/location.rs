//! `201 Created` answers say where the new resource is (`Location`): the request's path and the
//! new resource's id, read from the answer itself, so an answer replayed for an
//! `Idempotency-Key` (recorded as status and body) gets the same header as the first.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

/// Created answers are small (a case just filed, a file's record, an order): anything larger is
/// passed through as it is.
const MAX_CREATED_ANSWER: usize = 1 << 20;

pub async fn layer(request: Request, next: Next) -> Response {
    let path = request.uri().path().trim_end_matches('/').to_owned();
    let response = next.run(request).await;
    if response.status() != StatusCode::CREATED || response.headers().contains_key(header::LOCATION) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_CREATED_ANSWER).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let location = serde_json::from_slice::<Value>(&bytes).ok().and_then(|answer| location(&path, &answer));
    if let Some(value) = location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        parts.headers.insert(header::LOCATION, value);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Where the resource created by a POST to `path` is: below `path`, under its id (a case's
/// filing answers the case's detail; a policy is named by its version number).
pub fn location(path: &str, answer: &Value) -> Option<String> {
    let id = match path {
        "/api/v1/cases" => &answer["case"]["id"],
        "/api/v1/policies" => &answer["version"],
        _ if path.ends_with("/evidence") => &answer["evidence_id"],
        _ => &answer["id"],
    };
    let id = match id {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-').then(|| format!("{path}/{id}"))
}

#[cfg(test)]
mod tests {
    use super::location;
    use serde_json::json;

    #[test]
    fn the_new_resource_is_below_the_path_it_was_posted_to() {
        let case = json!({ "case": { "id": "0190-ab" } });
        assert_eq!(location("/api/v1/cases", &case).as_deref(), Some("/api/v1/cases/0190-ab"));
        let file = json!({ "evidence_id": "e1", "case_id": "c1" });
        assert_eq!(location("/api/v1/cases/c1/evidence", &file).as_deref(), Some("/api/v1/cases/c1/evidence/e1"));
        assert_eq!(location("/api/v1/policies", &json!({ "version": 3 })).as_deref(), Some("/api/v1/policies/3"));
        assert_eq!(location("/api/v1/orders", &json!({ "id": "o1" })).as_deref(), Some("/api/v1/orders/o1"));
        assert_eq!(location("/api/v1/orders", &json!({ "id": "../x" })), None);
        assert_eq!(location("/api/v1/orders", &json!({})), None);
    }
}
