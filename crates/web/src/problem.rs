//! Errors as RFC 9457 `application/problem+json`: a stable `code` that clients match on, a
//! `title` and a `detail` in the request's language. Unexpected failures are logged and answered
//! without internals.
//!
//! Rendering is deferred to one place. A handler (or extractor, or inner middleware) answers a
//! [`Problem`]: a status, a code and a [`Detail`] (a code with arguments), no words. Its response
//! carries the problem as an extension and no body; [`language`], the layer around the whole
//! router, negotiates the caller's language once per request (kept as a request extension, see
//! [`crate::extract::AcceptLang`]) and renders every such response into the document
//! ([`ProblemDocument`]) in that language. So handlers turn any `AppError` into their answer with
//! `?` and never see the language; the idempotency layer, which keeps answers, renders before it
//! keeps one ([`render`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use redress_app::AppError;
use redress_domain::{Detail, RejectionCode};
use redress_text::Lang;
use serde::Serialize;

/// A problem as the client reads it, in its language.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Problem, example = json!({"type": "https://redress.invalid/problems/amount_exceeds_refundable", "code": "amount_exceeds_refundable", "title": "The amount exceeds what is still refundable on the order", "status": 422, "detail": "The amount ¥500.00 is more than the ¥399.00 still refundable."}))]
pub struct ProblemDocument {
    #[serde(rename = "type")]
    pub kind: String,
    pub code: &'static str,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// A refusal or failure, not yet in words: what the handlers answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: Option<Detail>,
    /// Seconds until a retry may succeed, sent as `Retry-After`.
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
    pub fn new(status: StatusCode, code: &'static str, detail: Option<Detail>) -> Problem {
        debug_assert!(CODES.contains(&code), "problem code `{code}` is not in CODES");
        let code = if CODES.contains(&code) { code } else { "internal" };
        Problem { status, code, detail, retry_after: None }
    }

    /// `invalid_input` (422) with what was wrong.
    pub fn invalid(detail: Detail) -> Problem {
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", Some(detail))
    }

    pub fn retry_after(self, seconds: u64) -> Problem {
        Problem { retry_after: Some(seconds), ..self }
    }

    pub fn rejection(code: RejectionCode, detail: Option<Detail>) -> Problem {
        use RejectionCode::*;
        let status = match code {
            _ if code.is_about_the_request() => StatusCode::UNPROCESSABLE_ENTITY,
            NotYourTurn => StatusCode::FORBIDDEN,
            NotYourOrder => StatusCode::NOT_FOUND,
            CaseChanged => StatusCode::PRECONDITION_FAILED,
            _ => StatusCode::CONFLICT,
        };
        Problem { status, code: code.as_str(), detail, retry_after: None }
    }

    /// The document in `lang`: the title by the code, the detail by its code and arguments.
    pub fn document(&self, lang: Lang) -> ProblemDocument {
        ProblemDocument {
            kind: format!("https://redress.invalid/problems/{}", self.code),
            code: self.code,
            title: redress_text::problem_title(lang, self.code),
            status: self.status.as_u16(),
            detail: self.detail.as_ref().map(|d| told(lang, d)),
        }
    }

