//! The token prompt shown after a 401: in bearer mode the user pastes an IAM access token, kept
//! in this tab's memory only; every region's list is then read again.

use leptos::prelude::*;

use super::data::Ctx;
use crate::api::auth;

#[component]
pub fn TokenBanner(ctx: Ctx) -> impl IntoView {
    let t = ctx.token;
    let bearer = ctx.bearer;
    let input = NodeRef::<leptos::html::Input>::new();
    let regions = ctx.regions.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(el) = input.get_untracked() else { return };
        auth::set(Some(el.value()));
        // The token lives in `auth`; the input must not keep a copy in the DOM.
        el.set_value("");
        t.needed.set(false);
        t.epoch.update(|e| *e = e.wrapping_add(1));
        for r in regions.iter() {
            r.reload();
        }
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
                        <p>"A region answered 401 (token missing or expired). This console is configured with auth mode \"" {if ctx.bearer { "bearer" } else { "none or embed" }} "\": in embed mode the parent page must send a new token; otherwise set auth.mode to bearer in config.json."</p>
                    }.into_any()
                }}
            </div>
        </Show>
    }
}
