//! What every page shares: the frame (navigation by role, the bell, the language switch, sign
//! out), the answer headers, the home page and the notifications behind the bell, and posted
//! forms with their CSRF check.

use crate::failure::Failure;
use crate::i18n::Tr;
use crate::session::Signed;
use askama::Template;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use redress_app::{App, Role};

/// The frame of a page: who is signed in, the bell, the navigation.
#[derive(Clone, Debug, Default)]
pub struct Shell {
    pub signed_in: bool,
    pub name: String,
    pub role_label: String,
    pub csrf: String,
    pub unread: usize,
    pub here: String,
    /// (path, text, current)
    pub nav: Vec<(String, String, bool)>,
}

impl Shell {
    pub fn anonymous() -> Shell {
        Shell::default()
    }

    pub fn of(signed: &Signed) -> Shell {
        let t = signed.tr;
        let links: &[(&str, &str)] = match signed.user.role {
            Role::Buyer => &[("/orders", "nav-orders"), ("/cases", "nav-my-cases"), ("/search", "nav-search")],
            Role::Merchant => &[
                ("/queue", "nav-queue"),
                ("/cases", "nav-all-cases"),
                ("/search", "nav-search"),
                ("/dashboard", "nav-dashboard"),
                ("/tokens", "nav-tokens"),
            ],
            Role::Agent => &[
                ("/platform", "nav-platform"),
                ("/cases", "nav-all-cases"),
                ("/search", "nav-search"),
                ("/dashboard", "nav-dashboard"),
            ],
            Role::Admin => &[
                ("/platform", "nav-platform"),
                ("/search", "nav-search"),
                ("/dashboard", "nav-dashboard"),
                ("/admin/overview", "nav-admin-overview"),
                ("/admin/users", "nav-admin-users"),
                ("/admin/policies", "nav-admin-policies"),
                ("/admin/calendar", "nav-admin-calendar"),
            ],
        };
        let path = signed.here.split('?').next().unwrap_or("/");
        Shell {
            signed_in: true,
            name: signed.user.display_name.clone(),
            role_label: t.get(&format!("role-{}", signed.user.role.as_str())),
            csrf: signed.csrf.clone(),
            unread: signed.unread,
            here: signed.here.clone(),
            nav: links
                .iter()
                .map(|(href, key)| {
                    ((*href).to_owned(), t.get(key), path == *href || path.starts_with(&format!("{href}/")))
                })
                .collect(),
        }
    }
}

/// A rendered template as an HTML answer with `status`; a template that fails is a 500.
pub fn html(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => (status, Html(body)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<!doctype html><title>500</title><h1>500</h1>")).into_response()
        }
    }
}

/// 200 with a page.
pub fn ok(template: &impl Template) -> Response {
    html(StatusCode::OK, template)
}

