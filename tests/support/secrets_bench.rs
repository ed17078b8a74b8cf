//! What the secrets benchmarks (`tests/bench_console.rs`, `tests/bench_secrets.rs`) do in the
//! page, written once so both measure the same way: typing words into a filter and timing each
//! keystroke to the frame painted after it (`TYPE_WORDS`), on the console's combined view, and the
//! same work in a bare page — plain `fetch` + `JSON.parse` of the same pages at the console's
//! concurrency, then a plain-JS filter over the same names that redraws the same rows. The machine
//! is shared and noisy: the ratio console ÷ bare page, taken in the same run, is what compares
//! across days.
#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;

use super::Browser;

/// Types words letter by letter and deletes them again into `input`; each keystroke is timed from
/// the input event to the first frame painted after it (rAF, then a task: the paint has happened).
/// Every keystroke counts: the broad ones (one letter, the cleared box: most rows match) and the
/// narrow ones. `afterWord(w)` runs once each word is fully typed. The console and the bare page
/// run this same code, so their figures compare.
pub const TYPE_WORDS: &str = r#"const typeWords = async (input, afterWord) => {
  const frame = () => new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const times = [];
  const type = async (v) => {
    input.value = v;
    const t0 = performance.now();
    input.dispatchEvent(new Event('input', {bubbles: true}));
    await frame();
    times.push(performance.now() - t0);
  };
  for (const w of ['payments', 'db-password', 'prod', 'analytics-api', 'cert', 'zz-none']) {
    for (let i = 1; i <= w.length; i++) await type(w.slice(0, i));
    afterWord(w);
    for (let i = w.length - 1; i >= 0; i--) await type(w.slice(0, i));
  }
  return times;
};"#;

/// The console's keystrokes, on the filter input of its combined view (`#/secrets/all`).
const KEYSTROKES: &str = r#"(async () => {
  TYPE_WORDS
  const input = document.querySelector('[data-secrets-filter]');
  const view = document.querySelector('[data-secrets-view]');
  const shown = [];
  const times = await typeWords(input, (w) => shown.push(w + '=' + view.dataset.secretsShown));
  return {times, shown, all: view.dataset.secretsShown};
})()"#;

/// The bare page's load: the same pages fetched as the console fetches them (first page, then the
/// rest at most 4 at a time, starts 60 ms apart, per region, both regions at once), each parsed with
/// `JSON.parse`, and nothing else. A page whose fetch fails is fetched again (at most 3 tries,
/// 100 ms apart), as the console retries a failed page; the failures are returned. Measured from
/// the bare page's navigation start, as the console's.
const BARE_LOAD: &str = r#"(async (apis) => {
  const names = [], failures = [];
  const sleep = (ms) => new Promise(r => setTimeout(r, ms));
  const region = async (api) => {
    const page = async (offset) => {
      const url = `${api}/api/v2/secrets?offset=${offset}&limit=1000`;
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await fetch(url);
          if (!r.ok) throw new Error('HTTP ' + r.status);
          const j = JSON.parse(await r.text());
          for (const s of j.secrets) names.push(s.name);
          return j;
        } catch (e) {
          failures.push(`${url} (try ${attempt}): ${e}`);
          if (attempt >= 3) throw e;
          await sleep(100);
        }
      }
    };
    const first = await page(0);
    const offsets = [];
    for (let o = 1000; o < first.total_count; o += 1000) offsets.push(o);
    let last = performance.now(), next = 0;
    const worker = async () => {
      while (next < offsets.length) {
        const o = offsets[next++];
        const start = Math.max(performance.now(), last + 60);
        last = start;
        await sleep(start - performance.now());
        await page(o);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  };
  await Promise.all(apis.map(region));
  window.__bareNames = names;
  return {ms: performance.now(), n: names.length, failures};
})(APIS)"#;

/// The bare page's keystrokes: the same words typed and deleted, a plain-JS filter over the same
/// names (lower-cased once, `includes` per keystroke) that redraws the same 26 rows and the
/// count, timed to the first frame painted after it, as the console's.
const BARE_KEYSTROKES: &str = r#"(async () => {
  TYPE_WORDS
  const names = window.__bareNames, lower = names.map(n => n.toLowerCase());
  const input = document.createElement('input'), table = document.createElement('table'), count = document.createElement('p');
  const cells = [];
  for (let i = 0; i < 26; i++) { const tr = table.insertRow(); const td = tr.insertCell(); cells.push(td); }
  document.body.replaceChildren(input, count, table);
  const draw = () => {
    const q = input.value.toLowerCase();
    const hits = [];
    for (let i = 0; i < lower.length; i++) if (lower[i].includes(q)) hits.push(i);
    for (let r = 0; r < cells.length; r++) cells[r].textContent = r < hits.length ? names[hits[r]] : '';
    count.textContent = hits.length + ' shown';
  };
  input.addEventListener('input', draw);
  const times = await typeWords(input, () => {});
  return {times};
})()"#;

