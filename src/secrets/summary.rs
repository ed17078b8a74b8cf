//! The secrets line of a region's panel: how many are loaded, whether a load is running, and
//! what went wrong. The shell puts it in the panel's slot.

use leptos::prelude::*;

use super::store::SecretsLoad;
use crate::model::paging::thousands;
use crate::regions::panel::clock_time;

#[component]
pub fn SecretsSummary(list: RwSignal<SecretsLoad>) -> impl IntoView {
    // When this page started trying to read the region: "nothing read yet, since …".
    let opened_ms = js_sys::Date::now();
    let total = move || list.with(|l| l.items.len());
    // Unknown is not zero: until a first list arrives there is no count to show.
    let never_read = move || list.with(|l| !l.has_count());
    let signed_out = move || list.with(|l| l.signed_out);
    view! {
        <div class="secrets-summary" data-secrets-total=move || (!never_read()).then(|| total().to_string())
            data-never-read=move || never_read().then_some("") data-signed-out=move || signed_out().then_some("")>
            {move || if never_read() && signed_out() {
                view! { <span>"Secrets: sign in with your API key to read them"</span> }.into_any()
            } else if never_read() {
                let what = if list.with(|l| l.loading) { "loading" } else { "nothing could be read yet" };
                view! { <span>{format!("Secrets: {what} (trying since {})", clock_time(opened_ms))}</span> }.into_any()
            } else {
                view! { <span class="big-number">{thousands(total() as u64)}</span> " secrets" }.into_any()
            }}
            {move || list.with(|l| (l.loading && l.has_count()).then_some(" (loading…)"))}
            {move || list.with(|l| (l.skipped > 0).then(|| format!(" · {} entries could not be read", thousands(l.skipped as u64))))}
        </div>
        {move || list.with(|l| l.error.as_ref().map(|e| view! { <p class="error">{e.to_string()}</p> }))}
    }
}
