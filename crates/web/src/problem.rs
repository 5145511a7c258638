//! Errors as RFC 9457 `application/problem+json`: a stable `code` that clients match on, a
//! `title` in the request's language (zh-CN unless English is preferred), and `detail` with the
//! specifics. Unexpected failures are logged and answered without internals.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_app::AppError;
use redress_domain::{Lang, RejectionCode};
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"type": "https://redress.invalid/problems/not_found", "code": "not_found", "title": "Not found", "status": 404, "detail": "case 0190f3a2-…"}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub code: &'static str,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Seconds until a retry may succeed, sent as `Retry-After`.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

/// Codes of the HTTP layer itself, with their messages.
const CODES: &[(&str, &str, &str)] = &[
    ("not_found", "未找到该资源", "Not found"),
    ("unauthenticated", "请先登录", "Authentication required"),
    ("invalid_credentials", "登录名或密码错误", "Wrong login or password"),
    (
        "too_many_attempts",
        "登录尝试过于频繁,请在 Retry-After 所示的秒数后再试",
        "Too many login attempts; try again after the seconds in Retry-After",
    ),
    ("rate_limited", "请求过于频繁,请稍后再试", "Too many requests; try again later"),
    ("request_timeout", "请求未能在时限内发送完毕", "The request was not sent in time"),
    ("uri_too_long", "请求地址过长", "The request URI is too long"),
    ("headers_too_large", "请求头过大或过多", "The request headers are too large or too many"),
    (
        "unsupported_media_type",
        "请求体须为 JSON(Content-Type: application/json)",
        "The request body must be JSON (Content-Type: application/json)",
    ),
    ("forbidden", "您没有权限进行此操作", "You are not allowed to do this"),
    ("invalid_input", "提交的内容不符合要求", "The request is not valid"),
    ("invalid_json", "请求体不是有效的 JSON 或字段不符合要求", "The request body is not valid JSON for this endpoint"),
    ("duplicate", "该记录已存在", "This already exists"),
    ("contended", "该售后单正在被其他操作修改,请重试", "The case is being changed by another request; retry"),
    ("busy", "服务器繁忙,请稍后重试", "The server is busy; retry later"),
    ("unknown_action", "不支持该操作", "Unknown action"),
    ("idempotency_key_reused", "该幂等键已用于另一个请求", "This Idempotency-Key was used for a different request"),
    ("request_in_progress", "相同幂等键的请求正在处理中", "A request with this Idempotency-Key is still in progress"),
    ("payload_too_large", "请求体过大", "The request body is too large"),
    ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    ("internal", "服务器内部错误,请稍后重试", "Internal error; please retry later"),
    // Evidence uploads (after `internal`, whose index the fallback uses).
    ("evidence_too_large", "文件超过大小上限", "The file is larger than the limit"),
    ("evidence_case_full", "该售后单的证据总量已达上限", "The case's evidence has reached its total size limit"),
    (
        "evidence_unsupported_type",
        "不支持该文件类型(仅支持 JPEG、PNG、WebP、GIF、HEIC、PDF、MP4、MOV 和纯文本)",
        "Unsupported file type (JPEG, PNG, WebP, GIF, HEIC, PDF, MP4, MOV and plain text only)",
    ),
    ("evidence_empty", "文件为空", "The file is empty"),
    ("evidence_incomplete", "上传不完整,请重新上传", "The upload was cut off; upload the file again"),
    ("evidence_image_too_large", "图片尺寸过大,无法安全处理", "The image's dimensions are too large to process safely"),
    ("evidence_corrupt", "图片已损坏,无法读取", "The image is damaged and cannot be read"),
];

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, lang: Lang, detail: Option<String>) -> Problem {
        let known = |code: &str| CODES.iter().find(|(c, _, _)| *c == code).copied();
        debug_assert!(known(code).is_some(), "problem code `{code}` has no messages in CODES");
        let (_, zh, en) = known(code).or_else(|| known("internal")).expect("`internal` is in CODES");
        let title = if lang == Lang::En { en } else { zh };
        Problem {
            kind: format!("https://redress.invalid/problems/{code}"),
            code,
            title,
            status: status.as_u16(),
            detail,
            retry_after: None,
        }
    }

    pub fn retry_after(self, seconds: u64) -> Problem {
        Problem { retry_after: Some(seconds), ..self }
    }

    pub fn rejection(code: RejectionCode, lang: Lang, detail: Option<String>) -> Problem {
        use RejectionCode::*;
        let status = match code {
            InvalidInput
            | AmountNotPositive
            | AmountExceedsRefundable
            | ItemsNotInOrder
            | NoReasonWindowClosed
            | NoReasonExcludedItem
            | NotSignedFor => StatusCode::UNPROCESSABLE_ENTITY,
            NotYourTurn => StatusCode::FORBIDDEN,
            NotYourOrder => StatusCode::NOT_FOUND,
            _ => StatusCode::CONFLICT,
        };
        Problem {
            kind: format!("https://redress.invalid/problems/{}", code.as_str()),
            code: code.as_str(),
            title: code.message(lang),
            status: status.as_u16(),
            detail,
            retry_after: None,
        }
    }

    pub fn from_app(error: AppError, lang: Lang) -> Problem {
        match error {
            AppError::Rejected(r) => Problem::rejection(r.code, lang, r.detail_in(lang)),
            AppError::NotFound => Problem::new(StatusCode::NOT_FOUND, "not_found", lang, None),
            AppError::Unauthenticated => Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", lang, None),
            AppError::InvalidCredentials => Problem::new(StatusCode::UNAUTHORIZED, "invalid_credentials", lang, None),
            AppError::TooManyAttempts { retry_after } => {
                let seconds = retry_after.as_secs() + i64::from(retry_after.subsec_nanos() > 0);
                Problem::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", lang, None)
                    .retry_after(u64::try_from(seconds).unwrap_or(0).max(1))
            }
            AppError::Forbidden(why) => Problem::new(StatusCode::FORBIDDEN, "forbidden", lang, Some(why.into())),
            AppError::Invalid(detail) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", lang, Some(detail))
            }
            AppError::Duplicate(what) => Problem::new(StatusCode::CONFLICT, "duplicate", lang, Some(what)),
            // Busy, not refused: a 503 is not stored as an idempotent answer, so a retry runs again.
            AppError::Evidence(e) => {
                use redress_app::evidence::EvidenceError as E;
                let status = match &e {
                    E::TooLarge { .. } | E::CaseFull { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                    E::UnsupportedType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    E::Incomplete(_) => StatusCode::BAD_REQUEST,
                    E::Empty | E::ImageTooLarge(_) | E::Corrupt(_) => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Problem::new(status, e.code(), lang, Some(e.to_string()))
            }
            AppError::Contended => Problem::new(StatusCode::SERVICE_UNAVAILABLE, "contended", lang, None),
            AppError::Busy(what) => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, "busy", lang, Some(what.into())).retry_after(1)
            }
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", lang, None)
            }
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

