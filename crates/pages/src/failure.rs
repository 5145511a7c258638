//! Pages for what went wrong: 403, 404, 409, an expired session, busy and internal errors, each
//! in the reader's language with a way on. Asked for without signing in, a page sends the reader
//! to the sign-in form and back.

use crate::i18n::Tr;
use crate::shell::Shell;
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use redress_app::AppError;
use redress_domain::RejectionCode;

#[derive(Debug)]
pub enum Failure {
    /// Not signed in: to the sign-in form, then back to `next`.
    SignIn {
        next: String,
    },
    /// A session cookie that no longer opens a session.
    Expired {
        tr: Tr,
        next: String,
    },
    NotFound(Tr),
    Forbidden(Tr),
    /// A form older than its session (or forged).
    StaleForm(Tr),
    /// A form whose text is not UTF-8: refused whole, nothing saved.
    NotText(Tr),
    /// The case moved on since the page was read: `message` says why, `back` where to look.
    Conflict {
        tr: Tr,
        message: String,
        back: String,
    },
    Busy(Tr),
    /// The account's changes are over the allowance: come back after `wait`.
    TooMany {
        tr: Tr,
        wait: std::time::Duration,
    },
    Internal(Tr),
}

impl Failure {
    pub fn from_app(error: AppError, tr: Tr) -> Failure {
        match error {
            AppError::NotFound => Failure::NotFound(tr),
            AppError::Forbidden(_) => Failure::Forbidden(tr),
            AppError::Unauthenticated => Failure::Expired { tr, next: "/".into() },
            AppError::Rejected(r) => Failure::Conflict { message: rejection_text(&r, tr), tr, back: "/".into() },
            AppError::Contended | AppError::Busy(_) | AppError::TooManyAttempts { .. } => Failure::Busy(tr),
            AppError::Internal(e) => {
                tracing::error!(error = ?e, "internal error on a page");
                Failure::Internal(tr)
            }
            other => Failure::Conflict { message: app_error_text(&other, tr), tr, back: "/".into() },
        }
    }

    /// The same failure, with `back` as the way on from a conflict.
    pub fn back_to(self, to: &str) -> Failure {
        match self {
            Failure::Conflict { tr, message, .. } => Failure::Conflict { tr, message, back: to.to_owned() },
            other => other,
        }
    }
}

/// A refusal of the rules in the reader's words: its title, and what exactly was wrong.
pub fn rejection_text(r: &redress_domain::Rejection, tr: Tr) -> String {
    titled(r.code.as_str(), r.detail.as_ref(), tr)
}

/// Any refusal of a use case in the reader's words: its code's title and its detail, both from
/// the catalogue (as the API's problems say them).
pub fn app_error_text(error: &AppError, tr: Tr) -> String {
    titled(error.code(), error.detail().as_ref(), tr)
}

/// `title: detail` of a problem code, or the title alone.
fn titled(code: &str, detail: Option<&redress_domain::Detail>, tr: Tr) -> String {
    let title = redress_text::problem_title(tr.lang, code);
    match detail {
        Some(detail) => format!("{title}: {}", redress_text::told(tr.lang, detail)),
        None => title,
    }
}

/// Is this refusal about what the case is now (a 409 page), not about what the form said? A
/// filing's open case or used-up applications are shown on the filing form too.
pub fn is_about_the_case(code: RejectionCode) -> bool {
    use RejectionCode::*;
    !(code.is_about_the_request() || matches!(code, ItemsHaveOpenCase | MaxApplicationsReached))
}

