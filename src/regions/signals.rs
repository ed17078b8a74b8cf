//! What the views read about one region. Written only by the region controller.

use leptos::prelude::*;
use sm_contract::RegionHealth;

use crate::model::region_state::{DownCause, RegionState};
use crate::model::session_uptime::SessionUptime;
use crate::model::sparkline::Series;

#[derive(Clone, Copy)]
pub struct RegionSignals {
    pub state: RwSignal<RegionState>,
    pub down_cause: RwSignal<Option<DownCause>>,
    pub suspect: RwSignal<bool>,
    pub has_health_api: RwSignal<bool>,
    /// Last region document (zones, SLA, history, incidents) with zone events applied.
    pub health: RwSignal<Option<RegionHealth>>,
    /// When the region stopped being usable, i.e. the time its last-known data dates from (ms since
    /// epoch); `None` if it was never usable in this session.
    pub live_as_of_ms: RwSignal<Option<f64>>,
    /// The latest problem reading the region's answers (hostile or broken responses).
    pub problem: RwSignal<Option<String>>,
    /// What this browser observed of the region since the page opened.
    pub session: RwSignal<SessionUptime>,
    /// Per-zone latency samples of this session, in zone order.
    pub latency: RwSignal<Vec<(String, Series)>>,
}

impl RegionSignals {
    pub fn new() -> Self {
        RegionSignals {
            state: RwSignal::new(RegionState::Unknown),
            down_cause: RwSignal::new(None),
            suspect: RwSignal::new(false),
            has_health_api: RwSignal::new(true),
            health: RwSignal::new(None),
            live_as_of_ms: RwSignal::new(None),
            problem: RwSignal::new(None),
            session: RwSignal::new(SessionUptime::default()),
            latency: RwSignal::new(Vec::new()),
        }
    }
}

impl Default for RegionSignals {
    fn default() -> Self {
        Self::new()
    }
}

/// Set a signal only when the value changes, so views do not re-render on every heartbeat.
pub fn set_if_changed<T: PartialEq + Send + Sync + 'static>(s: RwSignal<T>, v: T) {
    if s.with_untracked(|cur| *cur != v) {
        s.set(v);
    }
}
