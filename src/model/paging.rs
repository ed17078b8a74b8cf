//! The plan for loading every page of a region's secrets: which page to ask for next, when, and
//! what to do when one fails.
//!
//! Pure so the rules are tested natively: at most `max_in_flight` requests at once, requests spaced
//! so a region never sees more than IBM's ~20 a second, a failed page retried on its own (with
//! backoff, or after the server's `Retry-After`) while the pages that arrived stay shown.

use super::backoff::Backoff;

/// The most secrets the console loads from one region. Beyond it a region is lying or hostile
/// (or far larger than one console list can serve): the first this many are shown, no more.
pub const MAX_SECRETS: u64 = 50_000;

/// What the plan knows about one page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Slot {
    Pending { not_before_ms: f64, attempts: u32 },
    InFlight { attempts: u32 },
    Done { got: u64 },
    /// Failed for good (not retryable, or out of attempts). The other pages are kept.
    Failed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PagePlan {
    pub limit: u32,
    pub max_in_flight: usize,
    /// Minimum gap between two request starts (50 ms = 20/s; the default keeps under it).
    pub min_gap_ms: f64,
    pub max_attempts: u32,
    /// Largest `total_count` believed; beyond it a server is lying or hostile.
    pub max_total: u64,
    slots: Vec<Slot>,
    total: Option<u64>,
    /// `total_count` was missing or absurd: walk page by page until a short page.
    sequential: bool,
    last_start_ms: f64,
}

/// What the driver should do next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Send the request for page `index` (at `offset`).
    Fetch { index: usize, offset: u64 },
    /// Nothing can start now; call again after this many ms (or when a request ends).
    Wait(f64),
    /// Requests are in flight; call again when one ends.
    Busy,
    Finished,
}

impl PagePlan {
    pub fn new(limit: u32) -> Self {
        PagePlan {
            limit: limit.max(1),
            max_in_flight: 4,
            min_gap_ms: 60.0,
            max_attempts: 5,
            max_total: MAX_SECRETS,
            slots: vec![Slot::Pending { not_before_ms: 0.0, attempts: 0 }],
            total: None,
            sequential: false,
            last_start_ms: f64::NEG_INFINITY,
        }
    }

    pub fn offset_of(&self, index: usize) -> u64 {
        index as u64 * u64::from(self.limit)
    }

    pub fn total(&self) -> Option<u64> {
        self.total
    }

    pub fn pages(&self) -> usize {
        self.slots.len()
    }

    pub fn slot(&self, index: usize) -> Option<Slot> {
        self.slots.get(index).copied()
    }

    /// Secrets received so far (before de-duplication).
    pub fn loaded(&self) -> u64 {
        self.slots.iter().map(|s| if let Slot::Done { got } = s { *got } else { 0 }).sum()
    }

    pub fn failed_pages(&self) -> usize {
        self.slots.iter().filter(|s| matches!(s, Slot::Failed)).count()
    }

    fn in_flight(&self) -> usize {
        self.slots.iter().filter(|s| matches!(s, Slot::InFlight { .. })).count()
    }

    pub fn is_finished(&self) -> bool {
        self.slots.iter().all(|s| matches!(s, Slot::Done { .. } | Slot::Failed))
    }

    pub fn next(&mut self, now_ms: f64) -> Step {
        if self.is_finished() {
            return Step::Finished;
        }
        if self.in_flight() >= self.max_in_flight {
            return Step::Busy;
        }
        let mut earliest = f64::INFINITY;
        let mut pick = None;
        for (i, s) in self.slots.iter().enumerate() {
            if let Slot::Pending { not_before_ms, attempts } = *s {
                if not_before_ms <= now_ms {
                    pick = Some((i, attempts));
                    break;
                }
                earliest = earliest.min(not_before_ms);
            }
        }
        let gap_ok_at = self.last_start_ms + self.min_gap_ms;
        match pick {
            Some(_) if gap_ok_at > now_ms => Step::Wait(gap_ok_at - now_ms),
            Some((index, attempts)) => {
                self.slots[index] = Slot::InFlight { attempts };
                self.last_start_ms = now_ms;
                Step::Fetch { index, offset: self.offset_of(index) }
            }
            None if earliest.is_finite() && self.in_flight() == 0 => Step::Wait(earliest - now_ms),
            None if earliest.is_finite() => Step::Wait((earliest - now_ms).max(0.0)),
            None => Step::Busy,
        }
    }

