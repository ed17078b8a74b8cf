//! Health API v1 shapes (`health-v1.md`).

use serde::{Deserialize, Serialize};

use crate::lenient::{self, LenientVec};

/// Statuspage's vocabulary, declared best first so `Ord` is "worse is greater".
/// Anything unrecognised reads as `Unknown`: never guess a health state we were not told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    Operational,
    DegradedPerformance,
    UnderMaintenance,
    PartialOutage,
    MajorOutage,
    #[default]
    #[serde(other)]
    Unknown,
}

impl HealthStatus {
    pub const KNOWN: [HealthStatus; 5] = [
        HealthStatus::Operational,
        HealthStatus::DegradedPerformance,
        HealthStatus::UnderMaintenance,
        HealthStatus::PartialOutage,
        HealthStatus::MajorOutage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Operational => "operational",
            HealthStatus::DegradedPerformance => "degraded_performance",
            HealthStatus::UnderMaintenance => "under_maintenance",
            HealthStatus::PartialOutage => "partial_outage",
            HealthStatus::MajorOutage => "major_outage",
            HealthStatus::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<HealthStatus> {
        HealthStatus::KNOWN.into_iter().find(|h| h.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            HealthStatus::Operational => "Operational",
            HealthStatus::DegradedPerformance => "Degraded performance",
            HealthStatus::UnderMaintenance => "Under maintenance",
            HealthStatus::PartialOutage => "Partial outage",
            HealthStatus::MajorOutage => "Major outage",
            HealthStatus::Unknown => "Unknown",
        }
    }

    /// A zone in one of these states is not serving requests.
    pub fn is_outage(self) -> bool {
        matches!(self, HealthStatus::PartialOutage | HealthStatus::MajorOutage)
    }
}

/// The region roll-up rule of `health-v1.md`, in one place for the emulator and the console.
pub fn roll_up(zones: &[HealthStatus]) -> HealthStatus {
    if zones.is_empty() || zones.iter().all(|z| *z == HealthStatus::Unknown) {
        return HealthStatus::Unknown;
    }
    if zones.iter().all(|z| *z == HealthStatus::MajorOutage) {
        HealthStatus::MajorOutage
    } else if zones.iter().any(|z| z.is_outage()) {
        HealthStatus::PartialOutage
    } else if zones.iter().any(|z| *z == HealthStatus::DegradedPerformance) {
        HealthStatus::DegradedPerformance
    } else if zones.iter().any(|z| *z == HealthStatus::UnderMaintenance) {
        HealthStatus::UnderMaintenance
    } else {
        HealthStatus::Operational
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionRef {
    pub id: String,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneHealth {
    pub id: String,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub status: HealthStatus,
    #[serde(default, deserialize_with = "lenient::count")]
    pub latency_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub checked_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditTier {
    pub below_percent: f64,
    pub credit_percent: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sla {
    pub target_percent: f64,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub slo_percent: Option<f64>,
    #[serde(default)]
    pub credit_tiers: LenientVec<CreditTier>,
}

impl Default for Sla {
    /// IBM's published Secrets Manager SLA, used when a region does not say.
    fn default() -> Self {
        Sla {
            target_percent: 99.99,
            slo_percent: Some(99.999),
            credit_tiers: vec![
                CreditTier { below_percent: 99.99, credit_percent: 10.0 },
                CreditTier { below_percent: 99.9, credit_percent: 25.0 },
            ]
            .into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub status: HealthStatus,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub zones: Vec<String>,
    pub start: String,
    /// `None` while the interval is still open.
    #[serde(default, deserialize_with = "lenient::opt")]
    pub end: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct History {
    #[serde(default, deserialize_with = "lenient::count")]
    pub window_days: Option<u64>,
    #[serde(default)]
    pub intervals: LenientVec<Interval>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentUpdate {
    pub at: String,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: String,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub title: String,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub impact: String,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub started_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub resolved_at: Option<String>,
    #[serde(default)]
    pub updates: LenientVec<IncidentUpdate>,
}

/// How a gateway judged the region (`gateway.md`): by its own probes of the secrets API, since IBM
/// publishes no health API. Absent in documents from a region that reports its own health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeInfo {
    /// Whether the probes carry a service ID's token (a 2xx is then required to count as up).
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub authenticated: bool,
    #[serde(default, deserialize_with = "lenient::count")]
    pub every_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub last_at: Option<String>,
    #[serde(default, deserialize_with = "lenient::count")]
    pub last_ms: Option<u64>,
}

/// `GET /api/health/v1/region`, and the `region` SSE event (which omits `history`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionHealth {
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub schema_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub generated_at: Option<String>,
    pub region: RegionRef,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub status: HealthStatus,
    #[serde(default)]
    pub zones: LenientVec<ZoneHealth>,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub sla: Sla,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub history: Option<History>,
    #[serde(default)]
    pub incidents: LenientVec<Incident>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub probe: Option<ProbeInfo>,
}

/// SSE `event: zone`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ZoneEvent {
    pub zone: String,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub status: HealthStatus,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub at: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub reason: Option<String>,
}

/// SSE `event: heartbeat`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Heartbeat {
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub at: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use HealthStatus::*;

    #[test]
    fn roll_up_follows_the_contract() {
        assert_eq!(roll_up(&[Operational, Operational, Operational]), Operational);
        assert_eq!(roll_up(&[Operational, DegradedPerformance, Operational]), DegradedPerformance);
        assert_eq!(roll_up(&[Operational, MajorOutage, Operational]), PartialOutage);
        assert_eq!(roll_up(&[MajorOutage, MajorOutage, Operational]), PartialOutage);
        assert_eq!(roll_up(&[MajorOutage, MajorOutage, MajorOutage]), MajorOutage);
        assert_eq!(roll_up(&[PartialOutage, DegradedPerformance, Operational]), PartialOutage);
        assert_eq!(roll_up(&[]), Unknown);
    }

    #[test]
    fn unknown_status_strings_read_as_unknown() {
        let z: ZoneHealth = serde_json::from_str(r#"{"id":"z","status":"on_fire","latency_ms":-4}"#).expect("parses");
        assert_eq!(z.status, Unknown);
        assert_eq!(z.latency_ms, None);
    }

    #[test]
    fn parses_the_documented_example() {
        let doc = r#"{"schema_version":"1.0","generated_at":"2026-08-20T12:00:00Z",
          "region":{"id":"us-south","display_name":"Dallas"},"status":"degraded_performance",
          "zones":[{"id":"us-south-1","status":"operational","latency_ms":41,"checked_at":"2026-08-20T11:59:59Z"},
                   {"id":"us-south-2","status":"major_outage","latency_ms":null,"checked_at":"2026-08-20T11:59:59Z","reason":"zone node not answering"}],
          "sla":{"target_percent":99.99,"slo_percent":99.999,"credit_tiers":[{"below_percent":99.99,"credit_percent":10},{"below_percent":99.9,"credit_percent":25}]},
          "history":{"window_days":90,"intervals":[{"status":"partial_outage","zones":["us-south-2"],"start":"2026-08-12T03:10:00Z","end":null}]},
          "incidents":[{"id":"i1","title":"t","impact":"major","status":"resolved","started_at":"2026-08-12T03:10:00Z","updates":[{"at":"2026-08-12T03:15:00Z","status":"investigating","body":"…"}]}]}"#;
        let h: RegionHealth = serde_json::from_str(doc).expect("parses");
        assert_eq!(h.zones.items.len(), 2);
        assert_eq!(h.sla.credit_tiers.items.len(), 2);
        let hist = h.history.expect("history");
        assert_eq!(hist.intervals.items[0].end, None);
        assert_eq!(h.incidents.items[0].updates.items.len(), 1);
    }
}
