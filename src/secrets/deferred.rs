//! The views first paint does not need: the secrets section (built a turn after the region
//! panels), a secret's detail, the cross-region view and the create form. The region panels and
//! their secrets summaries are on screen without them.
//!
//! With the `split` feature (the release build, `scripts/build.sh`) each is a split point:
//! `wasm-split-cli` moves it, and what only it uses, into its own piece of the wasm, fetched the
//! first time it is shown. Without the feature (`trunk serve`, the wasm-bindgen tests) they are
//! plain functions behind the same interface, so callers do not change.
//!
//! Leptos's `#[lazy]` is not used: its wrapper panics when a piece cannot be fetched, and a panic
//! kills the whole console. A console left open all day meets exactly that when the site is
//! redeployed under it (the old pieces are gone) or the network drops. `fallible` makes the
//! failure a value: the view says what happened and offers to try again, and the rest of the
//! console, both regions included, goes on working.

use leptos::prelude::*;

use super::cross::CrossView;
use super::data::{Ctx, RegionData, TokenPrompt};
use super::detail::SecretDetail;
use super::manage::CreateSecret;
use super::section::SecretsSection;
use super::views::ViewState;
use crate::config::AuthMode;

/// A piece of the wasm that did not arrive. Unsplit there are no pieces, so the type has no
/// value and the compiler proves the failure view unreachable there.
pub enum PieceError {
    #[cfg(feature = "split")]
    NotLoaded,
}

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for PieceError {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        PieceError::NotLoaded
    }
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(rc_section, wasm_split_path = ::leptos::wasm_split, preload(preload_section), fallible)
)]
fn section_view(regions: Vec<RegionData>, auth: AuthMode, token: TokenPrompt) -> Result<AnyView, PieceError> {
    Ok(view! { <SecretsSection regions=regions auth=auth token=token /> }.into_any())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(rc_detail, wasm_split_path = ::leptos::wasm_split, preload(preload_detail), fallible)
)]
fn detail_view(ctx: Ctx, region: String, id: String) -> Result<AnyView, PieceError> {
    Ok(view! { <SecretDetail ctx=ctx region=region id=id /> }.into_any())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(rc_cross, wasm_split_path = ::leptos::wasm_split, preload(preload_cross), fallible)
)]
fn cross_view(ctx: Ctx, state: ViewState) -> Result<AnyView, PieceError> {
    Ok(view! { <CrossView ctx=ctx state=state /> }.into_any())
}

#[cfg_attr(
    feature = "split",
    leptos::wasm_split::wasm_split(rc_create, wasm_split_path = ::leptos::wasm_split, preload(preload_create), fallible)
)]
fn create_view(region: RegionData, open: RwSignal<bool>) -> Result<AnyView, PieceError> {
    Ok(view! { <CreateSecret region=region on_close=move || open.set(false) /> }.into_any())
}

/// What a view whose piece did not arrive shows instead. Nothing was sent to a region, so there
/// is nothing to undo; "Try again" fetches the piece afresh (a failed fetch is not remembered).
#[cfg(feature = "split")]
fn not_loaded(what: &'static str, retry: impl Fn() + Clone + 'static) -> AnyView {
    view! {
        <div class="error piece-failed" role="alert" data-piece="failed">
            <p>{format!("The {what} could not be fetched from the site that serves this console, so it cannot be shown. Nothing was sent to either region, and the rest of the console keeps working. If the console has been updated since this page was opened, reload the page to get the new version.")}</p>
            <button type="button" data-action="piece-retry" on:click=move |_| retry()>"Try again"</button>
        </div>
    }
    .into_any()
}

/// Where a view's piece is.
#[cfg(feature = "split")]
#[derive(Clone, Copy, PartialEq)]
enum Piece {
    Fetching,
    Here,
    Failed,
}

/// The answer of a future that is ready at its first poll; `None` if it is not. A split
/// function whose piece is loaded is such a future: it checks its loader and calls the function.
#[cfg(feature = "split")]
fn ready_now<T>(fut: impl std::future::Future<Output = T>) -> Option<T> {
    let mut fut = std::pin::pin!(fut);
    match fut.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
        std::task::Poll::Ready(v) => Some(v),
        std::task::Poll::Pending => None,
    }
}

/// Unsplit, the view is built at once (and none of the code below is in the wasm). Split, a task
/// fetches the piece (`$preload`) and nothing else; the view shows `waiting` until the piece is
/// in, `not_loaded` if it failed, and once it is in builds the view right there, as the unsplit
/// build does. `$call` is evaluated again on each build, so it clones what it passes.
///
/// The view is built in the render closure, where the unsplit build builds it, so its signals and
/// its render effects share that closure's owner. A first version built it in a task spawned
/// from an `Effect` (so under the effect's owner): in iam mode, after a region's 401, a render
/// effect read a signal of the section already disposed and the console stopped. No `<Suspense>`
/// either: it waits for every resource read inside it, not only for the piece.
macro_rules! deferred {
    ($what:expr, $waiting:expr, $preload:path, $call:expr) => {{
        #[cfg(feature = "split")]
        let v = {
            let (what, waiting): (&'static str, &'static str) = ($what, $waiting);
            let piece = RwSignal::new(Piece::Fetching);
            // The task holds only `piece`, which it sets if the view is still there.
            let fetch = move || {
                let _ = piece.try_set(Piece::Fetching);
                leptos::task::spawn_local(async move {
                    let got = if $preload().await.is_ok() { Piece::Here } else { Piece::Failed };
                    let _ = piece.try_set(got);
                });
            };
            fetch();
            (move || match piece.get() {
                Piece::Fetching => (!waiting.is_empty()).then(|| view! { <p class="note" role="status">{waiting}</p> }).into_any(),
                Piece::Failed => not_loaded(what, fetch),
                Piece::Here => match ready_now($call) {
                    Some(Ok(v)) => v,
                    Some(Err(PieceError::NotLoaded)) | None => not_loaded(what, fetch),
                },
            })
            .into_any()
        };
        #[cfg(not(feature = "split"))]
        let v = {
            let _: (&'static str, &'static str) = ($what, $waiting);
            match $call {
                Ok(v) => v,
                Err(never) => match never {},
            }
        };
        v
    }};
}

pub fn section(regions: Vec<RegionData>, auth: AuthMode, token: TokenPrompt) -> AnyView {
    deferred!("secrets section", "", preload_section, section_view(regions.clone(), auth, token))
}

pub fn detail(ctx: Ctx, region: String, id: String) -> AnyView {
    deferred!("secret's page", "Loading…", preload_detail, detail_view(ctx.clone(), region.clone(), id.clone()))
}

/// The create form of `region`; closing it sets `open` to false.
pub fn create(region: RegionData, open: RwSignal<bool>) -> AnyView {
    deferred!("create form", "Loading…", preload_create, create_view(region.clone(), open))
}

pub fn cross(ctx: Ctx, state: ViewState) -> AnyView {
    deferred!("cross-region view", "Loading…", preload_cross, cross_view(ctx.clone(), state.clone()))
}
