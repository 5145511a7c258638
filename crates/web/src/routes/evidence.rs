//! Evidence files and the dossier. The upload is the one route with a body limit above the JSON
//! API's 1 MiB, so these routes have their own router and layers (`router` in lib.rs merges it).

use crate::answer::Json;
use crate::extract::{Caller, Upload};
use crate::problem::Problem;
use crate::routes::path_id;
use crate::views::{EvidenceView, Items};
use axum::Router;
use axum::body::Body;
use axum::extract::multipart::Multipart;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use redress_app::App;
use redress_app::evidence::{Description, EvidenceError, EvidenceRecord, Received};
use redress_domain::Detail;
use redress_domain::vocabulary::EvidenceKind;
use redress_domain::{CaseId, EvidenceId};

/// The evidence routes, with the upload's body limit (the largest file plus multipart framing).
pub fn routes(app: &App) -> Router<App> {
    let limit = usize::try_from(app.evidence_limits.request_bytes()).unwrap_or(usize::MAX);
    let router = Router::new()
        .route("/api/v1/cases/{id}/evidence", get(list).post(upload))
        .route("/api/v1/cases/{id}/evidence/{eid}", get(download))
        .route("/api/v1/cases/{id}/evidence/{eid}/preview", get(preview))
        .route("/api/v1/cases/{id}/dossier", get(dossier))
        .route_layer(axum::middleware::from_fn(crate::documented_query::layer))
        .layer(DefaultBodyLimit::disable());
    crate::limits::with_body_limit(router, limit)
}

/// Is this the upload? The idempotency layer leaves its body unbuffered: an upload's
/// `Idempotency-Key` is honoured by the use case itself (the key names the evidence id).
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST
        && ((path.starts_with("/api/v1/cases/") && path.ends_with("/evidence"))
            || (path.starts_with("/api/v1/orders/") && path.ends_with("/conversation/files")))
}

fn view(record: &EvidenceRecord) -> EvidenceView {
    EvidenceView::from(record)
}

fn invalid(detail: Detail) -> Problem {
    Problem::invalid(detail)
}

/// The upload stopped before its end (the message of the multipart parser stays in the log).
fn incomplete(e: axum::extract::multipart::MultipartError) -> Problem {
    Problem::from(redress_app::AppError::from(EvidenceError::Incomplete(e.body_text())))
}

/// `POST /cases/{id}/evidence`, `multipart/form-data` with the fields `file` (the bytes; its
/// name and Content-Type are ignored), `kind`, `caption` and `confidential` (`true`/`false`).
#[utoipa::path(post, operation_id = "evidence_upload", path = "/api/v1/cases/{id}/evidence", tag = "evidence", params(("id" = CaseId, Path, description = "The case"), crate::openapi::IdempotencyKey), request_body(content = crate::openapi::EvidenceUpload, content_type = "multipart/form-data"), responses((status = 201, description = "The file on the case", body = EvidenceView), crate::openapi::Failures))]
pub async fn upload(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Upload(mut multipart): Upload,
) -> Result<Response, Problem> {
    let id: CaseId = path_id(&id)?;
    let room = app.evidence_room(&caller.principal, id).await?;
    let read = read_form(&app, &mut multipart, room, false).await;
    let (received, description, _) = match read {
        Ok(form) => form,
        Err(problem) => {
            drain(&mut multipart).await;
            return Err(problem);
        }
    };
    let key = crate::idempotency::upload_key(&caller.principal, &headers, &format!("/api/v1/cases/{id}/evidence"))?;
    let render = |record: &EvidenceRecord| -> Result<String, redress_app::AppError> {
        Ok(serde_json::to_string(&view(record)).map_err(anyhow::Error::from)?)
    };
    let answered = app.add_evidence(&caller.principal, id, received, description, key.as_ref(), &render).await?;
    Ok(crate::idempotency::respond(answered, key.as_ref()))
}

/// Reads an upload form: the file and what it shows, and (where `with_text`, a conversation's
/// file) the message's `text`.
pub(crate) async fn read_form(
    app: &App,
    multipart: &mut Multipart,
    room: u64,
    with_text: bool,
) -> Result<(Received, Description, String), Problem> {
    let mut received = None;
    let (mut kind, mut caption, mut confidential, mut text) = (None, String::new(), false, String::new());
    while let Some(field) = multipart.next_field().await.map_err(incomplete)? {
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "file" if received.is_some() => return Err(invalid(Detail::OneFilePerUpload)),
            "file" => received = Some(app.receive_evidence(field, room).await?),
            "text" if with_text => text = small_field(field).await?,
            "kind" | "caption" | "confidential" => {
                let text = small_field(field).await?;
                match name.as_str() {
                    "kind" => {
                        let unknown = || invalid(Detail::Unknown { field: "kind".into(), value: text.trim().into() });
                        kind = Some(text.trim().parse::<EvidenceKind>().map_err(|_| unknown())?)
                    }
                    "caption" => caption = text,
                    _ => {
                        confidential = match text.trim() {
                            "true" | "1" | "on" => true,
                            "false" | "0" | "" => false,
                            _ => {
                                let values = "true, false".into();
                                return Err(invalid(Detail::OneOf { field: "confidential".into(), values }));
                            }
                        }
                    }
                }
            }
            other => {
                let known = "file, kind, caption, confidential".into();
                return Err(invalid(Detail::UnknownField { field: other.into(), known }));
            }
        }
    }
    let received = received.ok_or_else(|| invalid(Detail::Missing { field: "file".into() }))?;
    let kind = kind.ok_or_else(|| invalid(Detail::Missing { field: "kind".into() }))?;
    Ok((received, Description { kind, caption, confidential }, text))
}

