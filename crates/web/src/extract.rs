//! Extractors: the caller (session cookie or bearer token), their language, and JSON bodies
//! whose errors are problems too (answered as [`Problem`]s: the language layer words them).

use crate::problem::Problem;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use redress_app::{App, Principal};
use redress_domain::Detail;
use redress_text::Lang;
use serde::de::DeserializeOwned;

pub const SESSION_COOKIE: &str = "redress_session";

/// The caller's language, negotiated once by the language layer (`problem::language`) and kept
/// as a request extension; for what a handler words itself (a notification, a batch's refusals).
#[derive(Clone, Copy, Debug)]
pub struct AcceptLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for AcceptLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(AcceptLang(lang_of(parts)))
    }
}

/// The negotiated language (the headers', outside the language layer: in unit tests).
pub fn lang_of(parts: &Parts) -> Lang {
    parts.extensions.get::<AcceptLang>().map_or_else(|| lang_of_headers(&parts.headers), |l| l.0)
}

pub fn lang_of_headers(headers: &axum::http::HeaderMap) -> Lang {
    negotiate(headers.get(axum::http::header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

pub use redress_text::negotiate;

/// The client's address (see `limits::client_address`).
pub struct ClientAddress(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(crate::limits::client_address(&parts.extensions)))
    }
}

/// The token of `Authorization: Bearer …` (the scheme in any case, RFC 9110); none if the header
/// is absent, of another scheme, or sent twice (which of two credentials is meant is not guessed).
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let mut all = headers.get_all(axum::http::header::AUTHORIZATION).iter();
    let (Some(auth), None) = (all.next(), all.next()) else { return None };
    let (scheme, token) = auth.to_str().ok()?.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The credential a request carries: `Authorization: Bearer …` first, else the session cookie.
pub fn credential(headers: &axum::http::HeaderMap) -> Option<String> {
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        return bearer(headers).map(str::to_owned);
    }
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
}

/// The caller a layer authenticated already (`roles::layer`): not looked up, nor counted, again.
#[derive(Clone)]
pub struct Authenticated(pub Principal);

/// The authenticated caller, and their language for what a handler words itself.
pub struct Caller {
    pub principal: Principal,
    pub lang: Lang,
}

impl FromRequestParts<App> for Caller {
    type Rejection = Problem;

    /// The caller, then whether their change is JSON or nothing (`json_only`): an unknown
    /// caller hears 401 first, whatever they sent.
    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let caller = Caller::authenticate(parts, app).await?;
        match crate::json_only::refusal(parts) {
            Some(refused) => Err(refused),
            None => Ok(caller),
        }
    }
}

impl Caller {
    /// Who is asking (and their change counted against their account's allowance).
    pub(crate) async fn authenticate(parts: &mut Parts, app: &App) -> Result<Caller, Problem> {
        let lang = lang_of(parts);
        if let Some(Authenticated(principal)) = parts.extensions.get::<Authenticated>() {
            return Ok(Caller { principal: principal.clone(), lang });
        }
        let unauthenticated = || Problem::new(StatusCode::UNAUTHORIZED, "unauthenticated", None);
        let credential = credential(&parts.headers).ok_or_else(unauthenticated)?;
        match app.authenticate(&credential).await {
            Ok(principal) => {
                // A change counts against the caller's account: one account's flood waits alone.
                let limiters = parts.extensions.get::<std::sync::Arc<crate::limits::Limiters>>();
                let taken = limiters.map_or(Ok(()), |l| l.take_account(&principal, &parts.method, parts.uri.path()));
                if let Err(wait) = taken {
                    return Err(crate::limits::rate_limited(wait).await);
                }
                Ok(Caller { principal, lang })
            }
            Err(redress_app::AppError::Unauthenticated) => Err(unauthenticated()),
            Err(e) => Err(e.into()),
        }
    }
}

/// A JSON body; a malformed one is a 400/422 problem, not axum's plain-text rejection. An empty
/// body reads as `{}` so actions without fields need none.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // A body of another declared type (an HTML form, text/plain) is refused: browsers send
        // those cross-site without asking, so this is also the API's guard against CSRF.
        let content_type = parts.headers.get(axum::http::header::CONTENT_TYPE).cloned();
        let unsupported = crate::json_only::not_json;
        if content_type.as_ref().is_some_and(|ct| !is_json(ct)) {
            return Err(unsupported());
        }
        let extensions = parts.extensions.clone();
        let bytes = axum::body::Bytes::from_request(Request::from_parts(parts, body), state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                crate::limits::body_too_large(crate::idempotency::MAX_BODY)
            } else {
                // The body stopped coming (the read timeout), fell behind its pace, or the
                // client went away.
                crate::pace::not_in_time(&extensions)
            }
        })?;
        let empty = bytes.iter().all(u8::is_ascii_whitespace);
        // A body must say it is JSON; an action without fields may send none.
        if !empty && content_type.is_none() {
            return Err(unsupported());
        }
        let bytes: &[u8] = if empty { b"{}" } else { &bytes };
        read_json(bytes).map(Body)
    }
}

