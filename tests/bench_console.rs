//! The console's benchmark: first-load bytes, cold and warm load, grey-out and recovery after a real
//! SIGKILL, all 20,000 secrets loaded, filter keystroke latency, JS heap, and Lighthouse scores,
//! each against its target. Run by `scripts/bench.sh` (which builds first); ignored by the test
//! command because it measures, it does not check: a miss is reported, never a failure.
//!
//! Timings are taken in the page (MutationObserver + `performance.now()`), not by polling over
//! WebDriver, whose round trips (~5–25 ms) would swamp the figures we care about.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use support::{config_for, root, Browser, Emulator, Site};

const SEED: u64 = 10_000;
const LOAD_RUNS: usize = 5;
const OUTAGE_RUNS: usize = 5;

/// `--enable-precise-memory-info`: without it `performance.memory` is bucketed and delayed.
/// `--expose-gc`: the heap is read after a full GC, so runs compare.
const BENCH_FLAGS: [&str; 2] = ["--enable-precise-memory-info", "--js-flags=--expose-gc"];

/// Installed before any page script: records when both regions first show data and when every
/// seeded secret is loaded, in ms since navigation start, at the frame that paints it. Region
/// panels are `[data-region][data-state]`: secret rows carry `data-region` too.
const OBSERVER: &str = r#"
(() => {
  const marks = window.__bench = { firstData: null, allLoaded: null, expect: __EXPECT__ };
  addEventListener('TrunkApplicationStarted', e => { window.__benchWasm = e.detail && e.detail.wasm; });
  const atPaint = key => requestAnimationFrame(() => { if (marks[key] === null) marks[key] = performance.now(); });
  let pendingFirst = false, pendingAll = false;
  const check = () => {
    const regions = document.querySelectorAll('[data-region][data-state]');
    if (regions.length < 2) return;
    let live = true, all = true;
    for (const r of regions) {
      const t = r.querySelector('[data-secrets-total]');
      const n = t ? Number(t.getAttribute('data-secrets-total')) : 0;
      if (r.getAttribute('data-state') !== 'available' || !(n > 0)) live = false;
      if (n !== marks.expect) all = false;
    }
    if (live && !pendingFirst) { pendingFirst = true; atPaint('firstData'); }
    if (all && !pendingAll) { pendingAll = true; atPaint('allLoaded'); obs.disconnect(); }
  };
  const obs = new MutationObserver(check);
  const start = () => obs.observe(document, { subtree: true, childList: true, attributes: true,
    attributeFilter: ['data-state', 'data-secrets-total'] });
  start();
})();
"#;

/// Region state transitions with wall-clock times, to compare with when the process was killed.
const STATE_LOG: &str = r#"
(() => {
  if (window.__benchStates) return true;
  const log = window.__benchStates = [];
  const seen = new Map();
  const scan = () => {
    for (const r of document.querySelectorAll('[data-region][data-state]')) {
      const id = r.getAttribute('data-region'), st = r.getAttribute('data-state');
      if (seen.get(id) !== st) { seen.set(id, st); log.push({ region: id, state: st, t: performance.timeOrigin + performance.now() }); }
    }
  };
  new MutationObserver(scan).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
  scan();
  return true;
})()
"#;

/// Types into the first filter input and measures each keystroke until the frame showing its
/// result has been painted: rAF runs just before the paint, a message posted from it runs just
/// after. (A double rAF would add a whole idle frame to every sample.) Each keystroke starts at a
/// random point in the frame, as real typing does.
const KEYSTROKES: &str = r#"
const done = arguments[arguments.length - 1];
const input = document.querySelector('[data-secrets-filter]');
if (!input) { done(null); return; }
const painted = () => new Promise(res => requestAnimationFrame(() => {
  const ch = new MessageChannel(); ch.port1.onmessage = () => res(); ch.port2.postMessage(0);
}));
const sleep = ms => new Promise(res => setTimeout(res, ms));
const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
const queries = ['secret', 'key', 'prod', 'xyz'];
(async () => {
  const samples = [];
  input.focus();
  const stroke = async (value, data, inputType) => {
    await sleep(Math.random() * 16);
    const t0 = performance.now();
    setValue.call(input, value);
    input.dispatchEvent(new InputEvent('input', { bubbles: true, data, inputType }));
    await painted();
    samples.push(performance.now() - t0);
  };
  for (const q of queries) {
    for (const c of q) await stroke(input.value + c, c, 'insertText');
    while (input.value.length) await stroke(input.value.slice(0, -1), null, 'deleteContentBackward');
  }
  const shown = [...document.querySelectorAll('[data-secrets-shown]')].map(e => Number(e.getAttribute('data-secrets-shown')));
  done({ samples, shown });
})().catch(e => done({ error: String(e) }));
"#;

