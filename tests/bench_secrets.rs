//! Benchmark, not a test (ignored; run by `scripts/bench-secrets.sh`): 10,000 secrets per region in
//! headless Chromium. Prints the time until both regions are fully loaded, the filter keystroke →
//! painted latency (median and p95, measured in the page with performance.now() and
//! requestAnimationFrame) on the combined 20,000-row view, and the JS heap after load.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::{config_for, Browser, Emulator, Site};

const PER_REGION: &str = "10000";

/// Types words letter by letter and deletes them again; each keystroke is timed from the input
/// event to the first frame painted after it (rAF, then a task: the paint has happened).
const KEYSTROKES: &str = r#"(async () => {
  const input = document.querySelector('[data-secrets-filter]');
  const view = document.querySelector('[data-secrets-view]');
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const times = [], shown = [];
  const type = async (v) => {
    input.value = v;
    const t0 = performance.now();
    input.dispatchEvent(new Event('input', {bubbles: true}));
    await frame();
    times.push(performance.now() - t0);
  };
  for (const w of ['payments', 'db-password', 'prod', 'analytics-api', 'cert', 'zz-none']) {
    for (let i = 1; i <= w.length; i++) await type(w.slice(0, i));
    shown.push(w + '=' + view.dataset.secretsShown);
    for (let i = w.length - 1; i >= 0; i--) await type(w.slice(0, i));
  }
  return {times, shown, all: view.dataset.secretsShown};
})()"#;

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run scripts/bench-secrets.sh"]
async fn bench_10k_secrets_per_region() {
    let data = tempfile::tempdir().expect("temp dir");
    let seed_start = std::time::Instant::now();
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", PER_REGION]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", PER_REGION]);
    println!("emulators seeded with {PER_REGION} secrets each in {:.1} s", seed_start.elapsed().as_secs_f64());
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let b = Browser::start().await;
    let result = run(&b, &site).await;
    b.finish(result).await;
}

async fn run(b: &Browser, site: &Site) -> Result<(), String> {
    // Keep a handle on the wasm exports (trunk announces them) to read the linear memory size.
    #[allow(deprecated)]
    let dev_tools = thirtyfour::extensions::cdp::ChromeDevTools::new(b.d().handle().clone());
    dev_tools
        .execute_cdp_with_params(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({"source": "addEventListener('TrunkApplicationStarted', e => { window.__wasm = e.detail.wasm; });"}),
        )
        .await
        .map_err(|e| e.to_string())?;
    // Warm the HTTP cache and the wasm compile cache once, then measure a fresh navigation.
    for round in 0..2 {
        b.d().goto(&format!("{}#/secrets/all", site.url)).await.map_err(|e| e.to_string())?;
        b.wait_until(Duration::from_secs(120), "both regions fully loaded", || async {
            b.secrets_total("us-south").await.as_deref() == Some(PER_REGION) && b.secrets_total("eu-de").await.as_deref() == Some(PER_REGION)
        })
        .await?;
        let loaded_ms = b.eval("performance.now()").await.as_f64().unwrap_or(f64::NAN);
        if round == 1 {
            println!("time to all 20,000 secrets loaded (navigation start → both totals at {PER_REGION}, polled every 25 ms): {loaded_ms:.0} ms");
        } else {
            println!("first (cold) load: {loaded_ms:.0} ms");
        }
    }
    b.wait_until(Duration::from_secs(10), "combined view shows 20000", || async {
        b.eval("document.querySelector('[data-secrets-view]')?.dataset.secretsShown ?? null").await.as_str() == Some("20000")
    })
    .await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let heap = b.eval("performance.memory ? performance.memory.usedJSHeapSize : null").await.as_f64();
    let rows = b.eval("document.querySelectorAll('tr[data-secret-id]').length").await;
    println!("rows in the DOM for 20,000 secrets: {rows}");
    match heap {
        Some(h) => println!("JS heap after load (performance.memory.usedJSHeapSize): {:.1} MB", h / 1_048_576.0),
        None => println!("JS heap: performance.memory not available"),
    }
    let linear = b.eval("window.__wasm?.memory?.buffer?.byteLength ?? null").await.as_f64();
    match linear {
        Some(m) => println!("wasm linear memory after load: {:.1} MB", m / 1_048_576.0),
        None => println!("wasm linear memory: not available"),
    }
    let wasm = b
        .eval("(() => { let m = 0; for (const e of performance.getEntriesByType('resource')) if (e.name.endsWith('.wasm')) m = e.transferSize; return m; })()")
        .await;
    println!("wasm transfer size: {wasm} B");

    let out = b.eval(KEYSTROKES).await;
    let mut times: Vec<f64> = out["times"].as_array().map(|a| a.iter().filter_map(|v| v.as_f64()).collect()).unwrap_or_default();
    if times.is_empty() {
        return Err(format!("the keystroke script returned nothing: {out}"));
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!(
        "filter keystroke → painted on the combined 20,000-row view, {} keystrokes: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        times.len(),
        pct(&times, 0.5),
        pct(&times, 0.95),
        times.last().copied().unwrap_or(f64::NAN)
    );
    println!("matches per word: {}", out["shown"]);
    Ok(())
}