/// The longest text field an upload form may carry (a caption is at most 200 characters, a
/// conversation message 2000).
const MAX_TEXT_FIELD: usize = 8192;

/// Reads a text field chunk by chunk, refusing it as soon as it is longer than a caption can be:
/// the upload route's large body limit is for the file, never for a text field.
async fn small_field(mut field: axum::extract::multipart::Field<'_>) -> Result<String, Problem> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(incomplete)? {
        if bytes.len() + chunk.len() > MAX_TEXT_FIELD {
            return Err(invalid(Detail::TextFieldTooLong { bytes: MAX_TEXT_FIELD as u64 }));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| invalid(Detail::TextNotUtf8))
}

/// Reads what is left of a refused upload (bounded by the route's body limit) so the client
/// gets the answer instead of a reset connection while it is still sending.
pub(crate) async fn drain(multipart: &mut Multipart) {
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(_)) = field.chunk().await {}
    }
}

#[utoipa::path(get, operation_id = "evidence_list", path = "/api/v1/cases/{id}/evidence", tag = "evidence", params(("id" = CaseId, Path, description = "The case")), responses((status = 200, description = "The files the caller may see", body = Items<EvidenceView>), crate::openapi::Failures))]
pub async fn list(
    State(app): State<App>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Items<EvidenceView>>, Problem> {
    let id: CaseId = path_id(&id)?;
    let items = app.list_evidence(&caller.principal, id).await?;
    Ok(Json(Items { items: items.iter().map(view).collect() }))
}

async fn file(app: App, caller: Caller, id: String, eid: String, preview: bool) -> Result<Response, Problem> {
    let id: CaseId = path_id(&id)?;
    let eid: EvidenceId = path_id(&eid)?;
    let download = app.evidence_download(&caller.principal, id, eid, preview).await?;
    let name = if preview { None } else { Some(download.record.file_name()) };
    Ok(file_response(download.body, &download.media_type, download.size, name, &download.record.file.sha256))
}

/// A stored file as an answer: served as data, never rendered as a page of this site; `name`
/// makes it an attachment (a preview is shown inline).
pub(crate) fn file_response(
    body: redress_app::blobs::ByteStream,
    media_type: &str,
    size: Option<u64>,
    name: Option<String>,
    sha256: &str,
) -> Response {
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Some(size) = size {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox; default-src 'none'"));
    let disposition = name.map_or_else(|| "inline".to_owned(), |name| format!("attachment; filename=\"{name}\""));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(sha256) {
        headers.insert("x-evidence-sha256", v);
    }
    response
}

/// `GET /cases/{id}/evidence/{eid}`: the original, byte for byte.
#[utoipa::path(get, operation_id = "evidence_download", path = "/api/v1/cases/{id}/evidence/{eid}", tag = "evidence", params(("id" = CaseId, Path, description = "The case"), ("eid" = EvidenceId, Path, description = "The file")), responses((status = 200, description = "The file's bytes, in the type it was stored with (`redress_app::evidence::MEDIA_TYPES`)", content_type = "application/octet-stream", body = Vec<u8>), crate::openapi::Failures))]
pub async fn download(
    State(app): State<App>,
    caller: Caller,
    Path((id, eid)): Path<(String, String)>,
) -> Result<Response, Problem> {
    file(app, caller, id, eid, false).await
}

/// `GET /cases/{id}/evidence/{eid}/preview`: an image re-encoded without its metadata.
#[utoipa::path(get, operation_id = "evidence_preview", path = "/api/v1/cases/{id}/evidence/{eid}/preview", tag = "evidence", params(("id" = CaseId, Path, description = "The case"), ("eid" = EvidenceId, Path, description = "The file")), responses((status = 200, description = "A re-encoded preview image", content_type = "image/jpeg", body = Vec<u8>), crate::openapi::Failures))]
pub async fn preview(
    State(app): State<App>,
    caller: Caller,
    Path((id, eid)): Path<(String, String)>,
) -> Result<Response, Problem> {
    file(app, caller, id, eid, true).await
}

/// `GET /cases/{id}/dossier`: the ZIP for this reader (see `redress_app::dossier`).
#[utoipa::path(get, operation_id = "evidence_dossier", path = "/api/v1/cases/{id}/dossier", tag = "evidence", params(("id" = CaseId, Path, description = "The case")), responses((status = 200, description = "The case's dossier (zip)", content_type = "application/zip", body = Vec<u8>), crate::openapi::Failures))]
pub async fn dossier(State(app): State<App>, caller: Caller, Path(id): Path<String>) -> Result<Response, Problem> {
    let id: CaseId = path_id(&id)?;
    let dossier = match app.dossier(&caller.principal, id).await {
        Ok(dossier) => dossier,
        Err(e @ redress_app::AppError::Busy(_)) => return Err(Problem::from(e).retry_after(10)),
        Err(e) => return Err(e.into()),
    };
    // The export's place is held by the stream until the last byte is sent (or the client goes).
    let permit = dossier.permit;
    let stream = futures_util::StreamExt::map(
        tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(dossier.file)),
        move |chunk| {
            let _held = &permit;
            chunk
        },
    );
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(dossier.size));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", dossier.file_name)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// `GET /dossier-key`: the public key the platform seals every dossier with. No sign-in: anyone
/// holding a dossier checks it against this (`redress verify --key`).
#[utoipa::path(get, operation_id = "dossier_key", path = "/api/v1/dossier-key", tag = "evidence", security(), responses((status = 200, description = "The platform's dossier key", body = redress_app::seal::PublicSealKey), crate::openapi::Failures))]
pub async fn dossier_key(State(app): State<App>) -> Result<Json<redress_app::seal::PublicSealKey>, Problem> {
    Ok(Json(app.seal_key().await?.public()))
}
