//! The region state machine: what the console believes about one region, from evidence.
//!
//! Pure logic, driven by observations and a clock, so every rule is unit-tested natively. The view
//! only ever reads [`RegionMonitor::state`]; the controller executes the [`Action`]s it returns.
//!
//! Rules (health-v1.md, issue 4):
//! - A dropped stream, a failed request, or two seconds without a heartbeat make the region
//!   *suspect*. A suspect region is confirmed by exactly one direct request (a probe): if it fails,
//!   the region is `Unavailable`; if it succeeds, the suspicion is lifted. Heartbeats come every
//!   second, so the confirming probe is sent early (after `early_probe_ms` of silence) and its
//!   failure is acted on once the two seconds are up: a hung region greys out about two seconds
//!   after its last heartbeat instead of two seconds plus a probe timeout.
//! - Going down is fast, coming back is deliberate: an unavailable region must show good evidence
//!   continuously for `recover_stable_ms` before it is shown live again, so a flapping region does
//!   not flicker the UI between grey and live.
//! - Zones down is a *reported* condition of a reachable region: one or two zones out is `Degraded`
//!   (usable); all three out (`major_outage`) is `Unavailable`.

use sm_contract::HealthStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionState {
    Unknown,
    Available,
    Degraded,
    Unavailable,
}

impl RegionState {
    /// The `data-state` value of the public DOM contract.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionState::Unknown => "unknown",
            RegionState::Available => "available",
            RegionState::Degraded => "degraded",
            RegionState::Unavailable => "unavailable",
        }
    }

    /// Whether actions against the region may be offered.
    pub fn is_usable(self) -> bool {
        matches!(self, RegionState::Available | RegionState::Degraded)
    }
}

/// Why the console last believed the region unreachable; shown to the user in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownCause {
    /// Connections are refused or reset.
    Unreachable,
    /// The region accepts connections but does not answer in time.
    NotResponding,
    /// The region itself reports every zone in major outage.
    AllZonesDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Network error: connection refused, reset, CORS failure.
    Network,
    /// No answer within the request timeout.
    Timeout,
}

/// Which request an answer or failure came from. Only the probe's own outcome ends the probe, so
/// a page of secrets or a health poll answering meanwhile cannot let a second probe start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Probe,
    /// A data request (a page of secrets) or a health-API call.
    Data,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// The event stream connected.
    StreamOpened,
    /// The event stream errored or closed.
    StreamDropped,
    Heartbeat,
    /// The region's reported roll-up status (region document or `region` event).
    Reported(HealthStatus),
    /// A direct request (a probe or a data request) got an HTTP answer. Any answer, even a 5xx from
    /// one zone, proves the region's front door is there; zone health comes from `Reported`.
    RequestAnswered(Via),
    RequestFailed(Failure, Via),
    /// The region has no health API (404 on it): availability is judged from the console's own
    /// periodic probes only.
    NoHealthApi,
    /// A health-API request (the document or the stream's connect) failed without an HTTP answer.
    /// That is a CORS failure (health-v1.md: a region without a health API) or a region that is
    /// down; a probe of the secrets API tells which, so this alone greys nothing.
    HealthApiFailed,
    /// The health API answered (a document) while the console had given up on it: use it again.
    HealthApiSeen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Send one direct, short-timeout request to the region and report its outcome.
    Probe,
    /// Close and reopen the event stream (it went silent while claiming to be open).
    RestartStream,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timing {
    pub heartbeat_timeout_ms: f64,
    /// Silence after which the confirming probe is already sent (but not yet acted on).
    pub early_probe_ms: f64,
    pub recover_stable_ms: f64,
    /// In probe-only mode (no health API), how often to probe while the region looks fine.
    pub probe_interval_ms: f64,
    /// How often to probe a region that is down: its return should show within about two
    /// seconds, and a refused connection costs the region nothing.
    pub down_probe_interval_ms: f64,
}

impl Default for Timing {
    fn default() -> Self {
        Timing { heartbeat_timeout_ms: 2_000.0, early_probe_ms: 1_200.0, recover_stable_ms: 800.0, probe_interval_ms: 5_000.0, down_probe_interval_ms: 1_000.0 }
    }
}