    /// A page answered with `got` readable and `skipped` unreadable entries. A page holds at most
    /// `limit` entries, whatever the server sent: the caller keeps only the first `limit`, and the
    /// count follows what was asked.
    pub fn succeeded(&mut self, index: usize, got: u64, skipped: u64, reported_total: Option<u64>) {
        let Some(slot) = self.slots.get_mut(index) else { return };
        let limit = u64::from(self.limit);
        let got = got.min(limit);
        let entries = (got + skipped).min(limit);
        *slot = Slot::Done { got };
        if index == 0 {
            match reported_total.filter(|t| *t <= self.max_total) {
                Some(t) => {
                    self.total = Some(t);
                    let pages = t.div_ceil(u64::from(self.limit)).max(1) as usize;
                    while self.slots.len() < pages {
                        self.slots.push(Slot::Pending { not_before_ms: 0.0, attempts: 0 });
                    }
                }
                None => self.sequential = true,
            }
        }
        // A short page before the last one means the total was a lie (or secrets were deleted
        // meanwhile): the pages after it that have not started would only come back empty.
        if !self.sequential && entries < limit && index + 1 < self.slots.len() {
            while self.slots.len() > index + 1 && matches!(self.slots.last(), Some(Slot::Pending { .. })) {
                self.slots.pop();
            }
        }
        // Without a believable total, a full page means there may be another one.
        if self.sequential && entries >= limit && index + 1 == self.slots.len()
            && self.offset_of(index + 1) < self.max_total
        {
            self.slots.push(Slot::Pending { not_before_ms: 0.0, attempts: 0 });
        }
    }

    /// A page failed. `retryable` is the caller's judgement (GET + 5xx/429/network); the server's
    /// `Retry-After` wins over our own backoff.
    pub fn failed(&mut self, index: usize, retryable: bool, retry_after_ms: Option<f64>, now_ms: f64, random01: f64) {
        let Some(slot) = self.slots.get_mut(index) else { return };
        let attempts = match *slot {
            Slot::InFlight { attempts } | Slot::Pending { attempts, .. } => attempts + 1,
            _ => return,
        };
        if !retryable || attempts >= self.max_attempts {
            *slot = Slot::Failed;
            return;
        }
        let delay = retry_after_ms.unwrap_or_else(|| Backoff::RETRY.delay_ms(attempts - 1, random01));
        *slot = Slot::Pending { not_before_ms: now_ms + delay, attempts };
    }
}

