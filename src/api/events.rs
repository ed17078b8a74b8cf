//! The health event stream (`GET /api/health/v1/events`), read with `fetch` and a pure SSE parser.
//!
//! Not `EventSource`: it cannot send `Authorization`, cannot time out a connect that hangs, and
//! reconnects on its own schedule. The region controller owns reconnection instead.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{AbortController, ReadableStreamDefaultReader, Response, TextDecodeOptions, TextDecoder};

use super::auth::Token;
use super::error::ApiError;
use super::http::{base_init, Deadline};
use crate::model::sse::{SseEvent, SseParser};

/// One event larger than this is hostile: the biggest legitimate one is a region document.
const MAX_EVENT_BYTES: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq)]
pub enum StreamMsg {
    Opened,
    Event(SseEvent),
    /// The stream ended or failed. Not sent when the owner closed it.
    Closed(ApiError),
}

/// An open stream; dropping it closes the connection.
pub struct EventStream {
    controller: AbortController,
}

impl Drop for EventStream {
    fn drop(&mut self) {
        self.controller.abort();
    }
}

pub fn open(url: String, token: Option<Token>, connect_timeout_ms: u32, on_msg: Rc<dyn Fn(StreamMsg)>) -> Option<EventStream> {
    let controller = AbortController::new().ok()?;
    let c = controller.clone();
    spawn_local(async move {
        let result = run(&url, token, connect_timeout_ms, &c, &on_msg).await;
        if !c.signal().aborted() || result.as_ref().is_err_and(|e| matches!(e, ApiError::Timeout(_))) {
            on_msg(StreamMsg::Closed(result.err().unwrap_or(ApiError::Network)));
        }
    });
    Some(EventStream { controller })
}

async fn run(
    url: &str,
    token: Option<Token>,
    connect_timeout_ms: u32,
    controller: &AbortController,
    on_msg: &Rc<dyn Fn(StreamMsg)>,
) -> Result<(), ApiError> {
    let window = web_sys::window().ok_or(ApiError::Network)?;
    let (init, _) = base_init("GET", "text/event-stream", token.as_ref().map(|t| t.as_str()), controller)?;
    // Only the connect is timed; once open, silence is judged by the heartbeat rule.
    let deadline = Deadline::arm(controller, connect_timeout_ms);
    let resp = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await;
    let timed_out = deadline.fired();
    drop(deadline);
    let resp: Response = match resp {
        Ok(r) => r.dyn_into().map_err(|_| ApiError::Decode("not a fetch response".into()))?,
        Err(_) if timed_out => return Err(ApiError::Timeout(connect_timeout_ms)),
        Err(_) => return Err(ApiError::Network),
    };
    if !resp.ok() {
        return Err(ApiError::Status { status: resp.status(), summary: Default::default(), retry_after_ms: None });
    }
    let content_type = resp.headers().get("content-type").ok().flatten().unwrap_or_default();
    if !content_type.starts_with("text/event-stream") {
        return Err(ApiError::Decode(format!("expected an event stream, got {}", content_type.chars().take(60).collect::<String>())));
    }
    let body = resp.body().ok_or_else(|| ApiError::Decode("no body".into()))?;
    let reader: ReadableStreamDefaultReader =
        body.get_reader().dyn_into().map_err(|_| ApiError::Decode("unreadable stream".into()))?;
    let decoder = TextDecoder::new().map_err(|_| ApiError::Decode("no text decoder".into()))?;
    let opts = TextDecodeOptions::new();
    opts.set_stream(true);
    let mut parser = SseParser::new(MAX_EVENT_BYTES);
    on_msg(StreamMsg::Opened);
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(|_| ApiError::Network)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).ok().and_then(|v| v.as_bool()).unwrap_or(true);
        if done {
            return Err(ApiError::Network);
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into()).map_err(|_| ApiError::Network)?;
        let bytes: js_sys::Uint8Array = value.dyn_into().map_err(|_| ApiError::Decode("non-byte chunk".into()))?;
        let text = decoder
            .decode_with_js_u8_array_and_options(&bytes, &opts)
            .map_err(|_| ApiError::Decode("invalid UTF-8".into()))?;
        let events = parser.push(&text).map_err(|e| ApiError::Decode(e.to_string()))?;
        for ev in events {
            on_msg(StreamMsg::Event(ev));
        }
    }
}
