//! Drives one region: runs the state machine against the real network and publishes signals.
//!
//! Each region has its own controller, its own requests and its own timers, so one region's
//! trouble (a hang, a 429 storm, a hostile body) can never slow or block the other's view. The
//! controller never reaches any origin but its own region's: there is no automatic failover.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::{Interval, Timeout};
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use sm_contract::{RegionHealth, ZoneEvent};

use super::signals::{set_if_changed, RegionSignals};
use crate::api::auth::Auth;
use crate::api::events::{self, EventStream, StreamMsg};
use crate::api::evidence::Evidence;
use crate::api::region::{CONFIRM_PROBE_TIMEOUT_MS, ROUTINE_PROBE_TIMEOUT_MS, STREAM_CONNECT_TIMEOUT_MS};
use crate::api::retry::get_with_retry;
use crate::api::{ApiError, RegionApi};
use crate::config::RegionConfig;
use crate::model::backoff::Backoff;
use crate::model::health_events::{probe_observation, ProbeError};
use crate::model::health_feed::{apply_poll, apply_zone_event, merge_region_event, Freshness, PollGate};
use crate::model::region_state::{Action, Observation, RegionMonitor, RegionState, Timing, Via};
use crate::model::session_uptime::SessionUptime;
use crate::model::sparkline::Series;

/// The state machine's clock. Cheap (a few comparisons), and fine-grained enough that the
/// heartbeat rule acts within a tenth of a second of its deadline.
const TICK_MS: u32 = 100;
/// The region document is re-read this often while the region is usable: zone latencies for the
/// sparklines, and history/incidents that the event stream does not carry.
const HEALTH_POLL_MS: f64 = 10_000.0;
/// The session-uptime figure is republished this often (it changes with time, not only events).
const SESSION_PUBLISH_MS: f64 = 1_000.0;

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn page_visible() -> bool {
    web_sys::window().and_then(|w| w.document()).is_none_or(|d| !d.hidden())
}

struct Inner {
    api: RegionApi,
    monitor: RegionMonitor,
    stream: Option<EventStream>,
    /// The current stream connection has delivered its open (a failure after that is a drop,
    /// before it a failed connect).
    stream_opened: bool,
    /// The pending reconnect; dropping it clears the timer and frees its callback.
    reconnect: Option<Timeout>,
    reconnect_attempt: u32,
    /// The stream was refused with 401: it is reopened when a new token exists, not before.
    awaiting_token: bool,
    session: SessionUptime,
    session_published_ms: f64,
    health_requested_ms: f64,
    health_gate: PollGate,
    /// The view that owned the controller is gone: late answers are dropped, nothing restarts.
    closed: bool,
}

#[derive(Clone)]
pub struct RegionController {
    inner: Rc<RefCell<Inner>>,
    pub config: RegionConfig,
    pub signals: RegionSignals,
}

impl RegionController {
    pub fn start(config: RegionConfig, auth: Auth) -> Self {
        let signals = RegionSignals::new();
        let inner = Inner {
            api: RegionApi::with_auth(&config.api, auth),
            monitor: RegionMonitor::new(Timing::default(), now_ms()),
            stream: None,
            stream_opened: false,
            reconnect: None,
            reconnect_attempt: 0,
            awaiting_token: false,
            session: SessionUptime::default(),
            session_published_ms: 0.0,
            health_requested_ms: 0.0,
            health_gate: PollGate::default(),
            closed: false,
        };
        let c = RegionController { inner: Rc::new(RefCell::new(inner)), config, signals };
        if !page_visible() {
            c.inner.borrow_mut().monitor.set_visible(false, now_ms());
        }
        c.refresh_health();
        c.connect_stream();
        let ticker = c.clone();
        let interval = Interval::new(TICK_MS, move || ticker.tick());
        let on_visibility = {
            let c = c.clone();
            window_event_listener_untyped("visibilitychange", move |_| c.on_visibility())
        };
        let on_token = c.clone();
        Effect::watch(move || auth.prompt.epoch.get(), move |_, _, _| on_token.on_new_token(), false);
        // Everything the controller started ends with its view: the tick, the stream, a pending
        // reconnect, the listener. Tasks still in flight find it closed and drop their answers.
        let owned = SendWrapper::new((c.clone(), interval));
        on_cleanup(move || {
            on_visibility.remove();
            if owned.valid() {
                let (c, interval) = owned.take();
                drop(interval);
                c.close();
            }
        });
        c
    }

