//! `Idempotency-Key`: the answer to a keyed request is recorded in the very transaction of the
//! change it answers (zero-to-production's idempotency table, adapted). So after a crash at any
//! moment a retry finds either the change and its answer together (and replays the answer) or
//! neither (and runs once). Nothing is ever "in progress": two requests with one key both run
//! up to their commit, and the second commit is refused and answered with the first's answer.

use crate::Principal;
use jiff::{SignedDuration, Timestamp};

/// How long an answer is kept for retries; the worker purges older ones.
pub const KEEP_ANSWERS: SignedDuration = SignedDuration::from_hours(24);

/// The largest answer the HTTP layer records for requests that change no case (a case's change
/// answers only with what the change did, which is bounded by the request's own size).
pub const MAX_RECORDED_ANSWER: usize = 64 * 1024;

/// A key as a request claims it: whose, which, and a hash of the request it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The caller (a user or an API token), so one caller's key never answers another.
    pub scope: String,
    pub key: String,
    pub request_hash: String,
}

impl IdempotencyKey {
    /// The scope of a caller: the person or the token, not the session, so a client that signs
    /// in again between retries still gets its first answer.
    pub fn scope_of(principal: &Principal) -> String {
        match principal {
            Principal::User(u) => format!("user:{}", u.id),
            Principal::MerchantToken { token, .. } => format!("token:{token}"),
        }
    }

    /// The record of `answer` to this key, kept until `now + KEEP_ANSWERS`.
    pub fn record(&self, status: u16, body: String, now: Timestamp) -> IdempotencyRecord {
        IdempotencyRecord {
            scope: self.scope.clone(),
            key: self.key.clone(),
            request_hash: self.request_hash.clone(),
            status,
            body,
            created_at: now,
            expires_at: now.checked_add(KEEP_ANSWERS).unwrap_or(Timestamp::MAX),
        }
    }
}

/// An answer recorded under a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnswer {
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// An answer to record, with the change it answers or on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub scope: String,
    pub key: String,
    pub request_hash: String,
    pub status: u16,
    pub body: String,
    pub created_at: Timestamp,
    /// After this the key is free again (and the row is purged).
    pub expires_at: Timestamp,
}

/// The answer to a request that changes a case: given now, or found recorded under its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answered {
    /// Run now; `body` is the JSON answer (recorded with the change when the request had a key).
    Fresh { status: u16, body: String },
    /// The key was answered before (a retry, or a twin request that committed first).
    Replayed(StoredAnswer),
}

impl Answered {
    /// A fresh answer: `value` as JSON.
    pub fn fresh(status: u16, value: &impl serde::Serialize) -> Result<Answered, crate::AppError> {
        Ok(Answered::Fresh { status, body: serde_json::to_string(value).map_err(anyhow::Error::from)? })
    }
}

impl crate::App {
    /// The answer recorded under `key`, if any and not expired.
    pub async fn recorded_answer(&self, key: &IdempotencyKey) -> Result<Option<StoredAnswer>, crate::AppError> {
        Ok(self.store.idempotency_answer(&key.scope, &key.key, self.clock.now()).await?)
    }

    /// Records an answer that no change carried (a refusal, or a request that changed nothing).
    /// `Some` is the answer recorded first under the same key, which wins.
    pub async fn record_answer(
        &self,
        key: &IdempotencyKey,
        status: u16,
        body: String,
    ) -> Result<Option<StoredAnswer>, crate::AppError> {
        let now = self.clock.now();
        if self.store.idempotency_record(&key.record(status, body, now), now).await? {
            return Ok(None);
        }
        self.recorded_answer(key).await
    }

    /// Deletes expired answers; how many went.
    pub async fn purge_expired_answers(&self) -> Result<u64, crate::AppError> {
        Ok(self.store.purge_idempotency(self.clock.now()).await?)
    }
}
