//! `Idempotency-Key`: the answer to a keyed request is recorded in the very transaction of the
//! change it answers (zero-to-production's idempotency table, adapted). So after a crash at any
//! moment a retry finds either the change and its answer together (and replays the answer) or
//! neither (and runs once). Nothing is ever "in progress": two requests with one key both run
//! up to their commit, and the second commit is refused and answered with the first's answer.

use crate::ports::{StoreError, StoreResult};
use crate::{AppError, Principal};
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

/// How a change ended: committed (with what it made), or answered before under its key.
pub(crate) enum Ran<T> {
    Done(T),
    Replayed(StoredAnswer),
}

/// One attempt at committing a change.
pub(crate) enum Attempt<T> {
    /// What the store said to the commit, and what the change made (the answer if it committed).
    Sent(StoreResult<()>, T),
    /// The change is in effect already because a twin request with the same key committed it:
    /// the twin's recorded answer.
    Twin(StoredAnswer),
}

/// A change loses the optimistic race only to another change that then lands, so a few retries
/// with jittered backoff let any burst of writers on one case or conversation through.
const ATTEMPTS: u32 = 30;

impl crate::App {
    /// The one way every keyed change (a filing, a case's command, evidence, a conversation
    /// message) is committed and answered: `attempt` reads, decides and sends the change; a lost
    /// race is retried after a backoff; a key answered first (by a retry or by a twin request
    /// that committed while this one ran) answers with that first answer.
    pub(crate) async fn commit_keyed<T, F, Fut>(
        &self,
        key: Option<&IdempotencyKey>,
        attempt: F,
    ) -> Result<Ran<T>, AppError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Attempt<T>, AppError>>,
    {
        for n in 0..ATTEMPTS {
            match attempt().await? {
                Attempt::Sent(Ok(()), made) => return Ok(Ran::Done(made)),
                Attempt::Sent(Err(StoreError::Conflict), _) => backoff(n).await,
                Attempt::Sent(Err(StoreError::AlreadyAnswered), _) => {
                    let key = key.ok_or_else(|| anyhow::anyhow!("an unkeyed change was answered"))?;
                    let first = self.recorded_answer(key).await?;
                    let first =
                        first.ok_or_else(|| anyhow::anyhow!("the recorded answer of key {} vanished", key.key))?;
                    return Ok(Ran::Replayed(first));
                }
                Attempt::Sent(Err(e), _) => return Err(e.into()),
                Attempt::Twin(first) => return Ok(Ran::Replayed(first)),
            }
        }
        Err(AppError::Contended)
    }

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

    /// The answer of a keyed request already answered (`None` without a key): checked before
    /// any work, so a retry does nothing twice.
    pub(crate) async fn answered_before(&self, key: Option<&IdempotencyKey>) -> Result<Option<StoredAnswer>, AppError> {
        match key {
            Some(key) => self.recorded_answer(key).await,
            None => Ok(None),
        }
    }

    /// Deletes expired answers; how many went.
    pub async fn purge_expired_answers(&self) -> Result<u64, crate::AppError> {
        Ok(self.store.purge_idempotency(self.clock.now()).await?)
    }
}

/// A short, growing, jittered pause before retrying a change that lost a race.
async fn backoff(attempt: u32) {
    let jitter = rand::random_range(1..=(4 * (attempt + 1)).min(50));
    tokio::time::sleep(std::time::Duration::from_millis(u64::from(jitter))).await;
}
