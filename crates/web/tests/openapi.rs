//! The OpenAPI document: served from the running server, valid OpenAPI 3.1, every public action
//! an operation, snapshot-tested (any change of the API is a visible diff); the docs page and its
//! files come from the binary.

mod support;

use reqwest::StatusCode;
use serde_json::Value;
use strum::IntoEnumIterator;
use support::TestApp;

async fn document(app: &TestApp) -> Value {
    let response = reqwest::get(format!("{}/api/openapi.json", app.base)).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_parses_as_such() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1."), "{}", doc["openapi"]);
    let spec = oas3::from_json(doc.to_string()).expect("a valid OpenAPI 3.1 document");
    assert!(!spec.paths.unwrap_or_default().is_empty());
    // Every $ref points at a schema the document has.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').unwrap()];
        assert!(doc["components"]["schemas"].get(name).is_some(), "dangling $ref {name}");
    }
}

#[tokio::test]
async fn every_public_action_is_an_operation_with_its_own_body() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    for kind in redress_domain::CommandKind::iter() {
        let path = format!("/api/v1/cases/{{id}}/actions/{}", kind.name());
        let operation = &doc["paths"][&path]["post"];
        assert_eq!(operation.is_object(), !kind.is_system(), "{path}");
    }
    let reject = &doc["paths"]["/api/v1/cases/{id}/actions/reject"]["post"]["requestBody"]["content"]["application/json"]
        ["schema"];
    assert!(reject["properties"]["reason"].is_object() && reject["properties"]["action"].is_null(), "{reject}");
}

#[tokio::test]
async fn every_operation_documents_its_errors_as_problems() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let problem = &operation["responses"]["422"]["content"]["application/problem+json"]["schema"];
            assert_eq!(problem["$ref"], "#/components/schemas/Problem", "{method} {path}");
        }
    }
    let problem = &doc["components"]["schemas"]["Problem"];
    for field in ["code", "title", "status"] {
        assert!(problem["required"].as_array().unwrap().contains(&field.into()), "{field}");
    }
    assert!(problem["properties"]["detail"].is_object());
}

#[tokio::test]
async fn the_document_matches_its_snapshot() {
    let app = TestApp::start().await;
    insta::assert_json_snapshot!("openapi", document(&app).await);
}

#[tokio::test]
async fn the_docs_page_and_its_files_come_from_the_binary() {
    let app = TestApp::start().await;
    let page = reqwest::get(format!("{}/api/docs/", app.base)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    for file in ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-initializer.js"] {
        assert!(html.contains(file), "the page loads {file}");
        let asset = reqwest::get(format!("{}/api/docs/{file}", app.base)).await.unwrap();
        assert_eq!(asset.status(), StatusCode::OK, "{file}");
        assert!(!asset.bytes().await.unwrap().is_empty(), "{file}");
    }
    let init = reqwest::get(format!("{}/api/docs/swagger-initializer.js", app.base)).await.unwrap();
    assert!(init.text().await.unwrap().contains("/api/openapi.json"), "the page reads the served document");
}

#[tokio::test]
async fn operation_ids_are_unique() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    let mut seen = std::collections::BTreeSet::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            let id = operation["operationId"].as_str().expect("every operation has an id");
            assert!(seen.insert(id.to_owned()), "operationId {id} twice");
        }
    }
}

/// A case is answered as its public view (`CaseView`): exactly the fields the document lists,
/// wherever it appears (filing, detail, action, list), and none of the fold's bookkeeping.
#[tokio::test]
async fn a_case_is_answered_as_its_documented_view_without_bookkeeping() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    let schema = &doc["components"]["schemas"]["CaseView"];
    let documented: std::collections::BTreeSet<&str> =
        schema["properties"].as_object().expect("CaseView is documented").keys().map(String::as_str).collect();
    let f = app.fixture().await;
    let order = f.order(&app, "VIEW-1").await;
    let (_, filed) = f
        .buyer
        .post(
            "/api/v1/cases",
            serde_json::json!({ "order_id": order, "kind": "refund_only", "reason": "quality_defect",
                "amount": 39900, "description": "左耳无声", "items": [{ "sku": "EB-PRO-2", "quantity": 1 }] }),
        )
        .await;
    let id = filed["case"]["id"].as_str().unwrap_or_else(|| panic!("{filed}")).to_owned();
    let acted = f.shop.ok(&id, "reject", serde_json::json!({ "reason": "other", "text": "不同意" })).await;
    let read = f.buyer.case(&id).await;
    let (_, listed) = f.buyer.get("/api/v1/cases").await;
    for case in [&filed["case"], &acted["case"], &read["case"], &listed["items"][0]] {
        let answered: std::collections::BTreeSet<&str> = case.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(answered, documented, "{case}");
        for internal in ["agent_acted", "refunds_started", "evidence_bytes", "decision_sla_flagged", "evidence"] {
            assert!(case.get(internal).is_none(), "{internal} in {case}");
        }
        assert!(case["deadline"].get("reminders").is_none(), "{case}");
    }
    // Nor does any other answer: who exactly acted is a speaker, reminders sent stay inside.
    let schemas = &doc["components"]["schemas"];
    for (schema, internal) in
        [("TimelineEntryView", "actor"), ("EvidenceView", "uploader"), ("EscalationView", "reminders_sent")]
    {
        assert!(schemas[schema]["properties"].is_object(), "{schema}");
        assert!(schemas[schema]["properties"].get(internal).is_none(), "{schema}.{internal}");
    }
    for field in ["id", "state", "stage", "kind", "reason", "amount", "deadline", "decision", "appeals"] {
        assert!(documented.contains(field), "{field}");
    }
}

