//! Component tests in headless Chromium (wasm-bindgen-test): the windowed secrets table, the
//! reveal / re-mask / copy cycle of a secret's value (with `fetch` and the clipboard stubbed), and
//! when the shell builds the secrets section.
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use leptos::prelude::*;
use regional_console::components::section_gate::section_gate;
use regional_console::model::first_paint::SECTION_WAIT_CAP_MS;
use regional_console::model::region_state::RegionState;
use regional_console::model::secret_list::SecretList;
use regional_console::api::RegionApi;
use regional_console::model::route::Route;
use regional_console::regions::signals::RegionSignals;
use regional_console::secrets::store::SecretsLoad;
use regional_console::secrets::data::{Ctx, RegionData, TokenPrompt};
use regional_console::secrets::table::SecretsTable;
use regional_console::secrets::value::SecretValue;
use sm_contract::SecretMetadata;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().and_then(|w| w.document()).expect("document");
    let host: web_sys::HtmlElement = document.create_element("div").expect("div").unchecked_into();
    document.body().expect("body").append_child(&host).expect("append");
    host
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window().expect("window").set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(p).await;
}

/// Wait (checking every 5 ms, up to 5 s) until `cond` holds; the elapsed milliseconds.
async fn until(what: &str, cond: impl Fn() -> bool) -> f64 {
    let start = js_sys::Date::now();
    while !cond() {
        assert!(js_sys::Date::now() - start < 5_000.0, "timed out waiting for {what}");
        sleep(5).await;
    }
    js_sys::Date::now() - start
}

fn revealed(host: &web_sys::HtmlElement) -> Option<String> {
    q(host, "[data-secret-value=\"revealed\"] pre").and_then(|e| e.text_content())
}

fn js(code: &str) -> JsValue {
    js_sys::Function::new_no_args(code).call0(&JsValue::NULL).expect("script runs")
}

fn q(host: &web_sys::HtmlElement, sel: &str) -> Option<web_sys::Element> {
    host.query_selector(sel).ok().flatten()
}

fn attr(host: &web_sys::HtmlElement, sel: &str, name: &str) -> Option<String> {
    q(host, sel).and_then(|e| e.get_attribute(name))
}

fn click(host: &web_sys::HtmlElement, sel: &str) {
    let el: web_sys::HtmlElement = q(host, sel).unwrap_or_else(|| panic!("{sel} present")).unchecked_into();
    el.click();
}

fn secrets(n: usize) -> Vec<SecretMetadata> {
    (0..n)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "id": format!("id-{i}"), "name": format!("secret-{i:04}"), "secret_type": "arbitrary",
                "labels": [if i % 2 == 0 { "even" } else { "odd" }], "state": 1,
                "updated_at": "2026-01-01T00:00:00Z"
            }))
            .expect("valid")
        })
        .collect()
}

fn region(n: usize) -> (RegionData, Ctx) {
    let r = RegionData::detached(0, "us-south".into(), "Dallas".into(), RegionSignals::new(), RegionApi::new("http://127.0.0.1:1"));
    r.secrets.set(SecretsLoad { items: SecretList::from_vec(secrets(n)), loaded_at_ms: Some(1.0), ..Default::default() });
    let ctx = Ctx {
        regions: Arc::new(vec![r.clone()]),
        route: RwSignal::new(Route::Home),
        bearer: false,
        embed: false,
        iam: false,
        token: TokenPrompt::new(),
        now_s: RwSignal::new(1_767_225_600),
    };
    (r, ctx)
}

fn rows(host: &web_sys::HtmlElement) -> u32 {
    host.query_selector_all("tr[data-secret-id]").map(|l| l.length()).unwrap_or(0)
}

