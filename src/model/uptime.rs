//! Uptime and SLA maths, computed in the console from a region's raw `history.intervals`.
//!
//! health-v1.md puts the rules here, in one tested place, rather than trusting a server's summary:
//! - day uptime % = 100 × (T − Σ w·seconds) / T, weights major 1.0, partial 0.3, degraded and
//!   maintenance 0 (Statuspage's model); colours green ≥ 99.99, yellow ≥ 99.9, orange ≥ 99, red;
//!   `no_data` before the region's first sample;
//! - monthly availability (IBM SLA) = (minutes in month − downtime minutes) / minutes in month,
//!   where a downtime minute is one during which the whole region was in `major_outage`;
//! - error budget left = allowed downtime at the target − downtime so far.
//!
//! All times are UTC Unix seconds; there is no DST to get wrong. Overlapping intervals are not
//! double-counted: at any instant the worst status covering it counts.

use sm_contract::time::{civil_from_days, days_in_month, days_from_civil, format_date, parse_rfc3339, DAY};
use sm_contract::{CreditTier, HealthStatus, Interval};

/// One non-operational interval, parsed and closed (an open interval ends "now").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub status: HealthStatus,
    pub start: i64,
    pub end: i64,
}

/// Parse the intervals a region sent. Unreadable dates are dropped (a hostile or broken history
/// must not poison the whole chart); intervals in the future are clipped to `now`.
pub fn spans(intervals: &[Interval], now: i64) -> Vec<Span> {
    spans_with_zones(intervals, now).into_iter().map(|(s, _)| s).collect()
}

/// [`spans`], each with the zones its interval names (for evidence that lists them).
pub fn spans_with_zones(intervals: &[Interval], now: i64) -> Vec<(Span, &[String])> {
    intervals
        .iter()
        .filter_map(|i| {
            let start = parse_rfc3339(&i.start)?;
            let end = match &i.end {
                None => now,
                Some(e) => parse_rfc3339(e)?,
            }
            .min(now);
            (start < end).then_some((Span { status: i.status, start, end }, i.zones.as_slice()))
        })
        .collect()
}

/// Statuspage's weight of a status in the day-uptime formula.
pub fn weight(s: HealthStatus) -> f64 {
    match s {
        HealthStatus::MajorOutage => 1.0,
        HealthStatus::PartialOutage => 0.3,
        _ => 0.0,
    }
}

/// Seconds of `[from, to)` covered by spans, each instant counted once at the heaviest weight `w`
/// of the spans covering it. A sweep over start/end events: O(n log n), so a hostile history of
/// many thousands of overlapping intervals cannot freeze the page.
fn weighted_seconds(spans: &[Span], from: i64, to: i64, w: impl Fn(HealthStatus) -> f64) -> f64 {
    const KINDS: usize = 6;
    let kind = |s: HealthStatus| HealthStatus::KNOWN.iter().position(|k| *k == s).unwrap_or(KINDS - 1);
    let weights: [f64; KINDS] = std::array::from_fn(|i| w(HealthStatus::KNOWN.get(i).copied().unwrap_or(HealthStatus::Unknown)));
    let mut events: Vec<(i64, usize, i32)> = Vec::new();
    for s in spans {
        if s.end > from && s.start < to && w(s.status) > 0.0 {
            let k = kind(s.status);
            events.push((s.start.max(from), k, 1));
            events.push((s.end.min(to), k, -1));
        }
    }
    events.sort_unstable_by_key(|e| e.0);
    let mut active = [0i32; KINDS];
    let mut total = 0.0;
    let mut prev = from;
    for (at, k, delta) in events {
        if at > prev {
            let heaviest = (0..KINDS).filter(|i| active[*i] > 0).map(|i| weights[i]).fold(0.0, f64::max);
            total += heaviest * (at - prev) as f64;
            prev = at;
        }
        active[k] += delta;
    }
    total
}

/// Uptime % of `[from, to)` by the weighted formula; `None` for an empty range. Time in an
/// `unknown` interval (a gateway that was not running, `gateway.md`) is neither uptime nor downtime:
/// it leaves `T`, and a range that is all `unknown` has no data.
pub fn uptime_percent(spans: &[Span], from: i64, to: i64) -> Option<f64> {
    if to <= from {
        return None;
    }
    let unknown = weighted_seconds(spans, from, to, |s| if s == HealthStatus::Unknown { 1.0 } else { 0.0 });
    let t = (to - from) as f64 - unknown;
    if t <= 0.0 {
        return None;
    }
    Some(100.0 * (t - weighted_seconds(spans, from, to, weight)) / t)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    Green,
    Yellow,
    Orange,
    Red,
    NoData,
}

