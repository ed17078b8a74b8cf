//! Saving a file the browser made (no server round trip): a Blob, an object URL and a click on a
//! detached `<a download>`. The URL is revoked on the next task, once the download has taken it.

use wasm_bindgen::{JsCast, JsValue};

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("this browser cannot make the file: {0}")]
    Browser(String),
}

fn js(e: JsValue) -> SaveError {
    SaveError::Browser(e.as_string().unwrap_or_else(|| "the browser refused".into()))
}

pub fn save_text(file_name: &str, mime: &str, text: &str) -> Result<(), SaveError> {
    let window = web_sys::window().ok_or_else(|| SaveError::Browser("no window".into()))?;
    let document = window.document().ok_or_else(|| SaveError::Browser("no document".into()))?;
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(js)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js)?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(js)?.unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // The timer always fires, so the one-shot closure frees itself when it runs.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    window.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 0).map_err(js)?;
    Ok(())
}
