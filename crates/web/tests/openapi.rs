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
    for field in ["id", "state", "stage", "kind", "reason", "amount", "deadline", "decision", "appeals"] {
        assert!(documented.contains(field), "{field}");
    }
}