impl Bucket {
    pub fn of(uptime: Option<f64>) -> Bucket {
        match uptime {
            None => Bucket::NoData,
            Some(p) if p >= 99.99 => Bucket::Green,
            Some(p) if p >= 99.9 => Bucket::Yellow,
            Some(p) if p >= 99.0 => Bucket::Orange,
            Some(_) => Bucket::Red,
        }
    }

    /// The `data-bucket` value of the public DOM contract.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Green => "green",
            Bucket::Yellow => "yellow",
            Bucket::Orange => "orange",
            Bucket::Red => "red",
            Bucket::NoData => "no_data",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DayBar {
    /// `YYYY-MM-DD` (UTC).
    pub date: String,
    pub start: i64,
    pub uptime: Option<f64>,
    pub bucket: Bucket,
    /// Seconds of the day in each non-operational status (worst status wins where they overlap).
    pub major_s: i64,
    pub partial_s: i64,
    pub degraded_s: i64,
}

fn seconds_in(spans: &[Span], from: i64, to: i64, status: HealthStatus) -> i64 {
    // Worst-status-wins: a second counts for `status` only if nothing worse covers it.
    let at_least = weighted_seconds(spans, from, to, |s| if s >= status && s != HealthStatus::Unknown { 1.0 } else { 0.0 });
    let worse = match status {
        HealthStatus::MajorOutage => 0.0,
        _ => weighted_seconds(spans, from, to, |s| if s > status && s != HealthStatus::Unknown { 1.0 } else { 0.0 }),
    };
    (at_least - worse).round() as i64
}

/// The first instant the region has data for: the start of its history window.
pub fn first_sample(now: i64, window_days: u64) -> i64 {
    now - (window_days.min(3650) as i64) * DAY
}

/// `days` daily bars ending with today (a partial day), oldest first.
pub fn day_bars(spans: &[Span], now: i64, window_days: u64, days: usize) -> Vec<DayBar> {
    let today = now.div_euclid(DAY);
    let data_from = first_sample(now, window_days);
    (0..days as i64)
        .rev()
        .map(|back| {
            let day = today - back;
            let start = day * DAY;
            let (from, to) = (start.max(data_from), (start + DAY).min(now));
            let uptime = uptime_percent(spans, from, to);
            DayBar {
                date: format_date(start),
                start,
                uptime,
                bucket: Bucket::of(uptime),
                major_s: if to > from { seconds_in(spans, from, to, HealthStatus::MajorOutage) } else { 0 },
                partial_s: if to > from { seconds_in(spans, from, to, HealthStatus::PartialOutage) } else { 0 },
                degraded_s: if to > from { seconds_in(spans, from, to, HealthStatus::DegradedPerformance) } else { 0 },
            }
        })
        .collect()
}

/// Uptime % over the last `days` days, limited to the time the region has data for.
pub fn window_uptime(spans: &[Span], now: i64, window_days: u64, days: i64) -> Option<f64> {
    uptime_percent(spans, (now - days * DAY).max(first_sample(now, window_days)), now)
}

/// Minutes of `[from, to)` during which the whole region was in `major_outage`. A minute counts
/// if any part of it was down: the customer's view, and what IBM's SLA counts as a downtime
/// minute.
pub fn downtime_minutes(spans: &[Span], from: i64, to: i64) -> i64 {
    downtime_periods(spans.iter().map(|s| (*s, &[][..])), from, to).iter().map(|p| p.minutes).sum()
}

/// One unbroken stretch of region-wide `major_outage` inside a window.
#[derive(Debug, Clone, PartialEq)]
pub struct DowntimePeriod {
    pub start: i64,
    pub end: i64,
    /// The downtime minutes this stretch adds: a minute it shares with the stretch before it
    /// was already counted there, so the periods always add up to [`downtime_minutes`].
    pub minutes: i64,
    /// Every zone the stretch's intervals name, sorted, once each.
    pub zones: Vec<String>,
}

/// The stretches of `major_outage` in `[from, to)`, overlapping or touching intervals merged, in
/// time order. The one place downtime minutes are counted: the SLA figures and the evidence a
/// customer downloads are both sums of these.
pub fn downtime_periods<'a>(items: impl IntoIterator<Item = (Span, &'a [String])>, from: i64, to: i64) -> Vec<DowntimePeriod> {
    let mut majors: Vec<(i64, i64, &[String])> = items
        .into_iter()
        .filter(|(s, _)| s.status == HealthStatus::MajorOutage && s.end > from && s.start < to)
        .map(|(s, z)| (s.start.max(from), s.end.min(to), z))
        .collect();
    majors.sort_unstable_by_key(|(a, b, _)| (*a, *b));
    let mut periods: Vec<DowntimePeriod> = Vec::new();
    for (a, b, zones) in majors {
        match periods.last_mut() {
            Some(p) if a <= p.end => {
                p.end = p.end.max(b);
                p.zones.extend(zones.iter().cloned());
            }
            _ => periods.push(DowntimePeriod { start: a, end: b, minutes: 0, zones: zones.to_vec() }),
        }
    }
    let mut counted_through = i64::MIN; // last minute index already counted
    for p in &mut periods {
        p.zones.sort_unstable();
        p.zones.dedup();
        let first = p.start.div_euclid(60).max(counted_through.saturating_add(1));
        let last = (p.end - 1).div_euclid(60);
        if last >= first {
            p.minutes = last - first + 1;
            counted_through = last;
        }
    }
    periods
}

