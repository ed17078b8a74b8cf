//! One region's panel: state, plain explanation when unavailable, zones, uptime, incidents, and
//! a slot for what the shell shows about the region's data.

use leptos::prelude::*;

use super::evidence::EvidenceDownloads;
use super::signals::RegionSignals;
use super::incidents::IncidentList;
use super::uptime::UptimeView;
use super::zones::ZoneList;
use crate::config::RegionConfig;
use crate::model::region_state::{DownCause, RegionState};

/// Local time as `HH:MM:SS` (what `toLocaleTimeString("en-GB")` gives), written by hand: the first
/// locale call loads the browser's locale data, about 9 ms in the middle of the first render.
pub fn clock_time(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    if d.get_time().is_nan() {
        return "an unknown time".to_string();
    }
    let two = |n: u32| if n < 10 { format!("0{n}") } else { n.to_string() };
    format!("{}:{}:{}", two(d.get_hours()), two(d.get_minutes()), two(d.get_seconds()))
}

/// "1 of 3 zones down (us-south-2)", or the reported status when zones do not say.
fn zones_down_text(s: RegionSignals) -> String {
    s.health.with(|h| {
        let Some(doc) = h else { return "zone trouble reported".to_string() };
        let zones = &doc.zones.items;
        let down: Vec<&str> = zones.iter().filter(|z| z.status.is_outage()).map(|z| z.id.as_str()).collect();
        if down.is_empty() {
            doc.status.label().to_lowercase()
        } else {
            format!("{} of {} zones down ({})", down.len(), zones.len(), down.join(", "))
        }
    })
}

fn state_label(s: RegionState) -> &'static str {
    match s {
        RegionState::Unknown => "Connecting…",
        RegionState::Available => "Available",
        RegionState::Degraded => "Degraded",
        RegionState::Unavailable => "Unavailable",
    }
}

/// `probed`: the region's health comes from a gateway's probes (`gateway.md`), which sees the
/// instance as a whole, so "all zones down" would claim zone data nobody has.
fn cause_text(c: Option<DownCause>, probed: bool) -> &'static str {
    match c {
        Some(DownCause::AllZonesDown) if probed => "The region's gateway reports that its instance is not answering.",
        Some(DownCause::NotResponding) => "The region accepts connections but does not answer.",
        Some(DownCause::AllZonesDown) => "The region reports all three of its zones down.",
        _ => "The console cannot reach the region.",
    }
}

#[component]
/// `children` is what the shell puts in the panel about the region's data (the secrets summary):
/// this feature shows the region, not its secrets.
pub fn RegionPanel(signals: RegionSignals, config: RegionConfig, others: Vec<String>, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    let s = signals;
    let cfg = config;
    let heading_id = format!("region-{}-title", cfg.id);
    let unavailable = move || s.state.get() == RegionState::Unavailable;
    let others_text = if others.is_empty() { "No other region".to_string() } else { others.join(" and ") };
    // When this page started trying to read the region: "nothing read yet, since …".
    let opened_ms = js_sys::Date::now();
    let as_of = move || {
        s.live_as_of_ms
            .get()
            .map(|t| format!("Last known data, as of {}.", clock_time(t)))
            .unwrap_or_else(|| format!("Nothing could be read from this region yet (trying since {}).", clock_time(opened_ms)))
    };
    let label = cfg.label.clone();
    let announce = {
        let label = label.clone();
        move || match s.state.get() {
            RegionState::Unknown => String::new(),
            st => format!("{label}: {}", state_label(st)),
        }
    };

    view! {
        <section
            class="region"
            data-region=cfg.id.clone()
            data-state=move || s.state.get().as_str()
            aria-disabled=move || unavailable().then_some("true")
            aria-labelledby=heading_id.clone()
        >
            <header class="region-head">
                <h2 id=heading_id.clone()>{cfg.label.clone()} <span class="region-id">{cfg.id.clone()}</span></h2>
                <span class="badge" data-badge=move || s.state.get().as_str()>
                    {move || state_label(s.state.get())}
                    {move || s.suspect.get().then_some(" · checking…")}
                </span>
            </header>
            <p class="sr-only" aria-live="polite">{announce}</p>
            // One message box whatever the state, with a reserved height: changing state never
            // moves the rest of the panel (no layout shift).
            <div class="banner" data-tone=move || s.state.get().as_str()>
                {move || match s.state.get() {
                    RegionState::Unknown => view! { <span>{format!("Connecting to {label}…")}</span> }.into_any(),
                    RegionState::Available => view! {
                        <span><strong>{format!("{label} is operating normally.")}</strong> " Live data, updated as it changes."</span>
                    }.into_any(),
                    RegionState::Degraded => view! {
                        <span><strong>{format!("{label} is degraded: {}.", zones_down_text(s))}</strong>
                        " It keeps serving from its healthy zones; some requests may fail briefly while traffic moves."</span>
                    }.into_any(),
                    RegionState::Unavailable => view! {
                        <span>
                            <strong>{format!("{label} is unavailable.")}</strong> " " {move || cause_text(s.down_cause.get(), s.health.with(|h| h.as_ref().is_some_and(|d| d.probe.is_some())))} " "
                            {format!("{others_text} is a separate instance and has not taken over: there is no automatic failover between regions. ")}
                            "IBM states that when the region returns, the service restores its data and traffic; no action is needed for the service itself. "
                            <strong>"Applications that use this region need their own fallback"</strong>
                            {format!(" (for example, pointing them at {others_text}): nothing fails over automatically. This panel updates by itself.")}
                        </span>
                    }.into_any(),
                }}
            </div>
            <div class="region-body" data-stale=move || unavailable().then_some("")>
                <ZoneList signals=s region_id=cfg.id.clone() />
                <UptimeView signals=s />
                <EvidenceDownloads signals=s region_id=cfg.id.clone() label=cfg.label.clone() source=format!("{}/api/health/v1/region", cfg.api) />
                <IncidentList signals=s opened_ms=opened_ms />
                {children.map(|c| c())}
                <Show when=unavailable>
                    <p class="stale-note" data-stale="">{as_of}</p>
                </Show>
                {move || s.problem.get().map(|p| view! { <p class="error">{p}</p> })}
            </div>
        </section>
    }
}
