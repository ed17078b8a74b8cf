//! What the end-to-end tests that drive views and forms do in the page: wait for a condition,
//! find, click and type as a person does (WebDriver element click and `send_keys`), and read text.

use std::time::Duration;

use serde_json::Value;
use thirtyfour::prelude::*;

use super::Browser;

/// How long a view may take to show what a step waits for.
pub const T: Duration = Duration::from_secs(20);

/// `s` as a JavaScript string literal.
pub fn js(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// Go to `hash` in the page already open (a `hashchange`, no reload), as a link in the page does.
pub async fn goto_hash(b: &Browser, hash: &str) {
    b.eval(&format!("(location.hash = {}, true)", js(hash))).await;
}

/// Wait up to `T` until `cond_js` is true in the page.
pub async fn wait_for(b: &Browser, what: &str, cond_js: &str) -> Result<(), String> {
    wait_within(b, T, what, cond_js).await
}

pub async fn wait_within(b: &Browser, t: Duration, what: &str, cond_js: &str) -> Result<(), String> {
    b.wait_until(t, what, || async { b.eval(cond_js).await.as_bool() == Some(true) }).await.map(|_| ())
}

/// The element, once it exists.
pub async fn el(b: &Browser, css: &str) -> Result<WebElement, String> {
    wait_for(b, css, &format!("document.querySelector({}) !== null", js(css))).await?;
    b.d().find(By::Css(css)).await.map_err(|e| format!("{css}: {e}"))
}

/// A real click on the element (WebDriver element click: scrolled into view, hit-tested).
pub async fn click(b: &Browser, css: &str) -> Result<(), String> {
    el(b, css).await?.click().await.map_err(|e| format!("click {css}: {e}"))
}

/// Click into the box and type `text` key by key.
pub async fn type_into(b: &Browser, css: &str, text: &str) -> Result<WebElement, String> {
    let e = el(b, css).await?;
    e.click().await.map_err(|e| format!("click {css}: {e}"))?;
    e.send_keys(text).await.map_err(|e| format!("typing into {css}: {e}"))?;
    Ok(e)
}

/// Choose an option of a `<select>` by clicking it.
pub async fn choose(b: &Browser, select_css: &str, value: &str) -> Result<(), String> {
    click(b, select_css).await?;
    click(b, &format!("{select_css} option[value={}]", js(value))).await
}

pub async fn text(b: &Browser, sel: &str) -> String {
    b.eval(&format!("document.querySelector({})?.textContent ?? ''", js(sel))).await.as_str().unwrap_or("").to_string()
}

pub async fn prop(b: &Browser, sel: &str, p: &str) -> String {
    b.eval(&format!("String(document.querySelector({})?.[{}] ?? '')", js(sel), js(p))).await.as_str().unwrap_or("").to_string()
}
