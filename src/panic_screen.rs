//! What the user sees if the console ever panics. A panic in WebAssembly stops the whole app; the
//! page must then say so and offer a reload rather than sit there frozen, looking alive.

use wasm_bindgen::JsCast;

const MESSAGE: &str = "The console hit an internal error and stopped. Your data in the regions is not affected.";

/// Install the panic hook: log to the browser console, then cover the page with a reload prompt.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show();
    }));
}

/// Cover the page with the reload prompt (also used by the component tests).
pub fn show() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(body) = document.body() else { return };
    if document.query_selector("[data-fatal]").ok().flatten().is_some() {
        return;
    }
    let Ok(panel) = document.create_element("div") else { return };
    let _ = panel.set_attribute("data-fatal", "");
    let _ = panel.set_attribute("role", "alert");
    let _ = panel.set_attribute("class", "fatal-overlay");
    let Ok(text) = document.create_element("p") else { return };
    text.set_text_content(Some(MESSAGE));
    let Ok(button) = document.create_element("button") else { return };
    button.set_text_content(Some("Reload the console"));
    let _ = button.set_attribute("type", "button");
    // No inline handler (the CSP forbids them): a real listener that reloads.
    let reload = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    let _ = button.add_event_listener_with_callback("click", reload.as_ref().unchecked_ref());
    reload.forget();
    let _ = panel.append_child(&text);
    let _ = panel.append_child(&button);
    let _ = body.append_child(&panel);
    if let Ok(b) = button.dyn_into::<web_sys::HtmlElement>() {
        let _ = b.focus();
    }
}