/// `12345` → `"12,345"`: progress reads "3,000 of 10,000".
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn progress_text(loaded: u64, total: Option<u64>) -> String {
    match total {
        Some(t) => format!("{} of {}", thousands(loaded.min(t)), thousands(t)),
        None => thousands(loaded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch(p: &mut PagePlan, now: f64) -> (usize, u64) {
        match p.next(now) {
            Step::Fetch { index, offset } => (index, offset),
            other => panic!("expected a fetch, got {other:?}"),
        }
    }

    #[test]
    fn first_page_then_the_rest_with_bounded_concurrency() {
        let mut p = PagePlan::new(1000);
        assert_eq!(fetch(&mut p, 0.0), (0, 0));
        assert_eq!(p.next(1.0), Step::Busy, "the total is unknown until page 0 answers");
        p.succeeded(0, 1000, 0, Some(10_000));
        assert_eq!(p.pages(), 10);
        let mut now = 100.0;
        let mut started = vec![];
        loop {
            match p.next(now) {
                Step::Fetch { index, .. } => started.push((index, now)),
                Step::Wait(ms) => now += ms,
                Step::Busy => break,
                Step::Finished => unreachable!(),
            }
        }
        assert_eq!(started.len(), 4, "at most 4 in flight");
        for w in started.windows(2) {
            assert!(w[1].1 - w[0].1 >= 60.0, "requests spaced: under 20/s");
        }
        for (i, _) in &started {
            p.succeeded(*i, 1000, 0, Some(10_000));
        }
        assert_eq!(p.loaded(), 5000);
        assert_eq!(progress_text(p.loaded(), p.total()), "5,000 of 10,000");
    }

    #[test]
    fn failed_page_is_retried_alone_and_honours_retry_after() {
        let mut p = PagePlan::new(10);
        fetch(&mut p, 0.0);
        p.succeeded(0, 10, 0, Some(30));
        let (a, _) = fetch(&mut p, 100.0);
        let (b, _) = fetch(&mut p, 200.0);
        p.failed(a, true, Some(2_000.0), 250.0, 0.5);
        p.succeeded(b, 10, 0, Some(30));
        assert_eq!(p.loaded(), 20, "the other pages are kept");
        assert_eq!(p.next(300.0), Step::Wait(1_950.0));
        assert_eq!(fetch(&mut p, 2_250.0), (a, 10));
        p.succeeded(a, 10, 0, Some(30));
        assert_eq!(p.next(2_300.0), Step::Finished);
        assert_eq!(p.loaded(), 30);
    }

    #[test]
    fn gives_up_after_max_attempts_or_on_a_non_retryable_error() {
        let mut p = PagePlan::new(10);
        fetch(&mut p, 0.0);
        p.succeeded(0, 10, 0, Some(25));
        let (a, _) = fetch(&mut p, 100.0);
        p.failed(a, false, None, 100.0, 0.5);
        assert_eq!(p.slot(a), Some(Slot::Failed));
        let (b, _) = fetch(&mut p, 200.0);
        let mut now = 200.0;
        for _ in 0..10 {
            p.failed(b, true, None, now, 0.0);
            if p.slot(b) == Some(Slot::Failed) {
                break;
            }
            now += 10_000.0;
            assert_eq!(fetch(&mut p, now).0, b);
        }
        assert_eq!(p.slot(b), Some(Slot::Failed));
        assert!(p.is_finished());
        assert_eq!(p.failed_pages(), 2);
    }

    #[test]
    fn without_a_believable_total_it_walks_until_a_short_page() {
        for total in [None, Some(u64::MAX)] {
            let mut p = PagePlan::new(10);
            fetch(&mut p, 0.0);
            p.succeeded(0, 10, 0, total);
            assert_eq!(fetch(&mut p, 100.0), (1, 10));
            p.succeeded(1, 8, 2, total);
            assert_eq!(fetch(&mut p, 200.0), (2, 20));
            p.succeeded(2, 3, 0, total);
            assert_eq!(p.next(300.0), Step::Finished);
            assert_eq!(p.loaded(), 21);
        }
    }

    #[test]
    fn a_lying_total_stops_at_the_first_short_page() {
        let mut p = PagePlan::new(10);
        fetch(&mut p, 0.0);
        p.succeeded(0, 10, 0, Some(1_000));
        assert_eq!(p.pages(), 100);
        let (i, _) = fetch(&mut p, 100.0);
        p.succeeded(i, 0, 0, Some(1_000));
        assert!(p.pages() <= 2);
        assert_eq!(p.next(200.0), Step::Finished);
    }

    #[test]
    fn empty_region_is_one_request() {
        let mut p = PagePlan::new(1000);
        fetch(&mut p, 0.0);
        p.succeeded(0, 0, 0, Some(0));
        assert_eq!(p.next(1.0), Step::Finished);
        assert_eq!(progress_text(0, Some(0)), "0 of 0");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn an_oversized_page_counts_as_what_was_asked() {
        let mut p = PagePlan::new(10);
        fetch(&mut p, 0.0);
        p.succeeded(0, 5_000, 0, Some(10));
        assert_eq!(p.loaded(), 10, "a page is at most `limit` entries");
        assert_eq!(p.next(1.0), Step::Finished);
    }

    #[test]
    fn a_lying_total_cannot_make_the_console_hold_more_than_its_cap() {
        for total in [Some(MAX_SECRETS * 20), None] {
            let mut p = PagePlan::new(1000);
            fetch(&mut p, 0.0);
            p.succeeded(0, 1000, 0, total);
            let mut now = 0.0;
            let mut fetched = 1;
            loop {
                now += 100.0;
                match p.next(now) {
                    Step::Fetch { index, .. } => {
                        fetched += 1;
                        p.succeeded(index, 1000, 0, total);
                    }
                    Step::Wait(ms) => now += ms,
                    Step::Finished => break,
                    Step::Busy => unreachable!("every fetch answers at once"),
                }
            }
            assert_eq!(fetched, (MAX_SECRETS / 1000) as usize, "{total:?}");
            assert_eq!(p.loaded(), MAX_SECRETS);
        }
    }
}
