//! `/api/v1/orders/{id}/conversation`: the buyer and the shop talk before any case. The file
//! upload has the evidence upload's body limit, so it is routed with the evidence routes
//! (`upload_routes`, merged in lib.rs); the rest is JSON.

use crate::answer::Json;
use crate::extract::{Body, Caller, Query, Upload};
use crate::idempotency::{self, Claimed};
use crate::problem::Problem;
use crate::routes::evidence::{drain, file_response, read_form};
use crate::routes::path_id;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use redress_app::App;
use redress_app::conversations::{ConversationPage, MessageView, ReadReceipt};
use redress_domain::{EvidenceId, OrderId};
use serde::Deserialize;

/// The upload of a file into a conversation, with the evidence upload's body limit.
pub fn upload_routes(app: &App) -> Router<App> {
    let limit = usize::try_from(app.evidence_limits.request_bytes()).unwrap_or(usize::MAX);
    let router = Router::new()
        .route("/api/v1/orders/{id}/conversation/files", post(upload))
        .route_layer(axum::middleware::from_fn(crate::documented_query::layer))
        .layer(DefaultBodyLimit::disable());
    crate::limits::with_body_limit(router, limit)
}

/// The JSON routes of a conversation.
pub fn routes(router: Router<App>) -> Router<App> {
    router
        .route("/api/v1/orders/{id}/conversation", get(read))
        .route("/api/v1/orders/{id}/conversation/messages", post(post_message))
        .route("/api/v1/orders/{id}/conversation/read", post(mark_read))
        .route("/api/v1/orders/{id}/conversation/files/{fid}", get(download))
        .route("/api/v1/orders/{id}/conversation/files/{fid}/preview", get(preview))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// `next_before` of the previous page: the messages before this one.
    before: Option<i64>,
    /// 1 to 100, default 20.
    limit: Option<i64>,
}

#[utoipa::path(get, operation_id = "conversation_read", path = "/api/v1/orders/{id}/conversation", tag = "conversations", params(("id" = OrderId, Path, description = "The order"), PageQuery), responses((status = 200, description = "The latest messages before the cursor (oldest first), the receipts, and whether the caller may write", body = ConversationPage), crate::openapi::Failures))]
pub async fn read(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Query(page): Query<PageQuery>,
) -> Result<Json<ConversationPage>, Problem> {
    let id: OrderId = path_id(&id)?;
    let page = app.conversation(&caller.principal, id, page.before, page.limit).await?;
    Ok(Json(page))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// 1 to 2000 characters.
    text: String,
}

#[utoipa::path(post, operation_id = "conversation_post", path = "/api/v1/orders/{id}/conversation/messages", tag = "conversations", params(("id" = OrderId, Path, description = "The order"), crate::openapi::IdempotencyKey), request_body = NewMessage, responses((status = 201, description = "The message, with its place in the conversation's hash chain", body = MessageView), crate::openapi::Failures))]
pub async fn post_message(
    State(app): State<App>,
    caller: Caller,
    Claimed(key): Claimed,
    Path(id): Path<String>,
    Body(body): Body<NewMessage>,
) -> Result<Response, Problem> {
    let id: OrderId = path_id(&id)?;
    let answered = app.post_message(&caller.principal, id, &body.text, key.as_ref()).await?;
    Ok(idempotency::respond(answered, key.as_ref()))
}

/// A file into the conversation.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Only described: the handler reads the multipart stream.
pub struct ConversationUpload {
    /// The file's bytes.
    #[schema(value_type = String, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
    kind: redress_domain::vocabulary::EvidenceKind,
    caption: Option<String>,
    /// The message that goes with the file.
    text: Option<String>,
}

/// `multipart/form-data` with `file`, `kind`, `caption` and `text`: checked and stored as an
/// evidence upload is, and sent as one message.
#[utoipa::path(post, operation_id = "conversation_upload", path = "/api/v1/orders/{id}/conversation/files", tag = "conversations", params(("id" = OrderId, Path, description = "The order"), crate::openapi::IdempotencyKey), request_body(content = ConversationUpload, content_type = "multipart/form-data"), responses((status = 201, description = "The message carrying the file", body = MessageView), crate::openapi::Failures))]
pub async fn upload(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Upload(mut multipart): Upload,
) -> Result<Response, Problem> {
    let id: OrderId = path_id(&id)?;
    let room = app.conversation_file_room(&caller.principal, id).await?;
    let (received, description, text) = match read_form(&app, &mut multipart, room, true).await {
        Ok(form) => form,
        Err(problem) => {
            drain(&mut multipart).await;
            return Err(problem);
        }
    };
    let key = idempotency::upload_key(&caller.principal, &headers, &format!("/api/v1/orders/{id}/conversation/files"))?;
    let answered = app.post_file(&caller.principal, id, received, description, &text, key.as_ref()).await?;
    Ok(idempotency::respond(answered, key.as_ref()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkRead {
    /// The `seq` of the last message read.
    up_to: i64,
}

#[utoipa::path(post, operation_id = "conversation_mark_read", path = "/api/v1/orders/{id}/conversation/read", tag = "conversations", params(("id" = OrderId, Path, description = "The order"), crate::openapi::IdempotencyKey), request_body = MarkRead, responses((status = 200, description = "The caller's receipt: it only moves forward", body = ReadReceipt), crate::openapi::Failures))]
pub async fn mark_read(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<MarkRead>,
) -> Result<Json<ReadReceipt>, Problem> {
    let id: OrderId = path_id(&id)?;
    let receipt = app.mark_conversation_read(&caller.principal, id, body.up_to).await?;
    Ok(Json(receipt))
}

async fn file(app: App, caller: Caller, id: String, fid: String, preview: bool) -> Result<Response, Problem> {
    let id: OrderId = path_id(&id)?;
    let fid: EvidenceId = path_id(&fid)?;
    let download = app.conversation_download(&caller.principal, id, fid, preview).await?;
    let name = (!preview).then(|| {
        format!("{}.{}", download.file.evidence_id, redress_app::evidence::extension(&download.file.media_type))
    });
    Ok(file_response(download.body, &download.media_type, download.size, name, &download.file.sha256))
}

#[utoipa::path(get, operation_id = "conversation_file", path = "/api/v1/orders/{id}/conversation/files/{fid}", tag = "conversations", params(("id" = OrderId, Path, description = "The order"), ("fid" = EvidenceId, Path, description = "The file")), responses((status = 200, description = "The file's bytes", content_type = "application/octet-stream", body = Vec<u8>), crate::openapi::Failures))]
pub async fn download(
    State(app): State<App>,
    caller: Caller,
    Path((id, fid)): Path<(String, String)>,
) -> Result<Response, Problem> {
    file(app, caller, id, fid, false).await
}

#[utoipa::path(get, operation_id = "conversation_file_preview", path = "/api/v1/orders/{id}/conversation/files/{fid}/preview", tag = "conversations", params(("id" = OrderId, Path, description = "The order"), ("fid" = EvidenceId, Path, description = "The file")), responses((status = 200, description = "A re-encoded preview image", content_type = "image/jpeg", body = Vec<u8>), crate::openapi::Failures))]
pub async fn preview(
    State(app): State<App>,
    caller: Caller,
    Path((id, fid)): Path<(String, String)>,
) -> Result<Response, Problem> {
    file(app, caller, id, fid, true).await
}
