//! The application shell: load the runtime config, then one panel per region.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::auth::Auth;
use crate::api::http::{send, Request};
use crate::api::iam::IamSession;
use crate::config::{parse_config, AuthMode, Config, ConfigError};
use crate::embed;
use crate::regions::controller::RegionController;
use crate::regions::panel::RegionPanel;
use crate::secrets::data::RegionData;
use crate::secrets::deferred;
use crate::secrets::store::SecretsStore;
use crate::secrets::summary::SecretsSummary;

use super::section_gate::section_gate;

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

#[component]
fn Console(config: Config) -> impl IntoView {
    // Framed by a larger console: speak the embedding protocol, drop the page's header, take the
    // parent's theme and (in embed auth mode) its token.
    // In iam mode every region needs a token: nothing is read before the user signs in.
    let auth = if config.auth == AuthMode::Iam { Auth::requiring_token() } else { Auth::new() };
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
