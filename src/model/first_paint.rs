//! When the secrets section may start: after every region's first answer is on screen.
//!
//! The region panels (state, zones, uptime, the secrets count) are what a person opens the
//! console to see first. The secrets section's code is a piece of its own in the shipped build
//! (`secrets::deferred`), and fetching and compiling it beside the panels' own data only delays
//! that data on a slow network or a slow phone. So the section waits until each region has
//! settled its first read, and never longer than [`SECTION_WAIT_CAP_MS`]: a region that neither
//! answers nor is known to be down yet must not keep the other region's secrets off the screen.

use super::region_state::RegionState;

/// Longest the section waits for the regions' first answers (ms after the console started).
pub const SECTION_WAIT_CAP_MS: u32 = 2_000;

/// What the panels show of one region so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirstRead {
    pub state: RegionState,
    /// Its secrets count is on screen: a page of its list arrived, or a whole (maybe empty) list.
    pub listed: bool,
    /// Reading its list failed (an outage, a 401 before a token, a broken answer).
    pub failed: bool,
    /// Its list waits for the user to sign in (iam mode): the panel says so, nothing is coming.
    pub signed_out: bool,
}

impl FirstRead {
    /// Nothing more is coming for the first paint: the count is there, or the panel says why
    /// it is not.
    pub fn settled(self) -> bool {
        self.listed || self.failed || self.signed_out || self.state == RegionState::Unavailable
    }
}

/// Whether the secrets section may be built now.
pub fn section_may_start(regions: &[FirstRead]) -> bool {
    regions.iter().all(|r| r.settled())
}

#[cfg(test)]
mod tests {
    use super::*;
    use RegionState::*;

    fn r(state: RegionState, listed: bool, failed: bool) -> FirstRead {
        FirstRead { state, listed, failed, signed_out: false }
    }

    #[test]
    fn waits_for_every_region_to_show_its_count() {
        assert!(!section_may_start(&[r(Unknown, false, false), r(Unknown, false, false)]));
        assert!(!section_may_start(&[r(Available, true, false), r(Available, false, false)]), "Frankfurt's first page is coming");
        assert!(!section_may_start(&[r(Degraded, false, false), r(Available, true, false)]), "degraded still answers");
        assert!(section_may_start(&[r(Available, true, false), r(Degraded, true, false)]));
    }

    #[test]
    fn a_region_down_or_failing_does_not_hold_the_other_back() {
        assert!(section_may_start(&[r(Available, true, false), r(Unavailable, false, false)]));
        assert!(section_may_start(&[r(Available, true, false), r(Unknown, false, true)]), "a 401 before a token is an answer");
        assert!(!section_may_start(&[r(Available, true, false), r(Unknown, false, false)]), "still connecting: the cap decides");
    }

    #[test]
    fn waiting_for_the_sign_in_is_an_answer() {
        // iam mode before a key: nothing was sent, so no answer will come until the user acts,
        // and the section holds the sign-in prompt.
        let signed_out = FirstRead { state: Unknown, listed: false, failed: false, signed_out: true };
        assert!(section_may_start(&[signed_out, signed_out]));
        assert!(!section_may_start(&[signed_out, r(Unknown, false, false)]), "the other region may still answer");
    }

    #[test]
    fn an_empty_region_is_an_answer() {
        // A list read completely with nothing in it is `listed`; no regions at all never wait.
        assert!(section_may_start(&[r(Available, true, false)]));
        assert!(section_may_start(&[]));
    }
}
