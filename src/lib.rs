//! Regional Console: a browser console for a two-region secrets-management service.
//!
//! `model` and `config` are pure and tested natively; `api`, `regions` and `components` run in
//! the browser.

pub mod config;
pub mod model;

#[cfg(target_arch = "wasm32")]
pub mod api;
#[cfg(target_arch = "wasm32")]
pub mod components;
#[cfg(target_arch = "wasm32")]
pub mod download;
#[cfg(target_arch = "wasm32")]
pub mod embed;
#[cfg(target_arch = "wasm32")]
pub mod panic_screen;
#[cfg(target_arch = "wasm32")]
pub mod regions;
#[cfg(target_arch = "wasm32")]
pub mod secrets;

/// Mount the console on `<body>`.
#[cfg(target_arch = "wasm32")]
pub fn run() {
    panic_screen::install();
    leptos::mount::mount_to_body(components::app::App);
}

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
