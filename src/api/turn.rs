//! Giving the browser a turn in the middle of long work.
//!
//! An `.await` on a resolved future is a microtask: the browser neither paints nor handles input
//! until the whole chain is done. Reading a page of 1,000 secrets is such a chain, so the loader
//! reads in time slices and awaits [`next_turn`] between them, a real macrotask.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Work this long, then give the browser a turn: well under the 50 ms that makes a long task,
/// also on a phone that runs four times slower than a desktop.
pub const SLICE_MS: f64 = 8.0;

/// Resolves in a later task. `scheduler.yield()` where the browser has it (it keeps this work
/// ahead of other queued tasks but behind input and paint); otherwise a zero timeout.
pub async fn next_turn() {
    let global = js_sys::global();
    let yielded = Reflect::get(&global, &JsValue::from_str("scheduler"))
        .ok()
        .filter(|s| s.is_object())
        .and_then(|s| {
            let f = Reflect::get(&s, &JsValue::from_str("yield")).ok()?.dyn_into::<Function>().ok()?;
            f.call0(&s).ok()?.dyn_into::<Promise>().ok()
        });
    match yielded {
        // A rejected yield (never expected) still means a later task: nothing to report.
        Some(p) => drop(JsFuture::from(p).await),
        None => gloo_timers::future::TimeoutFuture::new(0).await,
    }
}

/// Resolves after the browser has painted what is in the DOM now: at the next animation frame
/// (which runs before that frame's paint), then a turn later. A hidden page gets no animation
/// frames, so a timeout of `at_most_ms` stands in for the frame there.
pub async fn after_paint(at_most_ms: i32) {
    let Some(w) = web_sys::window() else { return };
    // `resolve` itself is the callback of both: no Rust closure to keep alive or to leak.
    let frame = Promise::new(&mut |resolve, _| {
        let _ = w.request_animation_frame(&resolve);
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, at_most_ms);
    });
    drop(JsFuture::from(frame).await);
    next_turn().await;
}

/// Milliseconds on the page's monotonic clock (for time slices, not for dates).
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}
