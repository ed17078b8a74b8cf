//! The views first paint does not need: the secrets section (built a turn after the region
//! panels), a secret's detail and the cross-region view. The region panels and their secrets
//! summaries are on screen without them. (The create form, 9 KB gzip as its own piece, stays with
//! the section: inside the `<Show>` that opens it, a `<Suspense>` made closing the form panic on
//! a disposed signal.)
//!
//! With the `split` feature each is a Leptos `#[lazy]` split point: `wasm-split-cli` moves it, and
//! what only it uses, into its own piece of the wasm, fetched the first time it is shown
//! (`scripts/bench-split.sh`). Without the feature, the shipped build, they are plain functions
//! behind the same interface, so callers do not change when the split is switched on.

use leptos::prelude::*;

use super::cross::CrossView;
use super::data::{Ctx, RegionData, TokenPrompt};
use super::detail::SecretDetail;
use super::section::SecretsSection;
use super::views::ViewState;
use crate::config::AuthMode;

#[cfg_attr(feature = "split", leptos::lazy)]
fn section_view(regions: Vec<RegionData>, auth: AuthMode, token: TokenPrompt) -> AnyView {
    view! { <SecretsSection regions=regions auth=auth token=token /> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
fn detail_view(ctx: Ctx, region: String, id: String) -> AnyView {
    view! { <SecretDetail ctx=ctx region=region id=id /> }.into_any()
}

#[cfg_attr(feature = "split", leptos::lazy)]
fn cross_view(ctx: Ctx, state: ViewState) -> AnyView {
    view! { <CrossView ctx=ctx state=state /> }.into_any()
}

/// Unsplit, the view is built at once, with no `<Suspense>` (and none of its code in the wasm);
/// split, it shows `waiting` until its piece is in, which is all that a failed fetch of the piece
/// leaves (`#[lazy]` reports it to the browser console only).
macro_rules! deferred {
    ($waiting:expr, $call:expr) => {{
        #[cfg(feature = "split")]
        let v = {
            let waiting: &'static str = $waiting;
            let fallback = move || (!waiting.is_empty()).then(|| view! { <p class="note" role="status">{waiting}</p> });
            view! { <Suspense fallback=fallback>{Suspend::new(async move { $call.await })}</Suspense> }.into_any()
        };
        #[cfg(not(feature = "split"))]
        let v = {
            let _: &'static str = $waiting;
            $call
        };
        v
    }};
}

pub fn section(regions: Vec<RegionData>, auth: AuthMode, token: TokenPrompt) -> AnyView {
    deferred!("", section_view(regions, auth, token))
}

pub fn detail(ctx: Ctx, region: String, id: String) -> AnyView {
    deferred!("Loading…", detail_view(ctx, region, id))
}

pub fn cross(ctx: Ctx, state: ViewState) -> AnyView {
    deferred!("Loading…", cross_view(ctx, state))
}
