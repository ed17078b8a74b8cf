//! Retrying idempotent reads. Writes never come through here: a write is never retried
//! automatically (secrets-v2.md), because the first attempt may have been applied.

use std::future::Future;

use super::error::ApiError;
use crate::model::backoff::Backoff;

/// Sleep without blocking the page.
pub async fn sleep_ms(ms: f64) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.clamp(0.0, 600_000.0) as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
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

