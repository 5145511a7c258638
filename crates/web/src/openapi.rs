//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]` and the types they
//! take and answer, served at `/api/openapi.json`, and the Swagger UI at `/api/docs` (its files
//! are compiled into the binary by utoipa-swagger-ui's `vendored` feature: nothing is fetched).
//!
//! The case actions are one route (`/cases/{id}/actions/{action}`), but each action takes its
//! own body, so the document lists one operation per public `CommandKind`, its body drawn from
//! the `Command` schema's variant of that name: a new action appears here without an edit.

use crate::problem::ProblemDocument as Problem;
use redress_app::evidence::{MEDIA_TYPES, PREVIEW_MEDIA_TYPE};
use redress_domain::{Command, CommandKind};
use serde_json::{Value, json};
use std::sync::LazyLock;
use strum::IntoEnumIterator;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, PartialSchema};

/// The errors any operation may answer, each an `application/problem+json` with a stable `code`.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)] // Only described, never built: the handlers answer `Problem`.
pub enum Failures {
    /// Malformed request (e.g. an upload cut off).
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(Problem),
    /// No valid session or token (`unauthenticated`, `invalid_credentials`).
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthenticated(Problem),
    /// The caller may not do this, or not now (`forbidden`, `not_your_turn`).
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No such resource, or not visible to the caller (`not_found`, `unknown_action`).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// The state forbids it, or it exists already (`duplicate`, rule codes, idempotency).
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The case changed since the version the action's `If-Match` names (`case_changed`).
    #[response(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Problem),
    /// The body is too large (`payload_too_large`, `evidence_too_large`).
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(Problem),
    /// The body is not JSON (`unsupported_media_type`) or not an accepted file type.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    /// The input is not valid (`invalid_input`, `invalid_json`, rule codes).
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// Too many requests or login attempts; `Retry-After` says when to retry.
    #[response(status = 429, content_type = "application/problem+json")]
    TooMany(Problem),
    /// Unexpected failure (`internal`); nothing was changed half-way.
    #[response(status = 500, content_type = "application/problem+json")]
    Internal(Problem),
    /// Busy or contended (`busy`, `contended`); retry.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// `Idempotency-Key` on a POST: the first answer to a key is replayed to every retry.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // Only described: the idempotency layer reads the header.
pub struct IdempotencyKey {
    /// 1 to 255 visible ASCII characters, unique per intended request.
    #[param(rename = "Idempotency-Key", pattern = "^[\\x21-\\x7e]{1,255}$")]
    idempotency_key: Option<String>,
}

/// An evidence upload: one file and what it shows.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only described: the handler reads the multipart stream.
pub struct EvidenceUpload {
    /// The file's bytes (a string of any content in OpenAPI 3.1 terms, not an array of numbers).
    #[schema(value_type = String, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    kind: redress_domain::vocabulary::EvidenceKind,
    caption: Option<String>,
    /// `true` or `false`: hidden from the other party.
    confidential: Option<bool>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Redress API", description = "After-sales disputes between buyers, merchants and the platform. \
Errors are `application/problem+json` with a stable `code`; text follows `Accept-Language` (zh-CN or en). \
Sign in with `POST /api/v1/auth/login` and send the token as `Authorization: Bearer …` (or the session cookie)."),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    paths(
        crate::routes::health, crate::routes::index,
        crate::routes::auth::login, crate::routes::auth::logout, crate::routes::auth::me,
        crate::routes::auth::issue_token, crate::routes::auth::tokens, crate::routes::auth::revoke_token,
        crate::routes::admin::create_merchant, crate::routes::admin::merchants,
        crate::routes::admin::create_user, crate::routes::admin::users,
        crate::routes::admin::calendar, crate::routes::admin::import_calendar,
        crate::routes::admin::policies, crate::routes::admin::publish_policy,
        crate::routes::orders::create, crate::routes::orders::list, crate::routes::orders::read,
        crate::routes::orders::batch,
        crate::routes::rights::order, crate::routes::rights::case, crate::routes::rights::complaint_check,
        crate::routes::rights::regulator_complaint,
        crate::routes::cases::file, crate::routes::cases::list, crate::routes::cases::read,
        crate::routes::cases::timeline, crate::routes::cases::chain,
        crate::routes::escalations::record, crate::routes::escalations::list,
        crate::routes::escalations::accepted, crate::routes::escalations::notifications,
        crate::routes::escalations::read, crate::routes::notify::read, crate::routes::notify::change,
        crate::routes::evidence::upload, crate::routes::evidence::list, crate::routes::evidence::download,
        crate::routes::evidence::preview, crate::routes::evidence::dossier, crate::routes::evidence::dossier_key,
        crate::routes::conversations::read, crate::routes::conversations::post_message,
        crate::routes::conversations::upload, crate::routes::conversations::mark_read,
        crate::routes::conversations::download, crate::routes::conversations::preview,
        crate::routes::search::search, crate::routes::search::similar, crate::routes::search::repeat_complaints,
        crate::routes::dashboards::shop, crate::routes::dashboards::platform, crate::routes::dashboards::reputation,
        crate::routes::webhooks::event_types, crate::routes::webhooks::create, crate::routes::webhooks::list,
        crate::routes::webhooks::read, crate::routes::webhooks::change, crate::routes::webhooks::delete,
        crate::routes::webhooks::rotate_secret, crate::routes::webhooks::deliveries,
        crate::routes::webhooks::delivery, crate::routes::webhooks::redeliver,
        crate::routes::webhooks::redeliver_since,
    ),
    components(schemas(Command, redress_app::cases::ActionAnswer))
)]
struct Api;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::extract::SESSION_COOKIE))),
        );
    }
}

