//! Uptime history: deterministic synthesis at first start, and incidents derived from intervals.

use sm_contract::time::{format_date, format_rfc3339, DAY};
use sm_contract::{HealthStatus, Incident, IncidentUpdate, Interval};

use crate::rng::SplitMix;

/// One synthesized interval: `(status, zones, start, end)`.
pub type Synth = (HealthStatus, Vec<String>, i64, i64);

/// A plausible history of `days` days ending before `now`: a few short zone incidents and, for some
/// regions, one regional outage that starts as a zone outage (as real ones do). Times are anchored
/// to UTC midnight so the same region on the same day always gets the same history.
pub fn synthesize(region: &str, zones: &[String], days: u32, now: i64) -> Vec<Synth> {
    if days == 0 || zones.is_empty() {
        return Vec::new();
    }
    let mut rng = SplitMix::from_str_seed(&format!("history:{region}"));
    let today = now.div_euclid(DAY) * DAY;
    let mut out: Vec<Synth> = Vec::new();
    let zone_incidents = (days / 15).max(1) + rng.below(3) as u32;
    for _ in 0..zone_incidents {
        let day_back = 1 + rng.below(u64::from(days.max(2) - 1)) as i64;
        let start = today - day_back * DAY + rng.range(0, DAY - 3600);
        let minutes = rng.range(4, 45);
        let zone = rng.pick(zones).clone();
        let status = if rng.chance(0.3) { HealthStatus::DegradedPerformance } else { HealthStatus::PartialOutage };
        out.push((status, vec![zone], start, start + minutes * 60));
    }
    if days >= 30 && rng.chance(0.5) {
        let day_back = 1 + rng.below(u64::from(days - 1)) as i64;
        let start = today - day_back * DAY + rng.range(0, DAY - 7200);
        let lead = rng.range(3, 20) * 60;
        let major = rng.range(5, 25) * 60;
        out.push((HealthStatus::PartialOutage, vec![rng.pick(zones).clone()], start, start + lead));
        out.push((HealthStatus::MajorOutage, zones.to_vec(), start + lead, start + lead + major));
    }
    out.retain(|(_, _, _, end)| *end < now);
    out.sort_by_key(|s| s.2);
    // Zone incidents that happen to overlap would read as one messy event; keep the first.
    let mut kept: Vec<Synth> = Vec::new();
    for s in out {
        match kept.last() {
            Some(prev) if s.2 < prev.3 && !(prev.1.len() == 1 && s.1.len() == zones.len() && s.2 == prev.3) => continue,
            _ => kept.push(s),
        }
    }
    kept
}

