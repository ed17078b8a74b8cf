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

/// `x` with `decimals` digits after the point, rounded half away from zero.
///
/// Integer arithmetic on purpose: Rust's float formatting costs about 10 KB of wasm, and every
/// figure the console shows fits comfortably in an `i64` of tenths or thousandths.
pub fn fixed(x: f64, decimals: u32) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let scale = 10i64.pow(decimals.min(6));
    let scaled = (x * scale as f64).round() as i64;
    let sign = if scaled < 0 { "-" } else { "" };
    let (whole, frac) = (scaled.unsigned_abs() / scale as u64, scaled.unsigned_abs() % scale as u64);
    if decimals == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = decimals as usize)
    }
}

/// A number as short as it can be written: `99.99`, `10`, `0.5`.
pub fn number(x: f64) -> String {
    let s = fixed(x, 3);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// Uptime percentages: three decimals, never rounding a shortfall up to a perfect 100.
pub fn percent(p: f64) -> String {
    if !p.is_finite() {
        return "—".into();
    }
    let thousandths = (p * 1000.0).floor();
    if thousandths >= 100_000.0 {
        "100%".into()
    } else {
        format!("{}%", fixed(thousandths / 1000.0, 3))
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
    format!("{} min", fixed(m, 1))
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
        assert_eq!(percent(0.0), "0.000%");
        assert_eq!(percent(f64::NAN), "—");
    }

    #[test]
    fn fixed_point_without_float_formatting() {
        assert_eq!(fixed(4.32, 1), "4.3");
        assert_eq!(fixed(-0.68, 1), "-0.7");
        assert_eq!(fixed(0.04, 1), "0.0");
        assert_eq!(fixed(99.9876, 3), "99.988");
        assert_eq!(fixed(12.0, 0), "12");
        assert_eq!(fixed(f64::INFINITY, 2), "—");
        assert_eq!(number(99.99), "99.99");
        assert_eq!(number(10.0), "10");
        assert_eq!(number(0.5), "0.5");
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
