//! Why a request to the session failed: typed where the cause is another layer's error, and
//! a sentence naming what and why where the session itself refuses. The page shows the
//! `Display` text in a `Failed` reply.

use thiserror::Error;

use crate::claims::ingest::IngestError;
use crate::claims::join::JoinError;
use crate::ml::MlError;
use crate::pipeline::PipelineError;

/// Why a request failed.
#[derive(Debug, Error)]
pub enum SessionError {
    /// No claims are loaded.
    #[error("Generate or load claims first.")]
    NoClaims,
    /// A file could not be read as claims.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// Features, labels or a model could not be made from the claims.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// An entity file could not be joined onto the claims.
    #[error(transparent)]
    Join(#[from] JoinError),
    /// A forest could not be fitted, assembled or read.
    #[error(transparent)]
    Ml(#[from] MlError),
    /// Refused, with a sentence that names what and why.
    #[error("{0}")]
    Refused(String),
}

impl From<String> for SessionError {
    fn from(sentence: String) -> Self {
        SessionError::Refused(sentence)
    }
}

impl From<&str> for SessionError {
    fn from(sentence: &str) -> Self {
        SessionError::Refused(sentence.to_owned())
    }
}
