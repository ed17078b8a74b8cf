//! The health document (`health-v1.md` + `gateway.md`) built from the gateway's own observations:
//! the probes' status, three zones as `unknown` (IBM exposes no per-zone health), the recorded
//! intervals and the status feed's incidents.

use sm_contract::time::{format_rfc3339, DAY};
use sm_contract::{HealthStatus, History, Incident, Interval, ProbeInfo, RegionHealth, RegionRef, Sla, ZoneHealth};

use crate::state::Live;
use crate::store::Recorded;

pub const SCHEMA_VERSION: &str = "1.0";
pub const MAX_WINDOW_DAYS: i64 = 90;
pub const ZONE_REASON: &str = "IBM publishes no per-zone health; the gateway probes the region as a whole";

/// Days the history covers: those since the first probe, today included, at most 90; none before
/// the first probe, so the console shows earlier days as `no_data`.
pub fn window_days(first_probe_at: Option<i64>, now: i64) -> u64 {
    match first_probe_at {
        Some(first) => (now.div_euclid(DAY) - first.div_euclid(DAY) + 1).clamp(1, MAX_WINDOW_DAYS) as u64,
        None => 0,
    }
}

pub struct Inputs<'a> {
    pub region: &'a str,
    pub display_name: &'a str,
    pub zones: &'a [String],
    pub every_ms: u64,
    pub live: &'a Live,
    pub incidents: Vec<Incident>,
    /// `None` for the event stream's `region` event, which carries no history.
    pub history: Option<(Option<i64>, Vec<Recorded>)>,
}

pub fn document(i: Inputs<'_>, now: i64) -> RegionHealth {
    let checked = i.live.last_at.map(format_rfc3339);
    let zones = i
        .zones
        .iter()
        .map(|z| ZoneHealth { id: z.clone(), status: HealthStatus::Unknown, latency_ms: None, checked_at: checked.clone(), reason: Some(ZONE_REASON.into()) })
        .collect::<Vec<_>>();
    let history = i.history.map(|(first, recorded)| {
        let days = window_days(first, now);
        // The console's window is `window_days` back from now; the part of it before the first probe
        // is time nobody observed: `unknown`, so it counts neither as uptime nor as downtime.
        let lead_in = first.map(|f| (now - days as i64 * DAY, f)).filter(|(a, b)| a < b);
        let lead_in = lead_in.map(|(a, b)| Recorded { status: HealthStatus::Unknown, start: a, end: Some(b) });
        History {
            window_days: Some(days),
            intervals: lead_in
                .into_iter()
                .chain(recorded)
                .map(|r| Interval { status: r.status, zones: i.zones.to_vec(), start: format_rfc3339(r.start), end: r.end.map(format_rfc3339) })
                .collect::<Vec<_>>()
                .into(),
        }
    });
    RegionHealth {
        schema_version: SCHEMA_VERSION.into(),
        generated_at: Some(format_rfc3339(now)),
        region: RegionRef { id: i.region.into(), display_name: i.display_name.into() },
        status: i.live.status,
        zones: zones.into(),
        sla: Sla::default(),
        history,
        incidents: i.incidents.into(),
        probe: Some(ProbeInfo { authenticated: i.live.authenticated, every_ms: Some(i.every_ms), last_at: checked, last_ms: i.live.last_ms }),
    }
}

/// Seconds back from `now` that the history window starts.
pub fn window_start(first_probe_at: Option<i64>, now: i64) -> i64 {
    let days = window_days(first_probe_at, now).max(1) as i64;
    (now.div_euclid(DAY) - days + 1) * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_counts_days_since_the_first_probe() {
        let day0 = 20_000 * DAY;
        assert_eq!(window_days(None, day0), 0);
        assert_eq!(window_days(Some(day0 + 100), day0 + 200), 1);
        assert_eq!(window_days(Some(day0 + 100), day0 + 3 * DAY), 4);
        assert_eq!(window_days(Some(0), day0), 90);
        assert_eq!(window_start(Some(day0 + 100), day0 + 3 * DAY + 5), day0);
    }

    #[test]
    fn zones_are_unknown_and_the_status_is_the_probes() {
        let live = Live { status: HealthStatus::MajorOutage, reason: Some("connection refused".into()), last_at: Some(1_000), last_ms: None, authenticated: true };
        let zones = vec!["us-south-1".to_string(), "us-south-2".into(), "us-south-3".into()];
        let doc = document(
            Inputs {
                region: "us-south",
                display_name: "Dallas",
                zones: &zones,
                every_ms: 1_000,
                live: &live,
                incidents: vec![],
                history: Some((Some(900), vec![Recorded { status: HealthStatus::MajorOutage, start: 950, end: None }])),
            },
            1_001,
        );
        assert_eq!(doc.status, HealthStatus::MajorOutage);
        assert!(doc.zones.items.iter().all(|z| z.status == HealthStatus::Unknown && z.reason.as_deref() == Some(ZONE_REASON)));
        let probe = doc.probe.expect("probe block");
        assert!(probe.authenticated);
        assert_eq!(probe.every_ms, Some(1_000));
        let v = serde_json::to_value(doc.history.expect("history")).expect("json");
        assert_eq!(v["window_days"], 1);
        // Before the first probe: unknown, from where the console's one-day window begins.
        assert_eq!(v["intervals"][0]["status"], "unknown");
        assert_eq!(v["intervals"][0]["start"], format_rfc3339(1_001 - DAY));
        assert_eq!(v["intervals"][0]["end"], format_rfc3339(900));
        assert_eq!(v["intervals"][1]["status"], "major_outage");
        assert!(v["intervals"][1]["end"].is_null());
        assert_eq!(v["intervals"][1]["zones"].as_array().map(Vec::len), Some(3));
    }
}
