//! Query parameters the document does not name are refused, on every documented operation: a
//! misspelt or unsupported filter (`?overdue=true` where there is none) would otherwise answer the
//! unfiltered list as if it had applied. The allowed names are read from the OpenAPI document, so
//! the check can never disagree with what is published.

use crate::Problem;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use redress_domain::Detail;
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// A documented operation: its path template split in segments, its method, its query names.
struct Operation {
    segments: Vec<String>,
    method: String,
    query: BTreeSet<String>,
}

static OPERATIONS: LazyLock<Vec<Operation>> = LazyLock::new(|| operations(crate::openapi::document()));

fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let shared = query_names(&item["parameters"]);
        for (method, operation) in item.as_object().into_iter().flatten().filter(|(m, _)| *m != "parameters") {
            let mut query = shared.clone();
            query.extend(query_names(&operation["parameters"]));
            found.push(Operation { segments: split(path), method: method.to_ascii_uppercase(), query });
        }
    }
    found
}

fn query_names(parameters: &Value) -> BTreeSet<String> {
    let names = parameters.as_array().into_iter().flatten();
    names.filter(|p| p["in"] == "query").filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
}

fn split(path: &str) -> Vec<String> {
    path.trim_end_matches('/').split('/').map(str::to_owned).collect()
}

/// The documented operation this request is for, if any (`{id}` matches any one segment).
fn operation_of(method: &str, path: &str) -> Option<&'static Operation> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    OPERATIONS.iter().find(|op| {
        op.method == method
            && op.segments.len() == segments.len()
            && op.segments.iter().zip(&segments).all(|(t, s)| t.starts_with('{') || t == s)
    })
}

/// The first parameter of `query` that `operation` does not document, if any.
fn unknown_parameter(operation: &Operation, query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .map(|(name, _)| name.into_owned())
        .find(|name| !operation.query.contains(name))
}

pub(crate) async fn layer(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let refused = uri.query().filter(|q| !q.is_empty()).and_then(|query| {
        let operation = operation_of(request.method().as_str(), uri.path())?;
        let field = unknown_parameter(operation, query)?;
        let known = operation.query.iter().cloned().collect::<Vec<_>>().join(", ");
        Some(Detail::UnknownField { field, known: if known.is_empty() { "—".into() } else { known } })
    });
    match refused {
        Some(detail) => Problem::invalid(detail).into_response(),
        None => next.run(request).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_names_pass_and_others_are_named() {
        let list = operation_of("GET", "/api/v1/cases").expect("the case list is documented");
        assert!(list.query.contains("state") && list.query.contains("limit"));
        assert_eq!(unknown_parameter(list, "state=open&limit=5"), None);
        assert_eq!(unknown_parameter(list, "state=open&overdu=true"), Some("overdu".into()));
        let read = operation_of("GET", "/api/v1/cases/0190f3a2-0000-7000-8000-000000000000").expect("documented");
        assert!(read.query.is_empty());
        assert_eq!(unknown_parameter(read, "x=1"), Some("x".into()));
        let action = operation_of("POST", "/api/v1/cases/0190f3a2-0000-7000-8000-000000000000/actions/approve");
        assert!(action.is_some(), "each action is its own documented path");
        assert!(operation_of("GET", "/cases/0190f3a2").is_none(), "pages are not the API's document");
    }
}