#[derive(Debug, Clone)]
pub struct RegionMonitor {
    timing: Timing,
    state: RegionState,
    down_cause: Option<DownCause>,
    reported: HealthStatus,
    has_health_api: bool,
    stream_open: bool,
    suspect: bool,
    probe_in_flight: bool,
    /// A confirming probe failed before the silence was long enough to act on it.
    pending_failure: Option<Failure>,
    last_heartbeat_ms: Option<f64>,
    /// Start of the current run of good evidence while `Unavailable`; reset by any failure.
    good_since_ms: Option<f64>,
    last_probe_ms: Option<f64>,
    /// When the state last changed, for "as of" and for the client-observed uptime.
    changed_at_ms: f64,
    /// A health-API request failed without an answer; the next probe decides whether the health
    /// API is missing (the probe answers) or the region is down (it fails).
    health_doubt: bool,
    /// The page is visible. Hidden, routine probes pause and silence proves nothing: a background
    /// tab's timers and streams are throttled, which must not grey a region.
    visible: bool,
}

impl RegionMonitor {
    pub fn new(timing: Timing, now_ms: f64) -> Self {
        RegionMonitor {
            timing,
            state: RegionState::Unknown,
            down_cause: None,
            reported: HealthStatus::Unknown,
            has_health_api: true,
            stream_open: false,
            suspect: false,
            probe_in_flight: false,
            pending_failure: None,
            last_heartbeat_ms: None,
            good_since_ms: None,
            last_probe_ms: None,
            changed_at_ms: now_ms,
            health_doubt: false,
            visible: true,
        }
    }

    pub fn state(&self) -> RegionState {
        self.state
    }
    pub fn down_cause(&self) -> Option<DownCause> {
        self.down_cause
    }
    pub fn reported(&self) -> HealthStatus {
        self.reported
    }
    pub fn is_suspect(&self) -> bool {
        self.suspect
    }
    pub fn has_health_api(&self) -> bool {
        self.has_health_api
    }
    pub fn changed_at_ms(&self) -> f64 {
        self.changed_at_ms
    }

    /// The state the evidence supports when the region is reachable.
    fn reachable_state(&self) -> RegionState {
        match self.reported {
            HealthStatus::MajorOutage => RegionState::Unavailable,
            HealthStatus::Operational | HealthStatus::Unknown => RegionState::Available,
            HealthStatus::DegradedPerformance | HealthStatus::UnderMaintenance | HealthStatus::PartialOutage => {
                RegionState::Degraded
            }
        }
    }

    fn set_state(&mut self, s: RegionState, now_ms: f64) {
        if s != self.state {
            self.state = s;
            self.changed_at_ms = now_ms;
        }
        self.down_cause = match s {
            RegionState::Unavailable if self.reported == HealthStatus::MajorOutage && self.down_cause.is_none() => {
                Some(DownCause::AllZonesDown)
            }
            RegionState::Unavailable => self.down_cause.or(Some(DownCause::Unreachable)),
            _ => None,
        };
    }

    /// Good evidence that the region answers. Coming back from `Unavailable` waits for stability.
    fn on_good_evidence(&mut self, now_ms: f64) {
        self.suspect = false;
        self.pending_failure = None;
        let target = self.reachable_state();
        if self.state == RegionState::Unavailable && self.down_cause != Some(DownCause::AllZonesDown) {
            let since = *self.good_since_ms.get_or_insert(now_ms);
            if now_ms - since < self.timing.recover_stable_ms {
                return;
            }
            self.down_cause = None;
        }
        self.good_since_ms = None;
        if target == RegionState::Unavailable {
            self.down_cause = Some(DownCause::AllZonesDown);
        }
        self.set_state(target, now_ms);
    }

    fn suspect_and_probe(&mut self, now_ms: f64) -> Vec<Action> {
        self.good_since_ms = None;
        if self.state == RegionState::Unavailable {
            // Already known down: recovery evidence comes from reconnection attempts and probes
            // the controller keeps making; no extra confirmation needed.
            self.suspect = false;
            return vec![];
        }
        self.suspect = true;
        self.request_probe(now_ms)
    }

    fn request_probe(&mut self, now_ms: f64) -> Vec<Action> {
        if self.probe_in_flight {
            return vec![];
        }
        self.probe_in_flight = true;
        self.last_probe_ms = Some(now_ms);
        vec![Action::Probe]
    }

