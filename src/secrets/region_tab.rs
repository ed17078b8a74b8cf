//! One region's secrets view: load progress, reload, create and groups, then its table.

use leptos::prelude::*;

use super::data::{Ctx, RegionData};
use super::manage::Groups;
use super::table::SecretsTable;
use crate::model::paging::progress_text;

#[component]
pub fn LoadStatus(region: RegionData) -> impl IntoView {
    let s = region.secrets;
    let label = region.label.clone();
    view! {
        <p class="load-status" role="status" data-loading=move || s.with(|l| l.loading.then_some(""))>
            {move || s.with(|l| {
                let mut t = if l.loading {
                    format!("{label}: loading {}…", progress_text(l.received, l.total))
                } else {
                    format!("{label}: {} secrets loaded", crate::model::paging::thousands(l.items.len() as u64))
                };
                if l.loading && l.loaded_at_ms.is_some() {
                    t.push_str(" (showing the previous list until the new one is complete)");
                }
                if l.failed_pages > 0 {
                    t.push_str(&format!(" · {} page(s) could not be loaded after retries", crate::model::paging::thousands(l.failed_pages as u64)));
                }
                if l.skipped > 0 {
                    t.push_str(&format!(" · {} entries could not be read", crate::model::paging::thousands(l.skipped as u64)));
                }
                t
            })}
            {move || s.with(|l| l.error.as_ref().map(|e| view! { <span class="error">{format!(" · {e}")}</span> }))}
        </p>
    }
}

#[component]
pub fn RegionTab(ctx: Ctx, region: RegionData, #[prop(optional)] state: Option<super::views::ViewState>) -> impl IntoView {
    let state = state.unwrap_or_else(super::views::ViewState::detached);
    let creating = RwSignal::new(false);
    let r = region.clone();
    let r2 = region.clone();
    let r3 = region.clone();
    let block = {
        let r = region.clone();
        move || r.write_block()
    };
    let block2 = block.clone();
    let idx = region.idx;
    view! {
        <div class="region-tab">
            <div class="toolbar">
                <LoadStatus region=region.clone() />
                <button type="button" on:click=move |_| r.reload()>"Reload"</button>
                <button type="button" data-action="create" disabled=move || block().is_some() title=move || block2().unwrap_or_default()
                    on:click=move |_| creating.update(|c| *c = !*c)>"Create secret"</button>
            </div>
            {move || region.write_block().map(|b| view! { <p class="write-block" role="note">{b}</p> })}
            <Show when=move || creating.get()>
                {super::deferred::create(r2.clone(), creating)}
            </Show>
            <SecretsTable ctx=ctx.clone() sources=vec![idx] view_id=format!("r{idx}") total_hook=true state=state />
            <Groups region=r3 />
        </div>
    }
}
