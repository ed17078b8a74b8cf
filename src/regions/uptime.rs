//! SLA uptime of one region: 90 daily bars, 30/90-day uptime, this month against the SLA, the
//! error budget, the credit the month would earn, previous months, and what this browser observed.

use leptos::ev::KeyboardEvent;
use leptos::either::Either;
use leptos::prelude::*;
use sm_contract::time::DAY;
use sm_contract::{Incident, RegionHealth, Sla};

use super::signals::RegionSignals;
use crate::model::format;
use crate::model::sla_evidence;
use crate::model::uptime::{self, DayBar, MonthSla, Span};

const DAYS: usize = 90;
// Whole numbers: the SVG attributes are written without float formatting.
const BAR_W: usize = 6;
const BAR_GAP: usize = 2;
const BAR_H: usize = 34;
const NO_DOC: &str = "Uptime history appears once the region's health document has been read.";

/// Everything the uptime view shows, computed once per region document.
#[derive(Debug, Clone, PartialEq)]
struct Figures {
    bars: Vec<DayBar>,
    d30: Option<f64>,
    d90: Option<f64>,
    months: Vec<MonthSla>,
    target: f64,
}

fn figures(doc: &RegionHealth, now: i64) -> Figures {
    let window = doc.history.as_ref().and_then(|h| h.window_days).unwrap_or(DAYS as u64);
    let intervals = doc.history.as_ref().map(|h| h.intervals.items.as_slice()).unwrap_or(&[]);
    let spans: Vec<Span> = uptime::spans(intervals, now);
    let sla: &Sla = &doc.sla;
    let target = sla_evidence::sla_target(sla);
    let months = uptime::months_in_window(now, window)
        .into_iter()
        .map(|(y, m)| uptime::month_sla(&spans, y, m, now, window, target, &sla.credit_tiers.items))
        .collect();
    Figures {
        bars: uptime::day_bars(&spans, now, window, DAYS),
        d30: uptime::window_uptime(&spans, now, window, 30),
        d90: uptime::window_uptime(&spans, now, window, 90),
        months,
        target,
    }
}

/// The 90 bars' outline, each `BAR_W` wide with `BAR_GAP` between.
fn empty_bars() -> String {
    (0..DAYS).map(|i| format!("M{} 0h{BAR_W}v{BAR_H}h-{BAR_W}z", i * (BAR_W + BAR_GAP))).collect()
}

fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// One day's summary. `down_since`: the region is unavailable right now (since that clock time)
/// and `bar` is today — the history in hand predates that, so it must not read as a clean day.
fn day_summary(bar: &DayBar, incidents: &[Incident], down_since: Option<&str>) -> String {
    let mut parts = vec![format!("{}: ", format::date(bar.start))];
    match (bar.uptime, down_since) {
        (p, Some(t)) => {
            parts.push(format!("unavailable now (since {t})"));
            if let Some(p) = p {
                parts.push(format!("; before that {} uptime in the region's last report", format::percent(p)));
            }
        }
        (None, None) => parts.push("no data".into()),
        (Some(p), None) => {
            parts.push(format!("{} uptime", format::percent(p)));
            if bar.major_s > 0 {
                parts.push(format!(", {} major outage", format::duration(bar.major_s)));
            }
            if bar.partial_s > 0 {
                parts.push(format!(", {} partial outage", format::duration(bar.partial_s)));
            }
            if bar.degraded_s > 0 {
                parts.push(format!(", {} degraded", format::duration(bar.degraded_s)));
            }
            if bar.major_s + bar.partial_s + bar.degraded_s == 0 {
                parts.push(", no downtime".into());
            }
        }
    }
    let titles: Vec<&str> = incidents
        .iter()
        .filter(|i| {
            let start = i.started_at.as_deref().and_then(sm_contract::time::parse_rfc3339);
            let end = i.resolved_at.as_deref().and_then(sm_contract::time::parse_rfc3339);
            match start {
                Some(s) => s < bar.start + DAY && end.is_none_or(|e| e >= bar.start),
                None => false,
            }
        })
        .map(|i| i.title.as_str())
        .take(3)
        .collect();
    if !titles.is_empty() {
        parts.push(format!(". Incidents: {}", titles.join("; ")));
    }
    parts.concat()
}

fn credit_text(m: &MonthSla) -> String {
    if m.credit_percent > 0.0 {
        format!("{}% service credit", format::number(m.credit_percent))
    } else {
        "no credit".into()
    }
}