#[derive(Clone, Copy)]
enum Unit {
    Ms,
    Bytes,
    Score,
}

struct Row {
    key: &'static str,
    label: String,
    value: Option<f64>,
    detail: String,
    target: Option<f64>,
    unit: Unit,
    p95: Option<f64>,
}

impl Row {
    fn pass(&self) -> Option<bool> {
        match (self.value, self.target) {
            (Some(v), Some(t)) => Some(v <= t),
            _ => None,
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run scripts/bench.sh"]
async fn bench_console() {
    let data = tempfile::tempdir().expect("temp dir");
    let seed = SEED.to_string();
    let args = ["--seed", seed.as_str(), "--history-days", "90"];
    let t = Instant::now();
    let mut dallas = Emulator::start("us-south", &data.path().join("us-south"), &args);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &args);
    eprintln!("two emulators seeded with {SEED} secrets each in {:?}", t.elapsed());
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");

    let mut rows = Vec::new();
    let mut extra = serde_json::Map::new();
    let mut fetched = Vec::new();
    let outcome = measure(&site, &mut dallas, &mut rows, &mut extra, &mut fetched).await;
    let files = first_load_files(&site.dir.path().join(""), &fetched);
    let lighthouse = lighthouse(&site.url);
    drop(site);
    drop(dallas);
    drop(frankfurt);

    let lh_rows = lighthouse_rows(&lighthouse);
    let out_dir = root().join("bench-results");
    std::fs::create_dir_all(&out_dir).expect("bench-results/");
    for (preset, report) in &lighthouse {
        if let Ok(v) = report {
            let _ = std::fs::write(out_dir.join(format!("lighthouse-{preset}.json")), v.to_string());
        }
    }
    print_report(&files, &rows, &lh_rows);
    let json = report_json(&files, &rows, &lh_rows, extra, outcome.as_ref().err());
    let stamp = chrono_like_stamp();
    let text = serde_json::to_string_pretty(&json).expect("json");
    std::fs::write(out_dir.join(format!("bench-{stamp}.json")), &text).expect("write bench json");
    std::fs::write(out_dir.join("latest.json"), &text).expect("write latest.json");
    println!("\nwritten: bench-results/bench-{stamp}.json, bench-results/latest.json, bench-results/lighthouse-{{desktop,mobile}}.json (full reports)");
    if let Err(e) = outcome {
        panic!("benchmark could not complete: {e}");
    }
}

async fn measure(
    site: &Site,
    dallas: &mut Emulator,
    rows: &mut Vec<Row>,
    extra: &mut serde_json::Map<String, Value>,
    fetched: &mut Vec<String>,
) -> Result<(), String> {
    // Cold: a fresh profile and browser per run, so nothing is cached (HTTP, compiled wasm).
    let mut cold_first = Vec::new();
    let mut cold_all = Vec::new();
    for i in 0..LOAD_RUNS {
        let b = Browser::start_with(&BENCH_FLAGS).await;
        let r = load_once(&b, &site.url).await;
        if i == 0 {
            *fetched = fetched_paths(&b).await;
        }
        b.quit().await;
        let (first, all) = r?;
        eprintln!("cold run {}: data on screen {first:.0} ms, all loaded {all:.0} ms", i + 1);
        cold_first.push(first);
        cold_all.push(all);
    }

    let b = Browser::start_with(&BENCH_FLAGS).await;
    let r = measure_in_one_browser(&b, site, dallas, rows, extra, &cold_first, &cold_all).await;
    b.quit().await;
    r
}

async fn measure_in_one_browser(
    b: &Browser,
    site: &Site,
    dallas: &mut Emulator,
    rows: &mut Vec<Row>,
    extra: &mut serde_json::Map<String, Value>,
    cold_first: &[f64],
    cold_all: &[f64],
) -> Result<(), String> {
    // Warm: the same browser loads again (HTTP cache and V8's wasm code cache are primed).
    let mut warm_first = Vec::new();
    let mut warm_all = Vec::new();
    load_once(b, &site.url).await?;
    for _ in 0..LOAD_RUNS {
        let (first, all) = load_once(b, &site.url).await?;
        warm_first.push(first);
        warm_all.push(all);
    }
    extra.insert("runs".into(), json!({
        "cold_data_on_screen_ms": cold_first, "cold_all_loaded_ms": cold_all,
        "warm_data_on_screen_ms": warm_first, "warm_all_loaded_ms": warm_all,
    }));
    rows.push(ms_row("cold_load_ms", "cold load → both regions' data on screen", cold_first, Some(400.0)));
    rows.push(ms_row("warm_load_ms", "warm load → both regions' data on screen", &warm_first, None));
    rows.push(ms_row(
        "all_loaded_ms",
        &format!("all {} secrets loaded (cold)", 2 * SEED),
        cold_all,
        Some(1500.0),
    ));
    rows.push(ms_row("all_loaded_warm_ms", &format!("all {} secrets loaded (warm)", 2 * SEED), &warm_all, None));

    // Heap with every secret loaded, after a full GC so the figure is what the page retains.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mem = b
        .eval("(window.gc && gc(), { js: performance.memory ? performance.memory.usedJSHeapSize : null, wasm: window.__benchWasm && window.__benchWasm.memory ? window.__benchWasm.memory.buffer.byteLength : null })")
        .await;
    let js_heap = mem["js"].as_f64();
    let wasm_mem = mem["wasm"].as_f64();
    rows.push(Row {
        key: "js_heap_bytes",
        label: "JS heap after load (usedJSHeapSize)".into(),
        value: js_heap,
        detail: "after a full GC".into(),
        target: Some(40.0 * 1024.0 * 1024.0),
        unit: Unit::Bytes,
        p95: None,
    });
    // The secrets live in wasm linear memory, which usedJSHeapSize does not count: the same
    // target applied to both together is the honest figure.
    rows.push(Row {
        key: "page_memory_bytes",
        label: "JS heap + wasm linear memory".into(),
        value: js_heap.zip(wasm_mem).map(|(j, w)| j + w),
        detail: wasm_mem.map(|w| format!("wasm memory {} (grows, never shrinks)", mb(w))).unwrap_or_default(),
        target: Some(40.0 * 1024.0 * 1024.0),
        unit: Unit::Bytes,
        p95: None,
    });
    extra.insert("wasm_memory_bytes".into(), json!(wasm_mem));

    let keys = b.eval_async(KEYSTROKES).await?;
    if let Some(e) = keys.get("error") {
        return Err(format!("keystroke script: {e}"));
    }
    let samples: Vec<f64> =
        keys["samples"].as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default();
    if samples.is_empty() {
        rows.push(Row {
            key: "keystroke_ms",
            label: "filter keystroke → painted".into(),
            value: None,
            detail: "n/a (no filter input)".into(),
            target: Some(16.0),
            unit: Unit::Ms,
            p95: None,
        });
    } else {
        let mut row = ms_row("keystroke_ms", "filter keystroke → painted", &samples, Some(16.0));
        row.detail = format!("{} · {} keystrokes", row.detail, samples.len());
        rows.push(row);
        extra.insert("keystroke_samples_ms".into(), json!(samples));
    }

    // Outages: SIGKILL the Dallas process, then start it again on the same ports and data.
    b.eval(STATE_LOG).await;
    let mut grey = Vec::new();
    let mut back = Vec::new();
    for i in 0..OUTAGE_RUNS {
        let killed_at = {
            dallas.kill();
            epoch_ms()
        };
        grey.push(wait_transition(b, "us-south", "unavailable", killed_at).await?);
        // Down for a while, as a real outage would be: the console backs off while it is.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        dallas.restart();
        let up_at = epoch_ms();
        back.push(wait_transition(b, "us-south", "available", up_at).await?);
        eprintln!("outage run {}: greyed {:.0} ms after SIGKILL, live {:.0} ms after restart", i + 1, grey[i], back[i]);
        // Let the reload of its secrets finish before the next kill.
        b.wait_until(Duration::from_secs(30), "us-south secrets reloaded", || async {
            b.secrets_total("us-south").await.as_deref() == Some(SEED.to_string().as_str())
        })
        .await?;
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    extra.insert("outage_runs".into(), json!({ "grey_out_ms": grey, "recovery_ms": back }));
    rows.push(ms_row("grey_out_ms", "region killed (SIGKILL) → greyed out", &grey, Some(1000.0)));
    rows.push(ms_row("recovery_ms", "region back (restarted) → live", &back, Some(2000.0)));
    Ok(())
}

/// One navigation with the observer installed; (data on screen, all loaded) in ms since
/// navigation start.
async fn load_once(b: &Browser, url: &str) -> Result<(f64, f64), String> {
    let script = OBSERVER.replace("__EXPECT__", &SEED.to_string());
    let added = b.cdp("Page.addScriptToEvaluateOnNewDocument", json!({ "source": script })).await?;
    b.d().goto(url).await.map_err(|e| e.to_string())?;
    let r = b
        .wait_until(Duration::from_secs(60), "both regions' data, then every secret", || async {
            b.eval("window.__bench && window.__bench.allLoaded !== null && window.__bench.firstData !== null").await.as_bool()
                == Some(true)
        })
        .await;
    if let Some(id) = added.get("identifier").and_then(Value::as_str) {
        let _ = b.cdp("Page.removeScriptToEvaluateOnNewDocument", json!({ "identifier": id })).await;
    }
    r?;
    let marks = b.eval("window.__bench").await;
    match (marks["firstData"].as_f64(), marks["allLoaded"].as_f64()) {
        (Some(f), Some(a)) => Ok((f, a)),
        _ => Err(format!("page marks missing: {marks}")),
    }
}

/// Paths on the console's own origin that the page fetched (the document included): what a first
/// visit downloads, as opposed to deploy files such as `_headers` that dist/ also holds.
async fn fetched_paths(b: &Browser) -> Vec<String> {
    let v = b
        .eval("[location.href, ...performance.getEntriesByType('resource').map(e => e.name)].filter(u => new URL(u).origin === location.origin).map(u => new URL(u).pathname)")
        .await;
    v.as_array().map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// ms from `since` (epoch ms) to the first logged transition of `region` into `state` after it.
async fn wait_transition(b: &Browser, region: &str, state: &str, since: f64) -> Result<f64, String> {
    let js = format!(
        "(window.__benchStates || []).filter(e => e.region === '{region}' && e.state === '{state}' && e.t >= {since}).map(e => e.t)[0] ?? null"
    );
    b.wait_until(Duration::from_secs(30), &format!("{region} {state}"), || async { b.eval(&js).await.as_f64().is_some() })
        .await?;
    let at = b.eval(&js).await.as_f64().ok_or("transition vanished from the log")?;
    Ok(at - since)
}

fn epoch_ms() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

fn median(v: &[f64]) -> Option<f64> {
    let s = sorted(v);
    match s.len() {
        0 => None,
        n if n % 2 == 1 => Some(s[n / 2]),
        n => Some((s[n / 2 - 1] + s[n / 2]) / 2.0),
    }
}

/// Nearest-rank percentile.
fn percentile(v: &[f64], p: f64) -> Option<f64> {
    let s = sorted(v);
    if s.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * s.len() as f64).ceil().max(1.0) as usize;
    Some(s[rank.min(s.len()) - 1])
}

fn ms_row(key: &'static str, label: &str, v: &[f64], target: Option<f64>) -> Row {
    let s = sorted(v);
    let detail = match (s.first(), s.last(), percentile(v, 95.0)) {
        (Some(lo), Some(hi), Some(p95)) => format!("median of {} · p95 {p95:.0} · range {lo:.0}–{hi:.0}", s.len()),
        _ => String::new(),
    };
    Row { key, label: label.to_string(), value: median(v), detail, target, unit: Unit::Ms, p95: percentile(v, 95.0) }
}

struct FileSize {
    name: String,
    raw: u64,
    gzip: u64,
    brotli: u64,
}

/// The files the first visit fetched, as the site served them (config.json and the CSP'd
/// index.html included). Sizes as a static host would serve them: gzip -9 and brotli (quality 11),
/// the same as scripts/bench-size.sh.
fn first_load_files(site_root: &Path, fetched: &[String]) -> Vec<FileSize> {
    let mut names: Vec<PathBuf> = fetched
        .iter()
        .map(|p| {
            let rel = p.trim_start_matches('/');
            let path = site_root.join(rel);
            if rel.is_empty() || rel.ends_with('/') { path.join("index.html") } else { path }
        })
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|p| FileSize {
            name: p.file_name().unwrap_or_default().to_string_lossy().into_owned(),
            raw: std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0),
            gzip: compressed_len("gzip", &["-9c"], &p),
            brotli: compressed_len("brotli", &["-c"], &p),
        })
        .collect()
}

fn compressed_len(tool: &str, args: &[&str], path: &Path) -> u64 {
    Command::new(tool)
        .args(args)
        .arg(path)
        .stderr(Stdio::null())
        .output()
        .map(|o| o.stdout.len() as u64)
        .unwrap_or(0)
}

/// Lighthouse 12.2.3 (npm) with Debian's Chromium, desktop and mobile presets, while both
/// regions are up. Returns the raw per-preset reports (or the error).
fn lighthouse(url: &str) -> Vec<(&'static str, Result<Value, String>)> {
    let bin = root().join("node_modules/.bin/lighthouse");
    let flags = "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
                 --disable-background-networking --disable-component-update --disable-sync";
    ["desktop", "mobile"]
        .into_iter()
        .map(|preset| {
            let out = tempfile::NamedTempFile::new().expect("temp file");
            let mut cmd = Command::new(&bin);
            cmd.arg(url)
                .args(["--output=json", "--quiet", "--only-categories=performance,accessibility,best-practices"])
                .arg(format!("--output-path={}", out.path().display()))
                .arg(format!("--chrome-flags={flags}"))
                .env("CHROME_PATH", "/usr/bin/chromium")
                .stdout(Stdio::null())
                .stderr(Stdio::piped());
            if preset == "desktop" {
                cmd.arg("--preset=desktop");
            }
            eprintln!("lighthouse ({preset}) …");
            let r = match cmd.output() {
                Err(e) => Err(format!("{}: {e} (scripts/setup.sh runs npm ci)", bin.display())),
                Ok(o) if !o.status.success() => Err(format!(
                    "lighthouse exited {}: {}",
                    o.status,
                    String::from_utf8_lossy(&o.stderr).lines().rev().take(5).collect::<Vec<_>>().join(" | ")
                )),
                Ok(_) => std::fs::read_to_string(out.path())
                    .map_err(|e| e.to_string())
                    .and_then(|t| serde_json::from_str::<Value>(&t).map_err(|e| e.to_string())),
            };
            (preset, r)
        })
        .collect()
}

struct LhRow {
    preset: &'static str,
    scores: Vec<(&'static str, Option<f64>)>,
    metrics: Vec<(&'static str, Option<String>)>,
    error: Option<String>,
}

fn lighthouse_rows(reports: &[(&'static str, Result<Value, String>)]) -> Vec<LhRow> {
    reports
        .iter()
        .map(|(preset, r)| match r {
            Err(e) => LhRow { preset, scores: vec![], metrics: vec![], error: Some(e.clone()) },
            Ok(v) => LhRow {
                preset,
                scores: ["performance", "accessibility", "best-practices"]
                    .into_iter()
                    .map(|c| (c, v["categories"][c]["score"].as_f64().map(|s| (s * 100.0).round())))
                    .collect(),
                metrics: ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"]
                    .into_iter()
                    .map(|a| (a, v["audits"][a]["displayValue"].as_str().map(str::to_string)))
                    .collect(),
                error: v["runtimeError"]["message"].as_str().map(str::to_string),
            },
        })
        .collect()
}

fn kb(b: f64) -> String {
    format!("{:.1} KB", b / 1024.0)
}

fn mb(b: f64) -> String {
    format!("{:.1} MB", b / (1024.0 * 1024.0))
}

fn fmt_value(v: Option<f64>, unit: Unit) -> String {
    match (v, unit) {
        (None, _) => "n/a".into(),
        (Some(v), Unit::Ms) => format!("{v:.0} ms"),
        (Some(v), Unit::Bytes) => mb(v),
        (Some(v), Unit::Score) => format!("{v:.0}"),
    }
}

fn mark(pass: Option<bool>) -> &'static str {
    match pass {
        Some(true) => "pass",
        Some(false) => "MISS",
        None => "-",
    }
}

fn print_report(files: &[FileSize], rows: &[Row], lh: &[LhRow]) {
    println!("\n== first load (files the page fetched; gzip -9, brotli -q 11) ==");
    println!("{:<46} {:>10} {:>10} {:>10}", "file", "raw", "gzip", "brotli");
    let (mut r, mut g, mut b) = (0, 0, 0);
    for f in files {
        println!("{:<46} {:>10} {:>10} {:>10}", f.name, f.raw, f.gzip, f.brotli);
        r += f.raw;
        g += f.gzip;
        b += f.brotli;
    }
    println!("{:<46} {:>10} {:>10} {:>10}", "TOTAL (bytes)", r, g, b);
    let target = 150.0 * 1024.0;
    println!(
        "{:<46} {:>10} {:>10} {:>10}   target gzip ≤ {}  {}",
        "TOTAL",
        kb(r as f64),
        kb(g as f64),
        kb(b as f64),
        kb(target),
        mark(Some(g as f64 <= target))
    );

    println!("\n== timings and memory (headless Chromium, loopback, {SEED} secrets per region) ==");
    println!("{:<44} {:>10} {:>10}  {:<5} {}", "measure", "value", "target", "", "detail");
    for row in rows {
        println!(
            "{:<44} {:>10} {:>10}  {:<5} {}",
            row.label,
            fmt_value(row.value, row.unit),
            row.target.map(|t| format!("≤ {}", fmt_value(Some(t), row.unit))).unwrap_or_else(|| "-".into()),
            mark(row.pass()),
            row.detail
        );
    }

    println!("\n== Lighthouse 12.2.3 (Debian Chromium) ==");
    for l in lh {
        if l.scores.is_empty() {
            println!("{:<8} failed: {}", l.preset, l.error.as_deref().unwrap_or("?"));
            continue;
        }
        let s: Vec<String> = l.scores.iter().map(|(c, v)| format!("{c} {}", fmt_value(*v, Unit::Score))).collect();
        println!("{:<8} {}", l.preset, s.join(" · "));
        let m: Vec<String> =
            l.metrics.iter().filter_map(|(a, v)| v.as_ref().map(|v| format!("{a} {}", v.replace('\u{a0}', " ")))).collect();
        println!("{:<8} {}", "", m.join(" · "));
        if let Some(e) = &l.error {
            println!("{:<8} runtime error: {e}", "");
        }
    }
}

fn report_json(
    files: &[FileSize],
    rows: &[Row],
    lh: &[LhRow],
    extra: serde_json::Map<String, Value>,
    error: Option<&String>,
) -> Value {
    let total = |f: fn(&FileSize) -> u64| files.iter().map(f).sum::<u64>();
    let gzip_total = total(|f| f.gzip);
    let mut measures = serde_json::Map::new();
    for r in rows {
        measures.insert(
            r.key.into(),
            json!({ "label": r.label, "value": r.value, "p95": r.p95, "target": r.target, "pass": r.pass(), "detail": r.detail,
                    "unit": match r.unit { Unit::Ms => "ms", Unit::Bytes => "bytes", Unit::Score => "score" } }),
        );
    }
    let lighthouse: serde_json::Map<String, Value> = lh
        .iter()
        .map(|l| {
            (
                l.preset.to_string(),
                json!({
                    "scores": l.scores.iter().map(|(c, v)| (c.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
                    "metrics": l.metrics.iter().map(|(a, v)| (a.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
                    "error": l.error,
                }),
            )
        })
        .collect();
    json!({
        "version": 1,
        "timestamp_unix_ms": epoch_ms().round(),
        "git": git_describe(),
        "machine": { "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0), "loadavg": std::fs::read_to_string("/proc/loadavg").ok().map(|s| s.trim().to_string()) },
        "chromium": Command::new("/usr/bin/chromium").arg("--version").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()),
        "seed_per_region": SEED,
        "first_load": {
            "files": files.iter().map(|f| json!({"name": f.name, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli})).collect::<Vec<_>>(),
            "total": { "raw": total(|f| f.raw), "gzip": gzip_total, "brotli": total(|f| f.brotli) },
            "target_gzip": 150 * 1024,
            "pass": gzip_total <= 150 * 1024,
        },
        "measures": measures,
        "lighthouse": lighthouse,
        "raw": extra,
        "error": error,
    })
}

fn git_describe() -> Value {
    let run = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    json!({
        "commit": run(&["rev-parse", "HEAD"]),
        "branch": run(&["rev-parse", "--abbrev-ref", "HEAD"]),
        "dirty": run(&["status", "--porcelain"]).map(|s| !s.is_empty()),
    })
}

/// UTC `YYYYMMDDTHHMMSSZ` without a date crate.
fn chrono_like_stamp() -> String {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z", rem / 3600, (rem % 3600) / 60, rem % 60)
}
