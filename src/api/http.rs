//! One HTTP exchange with a region through `fetch`: timeout, abort on drop, size cap.
//!
//! Every request the console makes goes through [`send`], so the rules hold everywhere: nothing
//! waits forever (a hung region must not hang a view), a dropped future cancels its request, and a
//! hostile 10 MB body is refused instead of parsed.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use serde::de::DeserializeOwned;
use sm_contract::error::ErrorSummary;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestInit, RequestMode, RequestRedirect, Response};

use zeroize::Zeroize;

use super::error::ApiError;
use crate::model::backoff::retry_after_ms;
use crate::model::redacted::Redacted;

/// Largest body the console will read. The biggest legitimate answer is a 1000-secret page.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One request to send. The token and the body (a secret's payload, on writes) are `Redacted`, so
/// a request in a log line or an error message carries neither.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub body: Option<(Redacted<String>, &'static str)>,
    pub token: Option<Redacted<String>>,
    pub timeout_ms: u32,
}

impl Request {
    pub fn get(url: String, timeout_ms: u32) -> Self {
        Request { method: Method::Get, url, body: None, token: None, timeout_ms }
    }
}

/// A body may hold a secret's value (a create, a new version, a copy): wipe its bytes when the
/// request is done with, so freed wasm memory does not keep them. The JavaScript string handed to
/// `fetch` is out of reach (strings there cannot be wiped).
impl Drop for Request {
    fn drop(&mut self) {
        if let Some((body, _)) = &mut self.body {
            body.zeroize();
        }
    }
}

#[derive(Debug, Clone)]
pub struct Response200 {
    pub status: u16,
    pub zone: Option<String>,
    pub body: String,
}

/// The text of an answer may hold a secret's value (a reveal, a copy's read): wiped once read, for
/// the same reason as a request's body.
impl Drop for Response200 {
    fn drop(&mut self) {
        self.body.zeroize();
    }
}

/// Aborts the fetch when the future that owns it is dropped (view unmounted, region closed).
struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A timer that aborts a request after its timeout; cleared however the request ends.
/// `fired()` tells a timeout apart from other aborts.
///
/// The timer and its callback are owned here (gloo's `Timeout` clears and frees both on drop).
/// A callback handed to JS with `Closure::once_into_js` is freed only when it runs, so a request
/// that finished first would leave it, and the `AbortController` it holds, behind for good.
pub(crate) struct Deadline {
    _timer: Timeout,
    fired: Rc<Cell<bool>>,
}

impl Deadline {
    pub(crate) fn arm(controller: &AbortController, ms: u32) -> Deadline {
        let fired = Rc::new(Cell::new(false));
        let (c, flag) = (controller.clone(), fired.clone());
        let timer = Timeout::new(ms, move || {
            flag.set(true);
            c.abort();
        });
        Deadline { _timer: timer, fired }
    }

    pub(crate) fn fired(&self) -> bool {
        self.fired.get()
    }
}

/// The request settings every call to a region shares: CORS, no redirects (a region's APIs never
/// redirect, and following one could carry the request and its token to another origin), the
/// abort signal, `Accept` and the bearer token. Returns the headers for additions.
pub(crate) fn base_init(method: &str, accept: &str, token: Option<&str>, controller: &AbortController) -> Result<(RequestInit, Headers), ApiError> {
    let headers = Headers::new().map_err(|_| ApiError::Network)?;
    let _ = headers.set("Accept", accept);
    if let Some(t) = token {
        let _ = headers.set("Authorization", &format!("Bearer {t}"));
    }
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    init.set_redirect(RequestRedirect::Error);
    init.set_signal(Some(&controller.signal()));
    init.set_headers(&headers);
    Ok((init, headers))
}

fn now_unix_s() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