#[wasm_bindgen_test]
async fn table_renders_only_visible_rows_and_filters_instantly() {
    let host = host();
    let (_, ctx) = region(5000);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <SecretsTable ctx=ctx.clone() sources=vec![0] view_id="t".to_string() total_hook=true /> }
    });
    sleep(0).await;
    assert_eq!(attr(&host, "[data-secrets-view]", "data-secrets-total").as_deref(), Some("5000"));
    assert_eq!(attr(&host, "[data-secrets-view]", "data-secrets-shown").as_deref(), Some("5000"));
    assert_eq!(attr(&host, "table", "aria-rowcount").as_deref(), Some("5001"), "screen readers get the full count");
    let n = rows(&host);
    assert!(n > 0 && n <= 30, "only the rows on screen are in the DOM ({n})");
    assert_eq!(attr(&host, "tr[data-secret-id]", "data-region").as_deref(), Some("us-south"));

    // Scroll far down: a different slice, still small, with the right row indices.
    let scroller: web_sys::HtmlElement = q(&host, ".tscroll").expect("scroller").unchecked_into();
    scroller.set_scroll_top(34 * 2000);
    scroller.dispatch_event(&web_sys::Event::new("scroll").expect("event")).expect("dispatch");
    sleep(0).await;
    assert!(rows(&host) <= 30);
    assert!(q(&host, "tr[aria-rowindex=\"2002\"]").is_some(), "row 2000 is rendered after scrolling there");
    assert!(q(&host, "tr[aria-rowindex=\"2\"]").is_none(), "the first row left the DOM");

    // Typing filters at once; the shown count follows.
    let input: web_sys::HtmlInputElement = q(&host, "[data-secrets-filter]").expect("filter").unchecked_into();
    input.set_value("SECRET-004");
    input.dispatch_event(&web_sys::Event::new("input").expect("event")).expect("dispatch");
    sleep(0).await;
    assert_eq!(attr(&host, "[data-secrets-view]", "data-secrets-shown").as_deref(), Some("10"));
    assert_eq!(rows(&host), 10);
    assert_eq!(attr(&host, "tr[data-secret-id]", "data-secret-id").as_deref(), Some("id-40"));

    // Arrow keys move the active row.
    let table = q(&host, "table").expect("table");
    let down = web_sys::KeyboardEventInit::new();
    down.set_key("ArrowDown");
    for _ in 0..2 {
        let ev = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &down).expect("event");
        table.dispatch_event(&ev).expect("dispatch");
    }
    sleep(0).await;
    assert_eq!(attr(&host, "table", "aria-activedescendant").as_deref(), Some("t-row-1"));
    assert_eq!(attr(&host, "#t-row-1", "aria-selected").as_deref(), Some("true"));

    // Sort by name, descending.
    click(&host, "th.col-name button");
    sleep(0).await;
    assert_eq!(attr(&host, "th.col-name", "aria-sort").as_deref(), Some("descending"));
    assert_eq!(attr(&host, "tr[data-secret-id]", "data-secret-id").as_deref(), Some("id-49"));
    drop(handle);
}

const FETCH_STUB: &str = "window.__fetches = 0; window.fetch = (url, init) => { window.__fetches++; \
    return Promise.resolve(new Response(JSON.stringify({id: 's1', name: 'n1', secret_type: 'arbitrary', payload: 'hunter2-secret', api_key: 'key-xyz'}), \
    {status: 200, headers: {'content-type': 'application/json'}})); };";

fn body_has(s: &str) -> bool {
    web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()).map(|b| b.inner_html().contains(s)).unwrap_or(true)
}

#[wasm_bindgen_test]
async fn reveal_shows_then_re_masks_and_keeps_nothing() {
    js(FETCH_STUB);
    js("Object.defineProperty(navigator, 'clipboard', {configurable: true, value: {writeText: t => { window.__copied = t; return Promise.resolve(); }}});");
    let host = host();
    let (r, _) = region(0);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <SecretValue region=r.clone() id="s1".to_string() secret_type="arbitrary".to_string() reveal_ms=300 /> }
    });
    sleep(0).await;
    assert!(q(&host, "[data-secret-value=\"masked\"]").is_some());
    assert_eq!(js("return window.__fetches").as_f64(), Some(0.0), "nothing fetched until asked");

    click(&host, "[data-action=reveal]");
    until("the value revealed", || revealed(&host).is_some()).await;
    assert_eq!(revealed(&host).as_deref(), Some("hunter2-secret"));
    click(&host, "[data-action=hide]");
    until("masked after hide", || q(&host, "[data-secret-value=\"masked\"]").is_some()).await;
    assert!(!body_has("hunter2-secret"), "hidden means gone from the DOM");

    // Re-masks by itself after the reveal time (300 ms here), and not before.
    let clicked = js_sys::Date::now();
    click(&host, "[data-action=reveal]");
    until("the value revealed again", || revealed(&host).is_some()).await;
    let shown_after = js_sys::Date::now() - clicked;
    assert!(body_has("hunter2-secret"));
    until("re-masked after the timeout", || q(&host, "[data-secret-value=\"masked\"]").is_some()).await;
    let masked_after = js_sys::Date::now() - clicked;
    assert!(masked_after >= 300.0, "re-masked {masked_after} ms after the click: before the 300 ms reveal time");
    assert!(masked_after - shown_after >= 250.0, "shown for only {} ms", masked_after - shown_after);
    assert!(!body_has("hunter2-secret"));

    // Copy without showing.
    click(&host, "[data-action=copy]");
    until("the copy confirmed", || q(&host, "[data-copy-status]").and_then(|e| e.text_content()).unwrap_or_default().contains("Copied")).await;
    assert_eq!(js("return window.__copied").as_string().as_deref(), Some("hunter2-secret"));
    assert!(!body_has("hunter2-secret"));
    drop(handle);
}

