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
pub fn IncidentList(signals: RegionSignals) -> impl IntoView {
    let incidents = Memo::new(move |_| {
        signals.health.with(|h| h.as_ref().map(|d| sorted(d.incidents.items.clone())).unwrap_or_default())
    });
    let open = move || incidents.with(|l| l.iter().filter(|i| !i.status.eq_ignore_ascii_case("resolved")).count());
    view! {
        <details class="incidents">
            <summary>
                {move || format!("Incidents ({})", incidents.with(Vec::len))}
                {move || (open() > 0).then(|| view! { <span class="open-count">{format!(" · {} open", open())}</span> })}
            </summary>
            {move || {
                let list = incidents.get();
                if list.is_empty() {
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
