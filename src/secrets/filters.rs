//! The filter bar of a secrets view: instant client-side text filter (`data-secrets-filter`),
//! menus for type, group, state, label and expiry, and the explicit server search.

use leptos::prelude::*;

use crate::model::secrets_filter::{ExpiringFilter, Facets, Filter};

fn some(v: String) -> Option<String> {
    (!v.is_empty()).then_some(v)
}

#[component]
fn Choice<S: Fn(Option<String>) + 'static>(
    label: &'static str,
    all: &'static str,
    /// `(value, label)` pairs.
    options: Signal<Vec<(String, String)>>,
    /// The value chosen now: options are rebuilt when the loaded list changes, and each says
    /// whether it is the chosen one, so the menu never shows one thing while filtering by another.
    current: Signal<Option<String>>,
    set: S,
) -> impl IntoView {
    view! {
        <label class="choice">
            <span>{label}</span>
            <select data-filter=label.to_ascii_lowercase() on:change=move |ev| set(some(event_target_value(&ev)))>
                <option value="" prop:selected=move || current.with(Option::is_none)>{all}</option>
                {move || options.get().into_iter().map(|(v, l)| {
                    let v2 = v.clone();
                    view! { <option value=v prop:selected=move || current.with(|c| c.as_deref() == Some(v2.as_str()))>{l}</option> }
                }).collect::<Vec<_>>()}
            </select>
        </label>
    }
}

#[component]
pub fn FilterBar<F: Fn() + Clone + 'static>(
    filter: RwSignal<Filter>,
    facets: Memo<Facets>,
    group_names: Signal<Vec<(String, String)>>,
    on_search: F,
) -> impl IntoView {
    let pairs = |v: &[String]| v.iter().map(|x| (x.clone(), x.clone())).collect::<Vec<_>>();
    let types = Signal::derive(move || facets.with(|f| pairs(&f.types)));
    let groups = group_names;
    let states = Signal::derive(move || facets.with(|f| f.states.iter().map(|s| (s.to_string(), s.to_string())).collect()));
    let list_id = format!("labels-{}", js_sys::Math::random().to_bits());
    let search = on_search.clone();
    // Inputs start from the kept state (a restored view shows its filter) and are then left to
    // the user: binding them to the signal would fight the caret on every keystroke.
    let text0 = filter.with_untracked(|f| f.raw_text().to_string());
    let label0 = filter.with_untracked(|f| f.label.clone().unwrap_or_default());
    let cur_type = Signal::from(Memo::new(move |_| filter.with(|f| f.secret_type.clone())));
    let cur_group = Signal::from(Memo::new(move |_| filter.with(|f| f.group.clone())));
    let cur_state = Signal::from(Memo::new(move |_| filter.with(|f| f.state.clone())));
    let exp = move |v: ExpiringFilter| filter.with(|f| f.expiring == v);
    view! {
        <div class="filters" role="search">
            <label class="text-filter">
                <span class="sr-only">"Filter loaded secrets"</span>
                <input type="search" data-secrets-filter="" placeholder="Filter by name, id, label, description…" autocomplete="off" prop:value=text0
                    on:input=move |ev| filter.update(|f| f.set_text(&event_target_value(&ev)))
                    on:keydown=move |ev| if ev.key() == "Enter" && ev.ctrl_key() { search() } />
            </label>
            <button type="button" on:click=move |_| on_search() title="Ask each region's server (search parameter) instead of filtering what is loaded">
                "Search server"
            </button>
            <Choice label="Type" all="All types" options=types current=cur_type set=move |v| filter.update(|f| f.secret_type = v) />
            <Choice label="Group" all="All groups" options=groups current=cur_group set=move |v| filter.update(|f| f.group = v) />
            <Choice label="State" all="All states" options=states current=cur_state set=move |v| filter.update(|f| f.state = v) />
            <label class="choice">
                <span>"Label"</span>
                <input type="text" list=list_id.clone() size="10" prop:value=label0 on:input=move |ev| filter.update(|f| f.label = some(event_target_value(&ev).trim().to_string())) />
                <datalist id=list_id>
                    {move || facets.with(|f| f.labels.iter().map(|l| view! { <option value=l.clone()></option> }).collect::<Vec<_>>())}
                </datalist>
            </label>
            <label class="choice">
                <span>"Expiry"</span>
                <select on:change=move |ev| filter.update(|f| f.expiring = ExpiringFilter::parse(&event_target_value(&ev)))>
                    <option value="" prop:selected=move || exp(ExpiringFilter::Any)>"Any"</option>
                    <option value="attention" prop:selected=move || exp(ExpiringFilter::Attention)>"Expired or within 30 days"</option>
                    <option value="expired" prop:selected=move || exp(ExpiringFilter::Expired)>"Expired"</option>
                    <option value="soon" prop:selected=move || exp(ExpiringFilter::Soon)>"Within 30 days"</option>
                </select>
            </label>
        </div>
    }
}