#[derive(Template)]
#[template(path = "failure.html")]
struct FailurePage {
    t: Tr,
    s: Shell,
    status: u16,
    title: String,
    message: String,
    link: String,
    link_text: String,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, tr, title, message, link, link_text) = match self {
            Failure::SignIn { next, .. } => {
                return Redirect::to(&format!("/login?next={}", encode(&next))).into_response();
            }
            Failure::Expired { tr, next } => {
                let link = format!("/login?next={}", encode(&next));
                let page = page(StatusCode::UNAUTHORIZED, tr, "failure-expired", link, "failure-sign-in-again");
                let mut response = page.into_response();
                // The dead session cookie goes, so the next page asks to sign in.
                response.headers_mut().append(
                    header::SET_COOKIE,
                    HeaderValue::from_static("redress_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
                );
                return response;
            }
            Failure::NotFound(tr) => {
                return page(StatusCode::NOT_FOUND, tr, "failure-not-found", "/".into(), "failure-home")
                    .into_response();
            }
            Failure::Forbidden(tr) => {
                return page(StatusCode::FORBIDDEN, tr, "failure-forbidden", "/".into(), "failure-home")
                    .into_response();
            }
            Failure::StaleForm(tr) => {
                return page(StatusCode::FORBIDDEN, tr, "failure-stale-form", "/".into(), "failure-home")
                    .into_response();
            }
            Failure::NotText(tr) => {
                return page(StatusCode::UNPROCESSABLE_ENTITY, tr, "failure-not-text", "/".into(), "failure-home")
                    .into_response();
            }
            Failure::Busy(tr) => {
                return page(StatusCode::SERVICE_UNAVAILABLE, tr, "failure-busy", "/".into(), "failure-home")
                    .into_response();
            }
            Failure::TooMany { tr, wait } => {
                let mut response =
                    page(StatusCode::TOO_MANY_REQUESTS, tr, "failure-too-many", "/".into(), "failure-home");
                let seconds = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                return response;
            }
            Failure::Internal(tr) => {
                return page(StatusCode::INTERNAL_SERVER_ERROR, tr, "failure-internal", "/".into(), "failure-home")
                    .into_response();
            }
            Failure::Conflict { tr, message, back } => (
                StatusCode::CONFLICT,
                tr,
                tr.get("failure-conflict-title"),
                message,
                back,
                tr.get("failure-conflict-back"),
            ),
        };
        FailureView { status, tr, title, message, link, link_text }.respond()
    }
}

/// A failure page's words, kept on its answer so that the pages' frame (`frame::failures`) can
/// draw it again in the reader's frame: their navigation, and a language switch back to here.
#[derive(Clone, Debug)]
pub struct FailureView {
    pub status: StatusCode,
    pub tr: Tr,
    pub title: String,
    pub message: String,
    pub link: String,
    pub link_text: String,
}

impl FailureView {
    /// The page in `shell`.
    pub fn render(&self, shell: Shell) -> Response {
        let FailureView { status, tr, title, message, link, link_text } = self.clone();
        crate::shell::html(
            status,
            &FailurePage { t: tr, s: shell, status: status.as_u16(), title, message, link, link_text },
        )
    }

    /// The page without a frame (who reads it is not known here), carrying its words.
    fn respond(self) -> Response {
        let mut response = self.render(Shell::anonymous());
        response.extensions_mut().insert(self);
        response
    }

    /// A failure page whose title and message are the catalogue's `<key>-title` and `<key>`.
    pub fn of(status: StatusCode, tr: Tr, key: &str, link: String, link_key: &str) -> FailureView {
        FailureView {
            status,
            tr,
            title: tr.get(&format!("{key}-title")),
            message: tr.get(key),
            link,
            link_text: tr.get(link_key),
        }
    }
}

fn page(status: StatusCode, tr: Tr, key: &str, link: String, link_key: &str) -> Response {
    FailureView::of(status, tr, key, link, link_key).respond()
}

/// Percent-encodes a path for a query value.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A path to return to after signing in: only a path of this site (no `//host`, no scheme).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_next(Some("/cases/1?x=2")), "/cases/1?x=2");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        assert_eq!(encode("/cases/1?x=2&y"), "/cases/1%3Fx%3D2%26y");
    }
}
