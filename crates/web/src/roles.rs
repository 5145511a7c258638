//! Who may call an operation at all, checked before anything of the request is read: an
//! operation the document marks with `x-roles` (the roles that may call it) refuses every other
//! role with 403 `forbidden`, whatever its body or query says, so that a caller who may not use
//! an endpoint does not learn its fields from the validation errors (trial finding F12).
//!
//! The document is the one list: a route layer looks the matched route up in it. The use cases
//! keep their own checks (the CLI and the pages call them too).

use crate::extract::{Authenticated, Caller};
use crate::problem::Problem;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use redress_app::App;
use redress_domain::Detail;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The extension naming the roles that may call an operation.
pub const EXTENSION: &str = "x-roles";

/// (method, route template) → the roles that may call it, for every operation that says.
pub fn restricted() -> &'static HashMap<(Method, String), Vec<String>> {
    static TABLE: LazyLock<HashMap<(Method, String), Vec<String>>> = LazyLock::new(|| {
        let mut table = HashMap::new();
        let paths = crate::openapi::document()["paths"].as_object().expect("paths");
        for (path, item) in paths {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let Some(roles) = operation[EXTENSION].as_array() else { continue };
                let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("an HTTP method");
                let roles = roles.iter().map(|r| r.as_str().expect("a role name").to_owned()).collect();
                table.insert((method, path.clone()), roles);
            }
        }
        table
    });
    &TABLE
}

/// The route layer: a restricted operation authenticates its caller first and refuses other
/// roles; the caller found is kept for the handler (`Caller` reads it, not the store again).
pub async fn layer(State(app): State<App>, request: Request, next: Next) -> Response {
    let roles = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|path| restricted().get(&(request.method().clone(), path.as_str().to_owned())));
    let Some(roles) = roles else { return next.run(request).await };
    let (mut parts, body) = request.into_parts();
    let caller = match Caller::authenticate(&mut parts, &app).await {
        Ok(caller) => caller,
        Err(problem) => return problem.into_response(),
    };
    if !roles.iter().any(|r| r == caller.principal.role().as_str()) {
        let detail = Detail::OnlyRoles { roles: roles.join(", ") };
        return Problem::new(StatusCode::FORBIDDEN, "forbidden", Some(detail)).into_response();
    }
    parts.extensions.insert(Authenticated(caller.principal));
    next.run(Request::from_parts(parts, body)).await
}