#[wasm_bindgen_test]
async fn iam_credentials_are_read_only_after_a_warning() {
    js(FETCH_STUB);
    let host = host();
    let (r, _) = region(0);
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <SecretValue region=r.clone() id="s1".to_string() secret_type="iam_credentials".to_string() /> }
    });
    sleep(0).await;
    click(&host, "[data-action=reveal]");
    until("the warning", || q(&host, "[data-iam-warning]").is_some()).await;
    assert_eq!(js("return window.__fetches").as_f64(), Some(0.0), "not read before confirming");
    click(&host, "[data-action=confirm-read]");
    until("the value revealed", || revealed(&host).is_some()).await;
    assert_eq!(js("return window.__fetches").as_f64(), Some(1.0));
    assert_eq!(revealed(&host).as_deref(), Some("key-xyz"));
    drop(handle);
}

/// A group's name arrives after the rows that show it (its own request): a row already on screen
/// shows it then, not the group's id for as long as the row stays.
#[wasm_bindgen_test]
async fn a_kept_row_shows_its_groups_name_when_the_names_arrive() {
    let host = host();
    let (r, ctx) = region(3);
    let grouped: Vec<SecretMetadata> = (0..3)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "id": format!("g-{i}"), "name": format!("grouped-{i}"), "secret_type": "arbitrary",
                "secret_group_id": "3f1c9a70-group", "state": 1, "updated_at": "2026-01-01T00:00:00Z"
            }))
            .expect("valid")
        })
        .collect();
    r.secrets.set(SecretsLoad { items: SecretList::from_vec(grouped), loaded_at_ms: Some(1.0), ..Default::default() });
    let handle = leptos::mount::mount_to(host.clone(), move || {
        view! { <SecretsTable ctx=ctx.clone() sources=vec![0] view_id="t".to_string() total_hook=true /> }
    });
    let group_cell = || q(&host, "tr[data-secret-id=\"g-0\"] td[data-col=group]").and_then(|e| e.text_content());
    until("the row", || group_cell().is_some()).await;
    assert_eq!(group_cell().as_deref(), Some("3f1c9a70-group"), "before the names, the id");
    let row_before = q(&host, "tr[data-secret-id=\"g-0\"]");
    r.groups.set(vec![serde_json::from_value(serde_json::json!({"id": "3f1c9a70-group", "name": "payments-team"})).expect("valid group")]);
    until("the group's name in the row", || group_cell().as_deref() == Some("payments-team")).await;
    let title = attr(&host, "tr[data-secret-id=\"g-0\"] td[data-col=group]", "title");
    assert_eq!(title.as_deref(), Some("payments-team"), "the hover text follows too");
    assert!(row_before == q(&host, "tr[data-secret-id=\"g-0\"]"), "the same row, not a rebuilt one");
    std::mem::forget(handle);
}

