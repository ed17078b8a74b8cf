//! The zone indicators of one region.

use leptos::prelude::*;
use sm_contract::HealthStatus;

use super::signals::RegionSignals;
use crate::model::region_state::{DownCause, RegionState};

/// Whether the zone data shown is the region's last answer rather than a live one: the region is
/// unavailable because it cannot be reached or does not answer. (All zones down is a live answer.)
fn zones_stale(signals: RegionSignals) -> bool {
    signals.state.get() == RegionState::Unavailable && signals.down_cause.get() != Some(DownCause::AllZonesDown)
}

#[component]
pub fn ZoneList(signals: RegionSignals, region_id: String) -> impl IntoView {
    let zones = move || {
        signals.health.with(|h| h.as_ref().map(|h| h.zones.items.clone()).unwrap_or_default())
    };
    let placeholder_ids: Vec<String> = (1..=3).map(|n| format!("{region_id}-{n}")).collect();
    let as_of = move || signals.live_as_of_ms.get().map(super::panel::clock_time);
    view! {
        <ul class="zones" aria-label="Availability zones" data-stale=move || zones_stale(signals).then_some("")>
            {move || {
                let zs = zones();
                if zones_stale(signals) {
                    // Last-known zone data is stale like the rest: each zone is unknown now, with
                    // what it last reported and when.
                    let when = as_of();
                    return zs
                        .into_iter()
                        .take(16)
                        .map(|z| {
                            let last = match &when {
                                Some(t) => format!("last reported {} at {t}", z.status.label().to_lowercase()),
                                None => format!("last reported {}", z.status.label().to_lowercase()),
                            };
                            zone_item(signals, z.id, HealthStatus::Unknown, None, None, Some(last))
                        })
                        .collect::<Vec<_>>();
                }
                if !signals.has_health_api.get() || zs.is_empty() {
                    // No zone data: show the zones as unknown rather than invent a status.
                    placeholder_ids
                        .iter()
                        .map(|id| zone_item(signals, id.clone(), HealthStatus::Unknown, None, None, None))
                        .collect::<Vec<_>>()
                } else {
                    zs.into_iter()
                        .take(16)
                        .map(|z| zone_item(signals, z.id, z.status, z.latency_ms, z.reason, None))
                        .collect::<Vec<_>>()
                }
            }}
        </ul>
        <Show when=move || !signals.has_health_api.get()>
            <p class="note">"Zone data needs the region's health API, which this region does not serve. Availability is judged from the console's own requests."</p>
        </Show>
    }
}

const SPARK_W: f64 = 90.0;
const SPARK_H: f64 = 18.0;
/// The same box for the `viewBox` attribute, written without float formatting.
const SPARK_VIEWBOX: &str = "0 0 90 18";

/// `last`: what a zone last reported, shown beside "Unknown" while the region cannot be read.
fn zone_item(signals: RegionSignals, id: String, status: HealthStatus, latency: Option<u64>, reason: Option<String>, last: Option<String>) -> impl IntoView {
    let latency = latency.map(|l| format!("{l} ms")).unwrap_or_else(|| "—".to_string());
    let title = reason.clone().unwrap_or_default();
    let zone = id.clone();
    let path = move || {
        signals.latency.with(|all| all.iter().find(|(z, _)| *z == zone).map(|(_, s)| s.path(SPARK_W, SPARK_H)).unwrap_or_default())
    };
    view! {
        <li class="zone" data-zone=id.clone() data-status=status.as_str() title=title>
            <span class="dot" aria-hidden="true"></span>
            <span class="zone-id">{id.clone()}</span>
            <span class="zone-status">{status.label()}{reason.map(|r| view! { <span class="sr-only">{format!(": {r}")}</span> })}
                {last.map(|l| view! { <span class="zone-last" data-last-known="">{format!(" ({l})")}</span> })}</span>
            <svg class="spark" viewBox=SPARK_VIEWBOX aria-hidden="true">
                <path d=path></path>
            </svg>
            <span class="zone-latency">{latency}</span>
        </li>
    }
}
