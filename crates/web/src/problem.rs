//! Errors as RFC 9457 `application/problem+json`: a stable `code` that clients match on, a
//! `title` in the request's language (zh-CN unless English is preferred), and `detail` with the
//! specifics. Unexpected failures are logged and answered without internals.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_app::AppError;
use redress_domain::RejectionCode;
use redress_text::Lang;
use serde::Serialize;

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"type": "https://redress.invalid/problems/not_found", "code": "not_found", "title": "Not found", "status": 404, "detail": "case 0190f3a2-…"}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub code: &'static str,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Seconds until a retry may succeed, sent as `Retry-After`.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

/// Codes of the HTTP layer itself; their words are in the text catalogue (`problem-<code>`).
pub const CODES: &[&str] = &[
    "not_found",
    "unauthenticated",
    "invalid_credentials",
    "too_many_attempts",
    "rate_limited",
    "request_timeout",
    "uri_too_long",
    "headers_too_large",
    "unsupported_media_type",
    "forbidden",
    "invalid_input",
    "invalid_json",
    "duplicate",
    "contended",
    "busy",
    "unknown_action",
    "idempotency_key_reused",
    "request_in_progress",
    "payload_too_large",
    "method_not_allowed",
    "internal",
    "evidence_too_large",
    "evidence_case_full",
    "evidence_unsupported_type",
    "evidence_empty",
    "evidence_incomplete",
    "evidence_image_too_large",
    "evidence_corrupt",
    "webhook_url_refused",
];

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, lang: Lang, detail: Option<String>) -> Problem {
        debug_assert!(CODES.contains(&code), "problem code `{code}` is not in CODES");
        let code = if CODES.contains(&code) { code } else { "internal" };
        Problem {
            kind: format!("https://redress.invalid/problems/{code}"),
            code,
            title: redress_text::problem_title(lang, code),
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
            title: redress_text::problem_title(lang, code.as_str()),
            status: status.as_u16(),
            detail,
            retry_after: None,
        }
    }

    pub fn from_app(error: AppError, lang: Lang) -> Problem {
        match error {
            AppError::Rejected(r) => {
                let detail = match (r.explanation, lang) {
                    (Some(e), Lang::Zh) => Some(e.zh),
                    (Some(e), Lang::En) => Some(e.en),
                    (None, _) => r.detail,
                };
                Problem::rejection(r.code, lang, detail)
            }
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
            AppError::WebhookUrlRefused(why) => {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "webhook_url_refused", lang, Some(why))
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
    // A page (issue 11) answers its errors as pages, in the reader's chosen language.
    let is_page = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if is_problem || is_page || !(status.is_client_error() || status.is_server_error()) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// Every problem code, of the HTTP layer and of the domain, has a title in both languages from
    /// the catalogue: Chinese for zh-CN, no Chinese for English.
    #[test]
    fn every_problem_code_has_a_title_in_both_languages() {
        let problems = |lang| {
            let http = CODES.iter().map(move |code| Problem::new(StatusCode::CONFLICT, code, lang, None));
            http.chain(RejectionCode::ALL.iter().map(move |code| Problem::rejection(*code, lang, None)))
        };
        for problem in problems(Lang::Zh) {
            let key = redress_text::problem_key(problem.code);
            assert!(redress_text::lookup(Lang::Zh, &key, None).is_some(), "{} has no zh-CN title", problem.code);
            assert!(han(&problem.title), "{}: {}", problem.code, problem.title);
        }
        for problem in problems(Lang::En) {
            let key = redress_text::problem_key(problem.code);
            assert!(redress_text::lookup(Lang::En, &key, None).is_some(), "{} has no English title", problem.code);
            assert!(!han(&problem.title), "{}: {}", problem.code, problem.title);
        }
    }
}
