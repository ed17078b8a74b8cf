//! The secrets section under the region panels: a view switch (each region, both regions,
//! cross-region) and the detail page, both driven by the URL hash.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use super::cross::CrossView;
use super::data::{now_s, Ctx, RegionData, TokenPrompt};
use super::detail::SecretDetail;
use super::region_tab::{LoadStatus, RegionTab};
use super::table::SecretsTable;
use super::token::TokenBanner;
use crate::config::AuthMode;
use crate::model::route::{self, href, Route};

fn current_route() -> Route {
    web_sys::window().and_then(|w| w.location().hash().ok()).map(|h| route::parse(&h)).unwrap_or_default()
}

#[component]
pub fn SecretsSection(regions: Vec<RegionData>, auth: AuthMode, token: TokenPrompt) -> impl IntoView {
    let ctx = Ctx {
        regions: Arc::new(regions),
        route: RwSignal::new(current_route()),
        bearer: auth == AuthMode::Bearer,
        embed: auth == AuthMode::Embed,
        token,
        now_s: RwSignal::new(now_s()),
    };
    let route = ctx.route;
    let handle = window_event_listener(leptos::ev::hashchange, move |_| route.set(current_route()));
    on_cleanup(move || handle.remove());
    let now = ctx.now_s;
    if let Ok(h) = set_interval_with_handle(move || now.set(now_s()), Duration::from_secs(60)) {
        on_cleanup(move || h.clear());
    }
    // Groups name the group column and feed the forms; re-read whenever a list load completes.
    for r in ctx.regions.iter() {
        let r2 = r.clone();
        let secrets = r.secrets;
        Effect::watch(move || secrets.with(|s| s.loaded_at_ms), move |_, _, _| r2.load_groups(), true);
        let secrets = r.secrets;
        let (id, embed) = (r.id.clone(), auth == AuthMode::Embed);
        Effect::new(move |_| {
            secrets.with(|s| {
                if let Some(e) = &s.error {
                    token.note(e);
                    if embed && e.status() == Some(401) {
                        crate::embed::post(crate::model::embed::Outbound::AuthRequired { region: id.clone() });
                    }
                }
            })
        });
    }

    let first = ctx.regions.first().map(|r| r.id.clone()).unwrap_or_default();
    let multi = ctx.regions.len() > 1;
    // The last list view stays selected behind a detail page, so "back" returns to it.
    let tab = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Route::Secrets(v) = route.get() {
            tab.set(v);
        }
    });
    let selected = {
        let first = first.clone();
        move || {
            let t = tab.get();
            if t.is_empty() { if multi { "all".to_string() } else { first.clone() } } else { t }
        }
    };
    let mut tabs: Vec<(String, String)> = ctx.regions.iter().map(|r| (r.id.clone(), r.label.clone())).collect();
    if ctx.regions.len() > 1 {
        tabs.push(("all".into(), "All regions".into()));
        tabs.push(("cross".into(), "Cross-region".into()));
    }
    let ctx2 = ctx.clone();
    let sel = selected.clone();
    let body = move || {
        let ctx = ctx2.clone();
        if let Route::Secret { region, id } = route.get() {
            return view! { <SecretDetail ctx=ctx region=region id=id /> }.into_any();
        }
        let t = sel();
        if t == "all" {
            let all: Vec<u8> = (0..ctx.regions.len() as u8).collect();
            let status = ctx.regions.iter().map(|r| view! { <LoadStatus region=r.clone() /> }).collect::<Vec<_>>();
            view! { {status} <SecretsTable ctx=ctx sources=all view_id="all".to_string() /> }.into_any()
        } else if t == "cross" {
            view! { <CrossView ctx=ctx /> }.into_any()
        } else {
            match ctx.region(&t) {
                Some(r) => view! { <RegionTab ctx=ctx region=r /> }.into_any(),
                None => view! { <p class="note">"No such region in this console's configuration."</p> }.into_any(),
            }
        }
    };
    let sel2 = selected.clone();
    view! {
        <section class="secrets-section" aria-labelledby="secrets-title">
            <h2 id="secrets-title">"Secrets"</h2>
            <TokenBanner ctx=ctx.clone() />
            <nav class="tabs" aria-label="Secrets views">
                {tabs.into_iter().map(|(id, label)| {
                    let link = href(&Route::Secrets(id.clone()));
                    let sel = sel2.clone();
                    let cur = move || (sel() == id && !matches!(route.get(), Route::Secret { .. })).then_some("page");
                    view! { <a class="tab" href=link aria-current=cur>{label}</a> }
                }).collect::<Vec<_>>()}
            </nav>
            {body}
        </section>
    }
}
