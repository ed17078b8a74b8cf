//! Uptime this browser itself observed during the session ("client-observed"), shown beside the
//! uptime the region reports about itself. The two differ exactly when it matters: a region that
//! says it is fine but cannot be reached from here.

use super::region_state::RegionState;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionUptime {
    up_ms: f64,
    down_ms: f64,
    last: Option<(RegionState, f64)>,
}

impl SessionUptime {
    /// Record that the region is in `state` at `now_ms`; time since the previous record is
    /// credited to the previous state. Time in `Unknown` (not yet connected) counts for neither.
    pub fn record(&mut self, state: RegionState, now_ms: f64) {
        if let Some((prev, at)) = self.last {
            let dt = (now_ms - at).max(0.0);
            match prev {
                RegionState::Available | RegionState::Degraded => self.up_ms += dt,
                RegionState::Unavailable => self.down_ms += dt,
                RegionState::Unknown => {}
            }
        }
        self.last = Some((state, now_ms));
    }

    pub fn observed_ms(&self) -> f64 {
        self.up_ms + self.down_ms
    }

    pub fn down_ms(&self) -> f64 {
        self.down_ms
    }

    pub fn percent(&self) -> Option<f64> {
        let total = self.observed_ms();
        (total > 0.0).then(|| 100.0 * self.up_ms / total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_and_down_time_but_not_unknown() {
        let mut u = SessionUptime::default();
        assert_eq!(u.percent(), None);
        u.record(RegionState::Unknown, 0.0);
        u.record(RegionState::Available, 500.0);
        u.record(RegionState::Unavailable, 9_500.0);
        u.record(RegionState::Degraded, 10_500.0);
        u.record(RegionState::Degraded, 10_500.0);
        assert_eq!(u.observed_ms(), 10_000.0);
        assert_eq!(u.down_ms(), 1_000.0);
        assert_eq!(u.percent(), Some(90.0));
    }

    #[test]
    fn a_clock_going_backwards_adds_nothing() {
        let mut u = SessionUptime::default();
        u.record(RegionState::Available, 1_000.0);
        u.record(RegionState::Available, 400.0);
        assert_eq!(u.observed_ms(), 0.0);
    }
}
