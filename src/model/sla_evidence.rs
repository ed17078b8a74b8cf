//! SLA evidence: what a customer attaches to a credit claim for one region and one month — every
//! stretch of downtime (start, end, duration, zones), the month's availability, the credit tier
//! and the incidents — as CSV and JSON made in the browser.
//!
//! The figures come from [`uptime::month_sla`] and [`uptime::downtime_periods`], the functions the
//! uptime view shows, so the file can never disagree with the screen.
//!
//! Both formats are written by hand, with integer arithmetic for the decimals: `serde_json`'s
//! float output would pull about 10 KB of float formatting into the wasm for two numbers.

use sm_contract::time::{days_from_civil, days_in_month, format_rfc3339, parse_rfc3339, DAY};
use sm_contract::{Incident, RegionHealth, Sla};

use super::format;
use super::uptime::{self, DowntimePeriod, MonthSla};

/// The evidence of one region for one calendar month (UTC).
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub region_id: String,
    pub region_label: String,
    /// The health API the history was read from.
    pub source: String,
    pub generated_at: i64,
    pub target: f64,
    pub month: MonthSla,
    pub periods: Vec<DowntimePeriod>,
    pub incidents: Vec<Incident>,
}

/// The SLA target a document states, or IBM's published one when it states nothing usable.
pub fn sla_target(sla: &Sla) -> f64 {
    if sla.target_percent.is_finite() && (0.0..=100.0).contains(&sla.target_percent) {
        sla.target_percent
    } else {
        Sla::default().target_percent
    }
}

/// Whether an incident's time span touches `[from, to)`; one with no start is left out (it
/// cannot be placed in a month).
fn in_window(i: &Incident, from: i64, to: i64, now: i64) -> bool {
    let Some(start) = i.started_at.as_deref().and_then(parse_rfc3339) else { return false };
    let end = i.resolved_at.as_deref().and_then(parse_rfc3339).unwrap_or(now);
    start < to && end >= from
}

pub fn evidence(doc: &RegionHealth, region_id: &str, region_label: &str, source: &str, year: i64, month: u32, now: i64) -> Evidence {
    let window = doc.history.as_ref().and_then(|h| h.window_days).unwrap_or(90);
    let intervals = doc.history.as_ref().map(|h| h.intervals.items.as_slice()).unwrap_or(&[]);
    let with_zones = uptime::spans_with_zones(intervals, now);
    let spans: Vec<uptime::Span> = with_zones.iter().map(|(s, _)| *s).collect();
    let target = sla_target(&doc.sla);
    let sla = uptime::month_sla(&spans, year, month, now, window, target, &doc.sla.credit_tiers.items);
    let from = days_from_civil(year, month, 1) * DAY;
    let to = from + i64::from(days_in_month(year, month)) * DAY;
    Evidence {
        region_id: region_id.to_string(),
        region_label: region_label.to_string(),
        source: source.to_string(),
        generated_at: now,
        target,
        periods: uptime::downtime_periods(with_zones, from, to.min(now)),
        incidents: doc.incidents.items.iter().filter(|i| in_window(i, from, to, now)).cloned().collect(),
        month: sla,
    }
}

impl Evidence {
    /// `sla-evidence-us-south-2026-11.csv`
    pub fn file_name(&self, extension: &str) -> String {
        let safe: String = self.region_id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
        format!("sla-evidence-{safe}-{}-{:02}.{extension}", self.month.year, self.month.month)
    }

    fn month_key(&self) -> String {
        format!("{}-{:02}", self.month.year, self.month.month)
    }

