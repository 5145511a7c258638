//! Who is reading: the language they chose (a cookie, zh-CN by default), and for signed-in pages
//! their session (the same cookie the JSON API reads), its CSRF token and their unread
//! notifications for the bell.

use crate::failure::Failure;
use crate::i18n::Tr;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use redress_app::ports::User;
use redress_app::{App, AppError, Principal};
use redress_text::Lang;

/// The session cookie, shared with the JSON API (`POST /api/v1/auth/login` sets the same one).
pub const SESSION_COOKIE: &str = "redress_session";
/// The reader's language: `zh-CN` or `en`, set by the switch, kept a year.
pub const LANG_COOKIE: &str = "redress_lang";

/// The value of cookie `name`, if the request carries it.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_owned())
}

/// The language a cookie names; Simplified Chinese without one.
/// The reader's language: the one they chose (the switch's cookie), else their browser's
/// (`Accept-Language`), so a first visit reads in it too.
pub fn reader_lang(headers: &axum::http::HeaderMap) -> Lang {
    match cookie(headers, LANG_COOKIE) {
        Some(chosen) => lang_of(Some(&chosen)),
        None => redress_text::negotiate(headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())),
    }
}

pub fn lang_of(value: Option<&str>) -> Lang {
    match value {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// Anyone reading a page: their language and where they are.
pub struct Visitor {
    pub tr: Tr,
    /// The path and query of this page (where a sign-in returns to).
    pub here: String,
    pub session: Option<String>,
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let tr = Tr::new(reader_lang(&parts.headers));
        let here = parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        Ok(Visitor { tr, here, session: cookie(&parts.headers, SESSION_COOKIE).filter(|s| !s.is_empty()) })
    }
}

/// The API's allowance of changes per account, which the server hands to the pages in each
/// request's extensions: a page's form counts against the same account as the API's calls (its
/// path decides which allowances: every change, a filing, an upload). `Err` is the wait.
#[derive(Clone)]
pub struct AccountAllowance(
    #[allow(clippy::type_complexity)]
    pub  std::sync::Arc<dyn Fn(&Principal, &axum::http::Method, &str) -> Result<(), std::time::Duration> + Send + Sync>,
);

/// A signed-in person (never an API token: tokens are for machines).
pub struct Signed {
    pub principal: Principal,
    pub user: User,
    pub tr: Tr,
    pub here: String,
    /// The CSRF token every form of this session carries.
    pub csrf: String,
    /// Unread notifications, for the bell.
    pub unread: usize,
}

impl FromRequestParts<App> for Signed {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let FormSender { signed, over_allowance } = FormSender::from_request_parts(parts, app).await?;
        match over_allowance {
            Some(wait) => Err(Failure::TooMany { tr: signed.tr, wait }),
            None => Ok(signed),
        }
    }
}

/// A signed-in person sending a form that is shown again with what they entered when they are
/// over their allowance (the filing form: a bare 429 page lost a typed description, a trial
/// finding). The handler answers `over_allowance` (the wait) itself, after reading the form and
/// before acting on it.
pub struct FormSender {
    pub signed: Signed,
    pub over_allowance: Option<std::time::Duration>,
}

impl FromRequestParts<App> for FormSender {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Visitor { tr, here, session } =
            Visitor::from_request_parts(parts, app).await.unwrap_or_else(|e| match e {});
        let Some(session) = session else {
            return Err(Failure::SignIn { next: here });
        };
        let principal = match app.authenticate(&session).await {
            Ok(principal) => principal,
            Err(AppError::Unauthenticated) => return Err(Failure::Expired { tr, next: here }),
            Err(e) => return Err(Failure::from_app(e, tr)),
        };
        let Principal::User(user) = principal.clone() else {
            return Err(Failure::Expired { tr, next: here });
        };
        let over_allowance = parts
            .extensions
            .get::<AccountAllowance>()
            .and_then(|AccountAllowance(take)| take(&principal, &parts.method, parts.uri.path()).err());
        let unread = match app.notifications(&principal, None, Some(100)).await {
            Ok(list) => list.iter().filter(|n| n.read_at.is_none()).count(),
            Err(e) => return Err(Failure::from_app(e, tr)),
        };
        let signed = Signed { csrf: crate::csrf::of_session(&session), principal, user, tr, here, unread };
        Ok(FormSender { signed, over_allowance })
    }
}

/// The client's address as the connection gives it (no proxy header is trusted), for the login
/// throttle; `0.0.0.0` where the server recorded none.
pub struct Peer(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>();
        Ok(Peer(peer.map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())))
    }
}
