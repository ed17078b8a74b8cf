//! Reconnection and retry delays: exponential backoff with jitter.
//!
//! Jitter spreads reconnecting consoles apart so a region coming back is not hit by every browser
//! at the same instant. The cap is low on purpose: recovery must show within about two seconds.

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    pub base_ms: f64,
    pub factor: f64,
    pub max_ms: f64,
    /// Fraction of the delay that is randomised (0.2 = ±20 %).
    pub jitter: f64,
}

impl Backoff {
    pub const RECONNECT: Backoff = Backoff { base_ms: 250.0, factor: 2.0, max_ms: 1_000.0, jitter: 0.2 };
    pub const RETRY: Backoff = Backoff { base_ms: 300.0, factor: 2.0, max_ms: 5_000.0, jitter: 0.3 };

    /// Delay before attempt `attempt` (0-based); `random01` is a uniform sample in `[0, 1)`.
    pub fn delay_ms(&self, attempt: u32, random01: f64) -> f64 {
        let raw = self.base_ms * self.factor.powi(attempt.min(30) as i32);
        let capped = raw.min(self.max_ms);
        let spread = capped * self.jitter * (2.0 * random01.clamp(0.0, 1.0) - 1.0);
        (capped + spread).max(0.0)
    }
}

/// Parse `Retry-After`: delta seconds or an HTTP date. Returns milliseconds to wait, capped so a
/// hostile header cannot park the console for a day.
pub fn retry_after_ms(value: &str, now_unix_s: i64) -> Option<f64> {
    const CAP_MS: f64 = 60_000.0;
    let v = value.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some((s as f64 * 1000.0).min(CAP_MS));
    }
    http_date(v).map(|t| (((t - now_unix_s).max(0)) as f64 * 1000.0).min(CAP_MS))
}

/// IMF-fixdate only (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 requires senders to use.
fn http_date(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, day, mon, year, hms, "GMT"] = parts.as_slice() else { return None };
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m = MONTHS.iter().position(|x| x == mon)? as u32 + 1;
    let stamp = format!("{year}-{m:02}-{:0>2}T{hms}Z", day);
    sm_contract::time::parse_rfc3339(&stamp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_then_caps() {
        let b = Backoff { jitter: 0.0, ..Backoff::RECONNECT };
        assert_eq!(b.delay_ms(0, 0.5), 250.0);
        assert_eq!(b.delay_ms(1, 0.5), 500.0);
        assert_eq!(b.delay_ms(2, 0.5), 1_000.0);
        assert_eq!(b.delay_ms(9, 0.5), 1_000.0);
        assert_eq!(b.delay_ms(u32::MAX, 0.5), 1_000.0);
    }

    #[test]
    fn jitter_stays_in_its_band() {
        let b = Backoff::RECONNECT;
        assert_eq!(b.delay_ms(5, 0.0), 800.0);
        assert_eq!(b.delay_ms(5, 1.0), 1_200.0);
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after_ms("3", 0), Some(3_000.0));
        assert_eq!(retry_after_ms("999999", 0), Some(60_000.0));
        let now = sm_contract::time::parse_rfc3339("1994-11-06T08:49:30Z").expect("valid");
        assert_eq!(retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(7_000.0));
        assert_eq!(retry_after_ms("soon", now), None);
        assert_eq!(retry_after_ms("-1", now), None);
    }
}