/// After a successful POST: to a GET of `to` (POST-redirect-GET).
pub fn see(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Headers of every page: our own files only, forms only to ourselves, never cached (a page
/// shows one person's cases), never framed.
pub async fn page_headers(request: Request, next: axum::middleware::Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let is_html = headers.get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if is_html {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// `/`: the sign-in form, or the first page of the reader's role.
pub async fn home(visitor: crate::session::Visitor, State(app): State<App>) -> Response {
    let Some(session) = visitor.session else { return see("/login") };
    match app.authenticate(&session).await {
        Ok(principal) => see(match principal.role() {
            Role::Buyer => "/orders",
            Role::Merchant => "/queue",
            Role::Agent | Role::Admin => "/platform",
        }),
        Err(_) => Failure::Expired { tr: visitor.tr, next: "/".into() }.into_response(),
    }
}

/// A posted form (urlencoded) whose CSRF token matched the session's (or, for the sign-in
/// form, its cookie's). The fields in order, as sent.
pub struct Posted(pub Vec<(String, String)>);

impl Posted {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> impl Iterator<Item = &str> {
        self.0.iter().filter(move |(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = Failure;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let headers = request.headers().clone();
        let tr = Tr::new(crate::session::reader_lang(&headers));
        let expected = expected_csrf(&headers);
        let urlencoded = headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !urlencoded {
            return Err(Failure::StaleForm(tr));
        }
        let body = axum::body::Bytes::from_request(request, state).await.map_err(|_| Failure::StaleForm(tr))?;
        let posted = Posted(form_fields(&body).ok_or(Failure::NotText(tr))?);
        if !crate::csrf::matches(&expected, posted.get(crate::csrf::FIELD)) {
            return Err(Failure::StaleForm(tr));
        }
        Ok(posted)
    }
}

/// The fields of a urlencoded body, in order; `None` when a name or value is not UTF-8 once
/// decoded. Browsers send UTF-8; the usual parsers would keep anything else as U+FFFD, and a
/// person's words would be stored changed.
fn form_fields(body: &[u8]) -> Option<Vec<(String, String)>> {
    let decode = |raw: &[u8]| {
        let spaced: Vec<u8> = raw.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
        percent_encoding::percent_decode(&spaced).decode_utf8().ok().map(std::borrow::Cow::into_owned)
    };
    body.split(|&b| b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut halves = pair.splitn(2, |&b| b == b'=');
            Some((decode(halves.next().unwrap_or_default())?, decode(halves.next().unwrap_or_default())?))
        })
        .collect()
}

/// The CSRF token a form posted with these headers must carry: the session's, or before a
/// session the sign-in form's cookie.
pub fn expected_csrf(headers: &axum::http::HeaderMap) -> String {
    match crate::session::cookie(headers, crate::session::SESSION_COOKIE).filter(|s| !s.is_empty()) {
        Some(session) => crate::csrf::of_session(&session),
        None => crate::session::cookie(headers, crate::csrf::LOGIN_COOKIE).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    t: Tr,
    s: Shell,
    /// (id, text, when, case link, unread)
    items: Vec<(String, String, String, Option<String>, bool)>,
}

/// `/notifications`: what happened, newest first; unread ones can be marked read.
pub async fn notifications(State(app): State<App>, signed: Signed) -> Result<Response, Failure> {
    let t = signed.tr;
    let list = app.notifications(&signed.principal, None, Some(100)).await.map_err(|e| Failure::from_app(e, t))?;
    let items = list
        .iter()
        .map(|n| (n.id.to_string(), n.text(t.lang), t.time(n.created_at), link(n), n.read_at.is_none()))
        .collect();
    Ok(ok(&NotificationsPage { t, s: Shell::of(&signed), items }))
}

/// Where a notification leads: its case, or the conversation of the order it is about.
fn link(n: &redress_app::escalations::Notification) -> Option<String> {
    if let Some(case) = n.case_id {
        return Some(format!("/cases/{case}"));
    }
    let order = n.args.get("order_id").and_then(|o| o.as_str())?.parse::<redress_domain::OrderId>().ok()?;
    (n.kind == redress_text::NotificationKind::ConversationMessage.as_str())
        .then(|| format!("/orders/{order}/conversation"))
}

/// `POST /notifications/{id}/read`
pub async fn mark_read(
    State(app): State<App>,
    signed: Signed,
    Path(id): Path<String>,
    _form: Posted,
) -> Result<Response, Failure> {
    let t = signed.tr;
    let id = id.parse::<uuid::Uuid>().map_err(|_| Failure::NotFound(t))?;
    app.mark_notification_read(&signed.principal, id).await.map_err(|e| Failure::from_app(e, t))?;
    Ok(see("/notifications"))
}

#[cfg(test)]
mod tests {
    use super::form_fields;

    #[test]
    fn form_fields_are_decoded_only_when_they_are_text() {
        let fields = form_fields(b"text=%E5%B7%A6%E8%80%B3+%2B1&empty=&bare&&csrf=a%3Db").unwrap();
        let expected = [("text", "左耳 +1"), ("empty", ""), ("bare", ""), ("csrf", "a=b")];
        assert_eq!(fields, expected.map(|(n, v)| (n.to_owned(), v.to_owned())));
        assert_eq!(form_fields(b"text=%E5%B7%A6%FF"), None, "an invalid byte in a value");
        assert_eq!(form_fields(b"%C0=x"), None, "an invalid byte in a name");
        assert_eq!(form_fields(b"text=%EF%BF%BD").unwrap()[0].1, "\u{FFFD}", "a typed U+FFFD stays text");
    }
}
