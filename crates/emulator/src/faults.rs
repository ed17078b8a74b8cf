//! Injected faults: region mode and data-plane faults (latency, random errors, rate limit, hostile).

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sm_contract::HealthStatus;

use crate::error::ApiError;
use crate::rng::SplitMix;
use crate::state::SharedApp;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RegionMode {
    Up,
    Down,
    Hang,
}

fn default_error_status() -> u16 {
    503
}

fn default_retry_after() -> u64 {
    1
}

/// Body of `PUT /emulator/v1/faults`. A PUT replaces every data fault: absent fields take their
/// defaults, so a client never inherits a forgotten fault from an earlier call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataFaults {
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default)]
    pub error_rate: f64,
    #[serde(default = "default_error_status")]
    pub error_status: u16,
    #[serde(default)]
    pub rate_limit_rps: Option<u32>,
    #[serde(default = "default_retry_after")]
    pub retry_after_s: u64,
    #[serde(default)]
    pub hostile: Option<String>,
}

impl Default for DataFaults {
    fn default() -> Self {
        Self { latency_ms: 0, error_rate: 0.0, error_status: 503, rate_limit_rps: None, retry_after_s: 1, hostile: None }
    }
}

impl DataFaults {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_rate) || self.error_rate.is_nan() {
            return Err("error_rate must be between 0.0 and 1.0".into());
        }
        if !(400..=599).contains(&self.error_status) {
            return Err("error_status must be a 4xx or 5xx status".into());
        }
        if self.latency_ms > 600_000 {
            return Err("latency_ms must be at most 600000".into());
        }
        if self.rate_limit_rps == Some(0) {
            return Err("rate_limit_rps must be at least 1 (or null for no limit)".into());
        }
        if let Some(h) = &self.hostile {
            if crate::hostile::find(h).is_none() {
                return Err(format!("unknown hostile case {h:?}; see GET /emulator/v1/hostile"));
            }
        }
        Ok(())
    }

    /// The health these faults cause, so what clients feel is also what the health API reports
    /// and what history records.
    pub fn implied(&self) -> Option<(HealthStatus, String)> {
        let mut why = Vec::new();
        if self.latency_ms > 0 {
            why.push(format!("added latency {} ms", self.latency_ms));
        }
        if self.error_rate > 0.0 {
            why.push(format!("{:.0}% of requests fail with {}", self.error_rate * 100.0, self.error_status));
        }
        if let Some(r) = self.rate_limit_rps {
            why.push(format!("rate limited above {r} requests/s"));
        }
        if let Some(h) = &self.hostile {
            why.push(format!("serving hostile response {h}"));
        }
        (!why.is_empty()).then(|| (HealthStatus::DegradedPerformance, why.join("; ")))
    }
}

/// Applies latency, rate limiting, random errors and the hostile case to data requests.
pub async fn middleware(State(app): State<SharedApp>, req: Request, next: Next) -> Response {
    let faults = app.data_faults();
    let path = req.uri().path().to_string();
    let is_stream = path == "/api/health/v1/events";
    if faults.latency_ms > 0 && !is_stream {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    if path.starts_with("/api/v2/") || path == "/api/v2" {
        if let Some(rps) = faults.rate_limit_rps {
            if !app.rate_allow(rps) {
                return ApiError::new(StatusCode::TOO_MANY_REQUESTS, "too_many_requests", "Rate limit exceeded; retry later")
                    .retry_after(faults.retry_after_s)
                    .into_response();
            }
        }
        if faults.error_rate > 0.0 && SplitMix::from_entropy().chance(faults.error_rate) {
            let status = StatusCode::from_u16(faults.error_status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut e = ApiError::new(status, "injected_fault", "The service is temporarily unable to handle the request");
            if matches!(faults.error_status, 429 | 503) {
                e = e.retry_after(faults.retry_after_s);
            }
            return e.into_response();
        }
    }
    if let Some(name) = &faults.hostile {
        if let Some(case) = crate::hostile::find(name) {
            if case.applies_to(req.method(), &path) {
                return case.respond(&app, &req);
            }
        }
    }
    next.run(req).await
}

/// Parks every data request while the region hangs; `down` drops the connection from outside.
pub async fn hang_middleware(State(app): State<SharedApp>, req: Request<Body>, next: Next) -> Response {
    app.wait_while_hanging().await;
    next.run(req).await
}
