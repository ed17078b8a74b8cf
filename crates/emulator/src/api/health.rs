//! `GET /api/health/v1/region`.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Json;
use sm_contract::time::{format_rfc3339, DAY};
use sm_contract::{HealthStatus, History, RegionHealth, RegionRef, Sla, ZoneHealth};

use crate::db;
use crate::error::ApiError;
use crate::rng::{fnv1a, SplitMix};
use crate::state::{now_s, App, SharedApp};

pub const SCHEMA_VERSION: &str = "1.0";

impl App {
    pub fn window_days(&self) -> u32 {
        if self.cfg.history_days == 0 {
            90
        } else {
            self.cfg.history_days
        }
    }
}

/// A plausible round-trip time for a zone: a stable per-zone base plus jitter, plus injected latency.
fn latency(zone: &str, added: u64) -> u64 {
    let base = 20 + fnv1a(zone.as_bytes()) % 30;
    base + SplitMix::from_entropy().below(11) + added
}

/// The health document; `with_history` false gives the SSE `region` event (no `history`).
pub async fn region_doc(app: &App, with_history: bool) -> Result<RegionHealth, ApiError> {
    let now = now_s();
    let window = app.window_days();
    let since = now - i64::from(window) * DAY;
    let intervals = app.db.read(move |conn| db::history::since(conn, since)).await?;
    let st = app.snapshot();
    let eff = st.effective();
    let checked = format_rfc3339(now);
    let zones = eff
        .zones
        .iter()
        .map(|(id, status, reason)| ZoneHealth {
            id: id.clone(),
            status: *status,
            latency_ms: (!status.is_outage()).then(|| latency(id, st.data.latency_ms)),
            checked_at: Some(checked.clone()),
            reason: if *status == HealthStatus::Operational { None } else { reason.clone().or_else(|| Some(status.label().to_string())) },
        })
        .collect::<Vec<_>>();
    let incidents = crate::history::incidents(&intervals, app.region.zones.len());
    Ok(RegionHealth {
        schema_version: SCHEMA_VERSION.into(),
        generated_at: Some(checked),
        region: RegionRef { id: app.region.id.clone(), display_name: app.region.display_name.clone() },
        status: eff.region,
        zones: zones.into(),
        sla: Sla::default(),
        history: with_history.then(|| History { window_days: Some(u64::from(window)), intervals: intervals.into() }),
        incidents: incidents.into(),
        probe: None,
    })
}

pub async fn region(State(app): State<SharedApp>) -> Response {
    match region_doc(&app, true).await {
        Ok(doc) => Json(doc).into_response(),
        Err(e) => e.into_response(),
    }
}
