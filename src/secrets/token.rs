//! The credentials prompt: in bearer mode the user pastes an IAM access token after a 401; in iam
//! mode an IBM Cloud API key, asked for at start and again only when IAM refuses it (`api::iam`
//! renews the token by itself). Either lives in this tab's memory only; every region's list is
//! then read again.

use leptos::prelude::*;

use super::data::Ctx;
use crate::api::auth::Auth;
use crate::api::iam::Iam;

#[component]
pub fn TokenBanner(ctx: Ctx) -> impl IntoView {
    let t = ctx.token;
    let (bearer, iam_mode) = (ctx.bearer, ctx.iam);
    // A new token (pasted below, exchanged from a key, or handed over by an embedding parent)
    // reads every region's list again; the region controllers reopen their streams on the same
    // signal. A scheduled renewal does not bump it: nothing failed, nothing reloads.
    let regions = ctx.regions.clone();
    Effect::watch(
        move || t.epoch.get(),
        move |_, _, _| {
            for r in regions.iter() {
                r.reload();
            }
        },
        false,
    );
    let auth = Auth::from_context();
    let iam = Iam::from_context();
    let input = NodeRef::<leptos::html::Input>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(el) = input.get_untracked() else { return };
        if let Some(session) = iam {
            session.sign_in(&el.value());
        } else if let Some(a) = auth {
            if !a.set(&el.value()) {
                // The same token again: the user asked for a retry, so retry.
                t.needed.set(false);
                t.epoch.update(|e| *e = e.wrapping_add(1));
            }
        }
        // The token or key lives in memory elsewhere; the input must not keep a copy in the DOM.
        el.set_value("");
    };
    let form = move |label: &'static str, button: &'static str| {
        view! {
            <form on:submit=submit>
                <label for="token-input">{label}</label>
                <input id="token-input" node_ref=input type="password" autocomplete="off" data-token-input="" required />
                <button type="submit" disabled=move || t.busy.get()>{move || if t.busy.get() { "Signing in…" } else { button }}</button>
                {move || t.problem.get().map(|p| view! { <p class="token-problem">{p}</p> })}
            </form>
        }
    };
    view! {
        <Show when=move || t.needed.get()>
            <div class="banner token-banner" role="alert" data-token-needed="">
                {if iam_mode {
                    form(
                        "Sign in with an IBM Cloud API key. It is exchanged for a token through a region's gateway; key and token are kept in this tab's memory only (the key to renew the token).",
                        "Sign in",
                    ).into_any()
                } else if bearer {
                    form("A region asked for a token (HTTP 401). Paste an IAM access token; it is kept in this tab's memory only.", "Use token and retry").into_any()
                } else {
                    view! {
                        <p>{if ctx.embed {
                            "A region answered 401 (token missing or expired). The console asked the surrounding page for a new token and retries when it arrives."
                        } else {
                            "A region answered 401 (token missing or expired), but config.json sets auth.mode to none: set it to bearer (paste a token), embed (the parent page sends one) or iam (an API key)."
                        }}</p>
                    }.into_any()
                }}
            </div>
        </Show>
    }
}
