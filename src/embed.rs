//! The console inside a larger cloud console's iframe: the postMessage protocol of console.md.
//!
//! Accepts a message only from an allowed origin *and* from `window.parent`; posts only to the
//! parent's exact origin, never `"*"`. The rules themselves are pure and tested in
//! `model::embed`; this file is the browser glue.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, ResizeObserver, Window};

use crate::model::embed::{self, Inbound, Outbound, Theme};

/// What the rest of the console does with the parent's messages.
pub struct Handlers {
    pub on_token: Box<dyn Fn(String)>,
    pub on_region: Box<dyn Fn(String)>,
}

struct Link {
    parent: Window,
    allowed: Vec<String>,
    /// The parent's exact origin once it has spoken (or was known from `ancestorOrigins`).
    parent_origin: Option<String>,
    last_height: u32,
}

thread_local! {
    static LINK: RefCell<Option<Link>> = const { RefCell::new(None) };
}

/// Whether this page runs inside a frame.
pub fn is_embedded() -> bool {
    let Some(w) = web_sys::window() else { return false };
    match w.parent() {
        Ok(Some(parent)) => !js_sys::Object::is(&parent, &w),
        _ => false,
    }
}

fn known_parent_origin(w: &Window, allowed: &[String]) -> Option<String> {
    // `location.ancestorOrigins` (Chromium, WebKit) is not in web-sys; read it reflectively.
    let list = js_sys::Reflect::get(&w.location(), &"ancestorOrigins".into()).ok()?;
    let first = js_sys::Reflect::get(&list, &JsValue::from(0)).ok()?.as_string()?;
    allowed.iter().any(|a| *a == first).then_some(first)
}

/// Post a message to the parent: to its exact origin when known; otherwise to each allowed
/// origin, which the browser delivers only where it matches the parent's real origin.
pub fn post(msg: Outbound) {
    LINK.with(|l| {
        let link = l.borrow();
        let Some(link) = link.as_ref() else { return };
        let Ok(data) = js_sys::JSON::parse(&msg.to_json().to_string()) else { return };
        match &link.parent_origin {
            Some(origin) => {
                let _ = link.parent.post_message(&data, origin);
            }
            None => {
                for origin in &link.allowed {
                    let _ = link.parent.post_message(&data, origin);
                }
            }
        }
    });
}

pub fn apply_theme(theme: Theme) {
    if let Some(html) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = html.set_attribute("data-theme", theme.as_str());
    }
}

fn on_message(ev: MessageEvent, handlers: &Handlers) {
    let Some(w) = web_sys::window() else { return };
    let from_parent = match (ev.source(), w.parent()) {
        (Some(src), Ok(Some(parent))) => js_sys::Object::is(&src, &parent),
        _ => false,
    };
    let origin = ev.origin();
    let allowed = LINK.with(|l| l.borrow().as_ref().is_some_and(|link| embed::accept(&origin, &link.allowed, from_parent)));
    if !allowed {
        return;
    }
    let Some(text) = js_sys::JSON::stringify(&ev.data()).ok().and_then(|s| s.as_string()) else { return };
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) else { return };
    let Ok(msg) = embed::parse(&value) else { return };
    LINK.with(|l| {
        if let Some(link) = l.borrow_mut().as_mut() {
            link.parent_origin = Some(origin.clone());
        }
    });
    match msg {
        Inbound::Init { token, theme, region } => {
            if let Some(t) = theme {
                apply_theme(t);
            }
            if let Some(t) = token {
                (handlers.on_token)(t);
            }
            if let Some(r) = region {
                (handlers.on_region)(r);
            }
            // The parent now knows its origin is the one we answer: repeat the size at once.
            report_height(true);
        }
        Inbound::Token(t) => (handlers.on_token)(t),
        Inbound::Theme(t) => apply_theme(t),
    }
}

fn report_height(force: bool) {
    let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) else { return };
    let height = body.scroll_height().max(0) as u32;
    let changed = LINK.with(|l| {
        let mut l = l.borrow_mut();
        match l.as_mut() {
            Some(link) if force || link.last_height != height => {
                link.last_height = height;
                true
            }
            _ => false,
        }
    });
    if changed {
        post(Outbound::Resize { height });
    }
}

fn current_path(w: &Window) -> String {
    let hash = w.location().hash().unwrap_or_default();
    let path = hash.trim_start_matches('#');
    if path.is_empty() { "/".to_string() } else { path.chars().take(512).collect() }
}

/// Start the protocol when framed. Returns whether the console is embedded.
pub fn start(allowed: Vec<String>, handlers: Handlers) -> bool {
    let Some(w) = web_sys::window() else { return false };
    if !is_embedded() {
        return false;
    }
    let Ok(Some(parent)) = w.parent() else { return false };
    if let Some(html) = w.document().and_then(|d| d.document_element()) {
        let _ = html.set_attribute("data-embedded", "");
    }
    let parent_origin = known_parent_origin(&w, &allowed);
    LINK.with(|l| *l.borrow_mut() = Some(Link { parent, allowed, parent_origin, last_height: 0 }));

    let handlers = Rc::new(handlers);
    let on_msg = Closure::<dyn Fn(MessageEvent)>::new(move |ev: MessageEvent| on_message(ev, &handlers));
    let _ = w.add_event_listener_with_callback("message", on_msg.as_ref().unchecked_ref());
    on_msg.forget();

    let on_hash = Closure::<dyn Fn()>::new(|| {
        if let Some(w) = web_sys::window() {
            post(Outbound::Navigate { path: current_path(&w) });
        }
    });
    let _ = w.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    on_hash.forget();

    // Every height change, whatever caused it (data arriving, a region greying, a panel opening).
    let on_resize = Closure::<dyn Fn()>::new(|| report_height(false));
    if let (Ok(observer), Some(body)) = (ResizeObserver::new(on_resize.as_ref().unchecked_ref()), w.document().and_then(|d| d.body())) {
        observer.observe(&body);
        // The observer lives as long as the page.
        std::mem::forget(observer);
    }
    on_resize.forget();

    post(Outbound::Ready);
    true
}
