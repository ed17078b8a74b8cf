//! The secrets section under the region panels: a view switch (each region, both regions,
//! cross-region) and the detail page, both driven by the URL hash.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use super::data::{now_s, Ctx, RegionData, TokenPrompt};
use super::region_tab::{LoadStatus, RegionTab};
use super::table::SecretsTable;
use super::token::TokenBanner;
use super::views::{NoticeLine, Views};
use crate::config::AuthMode;
use crate::model::route::{self, Route, ViewQuery};

fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

fn current_route() -> Route {
    route::parse(&current_hash())
}

/// Write the list view's state into the address without a new history entry or a `hashchange`.
fn replace_hash(link: &str) {
    let Some(w) = web_sys::window() else { return };
    if current_hash() == link {
        return;
    }
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(link));
    }
}

#[component]
pub fn SecretsSection(regions: Vec<RegionData>, auth: AuthMode, token: TokenPrompt) -> impl IntoView {
    let ctx = Ctx {
        regions: Arc::new(regions),
        route: RwSignal::new(current_route()),
        bearer: auth == AuthMode::Bearer,
        embed: auth == AuthMode::Embed,
        iam: auth == AuthMode::Iam,
        token,
        now_s: RwSignal::new(now_s()),
    };
    let route = ctx.route;
    let mut view_ids: Vec<String> = ctx.regions.iter().map(|r| r.id.clone()).collect();
    view_ids.extend(["all".to_string(), "cross".to_string()]);
    let views = Views::new(&view_ids);
    provide_context(views.clone());
    // A link that carries a view's state (`?q=…`) sets it; one without keeps the state as it is,
    // so tabs and "back" return to the view as the user left it.
    let apply_hash = {
        let views = views.clone();
        move |hash: &str| {
            if let (Route::Secrets(v), true) = (route::parse(hash), hash.contains('?')) {
                if let Some(st) = views.state(&v) {
                    st.apply(&ViewQuery::parse(hash), v == "cross");
                }
            }
        }
    };
    apply_hash(&current_hash());
    let handle = {
        let views = views.clone();
        window_event_listener(leptos::ev::hashchange, move |_| {
            let next = current_route();
            // Leaving a list for a secret: remember where the page was, to come back to it.
            if matches!(route.get_untracked(), Route::Secrets(_) | Route::Home) && matches!(next, Route::Secret { .. }) {
                views.page_y.set_value(web_sys::window().and_then(|w| w.scroll_y().ok()));
            }
            apply_hash(&current_hash());
            route.set(next);
        })
    };
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
    let tab = views.last;
    Effect::new(move |_| {
        if let Route::Secrets(v) = route.get() {
            if tab.get_untracked() != v {
                tab.set(v);
            }
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
    // The address follows the shown list view's state, so a reload or a copied link shows it again.
    {
        let (views, sel) = (views.clone(), selected.clone());
        Effect::new(move |_| {
            if matches!(route.get(), Route::Secrets(_) | Route::Home) && current_hash().starts_with("#/secrets/") {
                let v = sel();
                replace_hash(&views.href(&v));
            }
        });
    }
    // After the view changes: a secret opens at its top (not under the region panels); a list
    // comes back where the page was when it was left.
    {
        let views = views.clone();
        Effect::new(move |prev: Option<bool>| {
            let on_secret = matches!(route.get(), Route::Secret { .. });
            if prev.is_some() || on_secret {
                let views = views.clone();
                request_animation_frame(move || {
                    let Some(w) = web_sys::window() else { return };
                    if on_secret {
                        if let Some(el) = w.document().and_then(|d| d.query_selector("article.detail").ok().flatten()) {
                            el.scroll_into_view();
                        }
                    } else if let Some(y) = views.page_y.get_value() {
                        w.scroll_to_with_x_and_y(0.0, y);
                        views.page_y.set_value(None);
                    }
                });
            }
            on_secret
        });
    }
    let ctx2 = ctx.clone();
    let sel = selected.clone();
    let views2 = views.clone();
    let body = move || {
        let ctx = ctx2.clone();
        if let Route::Secret { region, id } = route.get() {
            return super::deferred::detail(ctx, region, id);
        }
        let t = sel();
        let state = views2.state(&t);
        if t == "all" {
            let all: Vec<u8> = (0..ctx.regions.len() as u8).collect();
            let status = ctx.regions.iter().map(|r| view! { <LoadStatus region=r.clone() /> }).collect::<Vec<_>>();
            view! { {status} <SecretsTable ctx=ctx sources=all view_id="all".to_string() state=state.unwrap_or_else(super::views::ViewState::detached) /> }.into_any()
        } else if t == "cross" {
            super::deferred::cross(ctx, state.unwrap_or_else(super::views::ViewState::detached))
        } else {
            match ctx.region(&t) {
                Some(r) => view! { <RegionTab ctx=ctx region=r state=state.unwrap_or_else(super::views::ViewState::detached) /> }.into_any(),
                None => view! { <p class="note">"No such region in this console's configuration."</p> }.into_any(),
            }
        }
    };
    let sel2 = selected.clone();
    view! {
        <section class="secrets-section" aria-labelledby="secrets-title">
            <h2 id="secrets-title">"Secrets"</h2>
            <TokenBanner ctx=ctx.clone() />
            <NoticeLine />
            <nav class="tabs" aria-label="Secrets views">
                {tabs.into_iter().map(|(id, label)| {
                    let (views, id2) = (views.clone(), id.clone());
                    let link = move || views.href(&id2);
                    let sel = sel2.clone();
                    let cur = move || (sel() == id && !matches!(route.get(), Route::Secret { .. })).then_some("page");
                    view! { <a class="tab" href=link aria-current=cur>{label}</a> }
                }).collect::<Vec<_>>()}
            </nav>
            {body}
        </section>
    }
}
