//! Component tests in headless Chromium (wasm-bindgen-test): the region panel renders the public
//! DOM hooks and greys out when its region becomes unavailable.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use regional_console::config::RegionConfig;
use regional_console::model::region_state::{DownCause, RegionState};
use regional_console::regions::panel::RegionPanel;
use regional_console::regions::signals::RegionSignals;
use sm_contract::RegionHealth;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn health_doc() -> RegionHealth {
    serde_json::from_str(
        r#"{"schema_version":"1.0","region":{"id":"us-south","display_name":"Dallas"},"status":"partial_outage",
            "zones":[{"id":"us-south-1","status":"operational","latency_ms":41},
                     {"id":"us-south-2","status":"major_outage","latency_ms":null},
                     {"id":"us-south-3","status":"operational","latency_ms":44}]}"#,
    )
    .expect("valid document")
}

fn mount_panel() -> (RegionSignals, web_sys::HtmlElement) {
    let document = web_sys::window().and_then(|w| w.document()).expect("document");
    let host: web_sys::HtmlElement = document.create_element("div").expect("div").unchecked_into();
    document.body().expect("body").append_child(&host).expect("append");
    let signals = RegionSignals::new();
    let config = RegionConfig { id: "us-south".into(), label: "Dallas".into(), api: "http://127.0.0.1:1".into() };
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <RegionPanel signals=signals config=config.clone() others=vec!["Frankfurt".into()] /> }
    });
    // Keep the view alive for the test's duration.
    std::mem::forget(handle);
    (signals, host)
}

async fn next_frame() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().expect("window").set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

fn attr(host: &web_sys::HtmlElement, sel: &str, name: &str) -> Option<String> {
    host.query_selector(sel).ok().flatten().and_then(|e| e.get_attribute(name))
}

#[wasm_bindgen_test]
async fn panel_shows_zones_and_state_hooks() {
    let (signals, host) = mount_panel();
    assert_eq!(attr(&host, "[data-region]", "data-state").as_deref(), Some("unknown"));
    signals.health.set(Some(health_doc()));
    signals.state.set(RegionState::Degraded);
    next_frame().await;
    assert_eq!(attr(&host, "[data-region]", "data-state").as_deref(), Some("degraded"));
    assert_eq!(attr(&host, "[data-zone=\"us-south-2\"]", "data-status").as_deref(), Some("major_outage"));
    assert_eq!(attr(&host, "[data-zone=\"us-south-1\"]", "data-status").as_deref(), Some("operational"));
    assert_eq!(attr(&host, "[data-region]", "aria-disabled"), None, "degraded is usable, never greyed");
    assert!(host.query_selector("[data-stale]").ok().flatten().is_none());
}

#[wasm_bindgen_test]
async fn unavailable_region_is_greyed_with_a_plain_explanation() {
    let (signals, host) = mount_panel();
    signals.state.set(RegionState::Available);
    signals.live_as_of_ms.set(Some(js_sys::Date::now()));
    next_frame().await;
    signals.state.set(RegionState::Unavailable);
    signals.down_cause.set(Some(DownCause::Unreachable));
    next_frame().await;
    assert_eq!(attr(&host, "[data-region]", "data-state").as_deref(), Some("unavailable"));
    assert_eq!(attr(&host, "[data-region]", "aria-disabled").as_deref(), Some("true"));
    assert!(host.query_selector("[data-stale]").ok().flatten().is_some(), "last-known data is marked stale");
    let text = host.text_content().unwrap_or_default();
    assert!(text.contains("Dallas is unavailable"), "{text}");
    assert!(text.contains("Frankfurt is a separate instance and has not taken over"), "{text}");
    assert!(text.contains("no action is needed"), "{text}");

    signals.state.set(RegionState::Available);
    next_frame().await;
    assert_eq!(attr(&host, "[data-region]", "aria-disabled"), None);
    assert!(host.query_selector("[data-stale]").ok().flatten().is_none());
}

#[wasm_bindgen_test]
fn a_panic_leaves_a_visible_way_out() {
    regional_console::panic_screen::show();
    let document = web_sys::window().and_then(|w| w.document()).expect("document");
    let overlay = document.query_selector("[data-fatal]").ok().flatten().expect("the panic screen is shown");
    assert_eq!(overlay.get_attribute("role").as_deref(), Some("alert"));
    let button = overlay.query_selector("button").ok().flatten().expect("a reload button");
    assert_eq!(button.text_content().as_deref(), Some("Reload the console"));
    // Showing it twice does not stack a second screen.
    regional_console::panic_screen::show();
    assert_eq!(document.query_selector_all("[data-fatal]").map(|l| l.length()).unwrap_or(0), 1);
}