/// `fetch` held until the test answers: `window.__answer(i, body)` answers the i-th request, and
/// `window.__read` lists the requests whose body the console has read.
const HELD_FETCH: &str = "window.__held = []; window.__read = []; window.fetch = (url, init) => new Promise(resolve => { \
    const i = window.__held.length; window.__held.push(body => { const r = new Response(body, {status: 200, headers: {'content-type': 'application/json'}}); \
    const read = r.arrayBuffer.bind(r); r.arrayBuffer = () => read().then(b => { window.__read.push(i); return b; }); resolve(r); }); }); \
    window.__answer = (i, body) => window.__held[i](body);";

fn groups_page(name: &str) -> String {
    serde_json::json!({"secret_groups": [{"id": "3f1c9a70-group", "name": name}], "total_count": 1}).to_string()
}

/// Two group loads in flight (a write's reload and a list's end, say), answered in the opposite
/// order: the older answer is dropped, not shown over the newer one.
#[wasm_bindgen_test]
async fn an_older_groups_answer_that_lands_last_is_dropped() {
    // Mounting is what starts the task executor; nothing else needs to be on screen.
    let handle = leptos::mount::mount_to(host(), || ());
    js(HELD_FETCH);
    let (r, _) = region(0);
    let count = || js("return window.__held.length").as_f64().unwrap_or(0.0);
    r.load_groups();
    until("the first groups request", || count() == 1.0).await;
    r.load_groups();
    until("the second groups request", || count() == 2.0).await;
    js(&format!("window.__answer(1, '{}')", groups_page("renamed-team")));
    until("the newer answer shown", || r.group_name("3f1c9a70-group") == "renamed-team").await;
    js(&format!("window.__answer(0, '{}')", groups_page("old-team")));
    until("the older answer read", || js("return window.__read.includes(0)").as_bool() == Some(true)).await;
    sleep(0).await;
    assert_eq!(r.group_name("3f1c9a70-group"), "renamed-team", "the older answer replaced the newer one");
    drop(handle);
}

fn unanswered(idx: u8, id: &str) -> RegionData {
    RegionData::detached(idx, id.into(), id.into(), RegionSignals::new(), RegionApi::new("http://127.0.0.1:1"))
}

/// The shell's gate for the secrets section, built under a mounted owner (effects need one).
fn gate(regions: Vec<RegionData>) -> RwSignal<bool> {
    let cell = std::rc::Rc::new(std::cell::Cell::new(None));
    let set = cell.clone();
    let handle = leptos::mount::mount_to(host(), move || set.set(Some(section_gate(&regions))));
    std::mem::forget(handle);
    cell.get().expect("the gate was built")
}

/// What the gate itself waits after it opens (a frame, then a turn), twice over.
async fn gate_turns() {
    for _ in 0..2 {
        regional_console::api::turn::after_paint(100).await;
    }
}

#[wasm_bindgen_test]
async fn the_secrets_section_waits_for_every_regions_first_answer() {
    let (dallas, frankfurt) = (unanswered(0, "us-south"), unanswered(1, "eu-de"));
    let started = js_sys::Date::now();
    let built = gate(vec![dallas.clone(), frankfurt.clone()]);
    dallas.signals.state.set(RegionState::Available);
    dallas.secrets.update(|s| s.loaded_at_ms = Some(1.0));
    gate_turns().await;
    assert!(!built.get_untracked(), "Frankfurt has not answered yet");
    // Frankfurt's answer is that it is down: nothing more is coming for the first paint.
    frankfurt.signals.state.set(RegionState::Unavailable);
    until("the section opens", || built.get_untracked()).await;
    assert!(js_sys::Date::now() - started < f64::from(SECTION_WAIT_CAP_MS), "opened by the answers, not by the cap");
}

#[wasm_bindgen_test]
async fn a_region_that_never_answers_holds_the_section_back_until_the_cap_only() {
    let (dallas, frankfurt) = (unanswered(0, "us-south"), unanswered(1, "eu-de"));
    let started = js_sys::Date::now();
    let built = gate(vec![dallas.clone(), frankfurt]);
    dallas.signals.state.set(RegionState::Available);
    dallas.secrets.update(|s| s.loaded_at_ms = Some(1.0));
    until("the section opens although Frankfurt never answered", || built.get_untracked()).await;
    // A timer never fires early: opening at or after the cap means the cap opened it.
    assert!(js_sys::Date::now() - started >= f64::from(SECTION_WAIT_CAP_MS), "opened before the cap with Frankfurt silent");
}
