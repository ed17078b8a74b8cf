//! A secret's locks (IBM's locks API): who holds the secret open, added and removed here. While a
//! secret has locks it cannot be deleted, and while its previous version has one it cannot be
//! rotated; the refusal names the locks, so a person knows whom to ask.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sm_contract::SecretLock;

use super::data::{RegionData, TokenPrompt};
use super::errors::{explain, Action};
use crate::api::{ApiError, RegionApi};

/// The names of a secret's locks, for a refusal that only said "locked" (HTTP 412).
pub async fn lock_names(api: &RegionApi, id: &str) -> Option<String> {
    let page = api.locks(id).await.ok()?;
    let mut names: Vec<String> = page.locks.items.into_iter().map(|l| l.name).collect();
    names.sort();
    names.dedup();
    (!names.is_empty()).then(|| names.join(", "))
}

/// [`explain`], and on a 412 the names of the locks in the way, read from the region.
pub async fn explain_write(api: &RegionApi, e: &ApiError, a: Action, region: &str, id: &str) -> String {
    let text = explain(e, a, region);
    if e.status() != Some(412) {
        return text;
    }
    match lock_names(api, id).await {
        Some(names) => format!("{text} Locks on this secret: {names}."),
        None => text,
    }
}

type Loaded = Result<Vec<SecretLock>, String>;

#[component]
pub fn LocksPanel(region: RegionData, id: String, #[prop(into)] on_change: Callback<()>) -> impl IntoView {
    let locks: RwSignal<Option<Loaded>> = RwSignal::new(None);
    let refresh = RwSignal::new(0u32);
    let status: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let epoch = TokenPrompt::get().epoch;
    {
        let (region, id) = (region.clone(), id.clone());
        Effect::new(move |_| {
            refresh.track();
            epoch.track();
            let Some(api) = region.api() else { return };
            let (id, label) = (id.clone(), region.label.clone());
            spawn_local(async move {
                let got = api.locks(&id).await.map(|p| p.locks.items).map_err(|e| {
                    TokenPrompt::get().note(&e);
                    explain(&e, Action::Read, &label)
                });
                let _ = locks.try_set(Some(got));
            });
        });
    }
    let change = {
        let (region, id) = (region.clone(), id.clone());
        move |add: Option<(String, String)>, remove: Option<String>| {
            if let Some(b) = region.write_block() {
                status.set(Some(b));
                return;
            }
            let Some(api) = region.api() else { return };
            let (id, label) = (id.clone(), region.label.clone());
            busy.set(true);
            spawn_local(async move {
                let result = match (&add, &remove) {
                    (Some((n, d)), _) => api.add_lock(&id, n, Some(d.as_str())).await,
                    (None, Some(n)) => api.remove_lock(&id, n).await,
                    (None, None) => Ok(()),
                };
                let msg = match result {
                    Ok(()) => {
                        let _ = name.try_set(String::new());
                        let _ = description.try_set(String::new());
                        let _ = refresh.try_update(|x| *x += 1);
                        on_change.run(());
                        match (add, remove) {
                            (Some((n, _)), _) => format!("Lock {n} added."),
                            (None, Some(n)) => format!("Lock {n} removed."),
                            _ => String::new(),
                        }
                    }
                    Err(e) => {
                        TokenPrompt::get().note(&e);
                        explain(&e, Action::Edit, &label)
                    }
                };
                let _ = status.try_set(Some(msg));
                let _ = busy.try_set(false);
            });
        }
    };
    let add = change.clone();
    let blocked = {
        let region = region.clone();
        move || region.write_block().is_some()
    };
    let blocked2 = blocked.clone();
    view! {
        <section class="locks" aria-labelledby="locks-title" data-locks="">
            <h3 id="locks-title">"Locks"</h3>
            <p class="note">"A lock says an application is using this secret: while it has any, the secret cannot be deleted, and while its previous version has one it cannot be rotated."</p>
            {move || match locks.get() {
                None => view! { <p class="note" role="status">"Reading the locks…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                Some(Ok(ls)) if ls.is_empty() => view! { <p class="note" data-locks-count="0">"No locks."</p> }.into_any(),
                Some(Ok(ls)) => {
                    let change = change.clone();
                    let blocked = blocked.clone();
                    let count = ls.len().to_string();
                    view! {
                        <ul class="lock-list" data-locks-count=count>
                            {ls.into_iter().map(|l| {
                                let change = change.clone();
                                let blocked = blocked.clone();
                                let n = l.name.clone();
                                let version = l.secret_version_alias.clone().unwrap_or_else(|| "a version".into());
                                view! {
                                    <li data-lock=l.name.clone()>
                                        <strong><bdi>{l.name.clone()}</bdi></strong>
                                        {format!(" on the {version} version")}
                                        {l.description.clone().map(|d| view! { <span class="note">" — "<bdi>{d}</bdi></span> })}
                                        " "
                                        <button type="button" data-action="remove-lock" disabled=move || busy.get() || blocked()
                                            on:click=move |_| change(None, Some(n.clone()))>{format!("Remove {}", l.name)}</button>
                                    </li>
                                }
                            }).collect::<Vec<_>>()}
                        </ul>
                    }.into_any()
                }
            }}
            <form class="lock-add" on:submit=move |ev| {
                ev.prevent_default();
                let n = name.get_untracked().trim().to_string();
                if n.len() < 2 || n.len() > 64 {
                    status.set(Some("A lock name is 2 to 64 characters.".into()));
                    return;
                }
                add(Some((n, description.get_untracked().trim().to_string())), None);
            }>
                <label>"Lock name" <input type="text" data-lock-name="" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>"Why (optional)" <input type="text" data-lock-description="" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev)) /></label>
                <button type="submit" data-action="add-lock" disabled=move || busy.get() || blocked2()>"Add lock"</button>
            </form>
            <p class="note" role="status" aria-live="polite" data-locks-status="">{move || status.get()}</p>
        </section>
    }
}