/// Incidents, newest first: intervals that touch (gap ≤ 5 minutes) form one incident, titled and
/// updated the way a status page would, so the console has a realistic timeline to show.
pub fn incidents(intervals: &[Interval], all_zones: usize) -> Vec<Incident> {
    let parsed: Vec<(i64, Option<i64>, &Interval)> = intervals
        .iter()
        .filter_map(|i| Some((sm_contract::time::parse_rfc3339(&i.start)?, i.end.as_deref().and_then(sm_contract::time::parse_rfc3339), i)))
        .collect();
    let mut clusters: Vec<Vec<(i64, Option<i64>, &Interval)>> = Vec::new();
    for p in parsed {
        let joins = clusters.last().is_some_and(|c| {
            let end = c.iter().map(|x| x.1.unwrap_or(i64::MAX)).max().unwrap_or(i64::MIN);
            p.0 <= end.saturating_add(300)
        });
        if joins {
            if let Some(c) = clusters.last_mut() {
                c.push(p);
            }
        } else {
            clusters.push(vec![p]);
        }
    }
    let mut per_day: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    let mut out: Vec<Incident> = Vec::new();
    for c in clusters {
        let start = c.iter().map(|x| x.0).min().unwrap_or(0);
        let open = c.iter().any(|x| x.1.is_none());
        let end = if open { None } else { c.iter().filter_map(|x| x.1).max() };
        let worst = c.iter().map(|x| x.2.status).filter(|s| *s != HealthStatus::Unknown).max().unwrap_or(HealthStatus::Unknown);
        let mut zones: Vec<String> = c.iter().flat_map(|x| x.2.zones.iter().cloned()).collect();
        zones.sort();
        zones.dedup();
        let regional = worst == HealthStatus::MajorOutage && zones.len() >= all_zones;
        let day = format_date(start);
        let n = per_day.entry(day.clone()).or_insert(0);
        *n += 1;
        let compact = day.replace('-', "");
        let id = format!("inc-{}-{}-{n}", compact.get(..4).unwrap_or("0000"), compact.get(4..).unwrap_or("0000"));
        let zone_list = zones.join(", ");
        let (title, impact) = match worst {
            _ if regional => ("Region unavailable: secret reads and writes failing".to_string(), "major"),
            HealthStatus::MajorOutage | HealthStatus::PartialOutage => (format!("Elevated errors on secret requests in {zone_list}"), "minor"),
            HealthStatus::UnderMaintenance => (format!("Scheduled maintenance in {zone_list}"), "maintenance"),
            _ => (format!("Increased latency on secret requests in {zone_list}"), "minor"),
        };
        let mut updates = vec![IncidentUpdate {
            at: format_rfc3339(start + 60),
            status: "investigating".into(),
            body: format!("We are investigating reports of {} affecting {zone_list}.", worst.label().to_lowercase()),
        }];
        let duration = end.unwrap_or(start + 601) - start;
        if duration > 600 {
            updates.push(IncidentUpdate {
                at: format_rfc3339(start + duration / 2),
                status: "identified".into(),
                body: "The cause has been identified and traffic is being routed to healthy zones.".into(),
            });
        }
        if let Some(e) = end {
            updates.push(IncidentUpdate {
                at: format_rfc3339(e),
                status: "resolved".into(),
                body: "The issue is resolved and the service is operating normally.".into(),
            });
        }
        updates.reverse();
        out.push(Incident {
            id,
            title,
            impact: impact.into(),
            status: if open { "investigating".into() } else { "resolved".into() },
            started_at: Some(format_rfc3339(start)),
            resolved_at: end.map(format_rfc3339),
            updates: updates.into(),
        });
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zones() -> Vec<String> {
        (1..=3).map(|i| format!("us-south-{i}")).collect()
    }

    #[test]
    fn synthesis_is_deterministic_and_in_the_past() {
        let now = 1_790_000_000;
        let a = synthesize("us-south", &zones(), 90, now);
        assert_eq!(a, synthesize("us-south", &zones(), 90, now));
        assert!(!a.is_empty());
        assert!(a.iter().all(|s| s.3 < now && s.2 >= now - 91 * DAY && s.2 < s.3));
    }

    #[test]
    fn touching_intervals_make_one_incident() {
        let iv = |s: HealthStatus, z: Vec<String>, a: &str, b: Option<&str>| Interval { status: s, zones: z, start: a.into(), end: b.map(Into::into) };
        let list = vec![
            iv(HealthStatus::PartialOutage, vec!["us-south-2".into()], "2026-08-12T03:10:00Z", Some("2026-08-12T03:30:00Z")),
            iv(HealthStatus::MajorOutage, zones(), "2026-08-12T03:30:00Z", Some("2026-08-12T03:52:00Z")),
            iv(HealthStatus::DegradedPerformance, vec!["us-south-1".into()], "2026-08-20T10:00:00Z", None),
        ];
        let inc = incidents(&list, 3);
        assert_eq!(inc.len(), 2);
        assert_eq!(inc[0].status, "investigating");
        assert_eq!(inc[1].id, "inc-2026-0812-1");
        assert_eq!(inc[1].impact, "major");
        assert_eq!(inc[1].resolved_at.as_deref(), Some("2026-08-12T03:52:00Z"));
        assert_eq!(inc[1].updates.items[0].status, "resolved");
    }
}
