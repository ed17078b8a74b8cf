//! What can go wrong talking to a region, as one typed error the views can explain.

use sm_contract::error::ErrorSummary;
use thiserror::Error;

use crate::model::region_state::Failure;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ApiError {
    #[error("the region could not be reached")]
    Network,
    #[error("the region did not answer within {0} ms")]
    Timeout(u32),
    #[error("the request was cancelled")]
    Aborted,
    #[error("{}", status_message(*.status, .summary))]
    Status { status: u16, summary: ErrorSummary, retry_after_ms: Option<f64> },
    #[error("the region sent a response the console cannot read ({0})")]
    Decode(String),
    #[error("the region sent a response larger than {0} bytes; it was not read")]
    TooLarge(usize),
}

fn status_message(status: u16, summary: &ErrorSummary) -> String {
    match &summary.message {
        Some(m) => format!("{m} (HTTP {status})"),
        None => format!("{} (HTTP {status})", status_text(status)),
    }
}

pub fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        401 => "Not authorised: the token is missing or expired",
        403 => "Forbidden: your role does not allow this",
        404 => "Not found",
        409 => "Conflict: the name is already used",
        412 => "Precondition failed: the secret is locked",
        413 => "Request too large",
        429 => "Too many requests",
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => "Unexpected response",
    }
}

impl ApiError {
    /// Failures that say the region itself is unreachable (as opposed to an answer we dislike).
    pub fn as_failure(&self) -> Option<Failure> {
        match self {
            ApiError::Network => Some(Failure::Network),
            ApiError::Timeout(_) => Some(Failure::Timeout),
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn trace(&self) -> Option<&str> {
        match self {
            ApiError::Status { summary, .. } => summary.trace.as_deref(),
            _ => None,
        }
    }

    /// GETs may be retried on these (secrets-v2.md: 5xx but not 501, 429, and network trouble).
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Network | ApiError::Timeout(_) => true,
            ApiError::Status { status, .. } => *status == 429 || (*status >= 500 && *status != 501),
            _ => false,
        }
    }
}
