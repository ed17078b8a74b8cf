//! Human-readable figures, shared by the views. Pure, so the wording is tested.

use sm_contract::time::{civil_from_days, parse_rfc3339, DAY};

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// `22 min`, `1 h 5 min`, `45 s`, `2 d 3 h`.
pub fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=59 => format!("{s} s"),
        60..=3_599 => format!("{} min", (s + 30) / 60),
        3_600..=86_399 => match (s / 3600, s % 3600 / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
        _ => match (s / 86_400, s % 86_400 / 3600) {
            (d, 0) => format!("{d} d"),
            (d, h) => format!("{d} d {h} h"),
        },
    }
}

/// Uptime percentages: three decimals, never rounding a shortfall up to a perfect 100.
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        return "—".into();
    }
    let floored = (p * 1000.0).floor() / 1000.0;
    if floored >= 100.0 {
        "100%".into()
    } else {
        format!("{floored:.3}%")
    }
}

/// `12 Aug 2026` for a Unix time.
pub fn date(t: i64) -> String {
    let (y, m, d) = civil_from_days(t.div_euclid(DAY));
    format!("{d} {} {y}", MONTHS.get(m as usize - 1).copied().unwrap_or("?"))
}

/// `12 Aug 2026, 03:10 UTC` for an RFC 3339 string; the raw text (clipped) if it does not parse.
pub fn timestamp(s: &str) -> String {
    match parse_rfc3339(s) {
        Some(t) => {
            let secs = t.rem_euclid(DAY);
            format!("{}, {:02}:{:02} UTC", date(t), secs / 3600, secs % 3600 / 60)
        }
        None => s.chars().take(40).collect(),
    }
}

/// Minutes with one decimal, for error budgets (`4.3 min`, `-0.7 min`).
pub fn minutes(m: f64) -> String {
    if !m.is_finite() {
        return "—".into();
    }
    format!("{m:.1} min")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(-5), "0 s");
        assert_eq!(duration(45), "45 s");
        assert_eq!(duration(1320), "22 min");
        assert_eq!(duration(3600), "1 h");
        assert_eq!(duration(3900), "1 h 5 min");
        assert_eq!(duration(2 * 86_400 + 3 * 3600), "2 d 3 h");
    }

    #[test]
    fn percent_never_rounds_up_to_perfect() {
        assert_eq!(percent(100.0), "100%");
        assert_eq!(percent(99.99999), "99.999%");
        assert_eq!(percent(99.9876), "99.987%");
        assert_eq!(percent(f64::NAN), "—");
    }

    #[test]
    fn dates_and_timestamps() {
        let t = parse_rfc3339("2026-08-12T03:10:00Z").expect("valid");
        assert_eq!(date(t), "12 Aug 2026");
        assert_eq!(timestamp("2026-08-12T03:10:00Z"), "12 Aug 2026, 03:10 UTC");
        assert_eq!(timestamp("garbage"), "garbage");
        assert_eq!(minutes(4.32), "4.3 min");
    }
}
