//! Errors of the use cases. What the caller can fix (a refused command, bad input, a missing or
//! foreign resource) is separated from what they cannot (`Internal`), which is logged and
//! answered without detail.

use redress_domain::Rejection;

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
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    #[error("invalid input: {0}")]
    Invalid(String),
    /// A webhook URL whose host is not on the public internet (or does not resolve).
    #[error("webhook URL refused: {0}")]
    WebhookUrlRefused(String),
    /// A unique fact already exists (order number, login).
    #[error("already exists: {0}")]
    Duplicate(String),
    /// An uploaded file that is refused (too big, wrong type, empty, cut off, a bomb).
    #[error(transparent)]
    Evidence(#[from] crate::evidence::EvidenceError),
    /// Another change to the same case won repeatedly.
    #[error("the case is busy, retry")]
    Contended,
    /// A bounded resource (dossier exports, their temporary space) is in full use: retry later.
    #[error("busy: {0}; retry later")]
    Busy(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<crate::ports::StoreError> for AppError {
    fn from(e: crate::ports::StoreError) -> AppError {
        match e {
            crate::ports::StoreError::Conflict => AppError::Contended,
            crate::ports::StoreError::Duplicate(what) => AppError::Duplicate(what),
            crate::ports::StoreError::Other(e) => AppError::Internal(e),
            // The use cases answer it with the recorded answer; reaching here is a bug.
            crate::ports::StoreError::AlreadyAnswered => {
                AppError::Internal(anyhow::anyhow!("idempotency key answered by another request"))
            }
        }
    }
}
