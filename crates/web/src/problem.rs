//! Errors as RFC 9457 `application/problem+json`: a stable `code` that clients match on, a
//! `title` in the request's language (zh-CN unless English is preferred), and `detail` with the
//! specifics. Unexpected failures are logged and answered without internals.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_app::AppError;
use redress_domain::{Lang, RejectionCode};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub code: &'static str,
    pub title: &'static str,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Codes of the HTTP layer itself, with their messages.
const CODES: &[(&str, &str, &str)] = &[
    ("not_found", "未找到该资源", "Not found"),
    ("unauthenticated", "请先登录", "Authentication required"),
    (
        "forbidden",
        "您没有权限进行此操作",
        "You are not allowed to do this",
    ),
    (
        "invalid_input",
        "提交的内容不符合要求",
        "The request is not valid",
    ),
    (
        "invalid_json",
        "请求体不是有效的 JSON 或字段不符合要求",
        "The request body is not valid JSON for this endpoint",
    ),
    ("duplicate", "该记录已存在", "This already exists"),
    (
        "contended",
        "该售后单正在被其他操作修改,请重试",
        "The case is being changed by another request; retry",
    ),
    ("unknown_action", "不支持该操作", "Unknown action"),
    (
        "idempotency_key_reused",
        "该幂等键已用于另一个请求",
        "This Idempotency-Key was used for a different request",
    ),
    (
        "request_in_progress",
        "相同幂等键的请求正在处理中",
        "A request with this Idempotency-Key is still in progress",
    ),
    (
        "payload_too_large",
        "请求体过大",
        "The request body is too large",
    ),
    (
        "method_not_allowed",
        "不支持该请求方法",
        "Method not allowed",
    ),
    (
        "internal",
        "服务器内部错误,请稍后重试",
        "Internal error; please retry later",
    ),
];

impl Problem {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        lang: Lang,
        detail: Option<String>,
    ) -> Problem {
        let (_, zh, en) = CODES
            .iter()
            .find(|(c, _, _)| *c == code)
            .copied()
            .unwrap_or(("internal", CODES[12].1, CODES[12].2));
        let title = if lang == Lang::En { en } else { zh };
        Problem {
            kind: format!("https://redress.invalid/problems/{code}"),
            code,
            title,
            status: status.as_u16(),
            detail,
        }
    }

    pub fn rejection(code: RejectionCode, lang: Lang, detail: Option<String>) -> Problem {
        use RejectionCode::*;
        let status = match code {
            InvalidInput | AmountNotPositive | AmountExceedsRefundable | ItemsNotInOrder => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
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
        }
    }

    pub fn from_app(error: AppError, lang: Lang) -> Problem {
        match error {
            AppError::Rejected(r) => Problem::rejection(r.code, lang, r.detail_in(lang)),
            AppError::NotFound => Problem::new(StatusCode::NOT_FOUND, "not_found", lang, None),
            AppError::Unauthenticated => {
                Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", lang, None)
            }
            AppError::Forbidden(why) => {
                Problem::new(StatusCode::FORBIDDEN, "forbidden", lang, Some(why.into()))
            }
            AppError::Invalid(detail) => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                lang,
                Some(detail),
            ),
            AppError::Duplicate(what) => {
                Problem::new(StatusCode::CONFLICT, "duplicate", lang, Some(what))
            }
            AppError::Contended => Problem::new(StatusCode::CONFLICT, "contended", lang, None),
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
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

pub async fn not_found(lang: crate::extract::AcceptLang) -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not_found", lang.0, None)
}
