//! The probe state machine (`gateway.md`, "Probes, health and uptime"), pure so its rules are tested
//! without a network: three failures in a row make the region `major_outage`, one success brings it
//! back, a slow answer is `degraded_performance`, and after a failure the next probes come quickly.

use std::time::Duration;

use sm_contract::HealthStatus;

/// Failed probes in a row that make the region `major_outage`.
pub const FAILURES_FOR_OUTAGE: u32 = 3;
/// A probe answered slower than this is `degraded_performance`.
pub const SLOW: Duration = Duration::from_secs(2);
/// A probe that has not answered by now has failed.
pub const TIMEOUT: Duration = Duration::from_secs(5);
/// The pace of the probes that confirm a failure.
pub const CONFIRM_EVERY: Duration = Duration::from_millis(500);

/// What one probe (or one forwarded request) observed.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Up { elapsed: Duration },
    Failed { reason: String },
    /// The instance answered 429: it is alive but says nothing about speed; neither up nor down.
    RateLimited,
}

/// Reads an HTTP answer to a probe. With a probe token only a 2xx proves the service works; without
/// one, any answer that is not a 5xx (a 401 included) proves it is there.
pub fn classify(status: u16, authenticated: bool, elapsed: Duration) -> Outcome {
    match status {
        429 => Outcome::RateLimited,
        500..=599 => Outcome::Failed { reason: format!("the instance answered HTTP {status}") },
        200..=299 => Outcome::Up { elapsed },
        _ if !authenticated => Outcome::Up { elapsed },
        // A token the instance refuses (revoked key, missing Reader role) is a set-up problem the
        // operator must fix; the service itself answered, so the region is not down because of it.
        _ => Outcome::Up { elapsed },
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    status: HealthStatus,
    failures: u32,
    reason: Option<String>,
}

impl Default for Machine {
    fn default() -> Self {
        Machine { status: HealthStatus::Unknown, failures: 0, reason: None }
    }
}

impl Machine {
    pub fn status(&self) -> HealthStatus {
        self.status
    }

    /// Why the region is not operational, in words for a person.
    pub fn reason(&self) -> Option<&str> {
        self.reason.as_deref()
    }

    #[cfg(test)]
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Applies one observation; returns the new status when it changed.
    pub fn observe(&mut self, outcome: &Outcome) -> Option<HealthStatus> {
        let before = self.status;
        match outcome {
            Outcome::Up { elapsed } => {
                self.failures = 0;
                if *elapsed > SLOW {
                    self.status = HealthStatus::DegradedPerformance;
                    self.reason = Some(format!("the instance answered in {} ms (over {} ms)", elapsed.as_millis(), SLOW.as_millis()));
                } else {
                    self.status = HealthStatus::Operational;
                    self.reason = None;
                }
            }
            Outcome::Failed { reason } => {
                self.failures = self.failures.saturating_add(1);
                if self.failures >= FAILURES_FOR_OUTAGE {
                    self.status = HealthStatus::MajorOutage;
                    self.reason = Some(reason.clone());
                }
            }
            Outcome::RateLimited => {}
        }
        (self.status != before).then_some(self.status)
    }

    /// When the next probe is due: quickly while a failure is being confirmed, else at the pace set.
    pub fn next_delay(&self, every: Duration) -> Duration {
        if (1..FAILURES_FOR_OUTAGE).contains(&self.failures) {
            CONFIRM_EVERY.min(every)
        } else {
            every
        }
    }
}

/// The `unknown` interval for the time the gateway was not running: from the last moment a previous
/// run was known alive to this start. Nothing when there was no previous run or no time passed.
pub fn restart_gap(last_alive: Option<i64>, now: i64) -> Option<(i64, i64)> {
    let from = last_alive?;
    (now > from).then_some((from, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use HealthStatus::*;

    fn up(ms: u64) -> Outcome {
        Outcome::Up { elapsed: Duration::from_millis(ms) }
    }

    fn fail() -> Outcome {
        Outcome::Failed { reason: "connection refused".into() }
    }

    #[test]
    fn three_failures_make_an_outage_and_one_success_ends_it() {
        let mut m = Machine::default();
        assert_eq!(m.observe(&up(40)), Some(Operational));
        assert_eq!(m.observe(&fail()), None);
        assert_eq!(m.observe(&fail()), None);
        assert_eq!(m.status(), Operational, "two failures are not an outage yet");
        assert_eq!(m.observe(&fail()), Some(MajorOutage));
        assert_eq!(m.reason(), Some("connection refused"));
        assert_eq!(m.observe(&fail()), None, "still down: no new change");
        assert_eq!(m.observe(&up(40)), Some(Operational));
        assert_eq!(m.reason(), None);
    }

    #[test]
    fn a_success_between_failures_resets_the_count() {
        let mut m = Machine::default();
        m.observe(&up(10));
        m.observe(&fail());
        m.observe(&fail());
        m.observe(&up(10));
        m.observe(&fail());
        m.observe(&fail());
        assert_eq!(m.status(), Operational);
    }

    #[test]
    fn slow_is_degraded() {
        let mut m = Machine::default();
        assert_eq!(m.observe(&up(2_500)), Some(DegradedPerformance));
        assert!(m.reason().is_some_and(|r| r.contains("2500 ms")));
        assert_eq!(m.observe(&up(2_000)), Some(Operational), "exactly the limit is not slow");
    }

    #[test]
    fn starts_unknown_and_rate_limits_change_nothing() {
        let mut m = Machine::default();
        assert_eq!(m.status(), Unknown);
        assert_eq!(m.observe(&Outcome::RateLimited), None);
        assert_eq!(m.observe(&fail()), None);
        assert_eq!(m.observe(&Outcome::RateLimited), None);
        assert_eq!(m.failures(), 1);
    }

    #[test]
    fn failures_are_confirmed_quickly() {
        let every = Duration::from_secs(5);
        let mut m = Machine::default();
        assert_eq!(m.next_delay(every), every);
        m.observe(&fail());
        assert_eq!(m.next_delay(every), CONFIRM_EVERY);
        m.observe(&fail());
        assert_eq!(m.next_delay(every), CONFIRM_EVERY);
        m.observe(&fail());
        assert_eq!(m.next_delay(every), every, "an outage is probed at the normal pace");
        assert_eq!(Machine::default().next_delay(Duration::from_millis(200)), Duration::from_millis(200));
    }

    #[test]
    fn classification() {
        let d = Duration::from_millis(30);
        assert_eq!(classify(200, true, d), Outcome::Up { elapsed: d });
        assert_eq!(classify(401, false, d), Outcome::Up { elapsed: d }, "unauthenticated: a 401 proves the service answers");
        assert!(matches!(classify(503, false, d), Outcome::Failed { .. }));
        assert!(matches!(classify(500, true, d), Outcome::Failed { .. }));
        assert_eq!(classify(429, true, d), Outcome::RateLimited);
    }

    #[test]
    fn restart_gaps() {
        assert_eq!(restart_gap(None, 100), None);
        assert_eq!(restart_gap(Some(90), 100), Some((90, 100)));
        assert_eq!(restart_gap(Some(100), 100), None);
        assert_eq!(restart_gap(Some(120), 100), None, "a clock step back is no gap");
    }
}
