//! Failure pages in the reader's frame. A failure is drawn where it happens, without knowing who
//! reads it; this layer draws it again with the reader's navigation (when signed in) and a
//! language switch that comes back to the same path. An error answer that is not a page (a
//! method the path does not take, a body too large) becomes one too, in the reader's language:
//! a page path never answers JSON.

use crate::failure::{Failure, FailureView};
use crate::i18n::Tr;
use crate::session::{Signed, reader_lang};
use crate::shell::Shell;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use redress_app::App;

/// The pages' layer: every failure page of a request drawn in the reader's frame.
pub async fn failures(State(app): State<App>, request: Request, next: Next) -> Response {
    let (headers, uri) = (request.headers().clone(), request.uri().clone());
    let response = next.run(request).await;
    let status = response.status();
    let is_page = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    let view = match response.extensions().get::<FailureView>() {
        Some(view) => view.clone(),
        None if !is_page && (status.is_client_error() || status.is_server_error()) => {
            FailureView::of_status(status, Tr::new(reader_lang(&headers)))
        }
        None => return response,
    };
    let mut framed = in_frame(&app, &headers, &uri, &view).await;
    // The dead session's cookie removal (an expired session) stays on the page drawn again.
    for value in response.headers().get_all(header::SET_COOKIE) {
        framed.headers_mut().append(header::SET_COOKIE, value.clone());
    }
    framed
}

/// The 404 page for a path nothing serves, in the reader's language and frame.
pub async fn not_found(app: &App, headers: &axum::http::HeaderMap, uri: &axum::http::Uri) -> Response {
    let tr = Tr::new(reader_lang(headers));
    let response = Failure::NotFound(tr).into_response();
    match response.extensions().get::<FailureView>() {
        Some(view) => in_frame(app, headers, uri, view).await,
        None => response,
    }
}

/// `view` drawn for whoever the request's cookies say is reading, here.
async fn in_frame(app: &App, headers: &axum::http::HeaderMap, uri: &axum::http::Uri, view: &FailureView) -> Response {
    view.render(reader_shell(app, headers, uri).await)
}

/// The frame of a page anyone may read: the reader's navigation when signed in, else the
/// sign-in link; the language switch comes back here either way.
pub async fn reader_shell(app: &App, headers: &axum::http::HeaderMap, uri: &axum::http::Uri) -> Shell {
    let here = uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
    let (mut parts, ()) = Request::new(()).into_parts();
    (parts.headers, parts.uri) = (headers.clone(), uri.clone());
    match Signed::from_request_parts(&mut parts, app).await {
        Ok(signed) => Shell::of(&signed),
        Err(_) => Shell { here, ..Shell::anonymous() },
    }
}

impl FailureView {
    /// The page for an error answered without one (by the router or a body limit).
    fn of_status(status: StatusCode, tr: Tr) -> FailureView {
        let key = match status {
            // A path that takes no GET (a form's target) is, to a reader, a page that is not there.
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => "failure-not-found",
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "failure-forbidden",
            StatusCode::PAYLOAD_TOO_LARGE => "failure-too-large",
            s if s.is_server_error() => "failure-internal",
            _ => "failure-bad-request",
        };
        FailureView::of(status, tr, key, "/".into(), "failure-home")
    }
}