/// The credit a month's availability earns: the largest tier it falls below.
pub fn credit_percent(availability: f64, tiers: &[CreditTier]) -> f64 {
    let max_tier = tiers.iter().map(|t| t.credit_percent).fold(0.0, f64::max);
    tiers
        .iter()
        .filter(|t| availability < t.below_percent)
        .map(|t| t.credit_percent)
        .fold(0.0, f64::max)
        .min(max_tier)
}

#[derive(Debug, Clone, PartialEq)]
pub struct MonthSla {
    pub year: i64,
    pub month: u32,
    pub minutes_in_month: i64,
    pub downtime_minutes: i64,
    pub availability: f64,
    pub credit_percent: f64,
    /// Allowed downtime at the target minus downtime so far (negative once overspent).
    pub budget_left_minutes: f64,
    pub allowed_minutes: f64,
    /// False when the history window starts after the month began: figures cover part of it.
    pub complete_history: bool,
    pub is_current: bool,
}

impl MonthSla {
    pub fn label(&self) -> String {
        month_label(self.year, self.month)
    }
}

/// "March 2026".
pub fn month_label(year: i64, month: u32) -> String {
    const NAMES: [&str; 12] =
        ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
    let name = NAMES.get(month.saturating_sub(1) as usize).copied().unwrap_or("?");
    format!("{name} {year}")
}

/// Whether the history window reaches back to the month's first day: without a region document
/// the uptime view still knows which months it will mark "(partial data)".
pub fn history_covers(year: i64, month: u32, now: i64, window_days: u64) -> bool {
    first_sample(now, window_days) <= days_from_civil(year, month, 1) * DAY
}

/// IBM-style availability of one calendar month (UTC). For the current month it is the figure the
/// month would end with if nothing else went wrong.
pub fn month_sla(spans: &[Span], year: i64, month: u32, now: i64, window_days: u64, target: f64, tiers: &[CreditTier]) -> MonthSla {
    let start = days_from_civil(year, month, 1) * DAY;
    let end = start + i64::from(days_in_month(year, month)) * DAY;
    let minutes_in_month = (end - start) / 60;
    let downtime = downtime_minutes(spans, start, end.min(now));
    let availability = 100.0 * (minutes_in_month - downtime) as f64 / minutes_in_month as f64;
    let allowed = minutes_in_month as f64 * (100.0 - target) / 100.0;
    MonthSla {
        year,
        month,
        minutes_in_month,
        downtime_minutes: downtime,
        availability,
        credit_percent: credit_percent(availability, tiers),
        budget_left_minutes: allowed - downtime as f64,
        allowed_minutes: allowed,
        complete_history: history_covers(year, month, now, window_days),
        is_current: start <= now && now < end,
    }
}

