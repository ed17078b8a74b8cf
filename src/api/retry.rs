//! Retrying idempotent reads. Writes never come through here: a write is never retried
//! automatically (secrets-v2.md), because the first attempt may have been applied.

use std::future::Future;

use super::error::ApiError;
use crate::model::backoff::Backoff;

/// Sleep without blocking the page. gloo's timer future clears its timer and frees its callback
/// when dropped (a superseded request, a closed view), where a promise around `setTimeout` would
/// leave both behind until it fired.
pub async fn sleep_ms(ms: f64) {
    gloo_timers::future::TimeoutFuture::new(ms.clamp(0.0, 600_000.0) as u32).await;
}

/// Run a GET up to `attempts` times: 429 waits for `Retry-After` (or backs off), 5xx except 501
/// and network failures back off with jitter; anything else is returned at once.
pub async fn get_with_retry<T, F, Fut>(attempts: u32, mut call: F) -> Result<T, ApiError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ApiError>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if e.is_retryable() && attempt + 1 < attempts => {
                let backoff = Backoff::RETRY.delay_ms(attempt, js_sys::Math::random());
                let wait = match &e {
                    ApiError::Status { status: 429, retry_after_ms: Some(ms), .. } => *ms,
                    _ => backoff,
                };
                sleep_ms(wait).await;
                attempt += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