/// A JSON object as `T`: refused (422 `invalid_json`) where it says a key twice, is not an
/// object, or does not fit `T` (the field at fault named).
pub(crate) fn read_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    // serde_json keeps the last of two equal keys in a map (and a flattened struct may take
    // either): a body that says two things is refused instead of half-read.
    serde_json::from_slice::<UniqueKeys>(bytes).map_err(|e| invalid_json(&e))?;
    // Every body is an object: serde would also read a struct from an array (`[]` as "no
    // fields"), which the document does not allow (schemathesis found it accepted).
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", Some(Detail::BodyNotObject)));
    }
    serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_slice(bytes)).map_err(|e| {
        let fields = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(bytes).ok();
        let path = match e.path().to_string() {
            // No path: the value is inside a flattened struct (the filing's items), where serde
            // cannot say; the field at fault is searched for instead.
            path if path == "." => match (&fields, e.inner().classify()) {
                (Some(fields), serde_json::error::Category::Data) => flattened_field_at_fault::<T>(fields),
                _ => String::new(),
            },
            path => path,
        };
        let detail = Detail::json(e.inner(), (!path.is_empty()).then_some(path.as_str()));
        let detail = if fields.is_some_and(|fields| fields.is_empty()) { detail.in_empty_body() } else { detail };
        Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", Some(detail))
    })
}

/// The path of the field at fault in `fields`, which do not read as `T` (empty if none is found).
fn flattened_field_at_fault<T: DeserializeOwned>(fields: &serde_json::Map<String, serde_json::Value>) -> String {
    let read = |fields| serde_json::from_value::<T>(serde_json::Value::Object(fields)).err().map(|e| e.to_string());
    match read(fields.clone()) {
        Some(refused) => redress_domain::fault::field_at_fault(fields, &refused, read),
        None => String::new(),
    }
}

/// Any JSON document in which no object has the same key twice.
pub struct UniqueKeys;

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys {
    type Value = UniqueKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON without duplicate keys")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            map.next_value::<UniqueKeys>()?;
        }
        Ok(UniqueKeys)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<UniqueKeys>()?.is_some() {}
        Ok(UniqueKeys)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(UniqueKeys)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(UniqueKeys)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(UniqueKeys)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(UniqueKeys)
    }

    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(UniqueKeys)
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(UniqueKeys)
    }
}

/// `invalid_json` (422): where the body does not fit, in the catalogue's words.
pub fn invalid_json(e: &serde_json::Error) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_json", Some(Detail::json(e, None)))
}

/// `If-Match` on a case action: the version of the case the caller decided on, as the case's
/// `ETag` gave it (`"7"`); without one, or with `*`, the action applies to the case as it is.
pub struct IfMatch(pub Option<i64>);

impl IfMatch {
    /// The `ETag` of a case at `version`.
    pub fn etag(version: i64) -> String {
        format!("\"{version}\"")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let mut values = parts.headers.get_all(axum::http::header::IF_MATCH).iter();
        let Some(value) = values.next() else { return Ok(IfMatch(None)) };
        let refused = || Problem::invalid(Detail::IfMatch);
        // One tag: a list of versions would approve whichever the case is at.
        if values.next().is_some() {
            return Err(refused());
        }
        let text = value.to_str().map_err(|_| refused())?.trim();
        if text == "*" {
            return Ok(IfMatch(None));
        }
        // A weak tag (`W/"7"`) never matches: `If-Match` compares strongly (RFC 9110, 13.1.1).
        let version = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).and_then(|v| v.parse::<i64>().ok());
        // Compared as the tag's text: `"02"` is not the `"2"` an answer gave (trial helper-49).
        let version = version.filter(|v| *v >= 1 && IfMatch::etag(*v) == text);
        version.map(|v| IfMatch(Some(v))).ok_or_else(refused)
    }
}

/// A file upload: `multipart/form-data`. A body of another type (JSON, a urlencoded form) is no
/// upload at all (415); a multipart body without its boundary is bad input (422).
pub struct Upload(pub axum::extract::Multipart);

impl<S: Send + Sync> FromRequest<S> for Upload {
    type Rejection = Problem;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let essence = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(';').next().unwrap_or("").trim().to_owned());
        if !essence.is_some_and(|e| e.eq_ignore_ascii_case("multipart/form-data")) {
            let code = "unsupported_media_type";
            return Err(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, code, Some(Detail::Multipart)));
        }
        axum::extract::Multipart::from_request(request, state)
            .await
            .map(Upload)
            .map_err(|_| Problem::invalid(Detail::MultipartBoundary))
    }
}