    fn close(&self) {
        let mut i = self.inner.borrow_mut();
        i.closed = true;
        i.stream = None;
        i.reconnect = None;
    }

    fn is_closed(&self) -> bool {
        self.inner.borrow().closed
    }

    /// The region's API client: always this region's own origin (the secrets views use it too).
    pub fn region_api(&self) -> RegionApi {
        self.inner.borrow().api.clone()
    }

    fn observe(&self, obs: Observation) {
        if self.is_closed() {
            return;
        }
        let (before, actions) = {
            let mut i = self.inner.borrow_mut();
            let before = i.monitor.state();
            (before, i.monitor.observe(obs, now_ms()))
        };
        self.after_change(before, actions);
    }

    fn tick(&self) {
        let now = now_ms();
        let (before, actions, poll_health) = {
            let mut i = self.inner.borrow_mut();
            let before = i.monitor.state();
            let actions = i.monitor.tick(now);
            let m = &i.monitor;
            let poll = m.is_visible() && m.state().is_usable() && now - i.health_requested_ms >= HEALTH_POLL_MS;
            (before, actions, poll)
        };
        if poll_health {
            self.refresh_health();
        }
        self.after_change(before, actions);
    }

    /// Hidden, routine probes and polls pause (the monitor decides); shown again, the region is
    /// checked and its document re-read at once.
    fn on_visibility(&self) {
        let visible = page_visible();
        let (before, actions) = {
            let mut i = self.inner.borrow_mut();
            let before = i.monitor.state();
            (before, i.monitor.set_visible(visible, now_ms()))
        };
        if visible {
            self.refresh_health();
        }
        self.after_change(before, actions);
    }

    /// A new token: re-read the document and reopen the stream with it at once (a stream
    /// refused with 401 waits for exactly this).
    fn on_new_token(&self) {
        if self.is_closed() {
            return;
        }
        self.inner.borrow_mut().awaiting_token = false;
        self.refresh_health();
        self.reopen_stream();
    }

    fn reopen_stream(&self) {
        {
            let mut i = self.inner.borrow_mut();
            i.stream = None;
            i.reconnect = None;
        }
        self.connect_stream();
    }

