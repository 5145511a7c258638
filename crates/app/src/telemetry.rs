//! Operations metrics (issue 13): every metric's name and labels, in one place. Code records
//! through the `metrics` facade with these names; `redress serve` exports them in Prometheus text
//! format at `/metrics` (docs/operations.md says who may read it). Without an exporter installed
//! (tests of other crates, `redress worker` alone), recording costs next to nothing.

use crate::ports::StoreResult;
use jiff::Timestamp;

/// Counter, labels `method`, `route` (the matched route template, parameters as `:id`; `unmatched` for none), `status`.
pub const HTTP_REQUESTS: &str = "redress_http_requests_total";
/// Histogram in seconds, labels `method`, `route`.
pub const HTTP_DURATION: &str = "redress_http_request_duration_seconds";
/// Counter of events committed to cases, label `kind` (the event's type: `filed`, `approved`,
/// `timed_out`, ...): the transitions by kind.
pub const CASE_EVENTS: &str = "redress_case_events_total";
/// Histogram in seconds: how late the worker fired a due timeout (now − due).
pub const DEADLINE_LAG: &str = "redress_deadline_lag_seconds";
/// Gauge, label `topic`: outbox jobs not done yet (read from the store when scraped).
pub const OUTBOX_BACKLOG: &str = "redress_outbox_backlog";
/// Gauge in seconds, label `topic`: age of the oldest job not done.
pub const OUTBOX_OLDEST_AGE: &str = "redress_outbox_oldest_age_seconds";
/// Gauge: cases whose deadline has passed and that no worker fired yet (read when scraped).
pub const DEADLINES_DUE: &str = "redress_deadlines_due";
/// Histogram: changes committed together by SQLite's group-commit writer.
pub const WRITER_BATCH: &str = "redress_sqlite_writer_batch_size";
/// Histogram in seconds: a batch's time in SQLite's writer, its changes through its COMMIT.
/// Its sum's rate is the share of the time the writer is busy: near 1, writes wait for it.
pub const WRITER_BATCH_DURATION: &str = "redress_sqlite_writer_batch_seconds";
/// Histogram in seconds: a batch's COMMIT alone (the WAL's write and fsync).
pub const WRITER_COMMIT_DURATION: &str = "redress_sqlite_writer_commit_seconds";
/// Counter, label `result` (one of `results`): webhook delivery attempts.
pub const WEBHOOK_DELIVERIES: &str = "redress_webhook_deliveries_total";
/// Counter, label `result` (one of `results`): emails sent or not.
pub const EMAILS: &str = "redress_emails_total";
/// Histogram in seconds: full-text searches, end to end in the store.
pub const SEARCH_DURATION: &str = "redress_search_duration_seconds";

/// The values of the `result` label of `WEBHOOK_DELIVERIES` and `EMAILS`.
pub mod results {
    /// Accepted by the receiver (2xx) or the mail server.
    pub const DELIVERED: &str = "delivered";
    /// Failed this time; will be tried again.
    pub const RETRYING: &str = "retrying";
    /// Failed for good (retries exhausted, or refused permanently).
    pub const FAILED: &str = "failed";
}

/// Describes every metric once (HELP lines); call after installing an exporter.
pub fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by method, route template and status");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP request latency, by method and route template");
    describe_counter!(CASE_EVENTS, "Events committed to cases, by kind");
    describe_histogram!(DEADLINE_LAG, Unit::Seconds, "How late the worker fired due timeouts");
    describe_gauge!(OUTBOX_BACKLOG, "Outbox jobs not done, by topic");
    describe_gauge!(OUTBOX_OLDEST_AGE, Unit::Seconds, "Age of the oldest outbox job not done, by topic");
    describe_gauge!(DEADLINES_DUE, "Cases past their deadline that no worker has fired yet");
    describe_histogram!(WRITER_BATCH, "Changes committed together by the SQLite writer");
    describe_histogram!(
        WRITER_BATCH_DURATION,
        Unit::Seconds,
        "A batch's time in the SQLite writer, through its COMMIT"
    );
    describe_histogram!(WRITER_COMMIT_DURATION, Unit::Seconds, "A batch's COMMIT in the SQLite writer");
    describe_counter!(WEBHOOK_DELIVERIES, "Webhook delivery attempts, by result");
    describe_counter!(EMAILS, "Emails, by result");
    describe_histogram!(SEARCH_DURATION, Unit::Seconds, "Full-text search time in the store");
}

/// Counts committed events by kind (`EventBody::type_name`).
pub fn events_committed(kinds: impl IntoIterator<Item = &'static str>) {
    for kind in kinds {
        metrics::counter!(CASE_EVENTS, "kind" => kind).increment(1);
    }
}

/// A webhook delivery attempt's result (`results::*`).
pub fn webhook_delivery(result: &'static str) {
    metrics::counter!(WEBHOOK_DELIVERIES, "result" => result).increment(1);
}

/// An email's result (`results::*`).
pub fn email(result: &'static str) {
    metrics::counter!(EMAILS, "result" => result).increment(1);
}

/// Work waiting, read from the store when `/metrics` is scraped.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Backlog {
    /// Per topic: jobs not done and the oldest one's creation time.
    pub outbox: Vec<(String, i64, Timestamp)>,
    /// Cases past their deadline at `now` (not fired yet).
    pub deadlines_due: i64,
}

impl Backlog {
    /// Sets the backlog gauges; a topic seen before with nothing waiting now reads zero.
    pub fn record(&self, now: Timestamp) {
        static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
        let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
        for topic in seen.iter().filter(|t| self.outbox.iter().all(|(o, _, _)| o != *t)) {
            metrics::gauge!(OUTBOX_BACKLOG, "topic" => topic.clone()).set(0.0);
            metrics::gauge!(OUTBOX_OLDEST_AGE, "topic" => topic.clone()).set(0.0);
        }
        for (topic, waiting, oldest) in &self.outbox {
            metrics::gauge!(OUTBOX_BACKLOG, "topic" => topic.clone()).set(*waiting as f64);
            let age = now.duration_since(*oldest).as_secs_f64().max(0.0);
            metrics::gauge!(OUTBOX_OLDEST_AGE, "topic" => topic.clone()).set(age);
            if !seen.contains(topic) {
                seen.push(topic.clone());
            }
        }
        metrics::gauge!(DEADLINES_DUE).set(self.deadlines_due as f64);
    }
}

#[async_trait::async_trait]
pub trait BacklogStore: Send + Sync {
    /// The outbox jobs not done, per topic, and the cases past their deadline at `now`.
    async fn backlog(&self, now: Timestamp) -> StoreResult<Backlog>;
}
