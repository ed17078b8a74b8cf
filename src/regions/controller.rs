//! Drives one region: runs the state machine against the real network and publishes signals.
//!
//! Each region has its own controller, its own requests and its own timers, so one region's
//! trouble (a hang, a 429 storm, a hostile body) can never slow or block the other's view. The
//! controller never reaches any origin but its own region's: there is no automatic failover.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use sm_contract::{RegionHealth, ZoneEvent};

use super::signals::{set_if_changed, RegionSignals};
use crate::api::events::{self, EventStream, StreamMsg};
use crate::api::region::{CONFIRM_PROBE_TIMEOUT_MS, ROUTINE_PROBE_TIMEOUT_MS, STREAM_CONNECT_TIMEOUT_MS};
use crate::api::retry::get_with_retry;
use crate::api::{ApiError, RegionApi};
use crate::config::RegionConfig;
use crate::model::backoff::Backoff;
use crate::model::health_events::{apply_zone_event, merge_region_event, probe_observation, ProbeError};
use crate::model::region_state::{Action, Observation, RegionMonitor, RegionState, Timing};
use crate::model::session_uptime::SessionUptime;
use crate::model::sparkline::Series;

/// The state machine's clock. Cheap (a few comparisons), and fine-grained enough that the
/// heartbeat rule acts within a tenth of a second of its deadline.
const TICK_MS: u64 = 100;
/// The region document is re-read this often while the region is usable: zone latencies for the
/// sparklines, and history/incidents that the event stream does not carry.
const HEALTH_POLL_MS: f64 = 10_000.0;
/// The session-uptime figure is republished this often (it changes with time, not only events).
const SESSION_PUBLISH_MS: f64 = 1_000.0;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

struct Inner {
    api: RegionApi,
    monitor: RegionMonitor,
    stream: Option<EventStream>,
    reconnect_attempt: u32,
    reconnect_scheduled: bool,
    secrets_generation: u32,
    session: SessionUptime,
    session_published_ms: f64,
    health_requested_ms: f64,
    /// The token the health calls last went out with; a new one (pasted, or handed over by an
    /// embedding parent) re-reads the document and reopens the stream at once.
    token_seen: Option<String>,
}

#[derive(Clone)]
pub struct RegionController {
    inner: Rc<RefCell<Inner>>,
    pub config: RegionConfig,
    pub signals: RegionSignals,
}

impl RegionController {
    pub fn start(config: RegionConfig) -> Self {
        let signals = RegionSignals::new();
        let inner = Inner {
            api: RegionApi::new(&config.api),
            monitor: RegionMonitor::new(Timing::default(), now_ms()),
            stream: None,
            reconnect_attempt: 0,
            reconnect_scheduled: false,
            secrets_generation: 0,
            session: SessionUptime::default(),
            session_published_ms: 0.0,
            health_requested_ms: 0.0,
            token_seen: crate::api::auth::current(),
        };
        let c = RegionController { inner: Rc::new(RefCell::new(inner)), config, signals };
        c.refresh_health();
        c.connect_stream();
        let ticker = c.clone();
        if let Ok(handle) = set_interval_with_handle(move || ticker.tick(), Duration::from_millis(TICK_MS)) {
            on_cleanup(move || handle.clear());
        }
        c
    }

    /// The region's API client: always this region's own origin (the secrets views use it too).
    pub fn region_api(&self) -> RegionApi {
        self.inner.borrow().api.clone()
    }

    fn observe(&self, obs: Observation) {
        let (before, actions) = {
            let mut i = self.inner.borrow_mut();
            let before = i.monitor.state();
            (before, i.monitor.observe(obs, now_ms()))
        };
        self.after_change(before, actions);
    }