    /// The answer in `lang`, with its headers.
    pub fn render(&self, lang: Lang) -> Response {
        let mut response = (self.status, axum::Json(self.document(lang))).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

use redress_text::told;

impl From<AppError> for Problem {
    fn from(error: AppError) -> Problem {
        use redress_app::evidence::EvidenceError as E;
        let status = match &error {
            AppError::Rejected(r) => return Problem::rejection(r.code, r.detail.clone()),
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthenticated | AppError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Invalid(_) | AppError::InvalidJson(_) | AppError::WebhookUrlRefused(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            AppError::Duplicate(_) => StatusCode::CONFLICT,
            AppError::Evidence(e) => {
                tracing::debug!(error = %e, "evidence refused");
                match e {
                    E::TooLarge { .. } | E::CaseFull { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                    E::UnsupportedType(_) | E::UnknownType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    E::Incomplete(_) => StatusCode::BAD_REQUEST,
                    E::Empty | E::ImageTooLarge(_) | E::Corrupt(_) => StatusCode::UNPROCESSABLE_ENTITY,
                }
            }
            AppError::Contended | AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        let problem = Problem::new(status, error.code(), error.detail());
        match &error {
            AppError::TooManyAttempts { retry_after } => {
                problem.retry_after(redress_app::error::whole_seconds(*retry_after))
            }
            // Busy, not refused: a 503 is not stored as an idempotent answer, so a retry runs again.
            AppError::Busy(_) => problem.retry_after(1),
            _ => problem,
        }
    }
}

/// The answer carries the problem, not yet in words; [`language`] renders it.
impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let mut response = self.status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// A response whose problem is not yet in words, rendered in `lang`; any other as it is.
pub fn render(response: Response, lang: Lang) -> Response {
    match response.extensions().get::<Problem>() {
        Some(problem) => {
            let mut rendered = problem.render(lang);
            // Headers set on the way out (e.g. `Allow`) stay.
            for kept in [header::ALLOW] {
                if let Some(value) = response.headers().get(&kept) {
                    rendered.headers_mut().insert(kept, value.clone());
                }
            }
            // So do the extensions (the matched route the metrics count it under).
            *rendered.extensions_mut() = response.extensions().clone();
            // A 401 names the scheme that would be accepted (RFC 9110).
            if rendered.status() == StatusCode::UNAUTHORIZED {
                rendered.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
            }
            rendered
        }
        None => response,
    }
}

pub async fn not_found() -> Problem {
    Problem::new(StatusCode::NOT_FOUND, "not_found", None)
}

/// The language layer, around every route: negotiates the caller's language once (a request
/// extension that extractors and inner layers read), then renders the problem of any answer in
/// it. An error answered below the handlers (axum's 405, the body limit's 413, an extractor's
/// plain-text rejection) becomes a problem too, so that clients can always match on `code`.
pub async fn language(mut request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = crate::extract::lang_of_headers(request.headers());
    request.extensions_mut().insert(crate::extract::AcceptLang(lang));
    // The route, for the methods a 405 names (axum adds `Allow` outside this layer).
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map(|m| (m.as_str().to_owned(), request.uri().path().to_owned()));
    let response = render(next.run(request).await, lang);
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
    // The plain text of such an error is English and written by a library: the code and the
    // title say what was wrong, in the caller's language.
    let allowed =
        route.map(|(template, path)| crate::documented_query::methods(&template, &path)).filter(|m| !m.is_empty());
    let detail = match status {
        StatusCode::METHOD_NOT_ALLOWED => allowed.map(|allowed| Detail::MethodsAllowed { allowed }),
        _ => None,
    };
    let mut problem = Problem::new(status, code, detail).render(lang);
    for kept in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&kept) {
            problem.headers_mut().insert(kept, value.clone());
        }
    }
    *problem.extensions_mut() = response.extensions().clone();
    problem
}

/// The answer to a request whose handler panicked: logged, and `internal` to the client (in its
/// language: the language layer is around this one).
pub fn panicked(panic: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let what = panic.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| panic.downcast_ref::<String>().cloned());
    tracing::error!(panic = what.as_deref().unwrap_or("?"), "handler panicked");
    Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// Every code a person may be shown has its words in both languages: problem codes (of the
    /// HTTP layer and the domain), details, vocabulary values, event kinds and notification kinds,
    /// each walked from its derived list, so a new code without text fails here.
    #[test]
    fn every_code_has_text_in_both_languages() {
        let mut keys: Vec<String> = CODES.iter().map(|c| redress_text::problem_key(c)).collect();
        keys.extend(RejectionCode::ALL.iter().map(|c| redress_text::problem_key(c.as_str())));
        keys.extend(redress_domain::DetailCode::iter().map(|c| redress_text::detail_key(c.as_str())));
        keys.extend(redress_text::vocabulary_keys());
        let events = redress_domain::event::EventKind::iter();
        keys.extend(events.map(|k| format!("event-{}", <&str>::from(k))));
        keys.extend(redress_text::NotificationKind::iter().map(|k| k.key()));
        assert!(keys.len() > 250, "{}", keys.len());
        let missing: Vec<String> = Lang::ALL
            .iter()
            .flat_map(|lang| {
                keys.iter().filter(|k| !redress_text::has(*lang, k)).map(move |k| format!("{k} ({lang:?})"))
            })
            .collect();
        assert_eq!(missing, Vec::<String>::new());
    }

    /// A detail is told with its arguments in both languages: Chinese only in zh-CN, and a
    /// plural where English needs one.
    #[test]
    fn details_are_told_with_their_arguments() {
        let cap = Detail::ExceedsCompensationCap { amount: "¥5000.00".into(), cap: "¥1899.00".into() };
        let zh = told(Lang::Zh, &cap);
        assert!(zh.contains("赔偿") && !zh.contains("退款") && zh.contains("¥1899.00"), "{zh}");
        let en = told(Lang::En, &cap);
        assert!(en.contains("compensation") && !han(&en), "{en}");
        assert!(told(Lang::En, &Detail::FileLimit { bytes: 1 }).contains("at most 1 B."));
        assert!(told(Lang::En, &Detail::FileLimit { bytes: 65536 }).contains("at most 64 KiB."));
        assert_eq!(told(Lang::Zh, &Detail::CaseLimit { bytes: 200 << 20 }), "一个售后单的证据合计最多 200 MiB。");
        assert!(told(Lang::Zh, &Detail::FileLimit { bytes: (3 << 20) / 2 }).contains("1.5 MiB"));
        let roles = Detail::OnlyRoles { roles: "buyer, agent".into() };
        assert_eq!(told(Lang::En, &roles), "Only buyers or platform agents may do this.");
        assert_eq!(told(Lang::Zh, &roles), "仅买家或平台客服可以进行此操作。");
        let at = "2026-03-11T16:00:00Z".parse().unwrap();
        let early = Detail::EscalateFrom { earliest: at, days: 3 };
        assert!(told(Lang::Zh, &early).contains("北京时间 2026-03-12 00:00"), "{}", told(Lang::Zh, &early));
        assert!(told(Lang::En, &early).contains("3 working days"), "{}", told(Lang::En, &early));
    }

    fn han(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// Every problem code, of the HTTP layer and of the domain, has a title in both languages from
    /// the catalogue: Chinese for zh-CN, no Chinese for English.
    #[test]
    fn every_problem_code_has_a_title_in_both_languages() {
        let problems = |lang| {
            let http = CODES.iter().map(move |code| Problem::new(StatusCode::CONFLICT, code, None).document(lang));
            http.chain(RejectionCode::ALL.iter().map(move |code| Problem::rejection(*code, None).document(lang)))
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
