//! JSON answers written into one buffer that starts at a page's size. axum's `Json` starts at
//! 128 bytes and copies each of serde's small writes through `BytesMut::put_slice`; for a case
//! detail (9.5 KB) that copying was a tenth of a read's time (docs/performance.md).

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The first buffer: most answers fit, a larger one grows by doubling.
const FIRST_BUFFER: usize = 16 * 1024;

/// An answer of `T` as `application/json`.
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(FIRST_BUFFER);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => {
                let content_type = [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))];
                (content_type, body).into_response()
            }
            Err(e) => crate::problem::Problem::from(redress_app::AppError::Internal(e.into())).into_response(),
        }
    }
}