    /// Three tables one after another (summary, downtime, incidents), each with its own header
    /// row and a blank line between: what a spreadsheet opens and a person reads.
    pub fn to_csv(&self) -> String {
        let m = &self.month;
        let mut out = String::new();
        row(&mut out, &[
            "region", "region_name", "month", "month_complete", "history_complete", "minutes_in_month", "downtime_minutes",
            "availability_percent", "sla_target_percent", "credit_percent", "generated_at", "source",
        ]);
        row(&mut out, &[
            &self.region_id,
            &self.region_label,
            &self.month_key(),
            yes_no(!m.is_current),
            yes_no(m.complete_history),
            &m.minutes_in_month.to_string(),
            &m.downtime_minutes.to_string(),
            &availability(m.availability),
            &format::number(self.target),
            &format::number(m.credit_percent),
            &format_rfc3339(self.generated_at),
            &self.source,
        ]);
        out.push_str("\r\n");
        row(&mut out, &["downtime_start", "downtime_end", "duration_seconds", "downtime_minutes", "zones"]);
        for p in &self.periods {
            row(&mut out, &[&format_rfc3339(p.start), &format_rfc3339(p.end), &(p.end - p.start).to_string(), &p.minutes.to_string(), &p.zones.join(" ")]);
        }
        out.push_str("\r\n");
        row(&mut out, &["incident_id", "title", "impact", "status", "started_at", "resolved_at"]);
        for i in &self.incidents {
            row(&mut out, &[
                &i.id,
                &i.title,
                &i.impact,
                &i.status,
                i.started_at.as_deref().unwrap_or(""),
                i.resolved_at.as_deref().unwrap_or(""),
            ]);
        }
        out
    }

    pub fn to_json(&self) -> String {
        let m = &self.month;
        let periods: Vec<String> = self
            .periods
            .iter()
            .map(|p| {
                let zones: Vec<String> = p.zones.iter().map(|z| json_str(z)).collect();
                format!(
                    "{{\"start\":{},\"end\":{},\"duration_seconds\":{},\"downtime_minutes\":{},\"zones\":[{}]}}",
                    json_str(&format_rfc3339(p.start)),
                    json_str(&format_rfc3339(p.end)),
                    p.end - p.start,
                    p.minutes,
                    zones.join(",")
                )
            })
            .collect();
        let incidents: Vec<String> = self
            .incidents
            .iter()
            .map(|i| {
                format!(
                    "{{\"id\":{},\"title\":{},\"impact\":{},\"status\":{},\"started_at\":{},\"resolved_at\":{}}}",
                    json_str(&i.id),
                    json_str(&i.title),
                    json_str(&i.impact),
                    json_str(&i.status),
                    i.started_at.as_deref().map(json_str).unwrap_or_else(|| "null".into()),
                    i.resolved_at.as_deref().map(json_str).unwrap_or_else(|| "null".into()),
                )
            })
            .collect();
        format!(
            concat!(
                "{{\"region\":{{\"id\":{},\"name\":{}}},\"month\":{},\"month_complete\":{},\"history_complete\":{},",
                "\"minutes_in_month\":{},\"downtime_minutes\":{},\"availability_percent\":{},\"sla_target_percent\":{},",
                "\"credit_percent\":{},\"generated_at\":{},\"source\":{},\"downtime\":[{}],\"incidents\":[{}]}}\n"
            ),
            json_str(&self.region_id),
            json_str(&self.region_label),
            json_str(&self.month_key()),
            !m.is_current,
            m.complete_history,
            m.minutes_in_month,
            m.downtime_minutes,
            availability(m.availability),
            format::number(self.target),
            format::number(m.credit_percent),
            json_str(&format_rfc3339(self.generated_at)),
            json_str(&self.source),
            periods.join(","),
            incidents.join(","),
        )
    }
}

/// Availability to four decimals, never rounded up to a perfect 100 when a minute was lost (a
/// 43,199/43,200 month is 99.9976, not 100).
fn availability(p: f64) -> String {
    if !p.is_finite() {
        return "0".into();
    }
    format::fixed((p * 10_000.0).floor() / 10_000.0, 4)
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

/// One CSV line (RFC 4180): a field with a comma, quote or line break is quoted, quotes doubled.
/// A field a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`:
/// incident titles come from a server and must not execute on the claimant's machine.
fn row(out: &mut String, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let guarded = if f.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{f}") } else { (*f).to_string() };
        if guarded.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&guarded.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&guarded);
        }
    }
    out.push_str("\r\n");
}

