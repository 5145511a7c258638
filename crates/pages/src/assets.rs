//! The pages' static files, compiled into the binary: our stylesheet, a few lines of our own
//! script, and htmx (pinned: version in the file name, its licence beside it).

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The htmx release vendored under `static/` (from npm `htmx.org`, 0BSD licence).
pub const HTMX: &str = "htmx-2.0.11.min.js";

const FILES: &[(&str, &str, &[u8])] = &[
    ("redress.css", "text/css; charset=utf-8", include_bytes!("../static/redress.css")),
    ("redress.js", "text/javascript; charset=utf-8", include_bytes!("../static/redress.js")),
    (HTMX, "text/javascript; charset=utf-8", include_bytes!("../static/htmx-2.0.11.min.js")),
    ("htmx-LICENSE", "text/plain; charset=utf-8", include_bytes!("../static/htmx-LICENSE")),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    let Some((_, media_type, bytes)) = FILES.iter().find(|(name, _, _)| *name == file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
    // The files change only with the binary; a day of caching keeps pages quick on a phone.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htmx_is_pinned_with_its_licence() {
        let (_, _, htmx) = FILES.iter().find(|(n, _, _)| *n == HTMX).unwrap();
        let text = std::str::from_utf8(htmx).unwrap();
        assert!(text.contains("2.0.11"), "the file is the version its name says");
        let (_, _, licence) = FILES.iter().find(|(n, _, _)| *n == "htmx-LICENSE").unwrap();
        assert!(std::str::from_utf8(licence).unwrap().contains("Zero-Clause BSD"));
    }
}
