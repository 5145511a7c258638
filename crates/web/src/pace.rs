//! A request body keeps a pace. The body read timeout is a pause between two pieces at most: a
//! client sending a byte a second never pauses that long and held its connection (and a
//! handler) for as long as its body lasted. Past a grace (the read timeout), a body must also
//! have averaged `MIN_BYTES_PER_SEC` since its request's headers arrived, or it is cut off.

use crate::problem::Problem;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use http_body::{Body as HttpBody, Frame, SizeHint};
use redress_domain::Detail;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Instant;

/// The least a body must average, in bytes a second: a slow mobile link sends far more; a
/// video of 200 MiB may take two days at this rate.
pub const MIN_BYTES_PER_SEC: u64 = 1024;

/// Wraps each request's body in its pace, `grace` before the rate counts (and the longest pause
/// the read timeout allows, which is the same).
pub(crate) async fn layer(State(grace): State<Duration>, mut request: Request, next: Next) -> Response {
    request.extensions_mut().insert(Grace(grace));
    let request = request.map(|inner| Body::new(Paced { inner, start: Instant::now(), received: 0, grace }));
    next.run(request).await
}

/// The grace of a request's pace, for the words of its refusal.
#[derive(Clone, Copy)]
struct Grace(Duration);

/// The answer to a body that stopped coming or fell behind: 408, with the pace it must keep.
pub(crate) fn not_in_time(extensions: &axum::http::Extensions) -> Problem {
    let pause_secs = extensions.get::<Grace>().map_or(0, |g| g.0.as_secs().max(1));
    let detail = Detail::BodyNotInTime { pause_secs, bytes_per_sec: MIN_BYTES_PER_SEC };
    Problem::new(StatusCode::REQUEST_TIMEOUT, "request_timeout", Some(detail))
}

struct Paced {
    inner: Body,
    start: Instant,
    received: u64,
    grace: Duration,
}

impl Paced {
    /// Has the body fallen behind: less than the rate's worth since the grace ended?
    fn behind(&self) -> bool {
        let earned = Duration::from_secs_f64(self.received as f64 / MIN_BYTES_PER_SEC as f64);
        self.start.elapsed() > self.grace + earned
    }
}

/// The error a body that fell behind ends with (its reader answers 408).
#[derive(Debug, thiserror::Error)]
#[error("the request body came slower than {MIN_BYTES_PER_SEC} bytes a second")]
pub struct TooSlow;

impl HttpBody for Paced {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Ok(frame))) = &polled {
            let piece = frame.data_ref().map_or(0, |d| d.len() as u64);
            self.received += piece;
            if self.behind() {
                return Poll::Ready(Some(Err(axum::Error::new(TooSlow))));
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
