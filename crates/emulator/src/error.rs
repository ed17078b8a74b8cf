//! Errors: the IBM error body for HTTP, and typed startup/storage failures.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sm_contract::ErrorBody;

use crate::rng::new_uuid;

/// An error answered to an API client, always in the IBM API Handbook shape with a fresh trace.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// `(type, name)`, e.g. `("parameter", "limit")` or `("field", "name")`.
    pub target: Option<(&'static str, String)>,
    pub retry_after_s: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), target: None, retry_after_s: None }
    }

    pub fn bad_param(name: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_query_parameter", message).target("parameter", name)
    }

    pub fn bad_field(name: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_field", message).target("field", name)
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} was not found"))
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }

    pub fn target(mut self, kind: &'static str, name: &str) -> Self {
        self.target = Some((kind, name.to_string()));
        self
    }

    pub fn retry_after(mut self, s: u64) -> Self {
        self.retry_after_s = Some(s);
        self
    }

    pub fn body(&self) -> ErrorBody {
        let b = ErrorBody::new(self.status.as_u16(), self.code, self.message.clone(), new_uuid());
        match &self.target {
            Some((kind, name)) => b.with_target(kind, name),
            None => b,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.body()).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(s) = self.retry_after_s {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(e: crate::db::DbError) -> Self {
        tracing::error!(error = %e, "storage failure");
        ApiError::internal("the request could not be completed because of a storage failure")
    }
}

/// Why the process could not start; printed as one line on stderr.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: std::net::SocketAddr, source: std::io::Error },
    #[error("cannot use data directory {dir}: {reason}")]
    DataDir { dir: String, reason: String },
    #[error("cannot use backup directory {dir}: {reason}")]
    BackupDir { dir: String, reason: String },
    #[error("restore failed: {0}")]
    Restore(String),
    #[error("{0}")]
    Runtime(String),
}
