//! Errors of the use cases. What the caller can fix (a refused command, bad input, a missing or
//! foreign resource) is separated from what they cannot (`Internal`), which is logged and
//! answered without detail.

use redress_domain::{Detail, Rejection};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The domain refused the command (409 for state, 422 for input).
    #[error(transparent)]
    Rejected(#[from] Rejection),
    /// Not there, or not the caller's to see: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    #[error("authentication required")]
    Unauthenticated,
    /// A login with a wrong login name or password (the two are not told apart).
    #[error("wrong login or password")]
    InvalidCredentials,
    /// Too many login attempts lately from this address or at this login name.
    #[error("too many login attempts; try again in {retry_after}")]
    TooManyAttempts { retry_after: jiff::SignedDuration },
    /// Known who, but the role may not do this at all.
    #[error("forbidden: {0:?}")]
    Forbidden(Detail),
    #[error("invalid input: {0:?}")]
    Invalid(Detail),
    /// JSON that does not read as the shape it is sent for (an order of a batch, read one by
    /// one): the code a whole body that does not read gets.
    #[error("invalid JSON: {0:?}")]
    InvalidJson(Detail),
    /// A webhook URL whose host is not on the public internet (or does not resolve).
    #[error("webhook URL refused: {0:?}")]
    WebhookUrlRefused(Detail),
    /// A unique fact already exists (order number, login).
    #[error("already exists: {0:?}")]
    Duplicate(Detail),
    /// An uploaded file that is refused (too big, wrong type, empty, cut off, a bomb).
    #[error(transparent)]
    Evidence(#[from] crate::evidence::EvidenceError),
    /// Another change to the same case won repeatedly.
    #[error("the case is busy, retry")]
    Contended,
    /// A bounded resource (dossier exports, their temporary space) is in full use: retry later.
    #[error("busy: {0:?}; retry later")]
    Busy(Detail),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// What exactly was wrong, where the caller can be told (its words are in the catalogue).
    pub fn detail(&self) -> Option<Detail> {
        match self {
            AppError::Rejected(r) => r.detail.clone(),
            AppError::Forbidden(d)
            | AppError::Invalid(d)
            | AppError::InvalidJson(d)
            | AppError::WebhookUrlRefused(d)
            | AppError::Duplicate(d)
            | AppError::Busy(d) => Some(d.clone()),
            AppError::Evidence(e) => e.detail(),
            AppError::TooManyAttempts { retry_after } => Some(Detail::RetryIn { seconds: whole_seconds(*retry_after) }),
            AppError::NotFound
            | AppError::Unauthenticated
            | AppError::InvalidCredentials
            | AppError::Contended
            | AppError::Internal(_) => None,
        }
    }

    /// The problem code of the catalogue it is told by (the API's `code`, the pages' title).
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Rejected(r) => r.code.as_str(),
            AppError::NotFound => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::TooManyAttempts { .. } => "too_many_attempts",
            AppError::Forbidden(_) => "forbidden",
            AppError::Invalid(_) => "invalid_input",
            AppError::InvalidJson(_) => "invalid_json",
            AppError::WebhookUrlRefused(_) => "webhook_url_refused",
            AppError::Duplicate(_) => "duplicate",
            AppError::Evidence(e) => e.code(),
            AppError::Contended => "contended",
            AppError::Busy(_) => "busy",
            AppError::Internal(_) => "internal",
        }
    }
}

impl From<crate::ports::StoreError> for AppError {
    fn from(e: crate::ports::StoreError) -> AppError {
        match e {
            crate::ports::StoreError::Conflict => AppError::Contended,
            crate::ports::StoreError::Duplicate(what) => AppError::Duplicate(Detail::Duplicate { what }),
            crate::ports::StoreError::Other(e) => AppError::Internal(e),
            // The use cases answer it with the recorded answer; reaching here is a bug.
            crate::ports::StoreError::AlreadyAnswered => {
                AppError::Internal(anyhow::anyhow!("idempotency key answered by another request"))
            }
        }
    }
}

/// A wait in whole seconds, rounded up and at least one (what `Retry-After` says too).
pub fn whole_seconds(wait: jiff::SignedDuration) -> u64 {
    let seconds = wait.as_secs() + i64::from(wait.subsec_nanos() > 0);
    u64::try_from(seconds).unwrap_or(0).max(1)
}
