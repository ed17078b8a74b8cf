//! One region's health document as two feeds keep it: the event stream (zone and region events,
//! in order) and a periodic poll of the full document (history and incidents the stream lacks).
//!
//! The two race: a poll sent before a zone event can answer after it, and applying it would put
//! the zone back as it was for up to a poll interval. So polls are single-flight and carry the
//! stream revision they were sent at; an answer overtaken by the stream keeps the stream's zones
//! and status and takes only what the stream never carries.

use sm_contract::{roll_up, HealthStatus, RegionHealth, ZoneEvent};

/// Orders polls against stream events. `begin` refuses a second poll while one is out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollGate {
    stream_rev: u64,
    in_flight: Option<u64>,
}

/// Whether a poll's answer is newer than everything the stream applied since it was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    Fresh,
    /// The stream changed the document while the poll was out.
    Overtaken,
}

impl PollGate {
    /// Start a poll; `None` while one is already out.
    pub fn begin(&mut self) -> Option<u64> {
        if self.in_flight.is_some() {
            return None;
        }
        self.in_flight = Some(self.stream_rev);
        Some(self.stream_rev)
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The stream applied an event to the document.
    pub fn stream_changed(&mut self) {
        self.stream_rev = self.stream_rev.wrapping_add(1);
    }

    /// The poll sent at `sent_rev` ended (answered or failed).
    pub fn finish(&mut self, sent_rev: u64) -> Freshness {
        if self.in_flight == Some(sent_rev) {
            self.in_flight = None;
        }
        if sent_rev == self.stream_rev { Freshness::Fresh } else { Freshness::Overtaken }
    }
}

/// Apply a polled document. An overtaken one keeps the stream's zones and status (newer) and
/// takes history, incidents and SLA (which the stream does not carry).
pub fn apply_poll(current: &mut Option<RegionHealth>, doc: RegionHealth, freshness: Freshness) {
    match (freshness, current.as_mut()) {
        (Freshness::Overtaken, Some(cur)) => {
            cur.history = doc.history;
            cur.incidents = doc.incidents;
            cur.sla = doc.sla;
        }
        _ => *current = Some(doc),
    }
}

/// A `region` event carries the whole document but `history`; keep the history we have.
pub fn merge_region_event(current: &mut Option<RegionHealth>, mut doc: RegionHealth) {
    if doc.history.is_none() {
        doc.history = current.as_mut().and_then(|c| c.history.take());
    }
    *current = Some(doc);
}

/// Apply a `zone` event; returns the new roll-up so the state follows zones even if the region
/// never sends its own roll-up event.
pub fn apply_zone_event(current: &mut Option<RegionHealth>, ev: &ZoneEvent) -> Option<HealthStatus> {
    let doc = current.as_mut()?;
    let zone = doc.zones.items.iter_mut().find(|z| z.id == ev.zone)?;
    zone.status = ev.status;
    zone.reason = ev.reason.clone();
    if ev.status.is_outage() {
        zone.latency_ms = None;
    }
    let statuses: Vec<HealthStatus> = doc.zones.items.iter().map(|z| z.status).collect();
    doc.status = roll_up(&statuses);
    Some(doc.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(zone2: &str, incidents: usize) -> RegionHealth {
        let incidents: Vec<_> = (0..incidents)
            .map(|i| serde_json::json!({"id": format!("inc-{i}"), "title": "t", "impact": "minor", "status": "resolved", "started_at": "2026-08-12T03:10:00Z"}))
            .collect();
        serde_json::from_value(serde_json::json!({
            "schema_version": "1.0",
            "region": {"id": "us-south", "display_name": "Dallas"},
            "status": "operational",
            "zones": [
                {"id": "us-south-1", "status": "operational", "latency_ms": 40},
                {"id": "us-south-2", "status": zone2, "latency_ms": 41}
            ],
            "history": {"window_days": 90, "intervals": []},
            "incidents": incidents
        }))
        .expect("a valid document")
    }

    fn zone2(d: &Option<RegionHealth>) -> HealthStatus {
        d.as_ref().map(|d| d.zones.items[1].status).unwrap_or_default()
    }

    #[test]
    fn a_poll_overtaken_by_a_zone_event_does_not_revert_the_zone() {
        let mut gate = PollGate::default();
        let mut cur = Some(doc("operational", 0));
        let sent = gate.begin().expect("nothing in flight");
        assert_eq!(gate.begin(), None, "one poll at a time");
        // The zone goes down on the stream while the (slow) poll is out.
        let ev = ZoneEvent { zone: "us-south-2".into(), status: HealthStatus::MajorOutage, at: String::new(), reason: None };
        assert_eq!(apply_zone_event(&mut cur, &ev), Some(HealthStatus::PartialOutage));
        gate.stream_changed();
        // The poll answers with the world as it was when it was sent, plus a new incident.
        let freshness = gate.finish(sent);
        assert_eq!(freshness, Freshness::Overtaken);
        apply_poll(&mut cur, doc("operational", 1), freshness);
        assert_eq!(zone2(&cur), HealthStatus::MajorOutage, "the newer zone event wins");
        assert_eq!(cur.as_ref().map(|d| d.status), Some(HealthStatus::PartialOutage));
        assert_eq!(cur.as_ref().map(|d| d.incidents.items.len()), Some(1), "what only the poll carries is taken");
        assert!(gate.begin().is_some(), "the next poll may go out");
    }

    #[test]
    fn a_poll_with_no_stream_change_replaces_the_document() {
        let mut gate = PollGate::default();
        let mut cur = Some(doc("operational", 0));
        let sent = gate.begin().expect("free");
        let freshness = gate.finish(sent);
        assert_eq!(freshness, Freshness::Fresh);
        apply_poll(&mut cur, doc("degraded_performance", 0), freshness);
        assert_eq!(zone2(&cur), HealthStatus::DegradedPerformance);
        assert!(!gate.in_flight());
    }

    #[test]
    fn a_region_event_keeps_the_history() {
        let mut cur = Some(doc("operational", 0));
        let mut ev = doc("operational", 0);
        ev.history = None;
        merge_region_event(&mut cur, ev);
        assert!(cur.as_ref().is_some_and(|d| d.history.is_some()));
    }
}