/// The calendar months the history window touches, newest first (current month first).
pub fn months_in_window(now: i64, window_days: u64) -> Vec<(i64, u32)> {
    let (mut y, mut m, _) = civil_from_days(now.div_euclid(DAY));
    let from = first_sample(now, window_days);
    let mut out = Vec::new();
    loop {
        out.push((y, m));
        let month_start = days_from_civil(y, m, 1) * DAY;
        if month_start <= from || out.len() >= 13 {
            return out;
        }
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HealthStatus::*;

    fn t(s: &str) -> i64 {
        parse_rfc3339(s).expect("test timestamp")
    }

    fn span(status: HealthStatus, a: &str, b: &str) -> Span {
        Span { status, start: t(a), end: t(b) }
    }

    fn tiers() -> Vec<CreditTier> {
        vec![
            CreditTier { below_percent: 99.99, credit_percent: 10.0 },
            CreditTier { below_percent: 99.9, credit_percent: 25.0 },
        ]
    }

    #[test]
    fn parses_open_intervals_and_drops_garbage() {
        let iv = |status, start: &str, end: Option<&str>| Interval {
            status,
            zones: vec![],
            start: start.into(),
            end: end.map(str::to_string),
        };
        let now = t("2026-08-20T12:00:00Z");
        let got = spans(
            &[
                iv(MajorOutage, "2026-08-20T11:00:00Z", None),
                iv(PartialOutage, "not a date", Some("2026-08-20T11:00:00Z")),
                iv(PartialOutage, "2026-08-20T11:00:00Z", Some("2026-08-20T10:00:00Z")),
                iv(PartialOutage, "2026-08-20T11:30:00Z", Some("2026-08-21T00:00:00Z")),
            ],
            now,
        );
        assert_eq!(got, vec![
            Span { status: MajorOutage, start: t("2026-08-20T11:00:00Z"), end: now },
            Span { status: PartialOutage, start: t("2026-08-20T11:30:00Z"), end: now },
        ]);
    }

    #[test]
    fn day_uptime_matches_hand_computation() {
        // The contract's example day: 20 min partial (zone 2) then 22 min major (all zones).
        // Weighted downtime = 0.3 × 1200 + 1.0 × 1320 = 1680 s; 100 × (86400 − 1680) / 86400.
        let s = vec![
            span(PartialOutage, "2026-08-12T03:10:00Z", "2026-08-12T03:30:00Z"),
            span(MajorOutage, "2026-08-12T03:30:00Z", "2026-08-12T03:52:00Z"),
        ];
        let day = t("2026-08-12T00:00:00Z");
        let up = uptime_percent(&s, day, day + DAY).expect("some");
        assert!((up - 98.055_555_555).abs() < 1e-6, "{up}");
        assert_eq!(Bucket::of(Some(up)), Bucket::Red);
    }

    #[test]
    fn unknown_time_is_left_out_of_the_day() {
        let day = t("2026-08-12T00:00:00Z");
        // Half the day unknown (the gateway was not running), a quarter of it down.
        let s = vec![
            span(Unknown, "2026-08-12T00:00:00Z", "2026-08-12T12:00:00Z"),
            span(MajorOutage, "2026-08-12T12:00:00Z", "2026-08-12T18:00:00Z"),
        ];
        let up = uptime_percent(&s, day, day + DAY).expect("some");
        assert!((up - 50.0).abs() < 1e-9, "a quarter down of the half observed is 50 %, not 75 %: {up}");
        let all_unknown = vec![span(Unknown, "2026-08-11T20:00:00Z", "2026-08-13T01:00:00Z")];
        assert_eq!(uptime_percent(&all_unknown, day, day + DAY), None);
        assert_eq!(day_bars(&all_unknown, day + DAY - 1, 90, 1)[0].bucket, Bucket::NoData, "a day that is all unknown is no_data");
        let only_unknown_part = vec![span(Unknown, "2026-08-12T00:00:00Z", "2026-08-12T06:00:00Z")];
        assert_eq!(uptime_percent(&only_unknown_part, day, day + DAY), Some(100.0));
    }

    #[test]
    fn buckets_have_inclusive_lower_edges() {
        assert_eq!(Bucket::of(Some(100.0)), Bucket::Green);
        assert_eq!(Bucket::of(Some(99.99)), Bucket::Green);
        assert_eq!(Bucket::of(Some(99.989)), Bucket::Yellow);
        assert_eq!(Bucket::of(Some(99.9)), Bucket::Yellow);
        assert_eq!(Bucket::of(Some(99.0)), Bucket::Orange);
        assert_eq!(Bucket::of(Some(98.99)), Bucket::Red);
        assert_eq!(Bucket::of(None), Bucket::NoData);
    }

    #[test]
    fn overlapping_intervals_count_once_at_the_worst_weight() {
        // A partial hour with a major 10 minutes inside it, and a duplicate of the major.
        let s = vec![
            span(PartialOutage, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"),
            span(MajorOutage, "2026-03-01T10:20:00Z", "2026-03-01T10:30:00Z"),
            span(MajorOutage, "2026-03-01T10:20:00Z", "2026-03-01T10:30:00Z"),
        ];
        let from = t("2026-03-01T00:00:00Z");
        let w = weighted_seconds(&s, from, from + DAY, weight);
        assert_eq!(w, 0.3 * 3000.0 + 600.0);
        let bars = day_bars(&s, t("2026-03-02T00:00:00Z") - 1, 90, 2);
        assert_eq!(bars[1].date, "2026-03-01");
        assert_eq!(bars[1].major_s, 600);
        assert_eq!(bars[1].partial_s, 3000);
        assert_eq!(downtime_minutes(&s, from, from + DAY), 10);
    }

    #[test]
    fn thousands_of_identical_intervals_are_one_outage() {
        let one = span(MajorOutage, "2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z");
        let s = vec![one; 20_000];
        let from = t("2026-03-01T00:00:00Z");
        assert_eq!(weighted_seconds(&s, from, from + DAY, weight), 3600.0);
        assert_eq!(downtime_minutes(&s, from, from + DAY), 60);
    }

    #[test]
    fn degraded_and_maintenance_do_not_cost_uptime() {
        let s = vec![
            span(DegradedPerformance, "2026-03-01T10:00:00Z", "2026-03-01T18:00:00Z"),
            span(UnderMaintenance, "2026-03-01T20:00:00Z", "2026-03-01T21:00:00Z"),
        ];
        let from = t("2026-03-01T00:00:00Z");
        assert_eq!(uptime_percent(&s, from, from + DAY), Some(100.0));
        let bars = day_bars(&s, t("2026-03-01T23:00:00Z"), 90, 1);
        assert_eq!(bars[0].degraded_s, 8 * 3600);
        assert_eq!(bars[0].bucket, Bucket::Green);
    }

    #[test]
    fn interval_crossing_midnight_is_split_between_days() {
        let s = vec![span(MajorOutage, "2026-05-31T23:50:00Z", "2026-06-01T00:10:00Z")];
        let bars = day_bars(&s, t("2026-06-01T12:00:00Z"), 90, 2);
        assert_eq!((bars[0].date.as_str(), bars[0].major_s), ("2026-05-31", 600));
        assert_eq!((bars[1].date.as_str(), bars[1].major_s), ("2026-06-01", 600));
        // Today is a partial day: 600 s down out of 12 h elapsed.
        let expect_today = 100.0 * (43_200.0 - 600.0) / 43_200.0;
        assert!((bars[1].uptime.expect("today") - expect_today).abs() < 1e-9);
        // And the month boundary splits the SLA downtime the same way.
        let may = month_sla(&s, 2026, 5, t("2026-06-01T12:00:00Z"), 90, 99.99, &tiers());
        let june = month_sla(&s, 2026, 6, t("2026-06-01T12:00:00Z"), 90, 99.99, &tiers());
        assert_eq!((may.downtime_minutes, june.downtime_minutes), (10, 10));
        assert!(june.is_current && !may.is_current);
    }

    #[test]
    fn days_before_the_first_sample_have_no_data() {
        let now = t("2026-08-20T12:00:00Z");
        let bars = day_bars(&[], now, 30, 90);
        assert_eq!(bars.len(), 90);
        assert_eq!(bars[89].date, "2026-08-20");
        assert_eq!(bars[0].date, "2026-05-23");
        let no_data = bars.iter().filter(|b| b.bucket == Bucket::NoData).count();
        assert_eq!(no_data, 59, "30 days of window touch 31 calendar days");
        assert_eq!(bars[59].uptime, Some(100.0), "the first, partial day has data for its tail");
    }

    #[test]
    fn monthly_availability_credit_and_budget() {
        // 30-day month: 43,200 minutes. 99.99 % allows 4.32 minutes.
        let now = t("2026-09-30T23:59:00Z");
        let clean = month_sla(&[], 2026, 9, now, 90, 99.99, &tiers());
        assert_eq!(clean.minutes_in_month, 43_200);
        assert_eq!(clean.availability, 100.0);
        assert_eq!(clean.credit_percent, 0.0);
        assert!((clean.budget_left_minutes - 4.32).abs() < 1e-9);

        // 5 minutes down: 99.98843 % → below 99.99 → 10 % credit, budget overspent by 0.68.
        let s = vec![span(MajorOutage, "2026-09-10T10:00:00Z", "2026-09-10T10:05:00Z")];
        let m = month_sla(&s, 2026, 9, now, 90, 99.99, &tiers());
        assert_eq!(m.downtime_minutes, 5);
        assert!((m.availability - 99.988_425_925_9).abs() < 1e-6);
        assert_eq!(m.credit_percent, 10.0);
        assert!((m.budget_left_minutes + 0.68).abs() < 1e-9);

        // 50 minutes down: 99.884 % → below 99.9 → 25 %.
        let s = vec![span(MajorOutage, "2026-09-10T10:00:00Z", "2026-09-10T10:50:00Z")];
        assert_eq!(month_sla(&s, 2026, 9, now, 90, 99.99, &tiers()).credit_percent, 25.0);

        // Partial outages are not SLA downtime.
        let s = vec![span(PartialOutage, "2026-09-10T10:00:00Z", "2026-09-10T12:00:00Z")];
        assert_eq!(month_sla(&s, 2026, 9, now, 90, 99.99, &tiers()).availability, 100.0);
    }

    #[test]
    fn leap_february_has_more_minutes() {
        let now = t("2028-03-15T00:00:00Z");
        let feb = month_sla(&[], 2028, 2, now, 90, 99.99, &tiers());
        assert_eq!(feb.minutes_in_month, 29 * 1440);
        assert_eq!(month_sla(&[], 2027, 2, t("2027-03-15T00:00:00Z"), 90, 99.99, &tiers()).minutes_in_month, 28 * 1440);
    }

    #[test]
    fn partial_minutes_count_as_downtime_minutes() {
        // 10:00:30–10:01:10 touches two minutes; a second span in the same minute adds nothing.
        let s = vec![
            span(MajorOutage, "2026-01-05T10:00:30Z", "2026-01-05T10:01:10Z"),
            span(MajorOutage, "2026-01-05T10:01:20Z", "2026-01-05T10:01:40Z"),
        ];
        let day = t("2026-01-05T00:00:00Z");
        assert_eq!(downtime_minutes(&s, day, day + DAY), 2);
    }

    #[test]
    fn credit_is_capped_at_the_top_tier() {
        assert_eq!(credit_percent(50.0, &tiers()), 25.0);
        assert_eq!(credit_percent(99.995, &tiers()), 0.0);
        assert_eq!(credit_percent(99.95, &tiers()), 10.0);
        assert_eq!(credit_percent(99.0, &[]), 0.0);
    }

    #[test]
    fn months_in_a_ninety_day_window() {
        let now = t("2026-08-20T12:00:00Z");
        assert_eq!(months_in_window(now, 90), vec![(2026, 8), (2026, 7), (2026, 6), (2026, 5)]);
        assert_eq!(months_in_window(t("2026-01-10T00:00:00Z"), 20), vec![(2026, 1), (2025, 12)]);
        let may = month_sla(&[], 2026, 5, now, 90, 99.99, &tiers());
        assert!(!may.complete_history);
        assert!(month_sla(&[], 2026, 6, now, 90, 99.99, &tiers()).complete_history);
    }

    #[test]
    fn thirty_and_ninety_day_uptime() {
        let now = t("2026-08-20T00:00:00Z");
        let s = vec![span(MajorOutage, "2026-08-10T00:00:00Z", "2026-08-10T00:43:12Z")];
        let d30 = window_uptime(&s, now, 90, 30).expect("some");
        let d90 = window_uptime(&s, now, 90, 90).expect("some");
        assert!((d30 - 99.9).abs() < 1e-9, "2592 s of 30 days = 0.1 %: {d30}");
        assert!((d90 - (100.0 - 0.1 / 3.0)).abs() < 1e-9, "{d90}");
    }
}