    /// Feed one observation; returns what the controller must do next.
    pub fn observe(&mut self, obs: Observation, now_ms: f64) -> Vec<Action> {
        match obs {
            Observation::StreamOpened => {
                self.stream_open = true;
                self.has_health_api = true;
                self.last_heartbeat_ms = Some(now_ms);
                self.on_good_evidence(now_ms);
                vec![]
            }
            Observation::Heartbeat => {
                self.last_heartbeat_ms = Some(now_ms);
                self.on_good_evidence(now_ms);
                vec![]
            }
            Observation::Reported(status) => {
                self.reported = status;
                if status == HealthStatus::MajorOutage {
                    self.down_cause = Some(DownCause::AllZonesDown);
                    self.set_state(RegionState::Unavailable, now_ms);
                    self.suspect = false;
                } else {
                    if self.down_cause == Some(DownCause::AllZonesDown) {
                        // The region itself told us it is back; no need to wait out flapping
                        // connections we never saw.
                        self.down_cause = None;
                        self.state = RegionState::Unknown;
                    }
                    self.on_good_evidence(now_ms);
                }
                vec![]
            }
            Observation::StreamDropped => {
                self.stream_open = false;
                self.suspect_and_probe(now_ms)
            }
            Observation::RequestAnswered(via) => {
                if via == Via::Probe {
                    self.probe_in_flight = false;
                    if std::mem::take(&mut self.health_doubt) {
                        // The secrets API answers where the health API did not: it has none
                        // this console can use (health-v1.md), so judge by probes.
                        self.forget_health_api();
                    }
                }
                self.on_good_evidence(now_ms);
                vec![]
            }
            Observation::RequestFailed(f, via) => {
                if via == Via::Probe {
                    self.probe_in_flight = false;
                    // The region is down: that, not a missing health API, explains the failure.
                    self.health_doubt = false;
                }
                self.good_since_ms = None;
                if self.state == RegionState::Unknown || self.state == RegionState::Unavailable {
                    self.go_down(f, now_ms);
                    vec![]
                } else if self.suspect {
                    // The confirming request failed. Act now if the stream is already known to be
                    // gone; otherwise wait until the heartbeat silence reaches its limit.
                    if self.silence_confirmed(now_ms) {
                        self.go_down(f, now_ms);
                    } else {
                        self.pending_failure = Some(f);
                    }
                    vec![]
                } else {
                    // One failed data request is a suspicion, not a verdict.
                    self.suspect_and_probe(now_ms)
                }
            }
            Observation::NoHealthApi => {
                self.forget_health_api();
                vec![]
            }
            Observation::HealthApiFailed => {
                // Already in probe mode, or down (which explains the failure): nothing to decide.
                if !self.has_health_api || self.state == RegionState::Unavailable {
                    return vec![];
                }
                self.stream_open = false;
                self.health_doubt = true;
                self.request_probe(now_ms)
            }
            Observation::HealthApiSeen => {
                self.has_health_api = true;
                self.health_doubt = false;
                vec![]
            }
        }
    }

    fn forget_health_api(&mut self) {
        self.has_health_api = false;
        self.stream_open = false;
        self.health_doubt = false;
        if self.down_cause == Some(DownCause::AllZonesDown) {
            // That verdict came from the health API, which is gone: the probes judge now.
            self.down_cause = None;
        }
        self.reported = HealthStatus::Unknown;
    }

    pub fn is_visible(&self) -> bool {
        self.visible
    }

    /// The page was hidden or shown. Shown again, the region is checked at once (one probe) and
    /// the silence clock restarts, so time spent hidden is never read as a silent stream.
    pub fn set_visible(&mut self, visible: bool, now_ms: f64) -> Vec<Action> {
        if visible == self.visible {
            return vec![];
        }
        self.visible = visible;
        if !visible {
            return vec![];
        }
        if self.stream_open {
            self.last_heartbeat_ms = Some(now_ms);
        }
        self.request_probe(now_ms)
    }

    fn go_down(&mut self, f: Failure, now_ms: f64) {
        self.suspect = false;
        self.pending_failure = None;
        self.down_cause = Some(match f {
            Failure::Network => DownCause::Unreachable,
            Failure::Timeout => DownCause::NotResponding,
        });
        self.set_state(RegionState::Unavailable, now_ms);
    }

    /// Whether the event stream no longer vouches for the region: dropped, absent, or silent
    /// for the full heartbeat timeout.
    fn silence_confirmed(&self, now_ms: f64) -> bool {
        !self.has_health_api
            || !self.stream_open
            || now_ms - self.last_heartbeat_ms.unwrap_or(now_ms) >= self.timing.heartbeat_timeout_ms
    }