/// The version of the API's shape (semver). Within a major version a change may only add
/// (README, "Versions"): bump the minor version with every change of the document, the patch for
/// a fix of its text; `tests/openapi.rs` checks the document against the published baseline of
/// the major (`tests/api/openapi-baseline.json`). 2.0.0: the consumer-law answers lost their
/// bilingual pairs for one message in the caller's language (README, "Versions").
pub const API_VERSION: &str = "2.5.3";

/// The document, built once.
pub fn document() -> &'static Value {
    static DOC: LazyLock<Value> = LazyLock::new(|| {
        let mut doc = serde_json::to_value(Api::openapi()).expect("the OpenAPI document serializes");
        doc["info"]["version"] = API_VERSION.into();
        add_actions(&mut doc);
        document_file_types(&mut doc);
        add_locations(&mut doc);
        doc
    });
    &DOC
}

/// Every `201 Created` answer says where the new resource is (see `location.rs`).
fn add_locations(doc: &mut Value) {
    let header = json!({ "Location": {
        "description": "The new resource: the request's path and its id",
        "schema": { "type": "string" },
    } });
    for item in doc["paths"].as_object_mut().expect("paths").values_mut() {
        for operation in item.as_object_mut().into_iter().flat_map(|o| o.values_mut()) {
            if let Some(created) = operation["responses"].get_mut("201").and_then(Value::as_object_mut) {
                created.insert("headers".into(), header.clone());
            }
        }
    }
}

