//! A secret's value: never fetched until asked, masked, revealed for 30 s at most, copied without
//! being shown. The revealed value lives only in a signal owned by the `Revealed` view: hiding
//! (button, timer, navigation) unmounts it, which disposes the signal and removes the DOM nodes;
//! nothing else keeps a copy.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};

use super::data::{RegionData, TokenPrompt};
use super::errors::{explain, Action};
use crate::model::secret_value::{copy_text, value_fields};

pub const REVEAL_MS: u64 = 30_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Purpose {
    Reveal,
    Copy,
}

/// `navigator.clipboard.writeText(text)`, looked up at call time so no web-sys feature is needed.
async fn write_clipboard(text: &str) -> Result<(), String> {
    let window: JsValue = web_sys::window().ok_or("no window")?.into();
    let get = |o: &JsValue, k: &str| js_sys::Reflect::get(o, &JsValue::from_str(k)).ok().filter(|v| !v.is_undefined() && !v.is_null());
    let clipboard = get(&window, "navigator").and_then(|n| get(&n, "clipboard")).ok_or("this browser offers no clipboard here (it needs HTTPS or localhost)")?;
    let write: js_sys::Function = get(&clipboard, "writeText").and_then(|f| f.dyn_into().ok()).ok_or("no clipboard.writeText")?;
    let promise: js_sys::Promise = write
        .call1(&clipboard, &JsValue::from_str(text))
        .map_err(|_| "the clipboard refused")?
        .dyn_into()
        .map_err(|_| "the clipboard refused")?;
    wasm_bindgen_futures::JsFuture::from(promise).await.map(|_| ()).map_err(|_| "the browser did not allow writing to the clipboard".into())
}

/// The current value, or one version's.
async fn read_value(api: &crate::api::RegionApi, id: &str, version: Option<&str>) -> Result<serde_json::Value, crate::api::ApiError> {
    match version {
        None => api.secret_with_data(id).await,
        Some(v) => api.version_with_data(id, v).await,
    }
}

#[component]
pub fn SecretValue(
    region: RegionData,
    id: String,
    secret_type: String,
    /// How long a revealed value stays shown; tests shorten it.
    #[prop(optional)]
    reveal_ms: Option<u64>,
    /// Called after the value was read (the secret's "last read" changed).
    #[prop(optional, into)]
    on_read: Option<Callback<()>>,
    /// A previous version's value instead of the current one.
    #[prop(optional)]
    version: Option<String>,
) -> impl IntoView {
    let reveal_ms = reveal_ms.unwrap_or(REVEAL_MS);
    let open = RwSignal::new(false);
    let warn: RwSignal<Option<Purpose>> = RwSignal::new(None);
    let status: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let is_iam = secret_type == "iam_credentials";

    let go = {
        let (region, id, ty, version) = (region.clone(), id.clone(), secret_type.clone(), version.clone());
        move |p: Purpose| {
            warn.set(None);
            // An unavailable region is not asked: say so plainly, keep the value hidden. (One
            // still connecting is asked: its answer says whether it is there.)
            if region.signals.state.get_untracked() == crate::model::region_state::RegionState::Unavailable {
                status.set(Some(format!(
                    "{} is unavailable: the value cannot be read until it is back. Nothing is asked of another region instead.",
                    region.label
                )));
                return;
            }
            match p {
                Purpose::Reveal => {
                    status.set(None);
                    open.set(true);
                }
                Purpose::Copy => {
                    let Some(api) = region.api() else { return };
                    let (id, ty, region, token, version) = (id.clone(), ty.clone(), region.clone(), TokenPrompt::get(), version.clone());
                    busy.set(true);
                    status.set(Some("Copying…".into()));
                    spawn_local(async move {
                        let msg = match read_value(&api, &id, version.as_deref()).await {
                            Ok(body) => {
                                let text = copy_text(&ty, &value_fields(&ty, &body));
                                drop(body);
                                if let Some(cb) = on_read {
                                    cb.run(());
                                }
                                match write_clipboard(&text).await {
                                    Ok(()) => "Copied to the clipboard (not shown).".to_string(),
                                    Err(e) => format!("Could not copy: {e}."),
                                }
                            }
                            Err(e) => {
                                token.note(&e);
                                region.forget_if_gone(&e, &id);
                                explain(&e, Action::ReadValue, &region.label)
                            }
                        };
                        let _ = status.try_set(Some(msg));
                        let _ = busy.try_set(false);
                    });
                }
            }
        }
    };
    let ask = {
        let go = go.clone();
        move |p: Purpose| if is_iam { warn.set(Some(p)) } else { go(p) }
    };
    let ask2 = ask.clone();
    let go2 = go.clone();
    let (r2, id2, ty2, v2) = (region.clone(), id.clone(), secret_type.clone(), version.clone());

    view! {
        <section class="secret-value" aria-labelledby="value-title">
            <h3 id="value-title">"Value"</h3>
            <Show when=move || open.get()
                fallback=|| view! { <p class="masked" data-secret-value="masked" aria-label="Value hidden">"••••••••••••••••"</p> }>
                <Revealed region=r2.clone() id=id2.clone() secret_type=ty2.clone() open=open reveal_ms=reveal_ms version=v2.clone() status=status on_read=on_read />
            </Show>
            <div class="actions">
                {move || if open.get() {
                    view! { <button type="button" data-action="hide" on:click=move |_| open.set(false)>"Hide"</button> }.into_any()
                } else {
                    let ask = ask.clone();
                    view! { <button type="button" data-action="reveal" on:click=move |_| ask(Purpose::Reveal)>"Reveal"</button> }.into_any()
                }}
                <button type="button" data-action="copy" disabled=move || busy.get() on:click=move |_| ask2(Purpose::Copy)>"Copy value"</button>
            </div>
            {move || warn.get().map(|p| {
                let go = go2.clone();
                view! {
                    <div class="banner" role="alertdialog" aria-labelledby="iam-warn" data-iam-warning="">
                        <p id="iam-warn"><strong>"Reading an IAM credential rotates it."</strong>
                            " Unless this secret reuses its API key, reading it creates a new API key and deletes the current one: anything still using the current key stops working."</p>
                        <button type="button" data-action="confirm-read" on:click=move |_| go(p)>"Read it and rotate the key"</button>
                        <button type="button" on:click=move |_| warn.set(None)>"Cancel"</button>
                    </div>
                }
            })}
            {move || status.get().map(|s| view! { <p class="note" role="status" data-copy-status="">{s}</p> })}
        </section>
    }
}