    /// Advance the clock: detects silent streams and schedules probes.
    pub fn tick(&mut self, now_ms: f64) -> Vec<Action> {
        let mut actions = Vec::new();
        if !self.visible {
            // Hidden: no routine probes, no verdicts from silence. A dropped stream or a failed
            // request is still acted on as it arrives.
            return actions;
        }
        if self.has_health_api && self.stream_open && self.state != RegionState::Unavailable {
            let last_heartbeat = self.last_heartbeat_ms.unwrap_or(now_ms);
            let silent_for = now_ms - last_heartbeat;
            // One early probe per silence, not one per tick.
            let probed_since = self.last_probe_ms.is_some_and(|p| p >= last_heartbeat);
            if silent_for >= self.timing.early_probe_ms && !self.suspect && !probed_since {
                actions.extend(self.suspect_and_probe(now_ms));
            }
            if silent_for >= self.timing.heartbeat_timeout_ms {
                // A hung region keeps the socket open but stops talking: restart the stream,
                // and act on the confirming probe if it already failed.
                self.stream_open = false;
                actions.push(Action::RestartStream);
                if let Some(f) = self.pending_failure.take() {
                    self.go_down(f, now_ms);
                } else {
                    self.suspect = true;
                    actions.extend(self.request_probe(now_ms));
                }
            }
        }
        let interval = if self.state == RegionState::Unavailable {
            self.timing.down_probe_interval_ms
        } else {
            self.timing.probe_interval_ms
        };
        let probe_due = self.last_probe_ms.is_none_or(|t| now_ms - t >= interval);
        if (!self.has_health_api || self.state == RegionState::Unavailable) && probe_due {
            actions.extend(self.request_probe(now_ms));
        }
        // A pending recovery completes on time even if no new evidence arrives.
        if self.state == RegionState::Unavailable {
            if let Some(since) = self.good_since_ms {
                if now_ms - since >= self.timing.recover_stable_ms {
                    self.on_good_evidence(now_ms);
                }
            }
        }
        actions
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HealthStatus::*;

    fn live(now: f64) -> RegionMonitor {
        let mut m = RegionMonitor::new(Timing::default(), 0.0);
        m.observe(Observation::StreamOpened, now);
        m.observe(Observation::Reported(Operational), now);
        m
    }

    #[test]
    fn first_evidence_makes_a_region_available_at_once() {
        let m = live(10.0);
        assert_eq!(m.state(), RegionState::Available);
    }

    #[test]
    fn killed_region_is_confirmed_by_one_probe() {
        let mut m = live(0.0);
        assert_eq!(m.observe(Observation::StreamDropped, 100.0), vec![Action::Probe]);
        assert_eq!(m.state(), RegionState::Available, "suspect is not yet a verdict");
        assert!(m.is_suspect());
        m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 110.0);
        assert_eq!(m.state(), RegionState::Unavailable);
        assert_eq!(m.down_cause(), Some(DownCause::Unreachable));
    }

    #[test]
    fn dropped_stream_with_a_good_probe_stays_live() {
        let mut m = live(0.0);
        m.observe(Observation::StreamDropped, 100.0);
        m.observe(Observation::RequestAnswered(Via::Probe), 120.0);
        assert_eq!(m.state(), RegionState::Available);
        assert!(!m.is_suspect());
    }

    #[test]
    fn hung_region_is_greyed_two_seconds_after_its_last_heartbeat() {
        let mut m = live(0.0);
        m.observe(Observation::Heartbeat, 1_000.0);
        assert!(m.tick(2_100.0).is_empty(), "1.1 s of silence is normal jitter");
        assert_eq!(m.tick(2_200.0), vec![Action::Probe], "the confirming probe goes out early");
        assert!(m.tick(2_300.0).is_empty(), "one probe at a time");
        m.observe(Observation::RequestFailed(Failure::Timeout, Via::Probe), 2_700.0);
        assert_eq!(m.state(), RegionState::Available, "not yet two seconds of silence");
        assert_eq!(m.tick(3_000.0), vec![Action::RestartStream]);
        assert_eq!(m.state(), RegionState::Unavailable);
        assert_eq!(m.down_cause(), Some(DownCause::NotResponding));
    }

