//! The token prompt shown after a 401: in bearer mode the user pastes an IAM access token, kept
//! in this tab's memory only; every region's list is then read again.

use leptos::prelude::*;

use super::data::Ctx;
use crate::api::auth;

#[component]
pub fn TokenBanner(ctx: Ctx) -> impl IntoView {
    let t = ctx.token;
    let bearer = ctx.bearer;
    if ctx.embed {
        // The parent answers `auth-required` with a `token` message (handled in `embed`); retry
        // as soon as a token different from the refused one is there.
        let seen = StoredValue::new(auth::current());
        let regions = ctx.regions.clone();
        if let Ok(h) = set_interval_with_handle(
            move || {
                let now = auth::current();
                if !t.needed.get_untracked() {
                    seen.set_value(now);
                } else if now.is_some() && seen.with_value(|s| *s != now) {
                    seen.set_value(now);
                    t.needed.set(false);
                    t.epoch.update(|e| *e = e.wrapping_add(1));
                    for r in regions.iter() {
                        r.reload();
                    }
                }
            },
            std::time::Duration::from_millis(300),
        ) {
            on_cleanup(move || h.clear());
        }
    }
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
