//! Who may call an operation is checked before its body or query is read (trial finding F12,
//! and its leftover: a parameter the operation does not take was refused before the role):
//! a role that may not call an operation at all gets 403 `forbidden` whatever it sends, never a
//! validation error that tells it the operation's fields. The operations and their roles are
//! read from the published document (`x-roles`), not listed here.

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::TestApp;

/// Every operation the document restricts: (method, path with ids filled in and an invalid
/// query, allowed roles).
fn restricted(doc: &Value) -> Vec<(Method, String, Vec<String>)> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().into_iter().flatten() {
            let Some(roles) = operation["x-roles"].as_array() else { continue };
            let roles = roles.iter().map(|r| r.as_str().unwrap().to_owned()).collect();
            // Any id: the role is refused before anything is looked up.
            let path = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "0192f5c0-0000-7000-8000-000000000000" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            // A query value that is not valid, where the operation takes one, and a parameter
            // the operation does not take: neither is read before the role.
            let takes_limit = operation["parameters"].as_array().into_iter().flatten().any(|p| p["name"] == "limit");
            let path = if takes_limit {
                format!("{path}?limit=abc&no_such_filter=1")
            } else {
                format!("{path}?no_such_filter=1")
            };
            found.push((Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(), path, roles));
        }
    }
    found
}

#[tokio::test]
async fn a_role_that_may_not_call_an_operation_is_refused_before_its_body_is_read() {
    let t = TestApp::start().await;
    let f = t.fixture().await;
    let (status, doc) = t.anonymous().get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let operations = restricted(&doc);
    // The admin endpoints of the finding are among them (the document does say).
    for (method, path) in [(Method::POST, "/api/v1/users"), (Method::POST, "/api/v1/policies")] {
        assert!(
            operations.iter().any(|(m, p, r)| *m == method && p.split('?').next() == Some(path) && r == &["admin"]),
            "{method} {path} is not marked admin-only in the document"
        );
    }
    let callers = [("buyer", &f.buyer), ("merchant", &f.shop), ("agent", &f.agent)];
    // Empty, an object without the fields, malformed JSON, not an object, another type.
    let bodies: [(&str, Option<&str>); 5] = [
        ("", None),
        ("{}", Some("application/json")),
        ("{\"login\":", Some("application/json")),
        ("[]", Some("application/json")),
        ("a=b", Some("application/x-www-form-urlencoded")),
    ];
    let mut wrong = Vec::new();
    let mut refused = 0;
    for (method, path, roles) in &operations {
        for (role, session) in callers.iter().filter(|(role, _)| !roles.iter().any(|r| r == role)) {
            for (body, content_type) in bodies {
                let mut request = session.request(method.clone(), path);
                if let Some(ct) = content_type {
                    request = request.header("Content-Type", ct);
                }
                let reply = request.body(body).send().await.unwrap();
                let status = reply.status();
                let problem: Value = reply.json().await.unwrap_or(Value::Null);
                if status != StatusCode::FORBIDDEN || problem["code"] != "forbidden" {
                    wrong.push(format!("{role} {method} {path} body {body:?}: {status} {problem}"));
                }
                refused += 1;
            }
        }
    }
    assert!(wrong.is_empty(), "answered other than 403 forbidden:\n{}", wrong.join("\n"));
    assert!(refused > 0);
    // The roles that may call still get to the body: an admin's `{}` names the missing field.
    let (status, problem) = f.admin.post("/api/v1/users", json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "invalid_json", "{problem}");
    // The refusal names who may: in the caller's language.
    let (status, problem) = f.buyer.post("/api/v1/policies", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(problem["detail"].as_str().is_some_and(|d| d.contains("管理员")), "{problem}");
}
