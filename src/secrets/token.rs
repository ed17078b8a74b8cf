//! The token prompt shown after a 401: in bearer mode the user pastes an IAM access token, kept
//! in this tab's memory only; every region's list is then read again.

use leptos::prelude::*;

use super::data::Ctx;
use crate::api::auth::Auth;

#[component]
pub fn TokenBanner(ctx: Ctx) -> impl IntoView {
    let t = ctx.token;
    let bearer = ctx.bearer;
    // A new token (pasted below, or handed over by an embedding parent) reads every region's
    // list again; the region controllers reopen their streams on the same signal.
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
    let input = NodeRef::<leptos::html::Input>::new();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(el) = input.get_untracked() else { return };
        if let Some(a) = auth {
            if !a.set(&el.value()) {
                // The same token again: the user asked for a retry, so retry.
                t.needed.set(false);
                t.epoch.update(|e| *e = e.wrapping_add(1));
            }
        }
        // The token lives in `Auth`; the input must not keep a copy in the DOM.
        el.set_value("");
    };
    view! {
        <Show when=move || t.needed.get()>
            <div class="banner token-banner" role="alert" data-token-needed="">
                {if bearer {
                    view! {
                        <form on:submit=submit.clone()>
                            <label for="token-input">"A region asked for a token (HTTP 401). Paste an IAM access token; it is kept in this tab's memory only."</label>
                            <input id="token-input" node_ref=input type="password" autocomplete="off" data-token-input="" required />
                            <button type="submit">"Use token and retry"</button>
                        </form>
                    }.into_any()
                } else {
                    view! {
                        <p>{if ctx.embed {
                            "A region answered 401 (token missing or expired). The console asked the surrounding page for a new token and retries when it arrives."
                        } else {
                            "A region answered 401 (token missing or expired), but config.json sets auth.mode to none: set it to bearer (paste a token) or embed (the parent page sends one)."
                        }}</p>
                    }.into_any()
                }}
            </div>
        </Show>
    }
}
