//! Page-side instruments for the long-running tests and the soak benchmark, installed before any
//! page script (in every frame): live `AbortController`s counted through a wrapping constructor
//! and a `FinalizationRegistry`; every `fetch` counted by region origin and kind; a switch that
//! makes one origin's health API fail as a CORS failure does (a `TypeError`, no response); and a
//! page-visibility override (`document.hidden`, `visibilitychange`), as a background tab sees it.
#![allow(dead_code)]

use super::Browser;

/// Chromium flags the instruments need: `gc()` for counting only what is really still alive.
pub const FLAGS: [&str; 2] = ["--js-flags=--expose-gc", "--enable-precise-memory-info"];

const SCRIPT: &str = r#"
(() => {
  if (window.__inst) return;
  const inst = window.__inst = { created: 0, collected: 0, fetches: {}, auth: [], failHealthOf: __FAIL_HEALTH_OF__ };
  addEventListener('TrunkApplicationStarted', e => { inst.wasm = e.detail && e.detail.wasm; });
  const registry = new FinalizationRegistry(() => { inst.collected++; });
  const NativeAbort = window.AbortController;
  window.AbortController = class AbortController extends NativeAbort {
    constructor() { super(); inst.created++; registry.register(this, null); }
  };
  const kind = url => url.includes('/api/health/v1/events') ? 'events'
    : url.includes('/api/health/v1/region') ? 'health'
    : /\/api\/v2\/secrets\?limit=1$/.test(url) ? 'probe' : 'other';
  const nativeFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = String(input && input.url ? input.url : input);
    let origin = '';
    try { origin = new URL(url, location.href).origin; } catch (_) {}
    const key = origin + ' ' + kind(url);
    inst.fetches[key] = (inst.fetches[key] || 0) + 1;
    const headers = init && init.headers;
    const auth = headers && typeof headers.get === 'function' ? headers.get('Authorization') : null;
    if (auth && inst.auth.length < 1000) inst.auth.push(origin + ' ' + auth);
    if (inst.failHealthOf === origin && url.includes('/api/health/')) {
      return Promise.reject(new TypeError('Failed to fetch'));
    }
    return nativeFetch.call(this, input, init);
  };
  // Every `data-state` a region panel takes, in order (a flash of grey is caught too).
  inst.states = {};
  new MutationObserver(records => {
    for (const r of records) {
      const el = r.target;
      if (!el.matches || !el.matches('[data-region][data-state]')) continue;
      const log = inst.states[el.getAttribute('data-region')] = inst.states[el.getAttribute('data-region')] || [];
      const state = el.getAttribute('data-state');
      if (log[log.length - 1] !== state && log.length < 1000) log.push(state);
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-state'] });
  window.__setHidden = hidden => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => hidden ? 'hidden' : 'visible' });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  };
  // Two full collections with a task between them, so finalizers of the first have run.
  window.__afterGc = done => {
    gc();
    setTimeout(() => { gc(); setTimeout(() => done({
      live: inst.created - inst.collected, created: inst.created,
      js_heap: performance.memory ? performance.memory.usedJSHeapSize : null,
      wasm: inst.wasm && inst.wasm.memory ? inst.wasm.memory.buffer.byteLength : null,
    }), 50); }, 50);
  };
})();
"#;

/// Install the instruments for every page (and frame) the browser opens from now on.
pub async fn install(b: &Browser) -> Result<(), String> {
    install_script(b, "null").await
}

/// The instruments, with `origin`'s health API failing as a CORS failure does from the first
/// request on.
pub async fn install_failing_health(b: &Browser, origin: &str) -> Result<(), String> {
    install_script(b, &serde_json::Value::from(origin).to_string()).await
}

async fn install_script(b: &Browser, fail_health_of: &str) -> Result<(), String> {
    let source = SCRIPT.replace("__FAIL_HEALTH_OF__", fail_health_of);
    b.cdp("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": source })).await.map(|_| ())
}

/// What the page holds after a full GC.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Memory {
    pub live_abort_controllers: i64,
    pub created_abort_controllers: i64,
    pub js_heap: Option<f64>,
    pub wasm: Option<f64>,
}