/// The value's fields, or why it could not be read.
type Shown = Result<Vec<(&'static str, String)>, String>;

/// Holds the value while it is shown. Its signal and nodes go away when it unmounts.
#[component]
fn Revealed(
    region: RegionData,
    id: String,
    secret_type: String,
    open: RwSignal<bool>,
    reveal_ms: u64,
    version: Option<String>,
    status: RwSignal<Option<String>>,
    on_read: Option<Callback<()>>,
) -> impl IntoView {
    let value: RwSignal<Option<Shown>> = RwSignal::new(None);
    if let Some(api) = region.api() {
        let token = TokenPrompt::get();
        spawn_local(async move {
            let result = match read_value(&api, &id, version.as_deref()).await {
                Ok(body) => Ok(value_fields(&secret_type, &body)),
                Err(e) => {
                    token.note(&e);
                    region.forget_if_gone(&e, &id);
                    // Nothing to show: say why beside the buttons and go back to "hidden" (the
                    // button must not offer to hide a value that is not there).
                    let _ = status.try_set(Some(explain(&e, Action::ReadValue, &region.label)));
                    let _ = open.try_set(false);
                    return;
                }
            };
            if result.is_ok() {
                if let Some(cb) = on_read {
                    cb.run(());
                }
            }
            // The view may be gone already (hidden while loading): then the value is dropped here.
            let _ = value.try_set(Some(result));
        });
    }
    if let Ok(h) = set_timeout_with_handle(move || { let _ = open.try_set(false); }, Duration::from_millis(reveal_ms)) {
        on_cleanup(move || h.clear());
    }
    on_cleanup(move || {
        let _ = value.try_set(None);
    });
    view! {
        <div class="revealed" data-secret-value="revealed">
            {move || value.with(|v| match v {
                None => view! { <p role="status">"Reading the value…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error" role="alert">{e.clone()}</p> }.into_any(),
                Some(Ok(fields)) if fields.is_empty() => view! { <p class="note">"The region sent no value for this secret."</p> }.into_any(),
                Some(Ok(fields)) => view! {
                    <dl>
                        {fields.iter().map(|(k, v)| view! { <dt>{*k}</dt><dd><pre>{v.clone()}</pre></dd> }).collect::<Vec<_>>()}
                    </dl>
                    <p class="note">"Hidden again automatically after 30 seconds."</p>
                }.into_any(),
            })}
        </div>
    }
}