/// Send one request. A non-2xx answer is `ApiError::Status` with the body's error summary.
pub async fn send(req: &Request) -> Result<Response200, ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let controller = AbortController::new().map_err(|_| ApiError::Network)?;
    let _abort = AbortOnDrop(controller.clone());

    let deadline = Deadline::arm(&controller, req.timeout_ms);
    let (init, headers) = base_init(req.method.as_str(), "application/json", req.token.as_ref().map(|t| t.as_str()), &controller)?;
    if let Some((body, content_type)) = &req.body {
        let _ = headers.set("Content-Type", content_type);
        init.set_body(&JsValue::from_str(body.expose()));
    }

    let fail = |deadline: &Deadline| {
        if deadline.fired() {
            ApiError::Timeout(req.timeout_ms)
        } else if controller.signal().aborted() {
            ApiError::Aborted
        } else {
            ApiError::Network
        }
    };

    let resp = JsFuture::from(window.fetch_with_str_and_init(&req.url, &init))
        .await
        .map_err(|_| fail(&deadline))?;
    let resp: Response = resp.dyn_into().map_err(|_| ApiError::Decode("not a fetch response".into()))?;
    let status = resp.status();
    let header = |name: &str| resp.headers().get(name).ok().flatten();
    if let Some(len) = header("content-length").and_then(|v| v.trim().parse::<usize>().ok()) {
        if len > MAX_BODY_BYTES {
            return Err(ApiError::TooLarge(MAX_BODY_BYTES));
        }
    }
    let zone = header("x-zone").map(|z| z.chars().take(64).collect());
    let retry_after = header("retry-after").and_then(|v| retry_after_ms(&v, now_unix_s()));
    // The body as bytes, not text: copying UTF-8 bytes into wasm memory is a memcpy, where a JS
    // string had to be decoded from UTF-8 and encoded back (most of the cost of a 1,000-secret
    // page); the size is known before anything enters wasm memory, so a hostile chunked body
    // never does; and the JS copy can be wiped, which a string cannot.
    let buf_promise = resp.array_buffer().map_err(|_| ApiError::Decode("unreadable body".into()))?;
    let buf = JsFuture::from(buf_promise).await.map_err(|_| fail(&deadline))?;
    let bytes = js_sys::Uint8Array::new(&buf);
    let len = bytes.length() as usize;
    if len > MAX_BODY_BYTES {
        bytes.fill(0, 0, len as u32);
        return Err(ApiError::TooLarge(MAX_BODY_BYTES));
    }
    let mut raw = vec![0u8; len];
    bytes.copy_to(&mut raw);
    bytes.fill(0, 0, len as u32);
    let body = utf8_body(raw);
    if !(200..300).contains(&status) {
        return Err(ApiError::Status { status, summary: ErrorSummary::from_body(&body), retry_after_ms: retry_after });
    }
    Ok(Response200 { status, zone, body })
}

/// The body as text, as `Response.text()` would give it: a leading byte-order mark dropped, bytes
/// that are not UTF-8 replaced (and the copy that held them wiped).
fn utf8_body(raw: Vec<u8>) -> String {
    let mut text = match String::from_utf8(raw) {
        Ok(s) => s,
        Err(e) => {
            let mut raw = e.into_bytes();
            let s = String::from_utf8_lossy(&raw).into_owned();
            raw.zeroize();
            s
        }
    };
    if text.starts_with('\u{FEFF}') {
        // In place: no second copy of the body is made (and left unwiped).
        text.replace_range(..'\u{FEFF}'.len_utf8(), "");
    }
    text
}

/// Parse a 2xx body as JSON of type `T`, explaining what was wrong when it is not. Every answer
/// of the v2 and health APIs is an object: anything else (a bare array, which serde's derived
/// structs would read field by field) is the wrong shape.
pub fn decode<T: DeserializeOwned>(body: &str) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_str(body);
    sm_contract::lenient::object_only(&mut de).and_then(|v| de.end().map(|()| v)).map_err(|e| {
        let trimmed = body.trim_start();
        if trimmed.starts_with('<') {
            ApiError::Decode("an HTML page instead of JSON, perhaps from a proxy".into())
        } else if body.is_empty() {
            ApiError::Decode("an empty body".into())
        } else {
            ApiError::Decode(format!("invalid JSON: {}", e.classify_name()))
        }
    })
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected shape",
            serde_json::error::Category::Eof => "truncated",
        }
    }
}

pub async fn get_json<T: DeserializeOwned>(req: &Request) -> Result<(T, Option<String>), ApiError> {
    let mut r = send(req).await?;
    Ok((decode(&r.body)?, r.zone.take()))
}

// `api` and the features build only for the browser, so these run as wasm-bindgen tests
// (`cargo test -p regional-console --target wasm32-unknown-unknown`).
#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn a_body_that_is_not_an_object_is_the_wrong_shape() {
        use sm_contract::SecretGroupsPage;
        // Every field of a groups page has a default: an empty array read as an empty page.
        for body in ["[]", "[[], 3]", "\"x\"", "{\"secret_groups\":[]} trailing"] {
            assert!(decode::<SecretGroupsPage>(body).is_err(), "{body} read as a page");
        }
        assert!(decode::<serde_json::Value>("[1]").is_err(), "a value with data must be an object too");
        let page: SecretGroupsPage = decode(" {\"secret_groups\":[{\"id\":\"g\",\"name\":\"n\"}]} ").expect("a page");
        assert_eq!(page.secret_groups.items.len(), 1);
    }

    #[wasm_bindgen_test]
    fn a_logged_request_carries_neither_token_nor_body() {
        let mut r = Request::get("http://127.0.0.1:1/api/v2/secrets".into(), 1_000);
        r.token = Some("tok-3f9a".to_string().into());
        r.body = Some((r#"{"payload":"hunter2"}"#.into(), "application/json"));
        let shown = format!("{r:?}");
        assert!(!shown.contains("tok-3f9a") && !shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("/api/v2/secrets"));
    }
}
