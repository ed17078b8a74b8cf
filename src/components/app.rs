//! The application shell: load the runtime config, then one panel per region.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::auth::Auth;
use crate::api::http::{send, Request};
use crate::api::iam::IamSession;
use crate::config::{parse_config, AuthMode, Config, ConfigError};
use crate::embed;
use crate::model::first_paint::{section_may_start, FirstRead, SECTION_WAIT_CAP_MS};
use crate::regions::controller::RegionController;
use crate::regions::panel::RegionPanel;
use crate::secrets::data::RegionData;
use crate::secrets::deferred;
use crate::secrets::store::SecretsStore;
use crate::secrets::summary::SecretsSummary;

/// `config.json` is fetched relative to the document's base URL so a sub-path deployment works.
async fn load_config() -> Result<Config, ConfigError> {
    let resp = send(&Request::get("config.json".into(), 10_000))
        .await
        .map_err(|e| ConfigError::Fetch(e.to_string()))?;
    parse_config(&resp.body)
}

#[component]
pub fn App() -> impl IntoView {
    let config: RwSignal<Option<Result<Config, ConfigError>>> = RwSignal::new(None);
    spawn_local(async move { config.set(Some(load_config().await)) });

    view! {
        {move || match config.get() {
            None => view! { <p class="loading" role="status">"Loading configuration…"</p> }.into_any(),
            Some(Err(e)) => view! { <ConfigErrorPage error=e.to_string() /> }.into_any(),
            Some(Ok(cfg)) => view! { <Console config=cfg /> }.into_any(),
        }}
    }
}

#[component]
fn ConfigErrorPage(error: String) -> impl IntoView {
    view! {
        // The alert sits inside <main>: role="alert" on <main> itself would drop the page's only
        // main landmark (axe: landmark-one-main, aria-allowed-role).
        <main class="fatal" data-config-error="">
            <div role="alert">
                <h1>"The console cannot start"</h1>
                <p>{error}</p>
                <p>"Fix config.json beside index.html and reload. See the README for its format."</p>
            </div>
        </main>
    }
}

/// Bring a region's panel into view (the parent asked for it, or a deep link named it).
fn show_region(id: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let selector = format!("[data-region=\"{}\"]", id.replace(['"', '\\'], ""));
    if let Ok(Some(panel)) = document.query_selector(&selector) {
        panel.scroll_into_view();
    }
}

/// Turns true, once, when the secrets section may be built: every region's first answer is on
/// screen, or the wait is capped (`model::first_paint`). In the split build the section's piece is
/// fetched only then, so the panels' own data never queues behind it. Its data loads on its own
/// either way; only the building of its views waits. The building itself waits for that data to
/// be painted: built in the task that drew the regions' data, the two were one long task.
fn section_gate(regions: &[RegionData]) -> RwSignal<bool> {
    let built = RwSignal::new(false);
    let open = move || {
        leptos::task::spawn_local(async move {
            crate::api::turn::after_paint(100).await;
            let _ = built.try_set(true);
        });
    };
    let watched: Vec<_> = regions.iter().map(|r| (r.signals.state, r.secrets)).collect();
    let asked = StoredValue::new(false);
    let ask = move || {
        if !asked.get_value() {
            asked.set_value(true);
            open();
        }
    };
    Effect::new(move |_| {
        // Once asked, this run reads no signal, so the effect never runs again.
        if asked.get_value() {
            return;
        }
        let firsts: Vec<FirstRead> = watched
            .iter()
            .map(|(state, list)| {
                let (listed, failed) = list.with(|l| (l.loaded_at_ms.is_some() || !l.items.is_empty(), l.error.is_some()));
                FirstRead { state: state.get(), listed, failed }
            })
            .collect();
        if section_may_start(&firsts) {
            ask();
        }
    });
    if let Ok(h) = set_timeout_with_handle(ask, Duration::from_millis(SECTION_WAIT_CAP_MS.into())) {
        on_cleanup(move || h.clear());
    }
    built
}

#[component]
fn Console(config: Config) -> impl IntoView {
    // Framed by a larger console: speak the embedding protocol, drop the page's header, take the
    // parent's theme and (in embed auth mode) its token.
    let auth = Auth::new();
    provide_context(auth);
    provide_context(auth.prompt);
    // A parent's token is used only when the config says the parent provides it: in bearer mode
    // the user's own pasted token must not be replaced by whatever a framing page sends.
    let parent_token = config.auth == AuthMode::Embed;
    if config.auth == AuthMode::Iam {
        // Exchanges the pasted key through the regions' gateways and keeps the token renewed.
        provide_context(IamSession::start(&config.regions, auth));
    }
    let embedded = embed::start(
        config.allowed_parent_origins.clone(),
        embed::Handlers {
            on_token: Box::new(move |token| {
                if parent_token {
                    auth.set(&token);
                }
            }),
            on_region: Box::new(|region| show_region(&region)),
        },
    );
    let controllers: Vec<RegionController> =
        config.regions.iter().map(|r| RegionController::start(r.clone(), auth)).collect();
    let labels: Vec<String> = config.regions.iter().map(|r| r.label.clone()).collect();
    // Each region's secrets live in their own store, which loads when its region becomes usable
    // and reports what its requests saw back to the region's monitor; the two features meet
    // only here.
    let regions: Vec<RegionData> = controllers
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let state = c.signals.state;
            let usable = Signal::derive(move || state.get().is_usable());
            let store = SecretsStore::start(c.region_api(), usable, c.evidence());
            RegionData::new(i as u8, c.config.id.clone(), c.config.label.clone(), c.signals, store)
        })
        .collect();
    let lists: Vec<_> = regions.iter().map(|r| r.secrets).collect();
    let secrets_built = section_gate(&regions);
    let auth_mode = config.auth;
    let secrets = move || secrets_built.get().then(|| deferred::section(regions.clone(), auth_mode, auth.prompt));
    if embedded {
        // The page's header is static HTML (index.html), hidden inside a frame from the start
        // (js/framed.js); embedded, the larger console's header stands for it.
        let head = web_sys::window().and_then(|w| w.document()).and_then(|d| d.query_selector("[data-static-head]").ok().flatten());
        if let Some(head) = head {
            head.remove();
        }
    }
    view! {
        <main class="regions">
            {controllers
                .into_iter()
                .zip(lists)
                .map(|(c, list)| {
                    let others: Vec<String> = labels.iter().filter(|l| **l != c.config.label).cloned().collect();
                    view! {
                        <RegionPanel signals=c.signals config=c.config.clone() others=others>
                            <SecretsSummary list=list />
                        </RegionPanel>
                    }
                })
                .collect::<Vec<_>>()}
        </main>
        {secrets}
    }
}
