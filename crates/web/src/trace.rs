//! The request log (tower-http's `TraceLayer`), with one difference from its defaults: a server
//! error is logged at ERROR, so operators can alert on it, except the platform's own load
//! shedding, which it answers on purpose and documents (`503 busy` with `Retry-After`: the
//! dossier export limit, the password-check pool; `503 contended`: retry), logged at WARN
//! (trial finding F20: one burst of 12 dossier requests wrote 8 ERROR lines).

use crate::problem::Problem;
use axum::http::Response;
use std::fmt;
use std::time::Duration;
use tower_http::classify::{
    ClassifiedResponse, ClassifyResponse, NeverClassifyEos, ServerErrorsFailureClass, SharedClassifier,
};
use tower_http::trace::{
    DefaultMakeSpan, DefaultOnBodyChunk, DefaultOnEos, DefaultOnRequest, DefaultOnResponse, OnFailure, TraceLayer,
};

/// The problem codes of answers the platform sheds load with: not failures.
pub const SHED: [&str; 2] = ["busy", "contended"];

/// Why an answer is not a plain success.
#[derive(Debug)]
pub enum Failure {
    /// Deliberate load shedding: the problem code (one of [`SHED`]).
    Shed(&'static str),
    /// A real server error (a 5xx status or an error of the service).
    Server(ServerErrorsFailureClass),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Shed(code) => write!(f, "Shed: {code}"),
            Failure::Server(class) => class.fmt(f),
        }
    }
}

/// Server errors are failures, as tower-http's `ServerErrorsAsFailures` has it; a problem whose
/// code is one of [`SHED`] is load shedding.
#[derive(Clone, Copy, Debug, Default)]
pub struct Classify;

impl ClassifyResponse for Classify {
    type FailureClass = Failure;
    type ClassifyEos = NeverClassifyEos<Failure>;

    fn classify_response<B>(self, res: &Response<B>) -> ClassifiedResponse<Failure, Self::ClassifyEos> {
        let shed = res.extensions().get::<Problem>().and_then(|p| SHED.iter().find(|&&c| c == p.code));
        ClassifiedResponse::Ready(match shed {
            Some(code) => Err(Failure::Shed(code)),
            None if res.status().is_server_error() => {
                Err(Failure::Server(ServerErrorsFailureClass::StatusCode(res.status())))
            }
            None => Ok(()),
        })
    }

    fn classify_error<E: fmt::Display + 'static>(self, error: &E) -> Failure {
        Failure::Server(ServerErrorsFailureClass::Error(error.to_string()))
    }
}

/// Logs a failure as tower-http's default does (same target and fields), at WARN for load
/// shedding and ERROR for everything else.
#[derive(Clone, Copy, Debug, Default)]
pub struct LogFailure;

impl OnFailure<Failure> for LogFailure {
    fn on_failure(&mut self, failure: Failure, latency: Duration, _span: &tracing::Span) {
        let latency = format!("{} ms", latency.as_millis());
        match failure {
            Failure::Shed(code) => tracing::warn!(
                target: "tower_http::trace::on_failure",
                classification = %failure, %latency, code, "response shed: the client was told to retry"
            ),
            Failure::Server(_) => tracing::error!(
                target: "tower_http::trace::on_failure",
                classification = %failure, %latency, "response failed"
            ),
        }
    }
}

pub type Layer = TraceLayer<
    SharedClassifier<Classify>,
    DefaultMakeSpan,
    DefaultOnRequest,
    DefaultOnResponse,
    DefaultOnBodyChunk,
    DefaultOnEos,
    LogFailure,
>;

/// The request log of every answer.
pub fn layer() -> Layer {
    TraceLayer::new(SharedClassifier::new(Classify)).on_failure(LogFailure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    /// Keeps the level and target of every event.
    #[derive(Clone, Default)]
    struct Events(Arc<Mutex<Vec<(tracing::Level, String)>>>);

    impl tracing::Subscriber for Events {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let meta = event.metadata();
            self.0.lock().unwrap().push((*meta.level(), meta.target().to_owned()));
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }

    async fn levels_of(answer: fn() -> axum::response::Response) -> Vec<tracing::Level> {
        let events = Events::default();
        let _guard = tracing::subscriber::set_default(events.clone());
        let app = axum::Router::new().route("/", axum::routing::get(move || async move { answer() })).layer(layer());
        let request = axum::http::Request::get("/").body(axum::body::Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        drop(response);
        let kept = events.0.lock().unwrap();
        kept.iter().filter(|(_, target)| target == "tower_http::trace::on_failure").map(|(l, _)| *l).collect()
    }

    #[tokio::test]
    async fn load_shedding_is_a_warning_and_a_real_server_error_an_error() {
        use axum::response::IntoResponse;
        let busy = || {
            let what = redress_domain::Detail::BusyPasswordChecks;
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "busy", Some(what)).retry_after(1).into_response()
        };
        let contended = || Problem::new(StatusCode::SERVICE_UNAVAILABLE, "contended", None).into_response();
        let internal = || Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None).into_response();
        // A 503 the platform did not answer on purpose is still a failure.
        let bare_503 = || StatusCode::SERVICE_UNAVAILABLE.into_response();
        let fine = || StatusCode::OK.into_response();
        assert_eq!(levels_of(busy).await, [tracing::Level::WARN]);
        assert_eq!(levels_of(contended).await, [tracing::Level::WARN]);
        assert_eq!(levels_of(internal).await, [tracing::Level::ERROR]);
        assert_eq!(levels_of(bare_503).await, [tracing::Level::ERROR]);
        assert_eq!(levels_of(fine).await, Vec::<tracing::Level>::new());
    }
}