    #[test]
    fn a_late_heartbeat_cancels_the_early_probe_verdict() {
        let mut m = live(0.0);
        m.observe(Observation::Heartbeat, 1_000.0);
        assert_eq!(m.tick(2_300.0), vec![Action::Probe]);
        m.observe(Observation::RequestFailed(Failure::Timeout, Via::Probe), 2_800.0);
        m.observe(Observation::Heartbeat, 2_900.0);
        assert!(m.tick(3_100.0).is_empty());
        assert_eq!(m.state(), RegionState::Available);
        assert!(!m.is_suspect());
    }

    #[test]
    fn silent_stream_with_an_answering_region_restarts_the_stream_only() {
        let mut m = live(0.0);
        assert_eq!(m.tick(1_300.0), vec![Action::Probe]);
        m.observe(Observation::RequestAnswered(Via::Probe), 1_350.0);
        assert!(m.tick(1_400.0).is_empty(), "one early probe per silence");
        assert_eq!(m.tick(2_000.0), vec![Action::RestartStream, Action::Probe]);
        m.observe(Observation::RequestAnswered(Via::Probe), 2_050.0);
        assert_eq!(m.state(), RegionState::Available);
    }

    #[test]
    fn one_failed_data_request_only_raises_suspicion() {
        let mut m = live(0.0);
        assert_eq!(m.observe(Observation::RequestFailed(Failure::Network, Via::Data), 50.0), vec![Action::Probe]);
        assert_eq!(m.state(), RegionState::Available);
    }