/// Text that may change within a version: what the document says, not the shape it pins.
const PROSE: [&str; 5] = ["description", "summary", "example", "examples", "title"];

/// What of `old` is gone or changed in `new`, by path: every key of an object, every value of
/// an `enum`, every element of another array must still be there (`new` may add). Prose may
/// change; `required` is not compared (see README, "Versions").
fn missing(old: &Value, new: &Value, at: &str, found: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(old), Value::Object(new)) => {
            for (key, value) in old.iter().filter(|(k, _)| !PROSE.contains(&k.as_str()) && *k != "required") {
                match new.get(key) {
                    Some(now) => missing(value, now, &format!("{at}/{key}"), found),
                    None => found.push(format!("{at}/{key}: removed")),
                }
            }
        }
        (Value::Array(old), Value::Array(new)) => {
            for (i, value) in old.iter().enumerate() {
                let kept = new.iter().any(|now| {
                    let mut gone = Vec::new();
                    missing(value, now, at, &mut gone);
                    gone.is_empty()
                });
                if !kept {
                    found.push(format!("{at}[{i}]: {value} removed or changed"));
                }
            }
        }
        (old, new) if old != new => found.push(format!("{at}: {old} became {new}")),
        _ => {}
    }
}

/// The document without its prose: the shape a version pins.
fn shape(doc: &Value) -> Value {
    match doc {
        Value::Object(o) => Value::Object(
            o.iter().filter(|(k, _)| !PROSE.contains(&k.as_str())).map(|(k, v)| (k.clone(), shape(v))).collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(shape).collect()),
        other => other.clone(),
    }
}

fn version(doc: &Value) -> (u64, u64, u64) {
    let text = doc["info"]["version"].as_str().expect("info.version");
    let parts: Vec<u64> = text.split('.').map(|p| p.parse().expect("semver")).collect();
    assert_eq!(parts.len(), 3, "{text}");
    (parts[0], parts[1], parts[2])
}

/// The versioning policy (README, "Versions"): within a major version the document only grows,
/// and a document whose shape differs from the published baseline of its major has a higher
/// version.
#[tokio::test]
async fn within_a_major_version_the_api_only_grows_and_its_version_says_when() {
    let app = TestApp::start().await;
    let doc = document(&app).await;
    let baseline: Value = serde_json::from_str(include_str!("api/openapi-baseline.json")).unwrap();
    let mut gone = Vec::new();
    missing(&baseline["paths"], &doc["paths"], "paths", &mut gone);
    missing(&baseline["components"], &doc["components"], "components", &mut gone);
    assert!(gone.is_empty(), "not additive: a breaking change needs a new major version:\n{}", gone.join("\n"));
    assert_eq!(version(&doc).0, version(&baseline).0, "a new major version comes with its own baseline");
    assert!(doc["paths"].as_object().unwrap().keys().all(|p| p.starts_with("/api/v1") || !p.starts_with("/api/")));
    if shape(&doc["paths"]) != shape(&baseline["paths"]) || shape(&doc["components"]) != shape(&baseline["components"])
    {
        assert!(
            version(&doc) > version(&baseline),
            "the API changed since {}: raise the minor of API_VERSION (crates/web/src/openapi.rs)",
            baseline["info"]["version"]
        );
    }
}

#[test]
fn the_policy_check_sees_a_removed_field_a_changed_type_and_a_removed_value() {
    let old = serde_json::json!({ "S": { "properties": { "a": { "type": "string" }, "b": { "enum": ["x", "y"] } } } });
    let check = |new: Value| {
        let mut gone = Vec::new();
        missing(&old, &new, "", &mut gone);
        gone
    };
    let grown = serde_json::json!({ "S": { "description": "more", "properties": {
        "a": { "type": "string", "description": "text" }, "b": { "enum": ["x", "y", "z"] }, "c": { "type": "integer" } } } });
    assert_eq!(check(grown), Vec::<String>::new());
    assert_eq!(check(serde_json::json!({ "S": { "properties": { "b": { "enum": ["x", "y"] } } } })).len(), 1);
    assert_eq!(
        check(
            serde_json::json!({ "S": { "properties": { "a": { "type": "integer" }, "b": { "enum": ["x", "y"] } } } })
        )
        .len(),
        1
    );
    assert_eq!(
        check(serde_json::json!({ "S": { "properties": { "a": { "type": "string" }, "b": { "enum": ["x"] } } } }))
            .len(),
        1
    );
}
