//! `--token`: bearer auth on /api/*.

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::SharedApp;

/// Compares without an early exit, so response time says nothing about how much of a guess matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = (a.len() ^ b.len()) as u8 | u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        diff |= a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0xff);
    }
    diff == 0
}

/// The bearer token of the `Authorization` header: the only place a token is taken from. Never a
/// query parameter (`?access_token=`), which lands in logs, history and `Referer` headers.
fn presented(req: &Request) -> Option<String> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    (v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer ")).then(|| v[7..].trim().to_string())
}

pub async fn middleware(State(app): State<SharedApp>, req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS || !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    if let Some(secret) = &app.cfg.iam_secret {
        return match presented(&req).map(|t| crate::iam::jwt::verify(secret, &t, crate::state::now_s())) {
            Some(Ok(_)) => next.run(req).await,
            Some(Err(e)) => ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", format!("Unauthorized: {e}")).into_response(),
            None => ApiError::new(StatusCode::UNAUTHORIZED, "missing_token", "An Authorization: Bearer token from IAM is required").into_response(),
        };
    }
    let Some(token) = app.cfg.token.as_deref() else { return next.run(req).await };
    match presented(&req) {
        Some(p) if constant_time_eq(p.as_bytes(), token.as_bytes()) => next.run(req).await,
        Some(_) => ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", "The provided access token is not valid").into_response(),
        None => ApiError::new(StatusCode::UNAUTHORIZED, "missing_token", "An Authorization: Bearer token is required").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn compares() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
    }
}
