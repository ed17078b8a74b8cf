//! The secrets line of a region's panel: how many are loaded, whether a load is running, and
//! what went wrong. The shell puts it in the panel's slot.

use leptos::prelude::*;

use super::store::SecretsLoad;

#[component]
pub fn SecretsSummary(list: RwSignal<SecretsLoad>) -> impl IntoView {
    let total = move || list.with(|l| l.items.len());
    view! {
        <div class="secrets-summary" data-secrets-total=move || total().to_string()>
            <span class="big-number">{move || total().to_string()}</span>
            " secrets"
            {move || list.with(|l| l.loading.then_some(" (loading…)"))}
            {move || list.with(|l| (l.skipped > 0).then(|| format!(" · {} entries could not be read", l.skipped)))}
        </div>
        {move || list.with(|l| l.error.as_ref().map(|e| view! { <p class="error">{e.to_string()}</p> }))}
    }
}
