//! Benchmark (prints figures; not a test): copy 500 secrets from Dallas to Frankfurt through the
//! console, then look for the copied values in the page's wasm linear memory and in a JS heap
//! snapshot, both after a full GC.
//! `scripts/bench-copy.sh` runs it.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::{config_for, instrument, Browser, Emulator, Site};
use thirtyfour::By;

const SECRETS: usize = 500;
/// Every copied value starts with this; nothing else in the page does.
const MARKER: &str = "CPYVAL-7f3e-";

async fn wait(b: &Browser, what: &str, cond: &str, timeout: Duration) -> Result<Duration, String> {
    b.wait_until(timeout, what, || async { b.eval(cond).await.as_bool() == Some(true) }).await
}

async fn click(b: &Browser, sel: &str) -> Result<(), String> {
    b.d().find(By::Css(sel)).await.map_err(|e| format!("{sel}: {e}"))?.click().await.map_err(|e| format!("click {sel}: {e}"))
}

/// Requests the page sent to an origin (every kind), from the instruments' fetch counter.
async fn sent_to(b: &Browser, origin: &str) -> u64 {
    let v = b.eval("window.__inst.fetches").await;
    v.as_object().map(|m| m.iter().filter(|(k, _)| k.starts_with(&format!("{origin} "))).filter_map(|(_, n)| n.as_u64()).sum()).unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run with scripts/bench-copy.sh"]
async fn copy_500_secrets() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &[]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &[]);
    let c = reqwest::Client::new();
    for i in 0..SECRETS {
        let body = json!({"secret_type": "arbitrary", "name": format!("bench-copy-{i:04}"), "payload": format!("{MARKER}{i:04}-value")});
        let r = c.post(format!("{}/api/v2/secrets", dallas.api())).json(&body).send().await.expect("create");
        assert_eq!(r.status().as_u16(), 201);
    }
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let b = Browser::start_with(&instrument::FLAGS).await;
    let result = run(&b, &site, &dallas, &frankfurt).await;
    b.finish(result).await;
}

async fn run(b: &Browser, site: &Site, dallas: &Emulator, frankfurt: &Emulator) -> Result<(), String> {
    instrument::install(b).await?;
    b.d().goto(&format!("{}#/secrets/cross", site.url)).await.map_err(|e| e.to_string())?;
    wait(b, "both regions loaded", "document.querySelectorAll('[data-region][data-state=\"available\"]').length >= 2 && document.querySelector('[data-cross=\"only-0\"]') !== null", Duration::from_secs(60)).await?;
    click(b, "[data-cross=\"only-0\"]").await?;
    wait(b, "the plan", &format!("(document.querySelector('[data-copy-plan]')?.textContent ?? '').startsWith('{SECRETS} of the {SECRETS}')"), Duration::from_secs(30)).await?;
    // A control for the heap search: one string of the copied values' shape, planted and then
    // dropped. The search must find it, or a zero after the copy would prove nothing.
    b.eval(&format!("(window.__control = [{m} + '0000-control'].join(''), true)", m = serde_json::Value::from(MARKER))).await;
    let control = instrument::heap_snapshot_count(b, MARKER).await?;
    b.eval("(delete window.__control, true)").await;
    let before = instrument::after_gc(b).await?;
    let (d0, f0) = (sent_to(b, &dallas.api()).await, sent_to(b, &frankfurt.api()).await);
    click(b, "[data-action=\"copy-start\"]").await?;
    click(b, "[data-action=\"copy-confirm\"]").await?;
    let started = Instant::now();
    wait(b, "the copy to finish", "(document.querySelector('[data-copy-summary]')?.textContent ?? '').startsWith('Copy finished.')", Duration::from_secs(600)).await?;
    let took = started.elapsed().as_secs_f64();
    let (d1, f1) = (sent_to(b, &dallas.api()).await, sent_to(b, &frankfurt.api()).await);
    let summary = b.eval("document.querySelector('[data-copy-summary]').textContent").await;
    // The page's own background requests (probes, health polls) are in these counts too.
    let requests = (d1 - d0) + (f1 - f0);
    let after = instrument::after_gc(b).await?;
    let found = b
        .eval(&format!(
            "(() => {{ const m = window.__inst.wasm && window.__inst.wasm.memory; if (!m) return null; \
               const bytes = new Uint8Array(m.buffer); const pat = new TextEncoder().encode({marker}); let n = 0; \
               outer: for (let i = 0; i + pat.length <= bytes.length; i++) {{ for (let j = 0; j < pat.length; j++) {{ if (bytes[i + j] !== pat[j]) continue outer; }} n++; }} \
               return n; }})()",
            marker = serde_json::Value::from(MARKER)
        ))
        .await;
    let in_heap = instrument::heap_snapshot_count(b, MARKER).await?;
    let r = c_count(frankfurt).await;
    println!("copy of {SECRETS} secrets: {took:.1} s; {requests} requests to both regions ({:.1} per second; Dallas {}, Frankfurt {})", requests as f64 / took, d1 - d0, f1 - f0);
    println!("summary on screen: {summary}");
    println!("Frankfurt holds {r} secrets afterwards");
    println!("copied values found in wasm linear memory after a full GC: {found} (memory {:?} → {:?} bytes)", before.wasm, after.wasm);
    println!("copied values found in a JS heap snapshot after a full GC: {in_heap} (control: the planted string was found {control} time(s)); JS heap {:?} → {:?} bytes", before.js_heap, after.js_heap);
    Ok(())
}

async fn c_count(frankfurt: &Emulator) -> u64 {
    let v: serde_json::Value = reqwest::get(format!("{}/api/v2/secrets?limit=1", frankfurt.api())).await.expect("list").json().await.unwrap_or_default();
    v["total_count"].as_u64().unwrap_or(0)
}