    fn tick(&self) {
        let now = now_ms();
        let token = crate::api::auth::current();
        let (before, actions, poll_health, new_token) = {
            let mut i = self.inner.borrow_mut();
            let before = i.monitor.state();
            let actions = i.monitor.tick(now);
            let new_token = i.token_seen != token;
            if new_token {
                i.token_seen = token;
            }
            let poll = new_token || (i.monitor.state().is_usable() && now - i.health_requested_ms >= HEALTH_POLL_MS);
            (before, actions, poll, new_token)
        };
        if poll_health {
            self.refresh_health();
        }
        if new_token {
            self.inner.borrow_mut().stream = None;
            self.connect_stream();
        }
        self.after_change(before, actions);
    }

    fn after_change(&self, before: RegionState, actions: Vec<Action>) {
        let (state, cause, suspect, has_health_api) = {
            let i = self.inner.borrow();
            (i.monitor.state(), i.monitor.down_cause(), i.monitor.is_suspect(), i.monitor.has_health_api())
        };
        let s = self.signals;
        let now = now_ms();
        let session = {
            let mut i = self.inner.borrow_mut();
            i.session.record(state, now);
            let due = state != before || now - i.session_published_ms >= SESSION_PUBLISH_MS;
            due.then(|| {
                i.session_published_ms = now;
                i.session.clone()
            })
        };
        if let Some(session) = session {
            s.session.set(session);
        }
        set_if_changed(s.state, state);
        set_if_changed(s.down_cause, cause);
        set_if_changed(s.suspect, suspect);
        set_if_changed(s.has_health_api, has_health_api);
        // Only the moment the region stops being usable matters ("last known data, as of …"):
        // written then, not on every tick while it is live.
        if before.is_usable() && !state.is_usable() {
            s.live_as_of_ms.set(Some(now));
        }
        let came_back = state.is_usable() && !before.is_usable();
        if came_back {
            // Fresh start after an outage: the full document (history, incidents) and the
            // secrets may have changed while we could not see them.
            if before == RegionState::Unavailable {
                self.refresh_health();
            }
            self.load_secrets();
        }
        for a in actions {
            match a {
                Action::Probe => self.probe(),
                Action::RestartStream => {
                    self.inner.borrow_mut().stream = None;
                    self.schedule_reconnect();
                }
            }
        }
    }

    fn probe(&self) {
        let c = self.clone();
        spawn_local(async move {
            let (has_health_api, suspect) = {
                let i = c.inner.borrow();
                (i.monitor.has_health_api(), i.monitor.is_suspect())
            };
            let timeout = if suspect { CONFIRM_PROBE_TIMEOUT_MS } else { ROUTINE_PROBE_TIMEOUT_MS };
            let result = c.region_api().probe(timeout).await;
            c.observe(probe_observation(result.as_ref().err().map(|e| ProbeError { failure: e.as_failure(), status: e.status() }), has_health_api));
        });
    }

    fn refresh_health(&self) {
        self.inner.borrow_mut().health_requested_ms = now_ms();
        let c = self.clone();
        spawn_local(async move {
            let api = c.region_api();
            match get_with_retry(3, || api.health()).await {
                Ok(doc) => {
                    let status = doc.status;
                    c.record_latency(&doc);
                    c.signals.health.set(Some(doc));
                    c.signals.problem.set(None);
                    c.observe(Observation::Reported(status));
                }
                Err(ApiError::Status { status: 404, .. }) => {
                    c.observe(Observation::NoHealthApi);
                    c.probe();
                }
                Err(e) => match e.as_failure() {
                    Some(f) => {
                        // Unreachable or CORS-blocked: a probe of the secrets API tells which.
                        c.observe(Observation::RequestFailed(f));
                        c.probe();
                    }
                    None => c.signals.problem.set(Some(format!("Health document: {e}"))),
                },
            }
        });
    }

    fn connect_stream(&self) {
        let (url, token) = {
            let i = self.inner.borrow();
            (i.api.events_url(), i.api.token())
        };
        let c = self.clone();
        let on_msg: Rc<dyn Fn(StreamMsg)> = Rc::new(move |msg| c.on_stream(msg));
        let stream = events::open(url, token, STREAM_CONNECT_TIMEOUT_MS, on_msg);
        self.inner.borrow_mut().stream = stream;
    }