/// One operation per public action: `POST /api/v1/cases/{id}/actions/<name>`, its body the
/// `Command` variant of that name without the `action` tag.
fn add_actions(doc: &mut Value) {
    let command = serde_json::to_value(Command::schema()).expect("the Command schema serializes");
    let variants = command["oneOf"].as_array().cloned().unwrap_or_default();
    let paths = doc["paths"].as_object_mut().expect("paths");
    for kind in CommandKind::iter().filter(|k| !k.is_system()) {
        let name = kind.name();
        let body = variants
            .iter()
            .find_map(|v| body_of(v, name))
            .unwrap_or_else(|| panic!("the Command schema has no variant `{name}`"));
        let operation = json!({
            "tags": ["actions"],
            "summary": format!("Action `{name}`"),
            "description": "Takes this action on the case. The answer is the case now and the events the action appended; \
        `allowed_actions` on the case says which actions the caller may take now.",
            "operationId": format!("act_{}", name.replace('-', "_")),
            "parameters": [
                { "name": "id", "in": "path", "required": true, "description": "The case", "schema": { "type": "string", "format": "uuid" } },
                { "name": "Idempotency-Key", "in": "header", "required": false, "description": "1 to 255 visible ASCII characters, unique per intended request", "schema": { "type": "string", "pattern": "^[\\x21-\\x7e]{1,255}$" } },
                { "name": "If-Match", "in": "header", "required": false, "description": "The case's `ETag` as the caller read it (`\"7\"`): the action is refused (412 `case_changed`) if the case has changed since; `*` or none: the case as it is", "schema": { "type": "string" } }
            ],
            "requestBody": { "required": true, "content": { "application/json": { "schema": body } } },
            "responses": failures_with(json!({
                "200": { "description": "The action was taken", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ActionAnswer" } } } }
            })),
        });
        paths.insert(format!("/api/v1/cases/{{id}}/actions/{name}"), json!({ "post": operation }));
    }
}

/// A download answers in the type the file was stored with: one content entry per allowed type
/// (the attribute can only name one), and the preview in the one type previews are made in.
fn document_file_types(doc: &mut Value) {
    let binary = json!({ "schema": { "type": "string", "contentMediaType": "application/octet-stream" } });
    let download = &mut doc["paths"]["/api/v1/cases/{id}/evidence/{eid}"]["get"]["responses"]["200"]["content"];
    *download = MEDIA_TYPES.iter().map(|(media_type, _)| (media_type.to_string(), binary.clone())).collect();
    let preview = &mut doc["paths"]["/api/v1/cases/{id}/evidence/{eid}/preview"]["get"]["responses"]["200"]["content"];
    *preview = json!({ PREVIEW_MEDIA_TYPE: binary });
}

/// The request body of action `name` if `variant` is its schema: the variant without `action`.
/// Every action refuses a field it does not have (`Command::from_action`), the actions without
/// fields too: an inline body says so (a named one, `Revision`, says it itself).
fn body_of(variant: &Value, name: &str) -> Option<Value> {
    let is_tag = |s: &Value| s["properties"]["action"]["enum"].as_array().is_some_and(|e| e == &[json!(name)]);
    let strip = |s: &Value| {
        let mut s = s.clone();
        if let Some(props) = s["properties"].as_object_mut() {
            props.remove("action");
        }
        if let Some(req) = s["required"].as_array_mut() {
            req.retain(|r| r != "action");
        }
        s["additionalProperties"] = Value::Bool(false);
        s
    };
    if is_tag(variant) {
        return Some(strip(variant));
    }
    let parts = variant["allOf"].as_array()?;
    parts.iter().any(is_tag).then(|| {
        let rest: Vec<Value> = parts.iter().filter(|p| !is_tag(p)).cloned().collect();
        if rest.len() == 1 { rest[0].clone() } else { json!({ "allOf": rest }) }
    })
}

/// `responses` with every failure of `Failures` added.
fn failures_with(mut responses: Value) -> Value {
    let failures = &document_failures();
    for (status, response) in failures.as_object().into_iter().flatten() {
        responses[status] = response.clone();
    }
    responses
}

fn document_failures() -> Value {
    use utoipa::IntoResponses;
    serde_json::to_value(Failures::responses()).expect("responses serialize")
}

/// The document at `/api/openapi.json` and the docs page at `/api/docs` (no credentials
/// needed: the API's shape is public). The page's files are served from the binary; its policy
/// lets it run its own scripts and fetch the document, nothing from elsewhere.
pub fn routes() -> axum::Router {
    use axum::http::{HeaderValue, header};
    let ui =
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").external_url_unchecked("/api/openapi.json", document().clone());
    axum::Router::from(ui).layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    ))
}
