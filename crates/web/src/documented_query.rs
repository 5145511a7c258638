//! Query parameters the document does not name are refused, on every documented operation: a
//! misspelt or unsupported filter (`?overdue=true` where there is none) would otherwise answer the
//! unfiltered list as if it had applied. The allowed names are read from the OpenAPI document, so
//! the check can never disagree with what is published.

use crate::Problem;
use axum::extract::{MatchedPath, Request};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use redress_domain::Detail;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::LazyLock;

/// (method, route template) → the query parameters the document names for that operation.
type Operations = HashMap<(Method, String), BTreeSet<String>>;

static OPERATIONS: LazyLock<Operations> = LazyLock::new(|| operations(crate::openapi::document()));

fn operations(doc: &Value) -> Operations {
    let mut found = HashMap::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        let shared = query_names(&item["parameters"]);
        for (method, operation) in item.as_object().into_iter().flatten().filter(|(m, _)| *m != "parameters") {
            let mut query = shared.clone();
            query.extend(query_names(&operation["parameters"]));
            let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("an HTTP method");
            found.insert((method, path.clone()), query);
        }
    }
    found
}

fn query_names(parameters: &Value) -> BTreeSet<String> {
    let names = parameters.as_array().into_iter().flatten();
    names.filter(|p| p["in"] == "query").filter_map(|p| p["name"].as_str().map(str::to_owned)).collect()
}

/// The query names the document gives the operation at `method`, route `template` and `path`,
/// if it is documented. A route whose last segment is a parameter may be documented one
/// operation per value (the case actions: `/actions/{action}` is `/actions/approve`, …).
fn documented(method: &Method, template: &str, path: &str) -> Option<&'static BTreeSet<String>> {
    OPERATIONS.get(&(method.clone(), template.to_owned())).or_else(|| {
        let (parent, last) = template.rsplit_once('/')?;
        let value = path.rsplit('/').next().filter(|_| last.starts_with('{'))?;
        OPERATIONS.get(&(method.clone(), format!("{parent}/{value}")))
    })
}

/// The methods the document gives the route `template` at `path`, as `Allow` lists them ("GET,
/// HEAD, POST"); a route documented one operation per value of its last parameter, by that value.
pub(crate) fn methods(template: &str, path: &str) -> String {
    let at = |documented: &str| {
        let mut methods: Vec<&str> =
            OPERATIONS.keys().filter(|(_, t)| t == documented).map(|(m, _)| m.as_str()).collect();
        // What answers GET answers HEAD too (the router does, and `Allow` says so).
        if methods.contains(&"GET") {
            methods.push("HEAD");
        }
        methods.sort_unstable();
        methods.join(", ")
    };
    let by_value = || {
        let (parent, last) = template.rsplit_once('/')?;
        let value = path.rsplit('/').next().filter(|_| last.starts_with('{'))?;
        Some(at(&format!("{parent}/{value}")))
    };
    Some(at(template)).filter(|m| !m.is_empty()).or_else(by_value).unwrap_or_default()
}

/// The first parameter of `query` that is not among `known`, if any.
fn unknown_parameter(known: &BTreeSet<String>, query: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes()).map(|(name, _)| name.into_owned()).find(|name| !known.contains(name))
}

/// A route layer (inside the role check: a caller who may not use an operation is refused as
/// such, whatever its query names), looking the matched route up in the document.
pub(crate) async fn layer(request: Request, next: Next) -> Response {
    let refused = request.uri().query().filter(|q| !q.is_empty()).and_then(|query| {
        let template = request.extensions().get::<MatchedPath>()?;
        let known = documented(request.method(), template.as_str(), request.uri().path())?;
        let field = unknown_parameter(known, query)?;
        let names = known.iter().cloned().collect::<Vec<_>>().join(", ");
        Some(if names.is_empty() {
            Detail::NoQueryParameters { field }
        } else {
            Detail::UnknownField { field, known: names }
        })
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
        let list = documented(&Method::GET, "/api/v1/cases", "/api/v1/cases").expect("the case list is documented");
        assert!(list.contains("state") && list.contains("limit"));
        assert_eq!(unknown_parameter(list, "state=open&limit=5"), None);
        assert_eq!(unknown_parameter(list, "state=open&overdu=true"), Some("overdu".into()));
        let case = "/api/v1/cases/0190f3a2-0000-7000-8000-000000000000";
        let read = documented(&Method::GET, "/api/v1/cases/{id}", case).expect("documented");
        assert!(read.is_empty());
        assert_eq!(unknown_parameter(read, "x=1"), Some("x".into()));
        let template = "/api/v1/cases/{id}/actions/{action}";
        let action = documented(&Method::POST, template, &format!("{case}/actions/approve"));
        assert!(action.is_some(), "each action is its own documented operation");
        assert!(documented(&Method::POST, template, &format!("{case}/actions/nonsense")).is_none());
        assert!(documented(&Method::GET, "/cases/{id}", "/cases/x").is_none(), "pages are not the API's document");
    }
}