#[component]
pub fn UptimeView(signals: RegionSignals) -> impl IntoView {
    let figs = Memo::new(move |_| signals.health.with(|h| h.as_ref().map(|doc| figures(doc, now_s()))));
    let incidents = Memo::new(move |_| signals.health.with(|h| h.as_ref().map(|d| d.incidents.items.clone()).unwrap_or_default()));
    // The day under the pointer or keyboard focus; the most recent day otherwise.
    let selected: RwSignal<Option<usize>> = RwSignal::new(None);

    let on_key = move |ev: KeyboardEvent| {
        let step: i64 = match ev.key().as_str() {
            "ArrowLeft" => -1,
            "ArrowRight" => 1,
            "Home" => -(DAYS as i64),
            "End" => DAYS as i64,
            _ => return,
        };
        ev.prevent_default();
        let cur = selected.get_untracked().unwrap_or(DAYS - 1) as i64;
        selected.set(Some((cur + step).clamp(0, DAYS as i64 - 1) as usize));
    };

    let down_since = move || -> Option<String> {
        (signals.state.get() == crate::model::region_state::RegionState::Unavailable)
            .then(|| signals.live_as_of_ms.get().map(super::panel::clock_time).unwrap_or_else(|| "this page opened".into()))
    };
    let detail = move || {
        let down = down_since();
        figs.with(|f| {
            f.as_ref().and_then(|f| {
                let last = f.bars.len().saturating_sub(1);
                let i = selected.get().unwrap_or(last);
                let down = down.as_deref().filter(|_| i == last);
                f.bars.get(i).map(|b| incidents.with(|inc| day_summary(b, inc, down)))
            })
        })
    };

    let bars_ref = NodeRef::<leptos::svg::Svg>::new();
    // One effect marks the selected bar and one listener follows the pointer, instead of an effect
    // and a listener on each of the 90 bars: those were much of the panels' first render (two
    // regions, 180 bars), and every hover re-ran all 90 effects.
    Effect::new(move |prev: Option<Option<usize>>| {
        let cur = selected.get();
        if let Some(svg) = bars_ref.get() {
            let bars = svg.children();
            for (i, add) in [(prev.flatten(), false), (cur, true)] {
                if let Some(el) = i.and_then(|i| bars.item(i as u32)) {
                    let list = el.class_list();
                    let _ = if add { list.add_1("selected") } else { list.remove_1("selected") };
                }
            }
        }
        cur
    });
    let width = DAYS * (BAR_W + BAR_GAP) - BAR_GAP;
    let on_pointer = move |ev: leptos::ev::MouseEvent| {
        let Some(svg) = bars_ref.get_untracked() else { return };
        let n = figs.with_untracked(|f| f.as_ref().map_or(0, |f| f.bars.len()));
        let r = svg.get_bounding_client_rect();
        if n == 0 || r.width() <= 0.0 {
            return;
        }
        // The bars are stretched to the box's width (preserveAspectRatio="none"): a gap between
        // two bars belongs to the nearer one.
        let x = (f64::from(ev.client_x()) - r.left()) / r.width() * width as f64;
        let i = ((x + BAR_GAP as f64 / 2.0) / (BAR_W + BAR_GAP) as f64).floor().clamp(0.0, (n - 1) as f64) as usize;
        if selected.get_untracked() != Some(i) {
            selected.set(Some(i));
        }
    };

    view! {
        // A group, not a landmark: every panel has one, and same-named landmarks are ambiguous
        // (axe counts any named <section> as a landmark, whatever its role, hence a <div>).
        <div class="uptime" role="group" aria-label="SLA uptime">
            // Before the region document has been read, the same blocks are drawn empty ("—", grey
            // bars, this window's months): the figures then fill in place instead of pushing the
            // rest of the page down (layout shift), whatever the screen's width.
            {move || {
                let f = figs.get();
                let ready = f.is_some();
                // A region without a health API will never send one: say so instead of holding
                // empty blocks open.
                if !ready && !signals.has_health_api.get() {
                    return Either::Left(view! { <p class="note">{NO_DOC}</p> });
                }
                let last = f.as_ref().map_or(0, |f| f.bars.len().saturating_sub(1));
                let bars = f.as_ref().map(|f| f.bars.iter().enumerate().map(|(i, bar)| {
                    let x = i * (BAR_W + BAR_GAP);
                    let bar = bar.clone();
                    let (date, bucket) = (bar.date.clone(), bar.bucket.as_str());
                    // Today's tooltip follows the region's state: no "no downtime" while it is
                    // down. The other days' are fixed for this document.
                    let title = if i == last {
                        Either::Left(move || incidents.with_untracked(|inc| day_summary(&bar, inc, down_since().as_deref())))
                    } else {
                        Either::Right(incidents.with_untracked(|inc| day_summary(&bar, inc, None)))
                    };
                    view! {
                        <rect
                            x=format!("{x}") y="0" width=format!("{BAR_W}") height=format!("{BAR_H}") rx="1.5"
                            class="day" data-uptime-day=date data-bucket=bucket
                        ><title>{title}</title></rect>
                    }
                }).collect::<Vec<_>>());
                // The empty bars are one path: nothing to select or read in them yet, and 180
                // elements fewer in the page's first render.
                let empty = bars.is_none().then(|| view! { <path class="day" d=empty_bars()></path> });
                let (target, months) = match &f {
                    Some(f) => (Some(f.target), f.months.clone()),
                    None => (None, Vec::new()),
                };
                let dash = || "—".to_string();
                let month_keys: Vec<(i64, u32)> = match &f {
                    Some(f) => f.months.iter().map(|m| (m.year, m.month)).collect(),
                    None => uptime::months_in_window(now_s(), DAYS as u64),
                };
                let current = month_keys.first().map(|&(y, mo)| {
                    let m = months.first();
                    let sla = target.map(|t| format!("{}%", format::number(t))).unwrap_or_else(dash);
                    let met = match (m, target) { (Some(m), Some(t)) => m.availability >= t, _ => true };
                    let budget_ratio = m.map_or(0.0, |m| if m.allowed_minutes > 0.0 { (m.budget_left_minutes / m.allowed_minutes).clamp(0.0, 1.0) } else { 0.0 });
                    view! {
                        <div class="figure" data-sla-month=m.map(|_| format!("{y}-{mo:02}"))>
                            <span class="label">{format!("{} availability so far (SLA {sla})", uptime::month_label(y, mo))}</span>
                            <span class="value" class:breach=!met>{m.map(|m| format::percent(m.availability)).unwrap_or_else(dash)}</span>
                            <span class="sub">{m.map(credit_text).unwrap_or_else(dash)}</span>
                        </div>
                        <div class="figure">
                            <span class="label">"Error budget left"</span>
                            <span class="value" class:breach=m.is_some_and(|m| m.budget_left_minutes < 0.0)>{m.map(|m| format!("{} of {}", format::minutes(m.budget_left_minutes), format::minutes(m.allowed_minutes))).unwrap_or_else(dash)}</span>
                            <svg class="budget" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
                                <rect class="budget-track" x="0" y="0" width="100" height="6" rx="3"></rect>
                                <rect class="budget-left" x="0" y="0" width=format::fixed(budget_ratio * 100.0, 1) height="6" rx="3"></rect>
                            </svg>
                        </div>
                    }
                });
                let previous: Vec<_> = month_keys.iter().enumerate().skip(1).map(|(i, &(y, mo))| (y, mo, months.get(i).cloned())).collect();
                let (d30, d90) = f.as_ref().map_or((None, None), |f| (f.d30, f.d90));
                Either::Right(view! {
                    <div class="uptime-figures">
                        <div class="figure"><span class="label">"30 days"</span><span class="value">{d30.map(format::percent).unwrap_or_else(dash)}</span></div>
                        <div class="figure"><span class="label">"90 days"</span><span class="value">{d90.map(format::percent).unwrap_or_else(dash)}</span></div>
                        {current}
                    </div>
                    <svg
                        class="bars" node_ref=bars_ref
                        role=ready.then_some("group") tabindex=ready.then_some("0") aria-hidden=(!ready).then_some("true")
                        aria-label=ready.then_some("Daily uptime, last 90 days. Use the arrow keys to read each day.")
                        viewBox=format!("0 0 {width} {BAR_H}") preserveAspectRatio="none"
                        on:keydown=on_key
                        on:mousemove=on_pointer
                        on:mouseleave=move |_| selected.set(None)
                    >{bars}{empty}</svg>
                    <div class="bars-axis" aria-hidden="true"><span>"90 days ago"</span><span>"today"</span></div>
                    <p class="day-detail" aria-live="polite">
                        {move || detail().unwrap_or_else(|| NO_DOC.into())}
                    </p>
                    {(!previous.is_empty()).then(|| view! {
                        <table class="months">
                            <caption>"Previous months (IBM SLA availability)"</caption>
                            <thead><tr><th scope="col">"Month"</th><th scope="col">"Availability"</th><th scope="col">"Downtime"</th><th scope="col">"Credit"</th></tr></thead>
                            <tbody>
                                {previous.into_iter().map(|(y, mo, m)| {
                                    let partial = m.as_ref().map_or_else(|| !uptime::history_covers(y, mo, now_s(), DAYS as u64), |m| !m.complete_history);
                                    view! {
                                    <tr>
                                        <th scope="row">{uptime::month_label(y, mo)}{partial.then_some(" (partial data)")}</th>
                                        <td class:breach=m.as_ref().zip(target).is_some_and(|(m, t)| m.availability < t)>{m.as_ref().map(|m| format::percent(m.availability)).unwrap_or_else(dash)}</td>
                                        <td>{m.as_ref().map(|m| format!("{} min", crate::model::paging::thousands(m.downtime_minutes.max(0) as u64))).unwrap_or_else(dash)}</td>
                                        <td>{m.as_ref().map(credit_text).unwrap_or_else(dash)}</td>
                                    </tr>
                                }}).collect::<Vec<_>>()}
                            </tbody>
                        </table>
                    })}
                })
            }}
            <p class="observed">
                "Observed from this browser: "
                {move || signals.session.with(|s| match s.percent() {
                    Some(p) => format!("{} over {}{}", format::percent(p), format::duration((s.observed_ms() / 1000.0).round() as i64),
                        if s.down_ms() > 0.0 { format!(" ({} unreachable)", format::duration((s.down_ms() / 1000.0).round() as i64)) } else { String::new() }),
                    None => "not yet measured".into(),
                })}
            </p>
        </div>
    }
}
