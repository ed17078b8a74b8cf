//! The region's incidents, newest first, each with its updates.

use leptos::prelude::*;
use sm_contract::time::parse_rfc3339;
use sm_contract::Incident;

use super::signals::RegionSignals;
use crate::model::format;

/// At most this many incidents are drawn: a hostile region may claim thousands.
const MAX_SHOWN: usize = 20;

fn sorted(mut list: Vec<Incident>) -> Vec<Incident> {
    list.sort_by_key(|i| std::cmp::Reverse(i.started_at.as_deref().and_then(parse_rfc3339).unwrap_or(i64::MIN)));
    list.truncate(MAX_SHOWN);
    list
}

#[component]
pub fn IncidentList(
    signals: RegionSignals,
    /// When the page started reading the region, for "not read yet (since …)".
    #[prop(optional)]
    opened_ms: Option<f64>,
) -> impl IntoView {
    let incidents = Memo::new(move |_| {
        signals.health.with(|h| h.as_ref().map(|d| sorted(d.incidents.items.clone())).unwrap_or_default())
    });
    let open = move || incidents.with(|l| l.iter().filter(|i| !i.status.eq_ignore_ascii_case("resolved")).count());
    view! {
        <details class="incidents">
            <summary>
                {move || if !signals.has_health_api.get() {
                    "Incidents: not available".to_string()
                } else if signals.health.with(Option::is_none) {
                    // No region document yet: the count is unknown, not zero.
                    "Incidents: not read yet".to_string()
                } else {
                    format!("Incidents ({})", crate::model::paging::thousands(incidents.with(Vec::len) as u64))
                }}
                {move || (open() > 0).then(|| view! { <span class="open-count">{format!(" · {} open", open())}</span> })}
            </summary>
            {move || {
                let list = incidents.get();
                if !signals.has_health_api.get() {
                    view! { <p class="note">"Incidents need the region's health API, which this region does not serve."</p> }.into_any()
                } else if signals.health.with(Option::is_none) {
                    let since = opened_ms.map(|t| format!(" (trying since {})", super::panel::clock_time(t))).unwrap_or_default();
                    view! { <p class="note" data-never-read="">{format!("The region's incidents could not be read yet{since}.")}</p> }.into_any()
                } else if list.is_empty() {
                    view! { <p class="note">"No incidents in the last 90 days."</p> }.into_any()
                } else {
                    view! {
                        <ol class="incident-list">
                            {list.into_iter().map(|i| view! {
                                <li class="incident" data-impact=i.impact.clone()>
                                    <div class="incident-head">
                                        <strong>{i.title.clone()}</strong>
                                        <span class="tag">{i.impact.clone()}</span>
                                        <span class="tag">{i.status.clone()}</span>
                                    </div>
                                    <div class="note">
                                        {i.started_at.as_deref().map(format::timestamp)}
                                        {i.resolved_at.as_deref().map(|r| format!(" – {}", format::timestamp(r)))}
                                    </div>
                                    <ul class="updates">
                                        {i.updates.items.iter().take(10).map(|u| view! {
                                            <li><span class="tag">{u.status.clone()}</span> " " {format::timestamp(&u.at)} ": " {u.body.clone()}</li>
                                        }).collect::<Vec<_>>()}
                                    </ul>
                                </li>
                            }).collect::<Vec<_>>()}
                        </ol>
                    }.into_any()
                }
            }}
        </details>
    }
}