pub async fn after_gc(b: &Browser) -> Result<Memory, String> {
    let v = b.eval_async("window.__afterGc(arguments[arguments.length - 1])").await?;
    Ok(Memory {
        live_abort_controllers: v["live"].as_i64().ok_or_else(|| format!("no instruments in the page: {v}"))?,
        created_abort_controllers: v["created"].as_i64().unwrap_or(0),
        js_heap: v["js_heap"].as_f64(),
        wasm: v["wasm"].as_f64(),
    })
}

/// How many requests of `kind` (`events`, `health`, `probe`, `other`) went to `origin`.
pub async fn fetches(b: &Browser, origin: &str, kind: &str) -> u64 {
    b.eval(&format!("(window.__inst && window.__inst.fetches['{origin} {kind}']) || 0")).await.as_u64().unwrap_or(0)
}

/// The `Authorization` headers sent so far, as `"<origin> Bearer <token>"`.
pub async fn authorizations(b: &Browser) -> Vec<String> {
    serde_json::from_value(b.eval("(window.__inst && window.__inst.auth) || []").await).unwrap_or_default()
}

/// Every `data-state` the region's panel has taken since the page loaded (after the first).
pub async fn states(b: &Browser, region: &str) -> Vec<String> {
    serde_json::from_value(b.eval(&format!("(window.__inst && window.__inst.states['{region}']) || []")).await).unwrap_or_default()
}

pub async fn set_hidden(b: &Browser, hidden: bool) {
    b.eval(&format!("(window.__setHidden({hidden}), true)")).await;
}

/// How many strings in a V8 heap snapshot of the page, taken after a full GC, contain `needle`
/// followed by an ASCII digit (the digit keeps the needle's own copy, in the scripts that search
/// for it, out of the count). The snapshot streams in as CDP events, so this opens a WebSocket CDP
/// session beside WebDriver's (thirtyfour's `cdp-events`).
pub async fn heap_snapshot_count(b: &Browser, needle: &str) -> Result<usize, String> {
    use tokio::sync::broadcast::error::RecvError;
    let session = b.d().cdp().connect().await.map_err(|e| format!("CDP session: {e}"))?;
    let mut events = session.subscribe_connection();
    let cdp = |what: &'static str| move |e| format!("{what}: {e}");
    session.send_raw("HeapProfiler.enable", serde_json::json!({})).await.map_err(cdp("HeapProfiler.enable"))?;
    session.send_raw("HeapProfiler.collectGarbage", serde_json::json!({})).await.map_err(cdp("HeapProfiler.collectGarbage"))?;
    let (done_tx, mut done_rx) = tokio::sync::oneshot::channel::<()>();
    // Chunks arrive while the command is pending: collect them concurrently, so a snapshot of
    // more chunks than the event buffer holds is not cut short.
    let collector = tokio::spawn(async move {
        let mut text = String::new();
        let mut take = |ev: thirtyfour::cdp::RawEvent| {
            if ev.method == "HeapProfiler.addHeapSnapshotChunk" {
                text.push_str(ev.params["chunk"].as_str().unwrap_or_default());
            }
        };
        let mut finished = false;
        loop {
            tokio::select! {
                ev = events.recv() => match ev {
                    Ok(ev) => take(ev),
                    Err(RecvError::Lagged(n)) => return Err(format!("{n} heap snapshot chunks lost")),
                    Err(RecvError::Closed) => break,
                },
                _ = &mut done_rx, if !finished => finished = true,
            }
            if finished {
                // CDP sends every chunk before the command's answer: drain what is buffered.
                while let Ok(ev) = events.try_recv() {
                    take(ev);
                }
                break;
            }
        }
        Ok(text)
    });
    let taken = session.send_raw("HeapProfiler.takeHeapSnapshot", serde_json::json!({"reportProgress": false})).await;
    let _ = done_tx.send(());
    let text = collector.await.map_err(|e| format!("snapshot collector: {e}"))??;
    taken.map_err(cdp("HeapProfiler.takeHeapSnapshot"))?;
    let _ = session.detach().await;
    if !text.contains("\"strings\"") {
        return Err(format!("no heap snapshot received ({} bytes)", text.len()));
    }
    Ok(text.match_indices(needle).filter(|(i, _)| text.as_bytes().get(i + needle.len()).is_some_and(u8::is_ascii_digit)).count())
}