    fn after_change(&self, before: RegionState, actions: Vec<Action>) {
        if self.is_closed() {
            return;
        }
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
        if !has_health_api {
            // Probe mode: no stream to keep or to reconnect.
            let mut i = self.inner.borrow_mut();
            i.stream = None;
            i.reconnect = None;
        }
        // Only the moment the region stops being usable matters ("last known data, as of …"):
        // written then, not on every tick while it is live.
        if before.is_usable() && !state.is_usable() {
            s.live_as_of_ms.set(Some(now));
        }
        let came_back = state.is_usable() && !before.is_usable();
        if came_back {
            // Fresh start after an outage: the full document (history, incidents) may have
            // changed while we could not see it. (The secrets store reloads on the same change.)
            if before == RegionState::Unavailable {
                self.refresh_health();
            }
            let restart = {
                let i = self.inner.borrow();
                has_health_api && i.stream.is_none() && i.reconnect.is_none() && !i.awaiting_token
            };
            if restart {
                self.connect_stream();
            }
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
            let api = c.region_api();
            let result = api.probe(timeout).await;
            if let Err(e) = &result {
                api.prompt().note(e);
            }
            c.observe(probe_observation(result.as_ref().err().map(|e| ProbeError { failure: e.as_failure(), status: e.status() }), has_health_api));
        });
    }

    /// Re-read the region document; one poll at a time, and an answer the stream overtook
    /// does not undo the stream's newer zones.
    fn refresh_health(&self) {
        let sent = {
            let mut i = self.inner.borrow_mut();
            if i.closed {
                return;
            }
            let Some(rev) = i.health_gate.begin() else { return };
            i.health_requested_ms = now_ms();
            rev
        };
        let c = self.clone();
        spawn_local(async move {
            let api = c.region_api();
            let result = get_with_retry(3, || api.health()).await;
            let freshness = c.inner.borrow_mut().health_gate.finish(sent);
            if c.is_closed() {
                return;
            }
            match result {
                Ok(doc) => {
                    let status = doc.status;
                    if freshness == Freshness::Fresh {
                        c.record_latency(&doc);
                    }
                    c.signals.health.update(|h| apply_poll(h, doc, freshness));
                    c.signals.problem.set(None);
                    if !c.inner.borrow().monitor.has_health_api() {
                        // The health API is back (it had failed, or a gateway was put in front).
                        c.observe(Observation::HealthApiSeen);
                        c.reopen_stream();
                    }
                    c.observe(match freshness {
                        Freshness::Fresh => Observation::Reported(status),
                        Freshness::Overtaken => Observation::RequestAnswered(Via::Data),
                    });
                }
                Err(ApiError::Status { status: 404, .. }) => c.observe(Observation::NoHealthApi),
                Err(e) => match e.as_failure() {
                    // Unreachable or CORS-blocked: a probe of the secrets API tells which.
                    Some(_) => c.observe(Observation::HealthApiFailed),
                    None => {
                        api.prompt().note(&e);
                        c.signals.problem.set(Some(format!("Health document: {e}")));
                        c.observe(Observation::RequestAnswered(Via::Data));
                    }
                },
            }
        });
    }

    fn connect_stream(&self) {
        let (url, token) = {
            let mut i = self.inner.borrow_mut();
            if i.closed || !i.monitor.has_health_api() {
                return;
            }
            i.stream_opened = false;
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
            if i.closed || i.reconnect.is_some() || i.awaiting_token || !i.monitor.has_health_api() {
                return;
            }
            let d = Backoff::RECONNECT.delay_ms(i.reconnect_attempt, js_sys::Math::random());
            i.reconnect_attempt = i.reconnect_attempt.saturating_add(1);
            d
        };
        let c = self.clone();
        let timer = Timeout::new(delay.clamp(0.0, 600_000.0) as u32, move || {
            c.inner.borrow_mut().reconnect = None;
            c.connect_stream();
        });
        self.inner.borrow_mut().reconnect = Some(timer);
    }

    fn on_stream(&self, msg: StreamMsg) {
        if self.is_closed() {
            return;
        }
        match msg {
            StreamMsg::Opened => {
                {
                    let mut i = self.inner.borrow_mut();
                    i.reconnect_attempt = 0;
                    i.stream_opened = true;
                }
                self.observe(Observation::StreamOpened);
            }
            StreamMsg::Event(ev) => match ev.event.as_str() {
                "heartbeat" => self.observe(Observation::Heartbeat),
                "region" => match serde_json::from_str::<RegionHealth>(&ev.data) {
                    Ok(doc) => {
                        let status = doc.status;
                        self.record_latency(&doc);
                        self.signals.health.update(|h| merge_region_event(h, doc));
                        self.inner.borrow_mut().health_gate.stream_changed();
                        self.observe(Observation::Reported(status));
                    }
                    Err(_) => self.signals.problem.set(Some("The health stream sent a region event the console cannot read".into())),
                },
                "zone" => match serde_json::from_str::<ZoneEvent>(&ev.data) {
                    Ok(z) => {
                        let mut rolled = None;
                        self.signals.health.update(|h| rolled = apply_zone_event(h, &z));
                        if let Some(status) = rolled {
                            self.inner.borrow_mut().health_gate.stream_changed();
                            self.observe(Observation::Reported(status));
                        }
                    }
                    Err(_) => self.signals.problem.set(Some("The health stream sent a zone event the console cannot read".into())),
                },
                _ => {}
            },
            StreamMsg::Closed(e) => {
                let opened = {
                    let mut i = self.inner.borrow_mut();
                    i.stream = None;
                    i.stream_opened
                };
                match e {
                    ApiError::Status { status: 404, .. } => self.observe(Observation::NoHealthApi),
                    ApiError::Status { status: 401, .. } => {
                        // The region answered: it is reachable and keeps its state. Ask for a
                        // token and reopen when one exists (`on_new_token`), not on a timer.
                        self.inner.borrow_mut().awaiting_token = true;
                        self.region_api().prompt().note(&e);
                        self.observe(Observation::RequestAnswered(Via::Data));
                    }
                    ApiError::Network if !opened => {
                        // The connect failed without an answer: a CORS-blocked health API or a
                        // region that is down. The monitor's probe tells which.
                        self.observe(Observation::HealthApiFailed);
                        self.schedule_reconnect();
                    }
                    _ => {
                        self.observe(Observation::StreamDropped);
                        self.schedule_reconnect();
                    }
                }
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

    /// The channel through which any request to this region reports what it saw: an answer
    /// is good evidence, a failure a suspicion for the monitor to confirm.
    pub fn evidence(&self) -> Evidence {
        let c = self.clone();
        Evidence::new(move |outcome| {
            c.observe(match outcome {
                Ok(()) => Observation::RequestAnswered(Via::Data),
                Err(f) => Observation::RequestFailed(f, Via::Data),
            })
        })
    }
}