/// A query string that does not parse, from serde_urlencoded's message: the parameter it names
/// (an unknown one is refused as such), not its English.
fn query_refused(message: &str, path: Option<String>) -> Detail {
    let named = message.split('`').nth(1).unwrap_or("").to_owned();
    if message.contains("unknown field") {
        let known = message.split("expected one of ").nth(1).unwrap_or("").replace('`', "");
        return Detail::unknown_field(named, known);
    }
    if message.starts_with("duplicate field") {
        return Detail::QueryTwice { name: named };
    }
    if message.contains("missing field") {
        return Detail::Query { name: named };
    }
    // What the parameter takes, where the message says it (trial: `?overdue=maybe` said only
    // that it "does not parse"): std's words for a bool or an integer that does not parse.
    let expected = match message {
        "provided string was not `true` or `false`" => Some("boolean"),
        m if m.starts_with("invalid digit") || m.starts_with("number too") || m.contains("parse integer") => {
            Some("integer")
        }
        _ => None,
    };
    match (path, expected) {
        (Some(field), Some(expected)) => Detail::WrongType { field, expected: expected.into() },
        (path, _) => Detail::Query { name: path.unwrap_or(named) },
    }
}

/// A time parameter (RFC 3339); a malformed one is refused by name. A valid time beyond what
/// the platform can represent (`9999-12-31T23:59:59Z`) means "no bound" and is taken as the
/// latest (or earliest) instant, not refused.
pub fn time_parameter(name: &str, raw: Option<String>) -> Result<Option<jiff::Timestamp>, Problem> {
    let Some(raw) = raw else { return Ok(None) };
    let refused = || Problem::invalid(Detail::NotATime { field: name.into() });
    if let Ok(t) = raw.parse::<jiff::Timestamp>() {
        return Ok(Some(t));
    }
    let pieces = jiff::fmt::temporal::Pieces::parse(raw.as_str()).map_err(|_| refused())?;
    if pieces.offset().is_none() {
        return Err(refused());
    }
    let utc = |t: jiff::Timestamp| t.to_zoned(jiff::tz::TimeZone::UTC).date();
    match pieces.date() {
        d if d > utc(jiff::Timestamp::MAX) => Ok(Some(jiff::Timestamp::MAX)),
        d if d < utc(jiff::Timestamp::MIN) => Ok(Some(jiff::Timestamp::MIN)),
        _ => Err(refused()),
    }
}

/// Is this `application/json`, with parameters or without (`application/jsonp` is not)?
pub(crate) fn is_json(content_type: &axum::http::HeaderValue) -> bool {
    let Ok(value) = content_type.to_str() else { return false };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// A query string; one that does not parse (`limit=many`) is a 422 problem like any other bad
/// input, not axum's plain-text 400.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or_default().as_bytes();
        let reading = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw));
        serde_path_to_error::deserialize(reading).map(Query).map_err(|e| {
            // The path names the parameter whose value did not parse (`limit=abc`).
            let path = e.path().to_string();
            Problem::invalid(query_refused(&e.inner().to_string(), (path != ".").then_some(path)))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_prefers_the_highest_known() {
        assert_eq!(negotiate(None), Lang::Zh);
        assert_eq!(negotiate(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(negotiate(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(negotiate(Some("fr, en;q=0.5")), Lang::En);
        assert_eq!(negotiate(Some("zh;q=0.5,en;q=0.9")), Lang::En);
        assert_eq!(negotiate(Some("en;q=0,zh")), Lang::Zh);
    }

    #[test]
    fn times_beyond_the_representable_range_are_bounds_not_errors() {
        let t = |raw: &str| time_parameter("t", Some(raw.into())).map_err(|p| p.code);
        assert_eq!(t("9999-12-31T23:59:59Z"), Ok(Some(jiff::Timestamp::MAX)));
        assert_eq!(t("-009999-01-01T00:00:00Z"), Ok(Some(jiff::Timestamp::MIN)));
        assert_eq!(
            t("2026-12-02T10:00:00.123456789+08:00"),
            Ok(Some("2026-12-02T02:00:00.123456789Z".parse().unwrap()))
        );
        assert_eq!(t("9999-12-31T23:59:59"), Err("invalid_input"), "a time without an offset is no instant");
        assert_eq!(t("9999-13-31T00:00:00Z"), Err("invalid_input"));
        assert_eq!(t("tomorrow"), Err("invalid_input"));
        assert_eq!(time_parameter("t", None).map_err(|p| p.code), Ok(None));
    }

    #[test]
    fn a_key_twice_in_any_object_is_refused() {
        let unique = |json: &str| serde_json::from_str::<UniqueKeys>(json).is_ok();
        assert!(unique(r#"{"a": 1, "b": [{"a": 2}, {"a": 3}], "c": {"a": null, "d": "x"}}"#));
        assert!(unique(r#"[1, 2.5, -3, true, "s", null]"#));
        assert!(!unique(r#"{"a": 1, "a": 2}"#));
        assert!(!unique(r#"{"o": [{"k": 1, "k": 1}]}"#));
        assert!(!unique(r#"{"o": {"x": {"y": 1, "y": 2}}}"#));
        assert!(!unique(r#"{"a": 1"#), "still a syntax error");
    }
}