    #[test]
    fn recovery_waits_for_stable_evidence() {
        let mut m = live(0.0);
        m.observe(Observation::StreamDropped, 100.0);
        m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 110.0);
        m.observe(Observation::StreamOpened, 5_000.0);
        assert_eq!(m.state(), RegionState::Unavailable, "one good sign is not yet recovery");
        m.tick(5_500.0);
        assert_eq!(m.state(), RegionState::Unavailable);
        m.tick(5_800.0);
        assert_eq!(m.state(), RegionState::Available);
        assert_eq!(m.changed_at_ms(), 5_800.0);
    }

    #[test]
    fn flapping_region_does_not_flicker() {
        let mut m = live(0.0);
        m.observe(Observation::StreamDropped, 100.0);
        m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 110.0);
        let mut changes = 0;
        let mut last = m.state();
        // Up for 400 ms, down for 400 ms, for ten seconds.
        let mut t = 200.0;
        while t < 10_000.0 {
            m.observe(Observation::StreamOpened, t);
            m.tick(t + 200.0);
            m.observe(Observation::StreamDropped, t + 400.0);
            m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), t + 410.0);
            m.tick(t + 600.0);
            if m.state() != last {
                changes += 1;
                last = m.state();
            }
            t += 800.0;
        }
        assert_eq!(changes, 0);
        assert_eq!(m.state(), RegionState::Unavailable);
    }

    #[test]
    fn zones_down_degrade_but_all_down_is_unavailable() {
        let mut m = live(0.0);
        m.observe(Observation::Reported(PartialOutage), 10.0);
        assert_eq!(m.state(), RegionState::Degraded);
        assert!(m.state().is_usable());
        m.observe(Observation::Reported(DegradedPerformance), 20.0);
        assert_eq!(m.state(), RegionState::Degraded);
        m.observe(Observation::Reported(MajorOutage), 30.0);
        assert_eq!(m.state(), RegionState::Unavailable);
        assert_eq!(m.down_cause(), Some(DownCause::AllZonesDown));
        m.observe(Observation::Reported(Operational), 40.0);
        assert_eq!(m.state(), RegionState::Available, "the region said it is back");
    }

    #[test]
    fn unknown_region_failing_its_first_request_is_unavailable() {
        let mut m = RegionMonitor::new(Timing::default(), 0.0);
        m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 5.0);
        assert_eq!(m.state(), RegionState::Unavailable);
    }

    #[test]
    fn without_a_health_api_the_console_probes_periodically() {
        let mut m = RegionMonitor::new(Timing::default(), 0.0);
        m.observe(Observation::NoHealthApi, 0.0);
        m.observe(Observation::RequestAnswered(Via::Probe), 10.0);
        assert_eq!(m.state(), RegionState::Available);
        assert_eq!(m.tick(100.0), vec![Action::Probe]);
        m.observe(Observation::RequestAnswered(Via::Probe), 150.0);
        assert!(m.tick(2_000.0).is_empty());
        assert_eq!(m.tick(5_100.0), vec![Action::Probe]);
        m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 5_150.0);
        assert_eq!(m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 5_200.0), vec![]);
        assert_eq!(m.state(), RegionState::Unavailable);
    }

    #[test]
    fn unavailable_region_keeps_probing_every_second() {
        let mut m = live(0.0);
        m.observe(Observation::StreamDropped, 100.0);
        m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 110.0);
        assert!(m.tick(600.0).is_empty());
        assert_eq!(m.tick(1_100.0), vec![Action::Probe]);
        m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 1_120.0);
        assert!(m.tick(1_900.0).is_empty());
        assert_eq!(m.tick(2_100.0), vec![Action::Probe]);
    }
    #[test]
    fn only_the_probe_ends_the_probe() {
        let mut m = live(0.0);
        assert_eq!(m.observe(Observation::StreamDropped, 100.0), vec![Action::Probe]);
        // A page of secrets and a health poll land while the probe is out.
        m.observe(Observation::RequestAnswered(Via::Data), 150.0);
        assert_eq!(m.observe(Observation::RequestFailed(Failure::Network, Via::Data), 160.0), vec![], "the probe is still in flight");
        m.observe(Observation::StreamDropped, 170.0);
        assert!(m.tick(200.0).is_empty(), "no second probe while the first is out");
        m.observe(Observation::RequestAnswered(Via::Probe), 300.0);
        assert_eq!(m.observe(Observation::RequestFailed(Failure::Network, Via::Data), 400.0), vec![Action::Probe]);
    }

    #[test]
    fn a_health_api_failing_cors_is_probe_mode_not_an_outage() {
        let mut m = RegionMonitor::new(Timing::default(), 0.0);
        assert_eq!(m.observe(Observation::HealthApiFailed, 10.0), vec![Action::Probe]);
        assert_eq!(m.state(), RegionState::Unknown, "a failed health call alone greys nothing");
        assert_eq!(m.observe(Observation::HealthApiFailed, 20.0), vec![], "one probe decides");
        m.observe(Observation::RequestAnswered(Via::Probe), 30.0);
        assert_eq!(m.state(), RegionState::Available);
        assert!(!m.has_health_api(), "the secrets API answers where the health API did not");
        assert_eq!(m.observe(Observation::HealthApiFailed, 40.0), vec![], "probe mode: nothing more to decide");
        m.observe(Observation::HealthApiSeen, 50.0);
        assert!(m.has_health_api(), "a health document that arrives later is used again");
    }

    #[test]
    fn a_health_failure_with_a_failing_probe_is_an_outage_and_keeps_the_health_api() {
        let mut m = live(0.0);
        m.observe(Observation::StreamDropped, 100.0);
        m.observe(Observation::HealthApiFailed, 150.0);
        m.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 160.0);
        assert_eq!(m.state(), RegionState::Unavailable);
        m.tick(1_200.0);
        m.observe(Observation::RequestAnswered(Via::Probe), 1_250.0);
        assert!(m.has_health_api(), "the failure was the outage, not a missing health API");
    }

    #[test]
    fn a_hidden_page_pauses_routine_probes_and_silence_verdicts() {
        let mut m = live(0.0);
        m.observe(Observation::Heartbeat, 1_000.0);
        m.set_visible(false, 1_100.0);
        // Background timers run late: the first tick in a minute must not read that as silence.
        assert!(m.tick(61_000.0).is_empty());
        assert_eq!(m.state(), RegionState::Available);
        assert_eq!(m.set_visible(true, 61_050.0), vec![Action::Probe], "checked at once when shown");
        m.observe(Observation::RequestAnswered(Via::Probe), 61_080.0);
        assert!(m.tick(61_100.0).is_empty(), "the silence clock restarted when the page was shown");
        assert_eq!(m.state(), RegionState::Available);

        let mut down = live(0.0);
        down.observe(Observation::StreamDropped, 100.0);
        down.observe(Observation::RequestFailed(Failure::Network, Via::Probe), 110.0);
        down.set_visible(false, 200.0);
        for t in (1..30).map(|s| f64::from(s) * 1_000.0) {
            assert!(down.tick(t).is_empty(), "no probe every second while hidden");
        }
        assert_eq!(down.set_visible(true, 30_000.0), vec![Action::Probe]);
    }
}
