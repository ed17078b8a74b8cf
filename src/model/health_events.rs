//! What the outcome of a direct probe says about a region. Pure, so it is tested natively; the
//! region controller (`regions/controller.rs`) calls it. (The health stream's `region` and `zone`
//! events are folded in by `health_feed`; their tests are here too, beside the probe's.)

use super::region_state::{Failure, Observation, Via};

/// A failed probe, as much of it as the state machine needs: the transport failure (if the
/// request never got an answer) and the HTTP status (if it got an error answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProbeError {
    pub failure: Option<Failure>,
    pub status: Option<u16>,
}

/// What a probe's outcome (`None` = it succeeded) says about the region. With a health API, any
/// HTTP answer proves the region's front door works (zone trouble is reported separately);
/// without one, 502/503/504 on the probe are the only sign of an outage the console can get.
pub fn probe_observation(error: Option<ProbeError>, has_health_api: bool) -> Observation {
    match error {
        None => Observation::RequestAnswered(Via::Probe),
        Some(ProbeError { failure: Some(f), .. }) => Observation::RequestFailed(f, Via::Probe),
        Some(ProbeError { status: Some(502..=504), .. }) if !has_health_api => Observation::RequestFailed(Failure::Network, Via::Probe),
        Some(_) => Observation::RequestAnswered(Via::Probe),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::health_feed::{apply_zone_event, merge_region_event};
    use sm_contract::{HealthStatus, RegionHealth, ZoneEvent};

    fn doc() -> RegionHealth {
        serde_json::from_str(
            r#"{"schema_version":"1.0","region":{"id":"us-south","display_name":"Dallas"},"status":"operational",
                "zones":[{"id":"us-south-1","status":"operational","latency_ms":41},
                         {"id":"us-south-2","status":"operational","latency_ms":38},
                         {"id":"us-south-3","status":"operational","latency_ms":44}],
                "history":{"window_days":90,"intervals":[{"status":"major_outage","zones":["us-south-1"],"start":"2026-01-01T00:00:00Z","end":"2026-01-01T00:05:00Z"}]}}"#,
        )
        .expect("valid document")
    }

    fn zone_ev(zone: &str, status: HealthStatus) -> ZoneEvent {
        ZoneEvent { zone: zone.into(), status, at: "2026-01-02T00:00:00Z".into(), reason: Some("node down".into()) }
    }

    #[test]
    fn a_successful_probe_is_an_answer() {
        assert_eq!(probe_observation(None, true), Observation::RequestAnswered(Via::Probe));
        assert_eq!(probe_observation(None, false), Observation::RequestAnswered(Via::Probe));
    }

    #[test]
    fn transport_failures_are_failures_with_or_without_a_health_api() {
        for has in [true, false] {
            for f in [Failure::Network, Failure::Timeout] {
                assert_eq!(probe_observation(Some(ProbeError { failure: Some(f), status: None }), has), Observation::RequestFailed(f, Via::Probe));
            }
        }
    }

    #[test]
    fn gateway_errors_mean_an_outage_only_without_a_health_api() {
        for status in [502, 503, 504] {
            let e = Some(ProbeError { failure: None, status: Some(status) });
            assert_eq!(probe_observation(e, false), Observation::RequestFailed(Failure::Network, Via::Probe), "{status}");
            // With a health API, a 503 from one zone is zone trouble, reported by the health API.
            assert_eq!(probe_observation(e, true), Observation::RequestAnswered(Via::Probe), "{status}");
        }
        for status in [400, 401, 403, 404, 429, 500, 501, 505] {
            let e = Some(ProbeError { failure: None, status: Some(status) });
            assert_eq!(probe_observation(e, false), Observation::RequestAnswered(Via::Probe), "{status} is an answer");
        }
        // An unreadable body (no status, no transport failure) still came from the region.
        assert_eq!(probe_observation(Some(ProbeError { failure: None, status: None }), false), Observation::RequestAnswered(Via::Probe));
    }

    #[test]
    fn zone_events_update_the_zone_and_the_roll_up() {
        let mut cur = Some(doc());
        assert_eq!(apply_zone_event(&mut cur, &zone_ev("us-south-2", HealthStatus::MajorOutage)), Some(HealthStatus::PartialOutage));
        let d = cur.as_ref().expect("doc");
        let z2 = &d.zones.items[1];
        assert_eq!(z2.status, HealthStatus::MajorOutage);
        assert_eq!(z2.latency_ms, None, "a zone in outage has no latency to show");
        assert_eq!(z2.reason.as_deref(), Some("node down"));
        assert_eq!(d.status, HealthStatus::PartialOutage);
        assert_eq!(d.zones.items[0].latency_ms, Some(41), "other zones untouched");

        apply_zone_event(&mut cur, &zone_ev("us-south-1", HealthStatus::MajorOutage));
        assert_eq!(apply_zone_event(&mut cur, &zone_ev("us-south-3", HealthStatus::MajorOutage)), Some(HealthStatus::MajorOutage));
        // Recovery: a degraded zone keeps its latency, and the roll-up follows it back.
        let mut cur = Some(doc());
        assert_eq!(apply_zone_event(&mut cur, &zone_ev("us-south-3", HealthStatus::DegradedPerformance)), Some(HealthStatus::DegradedPerformance));
        assert_eq!(cur.as_ref().expect("doc").zones.items[2].latency_ms, Some(44));
        assert_eq!(apply_zone_event(&mut cur, &zone_ev("us-south-3", HealthStatus::Operational)), Some(HealthStatus::Operational));
    }

    #[test]
    fn zone_events_before_a_document_or_for_unknown_zones_change_nothing() {
        let mut none: Option<RegionHealth> = None;
        assert_eq!(apply_zone_event(&mut none, &zone_ev("us-south-1", HealthStatus::MajorOutage)), None);
        assert!(none.is_none());
        let mut cur = Some(doc());
        let before = cur.clone();
        assert_eq!(apply_zone_event(&mut cur, &zone_ev("<img src=x>", HealthStatus::MajorOutage)), None);
        assert_eq!(cur, before);
    }

    #[test]
    fn region_events_keep_the_history_they_do_not_carry() {
        let mut cur = Some(doc());
        let mut ev = doc();
        ev.history = None;
        ev.status = HealthStatus::DegradedPerformance;
        merge_region_event(&mut cur, ev);
        let d = cur.expect("doc");
        assert_eq!(d.status, HealthStatus::DegradedPerformance);
        assert_eq!(d.history.map(|h| h.intervals.items.len()), Some(1));
    }
}