/// WebDriver's default script timeout (30 s) is shorter than 94 keystrokes can take on 100,000
/// secrets: the page scripts here run under this one.
pub const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);

/// Keystroke → painted times in ms, in the order typed, and what the view showed after each word.
pub struct Typed {
    pub times: Vec<f64>,
    pub shown: Value,
}

impl Typed {
    pub fn sorted(&self) -> Vec<f64> {
        let mut t = self.times.clone();
        t.sort_by(f64::total_cmp);
        t
    }
}

/// Run a page script that resolves to an object with `times`, under `SCRIPT_TIMEOUT`.
async fn typed(b: &Browser, script: &str, what: &str) -> Result<Typed, String> {
    b.d().set_script_timeout(SCRIPT_TIMEOUT).await.map_err(|e| format!("script timeout: {e}"))?;
    let ret = b.d().execute(format!("return ({});", script.replace("TYPE_WORDS", TYPE_WORDS)), vec![]).await;
    let v = ret.map(|r| r.json().clone()).map_err(|e| format!("{what}: {e}"))?;
    let times: Vec<f64> = v["times"].as_array().map(|a| a.iter().filter_map(Value::as_f64).collect()).unwrap_or_default();
    if times.is_empty() {
        return Err(format!("{what} returned no keystrokes: {v}"));
    }
    Ok(Typed { times, shown: v["shown"].clone() })
}

/// Type `TYPE_WORDS` into the console's combined view, which must be on screen.
pub async fn console_keystrokes(b: &Browser) -> Result<Typed, String> {
    typed(b, KEYSTROKES, "the console's keystroke script").await
}

/// Open `#/secrets/all` in the page already loaded (no reload) and wait until it shows `n` rows.
pub async fn open_combined_view(b: &Browser, n: u64, timeout: Duration) -> Result<(), String> {
    b.eval("(location.hash = '#/secrets/all', true)").await;
    let want = n.to_string();
    b.wait_until(timeout, &format!("the combined view showing {n}"), || async {
        b.eval("document.querySelector('[data-secrets-view]')?.dataset.secretsShown ?? null").await.as_str() == Some(want.as_str())
    })
    .await
    .map(|_| ())
}

/// One bare-page load of every secret of `apis`, in a page of the site's origin (`config.json`,
/// so the regions' CORS lets it fetch); ms from that page's navigation start to the last page
/// parsed. The names stay in the page for `bare_keystrokes`.
pub async fn bare_load(b: &Browser, site_url: &str, apis: &[String], expect: u64) -> Result<f64, String> {
    b.d().set_script_timeout(SCRIPT_TIMEOUT).await.map_err(|e| format!("script timeout: {e}"))?;
    b.d().goto(&format!("{site_url}config.json")).await.map_err(|e| e.to_string())?;
    let apis_js = serde_json::to_string(apis).map_err(|e| e.to_string())?;
    let bare = b
        .d()
        .execute(format!("return ({});", BARE_LOAD.replace("APIS", &apis_js)), vec![])
        .await
        .map(|r| r.json().clone())
        .map_err(|e| format!("the bare page's load: {e}"))?;
    if let Some(f) = bare["failures"].as_array().filter(|f| !f.is_empty()) {
        eprintln!("bare page: {} failed fetches, retried: {}", f.len(), Value::Array(f.clone()));
    }
    if bare["n"].as_u64() != Some(expect) {
        return Err(format!("the bare page did not load the {expect} secrets: {bare}"));
    }
    bare["ms"].as_f64().ok_or_else(|| format!("the bare page's load returned no time: {bare}"))
}

/// The bare page's keystrokes over the names its last `bare_load` fetched.
pub async fn bare_keystrokes(b: &Browser) -> Result<Typed, String> {
    typed(b, BARE_KEYSTROKES, "the bare page's keystroke script").await
}