    fn schedule_reconnect(&self) {
        let delay = {
            let mut i = self.inner.borrow_mut();
            if i.reconnect_scheduled || !i.monitor.has_health_api() {
                return;
            }
            i.reconnect_scheduled = true;
            let d = Backoff::RECONNECT.delay_ms(i.reconnect_attempt, js_sys::Math::random());
            i.reconnect_attempt = i.reconnect_attempt.saturating_add(1);
            d
        };
        let c = self.clone();
        set_timeout(
            move || {
                c.inner.borrow_mut().reconnect_scheduled = false;
                c.connect_stream();
            },
            Duration::from_millis(delay as u64),
        );
    }

    fn on_stream(&self, msg: StreamMsg) {
        match msg {
            StreamMsg::Opened => {
                self.inner.borrow_mut().reconnect_attempt = 0;
                self.observe(Observation::StreamOpened);
            }
            StreamMsg::Event(ev) => match ev.event.as_str() {
                "heartbeat" => self.observe(Observation::Heartbeat),
                "region" => match serde_json::from_str::<RegionHealth>(&ev.data) {
                    Ok(doc) => {
                        let status = doc.status;
                        self.record_latency(&doc);
                        self.signals.health.update(|h| merge_region_event(h, doc));
                        self.observe(Observation::Reported(status));
                    }
                    Err(_) => self.signals.problem.set(Some("The health stream sent a region event the console cannot read".into())),
                },
                "zone" => match serde_json::from_str::<ZoneEvent>(&ev.data) {
                    Ok(z) => {
                        let mut rolled = None;
                        self.signals.health.update(|h| rolled = apply_zone_event(h, &z));
                        if let Some(status) = rolled {
                            self.observe(Observation::Reported(status));
                        }
                    }
                    Err(_) => self.signals.problem.set(Some("The health stream sent a zone event the console cannot read".into())),
                },
                _ => {}
            },
            StreamMsg::Closed(ApiError::Status { status: 404, .. }) => {
                self.inner.borrow_mut().stream = None;
                self.observe(Observation::NoHealthApi);
            }
            StreamMsg::Closed(_) => {
                self.inner.borrow_mut().stream = None;
                self.observe(Observation::StreamDropped);
                self.schedule_reconnect();
            }
        }
    }

    /// One latency sample per zone for the sparklines; a down zone is a gap.
    fn record_latency(&self, doc: &RegionHealth) {
        self.signals.latency.update(|series| {
            for z in &doc.zones.items {
                let sample = (!z.status.is_outage()).then_some(z.latency_ms.map(|l| l as f64)).flatten();
                // A hostile document may list hundreds of zones; keep a handful.
                let idx = series.iter().position(|(id, _)| *id == z.id);
                match idx {
                    Some(i) => series[i].1.push(sample),
                    None if series.len() < 16 => {
                        let mut s = Series::default();
                        s.push(sample);
                        series.push((z.id.clone(), s));
                    }
                    None => {}
                }
            }
        });
    }

    /// Load every page of the region's secrets (see `secrets::loader`). A new call supersedes a
    /// load in progress, so a region that comes back is re-read from the start.
    pub fn load_secrets(&self) {
        let generation = {
            let mut i = self.inner.borrow_mut();
            i.secrets_generation = i.secrets_generation.wrapping_add(1);
            i.secrets_generation
        };
        let current = {
            let c = self.clone();
            Rc::new(move || c.inner.borrow().secrets_generation == generation)
        };
        let c = self.clone();
        let on_done: crate::secrets::loader::Done = Rc::new(move |outcome: Result<(), ApiError>| match outcome {
            Ok(()) => c.observe(Observation::RequestAnswered),
            Err(e) => {
                if let Some(f) = e.as_failure() {
                    c.observe(Observation::RequestFailed(f));
                }
            }
        });
        crate::secrets::loader::start(self.region_api(), self.signals.secrets, current, on_done);
    }
}