pub async fn not_found(lang: crate::extract::AcceptLang) -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not_found", lang.0, None)
}

/// The last word on errors: an error answered below the handlers (axum's 405, the body limit's
/// 413, an extractor's plain-text rejection) becomes a problem in the caller's language too, so
/// that clients can always match on `code`.
pub async fn ensure(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = crate::extract::lang_of_headers(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    let is_problem = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v == "application/problem+json");
    if is_problem || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNAUTHORIZED => "unauthenticated",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        StatusCode::TOO_MANY_REQUESTS => "rate_limited",
        s if s.is_server_error() => "internal",
        _ => "invalid_input",
    };
    let (parts, body) = response.into_parts();
    // A client error's text says what was wrong; a server error's stays in the log.
    let detail = if status.is_client_error() {
        axum::body::to_bytes(body, 4096)
            .await
            .ok()
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .filter(|d| !d.is_empty())
    } else {
        None
    };
    let mut problem = Problem::new(status, code, lang, detail).into_response();
    for kept in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = parts.headers.get(&kept) {
            problem.headers_mut().insert(kept, value.clone());
        }
    }
    problem
}

/// The answer to a request whose handler panicked: logged, and `internal` to the client.
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
    tracing::error!(panic = what.as_deref().unwrap_or("?"), "handler panicked");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", Lang::Zh, None).into_response()
}