fn json_str(s: &str) -> String {
    // A `&str` always serializes; the fallback only keeps this total.
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm_contract::{CreditTier, HealthStatus, History, Interval, RegionRef};

    fn t(s: &str) -> i64 {
        parse_rfc3339(s).expect("test timestamp")
    }

    fn iv(status: HealthStatus, zones: &[&str], start: &str, end: Option<&str>) -> Interval {
        Interval { status, zones: zones.iter().map(|z| z.to_string()).collect(), start: start.into(), end: end.map(String::from) }
    }

    fn incident(id: &str, title: &str, start: &str, end: Option<&str>) -> Incident {
        Incident {
            id: id.into(),
            title: title.into(),
            impact: "major".into(),
            status: "resolved".into(),
            started_at: Some(start.into()),
            resolved_at: end.map(String::from),
            updates: Vec::new().into(),
        }
    }

    fn doc(intervals: Vec<Interval>, incidents: Vec<Incident>) -> RegionHealth {
        RegionHealth {
            schema_version: "1.0".into(),
            generated_at: None,
            region: RegionRef { id: "us-south".into(), display_name: "Dallas".into() },
            status: HealthStatus::Operational,
            zones: Vec::new().into(),
            sla: Sla {
                target_percent: 99.99,
                slo_percent: None,
                credit_tiers: vec![
                    CreditTier { below_percent: 99.99, credit_percent: 10.0 },
                    CreditTier { below_percent: 99.9, credit_percent: 25.0 },
                ]
                .into(),
            },
            history: Some(History { window_days: Some(90), intervals: intervals.into() }),
            incidents: incidents.into(),
            probe: None,
        }
    }

    /// November 2026 (30 days = 43,200 minutes), read on 5 December, so the month is complete.
    /// - 3 Nov 10:00:00–10:22:00, all zones major: 22 minutes;
    /// - 3 Nov 10:20:00–10:25:30 overlapping it, zone 2 named: merged, the stretch ends 10:25:30,
    ///   minutes 10:00–10:25 = 26 in all;
    /// - 14 Nov 23:59:30–15 Nov 00:00:30: one minute on each side of midnight = 2;
    /// - a partial outage and a degraded spell: not downtime;
    /// - 30 Nov 23:58 – 1 Dec 00:10: only 2 minutes fall in November;
    /// - 31 Oct 23:50 – 1 Nov 00:03: 3 minutes in November.
    ///
    /// Downtime = 3 + 26 + 2 + 2 = 33 minutes. Availability = (43,200 − 33) / 43,200 =
    /// 99.923611…%, so 99.9236 to four decimals; below 99.99 → 10 % credit, not below 99.9.
    fn november() -> Evidence {
        let d = doc(
            vec![
                iv(HealthStatus::MajorOutage, &["us-south-1", "us-south-2", "us-south-3"], "2026-11-03T10:00:00Z", Some("2026-11-03T10:22:00Z")),
                iv(HealthStatus::MajorOutage, &["us-south-2"], "2026-11-03T10:20:00Z", Some("2026-11-03T10:25:30Z")),
                iv(HealthStatus::MajorOutage, &["us-south-1"], "2026-11-14T23:59:30Z", Some("2026-11-15T00:00:30Z")),
                iv(HealthStatus::PartialOutage, &["us-south-3"], "2026-11-20T08:00:00Z", Some("2026-11-20T09:00:00Z")),
                iv(HealthStatus::DegradedPerformance, &[], "2026-11-21T08:00:00Z", Some("2026-11-21T09:00:00Z")),
                iv(HealthStatus::MajorOutage, &["us-south-3"], "2026-11-30T23:58:00Z", Some("2026-12-01T00:10:00Z")),
                iv(HealthStatus::MajorOutage, &[], "2026-10-31T23:50:00Z", Some("2026-11-01T00:03:00Z")),
            ],
            vec![
                incident("inc-1", "=HYPERLINK(\"x\") Dallas, API errors", "2026-11-03T09:58:00Z", Some("2026-11-03T10:40:00Z")),
                incident("inc-old", "October only", "2026-10-02T09:58:00Z", Some("2026-10-02T10:40:00Z")),
                incident("inc-open", "Still open", "2026-11-30T23:58:00Z", None),
            ],
        );
        evidence(&d, "us-south", "Dallas", "https://sm.example/api/health/v1/region", 2026, 11, t("2026-12-05T00:00:00Z"))
    }

    #[test]
    fn figures_match_the_hand_computed_month() {
        let e = november();
        assert_eq!(e.month.minutes_in_month, 43_200);
        assert_eq!(e.month.downtime_minutes, 33);
        assert_eq!(availability(e.month.availability), "99.9236");
        assert_eq!(e.month.credit_percent, 10.0);
        let summary: Vec<(String, String, i64, i64, Vec<String>)> = e
            .periods
            .iter()
            .map(|p| (format_rfc3339(p.start), format_rfc3339(p.end), p.end - p.start, p.minutes, p.zones.clone()))
            .collect();
        let z = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(summary, vec![
            ("2026-11-01T00:00:00Z".into(), "2026-11-01T00:03:00Z".into(), 180, 3, vec![]),
            ("2026-11-03T10:00:00Z".into(), "2026-11-03T10:25:30Z".into(), 1530, 26, z(&["us-south-1", "us-south-2", "us-south-3"])),
            ("2026-11-14T23:59:30Z".into(), "2026-11-15T00:00:30Z".into(), 60, 2, z(&["us-south-1"])),
            ("2026-11-30T23:58:00Z".into(), "2026-12-01T00:00:00Z".into(), 120, 2, z(&["us-south-3"])),
        ]);
        // The periods are the month's downtime, minute for minute.
        assert_eq!(e.periods.iter().map(|p| p.minutes).sum::<i64>(), e.month.downtime_minutes);
        let ids: Vec<&str> = e.incidents.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, vec!["inc-1", "inc-open"]);
    }

    #[test]
    fn a_minute_shared_by_two_stretches_counts_once() {
        // 10:00:10–10:00:20 and 10:00:40–10:01:10 are two stretches but share minute 10:00.
        let d = doc(
            vec![
                iv(HealthStatus::MajorOutage, &[], "2026-11-03T10:00:10Z", Some("2026-11-03T10:00:20Z")),
                iv(HealthStatus::MajorOutage, &[], "2026-11-03T10:00:40Z", Some("2026-11-03T10:01:10Z")),
            ],
            vec![],
        );
        let e = evidence(&d, "us-south", "Dallas", "s", 2026, 11, t("2026-12-05T00:00:00Z"));
        assert_eq!(e.periods.iter().map(|p| p.minutes).collect::<Vec<_>>(), vec![1, 1]);
        assert_eq!(e.month.downtime_minutes, 2);
    }

    #[test]
    fn csv_has_the_figures_and_defuses_formulas() {
        let csv = november().to_csv();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[1],
            "us-south,Dallas,2026-11,true,true,43200,33,99.9236,99.99,10,2026-12-05T00:00:00Z,https://sm.example/api/health/v1/region"
        );
        assert_eq!(lines[4], "2026-11-01T00:00:00Z,2026-11-01T00:03:00Z,180,3,");
        assert_eq!(lines[5], "2026-11-03T10:00:00Z,2026-11-03T10:25:30Z,1530,26,us-south-1 us-south-2 us-south-3");
        assert!(csv.contains("inc-1,\"'=HYPERLINK(\"\"x\"\") Dallas, API errors\",major,resolved,"), "{csv}");
        assert!(csv.contains("inc-open,Still open,major,resolved,2026-11-30T23:58:00Z,\r\n"), "{csv}");
    }

    #[test]
    fn json_parses_and_carries_the_same_figures() {
        let e = november();
        let v: serde_json::Value = serde_json::from_str(&e.to_json()).expect("valid JSON");
        assert_eq!(v["region"]["id"], "us-south");
        assert_eq!(v["month"], "2026-11");
        assert_eq!(v["downtime_minutes"], 33);
        assert_eq!(v["availability_percent"].as_f64(), Some(99.9236));
        assert_eq!(v["credit_percent"].as_f64(), Some(10.0));
        assert_eq!(v["month_complete"], true);
        assert_eq!(v["downtime"].as_array().map(Vec::len), Some(4));
        assert_eq!(v["downtime"][1]["zones"], serde_json::json!(["us-south-1", "us-south-2", "us-south-3"]));
        assert_eq!(v["incidents"][0]["title"], "=HYPERLINK(\"x\") Dallas, API errors");
        assert_eq!(v["incidents"][1]["resolved_at"], serde_json::Value::Null);
        assert_eq!(e.file_name("csv"), "sla-evidence-us-south-2026-11.csv");
    }

    #[test]
    fn the_current_month_is_marked_incomplete() {
        let d = doc(vec![iv(HealthStatus::MajorOutage, &[], "2026-12-01T00:00:00Z", None)], vec![]);
        let e = evidence(&d, "us-south", "Dallas", "s", 2026, 12, t("2026-12-01T00:10:00Z"));
        assert!(e.month.is_current);
        assert_eq!(e.month.downtime_minutes, 10);
        assert_eq!(e.periods.len(), 1);
        assert!(e.to_csv().lines().nth(1).is_some_and(|l| l.starts_with("us-south,Dallas,2026-12,false,")));
    }
}
