//! Simulated zone nodes and the load balancer in front of them.

use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sm_contract::HealthStatus;

use crate::error::ApiError;
use crate::state::SharedApp;

#[derive(Debug, Clone)]
pub struct ZoneState {
    pub id: String,
    /// Status set through the control API.
    pub status: HealthStatus,
    pub reason: Option<String>,
    /// When the zone last went into an outage state; drives the failover window.
    pub down_since: Option<Instant>,
}

impl ZoneState {
    pub fn new(id: String) -> Self {
        Self { id, status: HealthStatus::Operational, reason: None, down_since: None }
    }

    pub fn set(&mut self, status: HealthStatus, reason: Option<String>, now: Instant) {
        if status.is_outage() && !self.status.is_outage() {
            self.down_since = Some(now);
        } else if !status.is_outage() {
            self.down_since = None;
        }
        self.status = status;
        self.reason = reason;
    }
}

/// Which zone serves a request, and whether it can.
#[derive(Debug, Clone)]
pub struct Pick {
    pub zone: String,
    pub failing: bool,
    pub regional_outage: bool,
}

/// Round-robin over zones that serve, plus zones that went down less than `failover` ago: the load
/// balancer has not noticed those yet, so they keep their share and answer 503.
pub fn pick(zones: &[ZoneState], counter: usize, failover: Duration, now: Instant) -> Pick {
    let in_rotation: Vec<&ZoneState> = zones
        .iter()
        .filter(|z| !z.status.is_outage() || z.down_since.is_some_and(|t| now.saturating_duration_since(t) < failover))
        .collect();
    if in_rotation.is_empty() {
        let z = &zones[counter % zones.len().max(1)];
        return Pick { zone: z.id.clone(), failing: true, regional_outage: true };
    }
    let z = in_rotation[counter % in_rotation.len()];
    Pick { zone: z.id.clone(), failing: z.status.is_outage(), regional_outage: false }
}

/// Health and stream requests are answered by the regional gateway, not a zone node: they name a
/// serving zone but never fail with it, so an outage stays observable.
fn gateway_path(path: &str) -> bool {
    path.starts_with("/api/health/")
}

pub async fn middleware(State(app): State<SharedApp>, req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return next.run(req).await;
    }
    let pick = app.pick_zone(gateway_path(req.uri().path()));
    let mut res = if pick.failing {
        let msg = if pick.regional_outage {
            "The region is unavailable: no zone is serving requests"
        } else {
            "The zone that received the request is not answering; retry the request"
        };
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "service_unavailable", msg).retry_after(1).into_response()
    } else {
        next.run(req).await
    };
    if let Ok(v) = HeaderValue::from_str(&pick.zone) {
        res.headers_mut().insert("x-zone", v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones() -> Vec<ZoneState> {
        (1..=3).map(|i| ZoneState::new(format!("r-{i}"))).collect()
    }

    #[test]
    fn round_robin_over_healthy_zones() {
        let z = zones();
        let now = Instant::now();
        let got: Vec<String> = (0..3).map(|i| pick(&z, i, Duration::from_secs(2), now).zone).collect();
        assert_eq!(got, ["r-1", "r-2", "r-3"]);
    }

    #[test]
    fn downed_zone_fails_during_window_then_is_skipped() {
        let mut z = zones();
        let t0 = Instant::now();
        z[1].set(HealthStatus::MajorOutage, None, t0);
        let w = Duration::from_secs(2);
        let during = pick(&z, 1, w, t0);
        assert_eq!(during.zone, "r-2");
        assert!(during.failing);
        let after: Vec<Pick> = (0..4).map(|i| pick(&z, i, w, t0 + Duration::from_secs(3))).collect();
        assert!(after.iter().all(|p| !p.failing && p.zone != "r-2"));
    }

    #[test]
    fn all_down_is_a_regional_outage() {
        let mut z = zones();
        let t0 = Instant::now();
        for zone in z.iter_mut() {
            zone.set(HealthStatus::MajorOutage, None, t0);
        }
        let p = pick(&z, 0, Duration::ZERO, t0);
        assert!(p.failing && p.regional_outage);
    }
}
