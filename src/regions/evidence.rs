//! SLA evidence downloads: for each month the history covers, the file a customer attaches to a
//! credit claim, in CSV or JSON, made here in the browser from the same figures the uptime view
//! shows (`model::sla_evidence`).

use leptos::prelude::*;

use super::signals::RegionSignals;
use crate::download::save_text;
use crate::model::sla_evidence;
use crate::model::uptime;

fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

#[component]
pub fn EvidenceDownloads(signals: RegionSignals, region_id: String, label: String, source: String) -> impl IntoView {
    // Before the region document has been read (and while one is expected), the controls are
    // drawn disabled over the default window's months, so their arrival moves nothing below.
    let months = Memo::new(move |_| {
        signals.health.with(|h| match h {
            Some(doc) => uptime::months_in_window(now_s(), doc.history.as_ref().and_then(|x| x.window_days).unwrap_or(90)),
            None if signals.has_health_api.get() => uptime::months_in_window(now_s(), 90),
            None => Vec::new(),
        })
    });
    let pending = move || signals.health.with(Option::is_none);
    let chosen: RwSignal<Option<(i64, u32)>> = RwSignal::new(None);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let save = move |json: bool| {
        let Some((y, m)) = chosen.get_untracked().or_else(|| months.with_untracked(|ms| ms.first().copied())) else { return };
        let file = signals.health.with_untracked(|h| {
            h.as_ref().map(|doc| {
                let e = sla_evidence::evidence(doc, &region_id, &label, &source, y, m, now_s());
                if json {
                    (e.file_name("json"), "application/json", e.to_json())
                } else {
                    (e.file_name("csv"), "text/csv", e.to_csv())
                }
            })
        });
        if let Some((name, mime, text)) = file {
            error.set(save_text(&name, mime, &text).err().map(|e| e.to_string()));
        }
    };
    let save_csv = save.clone();
    view! {
        <Show when=move || months.with(|m| !m.is_empty())>
            <div class="evidence" data-evidence="">
                <label>
                    <span>"SLA evidence for "</span>
                    <select data-evidence-month="" disabled=pending on:change=move |ev| {
                        let v = event_target_value(&ev);
                        chosen.set(v.split_once('-').and_then(|(y, m)| Some((y.parse().ok()?, m.parse().ok()?))));
                    }>
                        {move || months.get().into_iter().map(|(y, m)| {
                            let key = format!("{y}-{m:02}");
                            view! { <option value=key.clone()>{key.clone()}</option> }
                        }).collect::<Vec<_>>()}
                    </select>
                </label>
                <button type="button" data-evidence-download="csv" disabled=pending on:click={
                    let save_csv = save_csv.clone();
                    move |_| save_csv(false)
                }>"Download CSV"</button>
                <button type="button" data-evidence-download="json" disabled=pending on:click={
                    let save = save.clone();
                    move |_| save(true)
                }>"Download JSON"</button>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </div>
        </Show>
    }
}
