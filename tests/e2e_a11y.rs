//! Accessibility: axe-core (from npm, injected into the page) on every main view of the release
//! console — both regions live, one region degraded, one region greyed out, the config error page,
//! the compact layout inside the example embedding host — in the light theme, the system dark theme
//! and the dark theme an embedding parent sets. Zero violations is the bar; a failure lists every
//! violation with its impact and target selectors.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{config_for, config_with, root, Browser, Emulator, Site};

#[derive(Clone, Copy, Debug)]
enum Theme {
    Light,
    /// `prefers-color-scheme: dark`, the path most users take.
    DarkSystem,
    /// `data-theme="dark"` on a light system: what an embedding parent sets; the UA's own
    /// colours (details markers, focus rings) stay light here, which is worth checking separately.
    DarkEmbed,
}

const THEMES: [Theme; 3] = [Theme::Light, Theme::DarkSystem, Theme::DarkEmbed];

#[tokio::test(flavor = "multi_thread")]
async fn every_view_has_no_axe_violations_in_every_theme() {
    let axe = std::fs::read_to_string(root().join("node_modules/axe-core/axe.min.js"))
        .expect("node_modules/axe-core/axe.min.js (scripts/setup.sh runs npm ci)");
    let data = tempfile::tempdir().expect("temp dir");
    // 90 days of history gives incidents, uptime bars and previous months: every part of a panel.
    let mut dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "40", "--history-days", "90"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "25", "--history-days", "90"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    // Valid JSON (the deploy step derives the CSP from it) that the console rejects.
    let host = Site::serve_files(&root().join("examples/embed-host"));
    let embedded = Site::serve(
        &config_with(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)], "none", &[host.origin()]),
        "/",
    );
    let broken = Site::serve(r#"{"regions":[{"id":"us-south","api":"https://dallas.example"}],"auth":{"mode":"magic"}}"#, "/");
    let b = Browser::start().await;

    let mut report = Vec::new();
    let sites = Sites { console: &site, host: &host, embedded: &embedded, broken: &broken };
    let result = run_views(&b, &axe, &sites, &mut dallas, &mut report).await;
    b.finish(result).await;
    if !report.is_empty() {
        panic!("axe-core found violations:\n{}", report.join("\n"));
    }
}

struct Sites<'a> {
    console: &'a Site,
    /// The example embedding host page, on its own origin.
    host: &'a Site,
    /// The console configured to accept `host` as its parent.
    embedded: &'a Site,
    broken: &'a Site,
}

async fn run_views(b: &Browser, axe: &str, sites: &Sites<'_>, dallas: &mut Emulator, report: &mut Vec<String>) -> Result<(), String> {
    b.d().goto(&sites.console.url).await.map_err(|e| e.to_string())?;
    settle_console(b).await?;
    check_all_themes(b, axe, "both regions live", report).await?;

    dallas.control_call("PUT", "/emulator/v1/zones/us-south-2", r#"{"status":"major_outage"}"#).await;
    wait_state(b, "us-south", "degraded").await?;
    check_all_themes(b, axe, "Dallas degraded (one zone down)", report).await?;
    dallas.control_call("DELETE", "/emulator/v1/faults", "").await;
    wait_state(b, "us-south", "available").await?;

    // Embedded, the console takes the parent's theme (no system theme of its own to check).
    for theme in ["light", "dark"] {
        let url = format!("{}index.html?console={}&theme={theme}", sites.host.url, sites.embedded.url);
        b.d().goto(&url).await.map_err(|e| e.to_string())?;
        b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
        let inside = async {
            settle_console(b).await?;
            b.wait_until(Duration::from_secs(10), &format!("the parent's {theme} theme applied"), || async {
                b.eval("document.documentElement.dataset.theme ?? null").await.as_str() == Some(theme)
            })
            .await?;
            tokio::time::sleep(Duration::from_millis(450)).await;
            // The host page carries the page's <h1>; the console inside starts at <h2> by design.
            run_axe_with(b, axe, "{ rules: { 'page-has-heading-one': { enabled: false } } }").await
        }
        .await;
        b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
        for v in inside? {
            report.push(format!("[embedded in the example host · {theme}] {}", describe(&v)));
        }
    }

    b.d().goto(&sites.console.url).await.map_err(|e| e.to_string())?;
    settle_console(b).await?;
    dallas.kill();
    wait_state(b, "us-south", "unavailable").await?;
    check_all_themes(b, axe, "Dallas greyed out (process killed)", report).await?;

    b.d().goto(&sites.broken.url).await.map_err(|e| e.to_string())?;
    b.wait_until(Duration::from_secs(10), "config error page", || async {
        b.eval("document.querySelector('[data-config-error]') !== null").await.as_bool() == Some(true)
    })
    .await?;
    check_all_themes(b, axe, "config error page", report).await?;
    Ok(())
}

/// Both regions live with every seeded secret and the uptime bars drawn; incident lists opened,
/// since axe does not check collapsed content.
async fn settle_console(b: &Browser) -> Result<(), String> {
    wait_state(b, "us-south", "available").await?;
    wait_state(b, "eu-de", "available").await?;
    for (region, n) in [("us-south", "40"), ("eu-de", "25")] {
        b.wait_until(Duration::from_secs(20), &format!("{region} shows {n} secrets"), || async {
            b.secrets_total(region).await.as_deref() == Some(n)
        })
        .await?;
    }
    b.wait_until(Duration::from_secs(20), "uptime bars drawn", || async {
        b.eval("document.querySelectorAll('[data-uptime-day]').length").await.as_u64().unwrap_or(0) > 0
    })
    .await?;
    b.eval("(document.querySelectorAll('details').forEach(d => d.open = true), true)").await;
    Ok(())
}

async fn wait_state(b: &Browser, region: &str, want: &str) -> Result<Duration, String> {
    b.wait_until(Duration::from_secs(20), &format!("{region} {want}"), || async {
        b.region_state(region).await.as_deref() == Some(want)
    })
    .await
}

async fn check_all_themes(b: &Browser, axe: &str, view: &str, report: &mut Vec<String>) -> Result<(), String> {
    for theme in THEMES {
        apply_theme(b, theme).await?;
        for v in run_axe(b, axe).await? {
            report.push(format!("[{view} · {theme:?}] {}", describe(&v)));
        }
    }
    apply_theme(b, Theme::Light).await
}

async fn apply_theme(b: &Browser, theme: Theme) -> Result<(), String> {
    let (media, attr) = match theme {
        Theme::Light => ("light", None),
        Theme::DarkSystem => ("dark", None),
        Theme::DarkEmbed => ("light", Some("dark")),
    };
    b.cdp("Emulation.setEmulatedMedia", json!({"features": [{"name": "prefers-color-scheme", "value": media}]}))
        .await?;
    let js = match attr {
        Some(t) => format!("(document.documentElement.dataset.theme = '{t}', true)"),
        None => "(delete document.documentElement.dataset.theme, true)".to_string(),
    };
    b.eval(&js).await;
    // Panels animate background and filter (200 ms): axe must see the settled colours.
    tokio::time::sleep(Duration::from_millis(450)).await;
    Ok(())
}

async fn run_axe(b: &Browser, axe: &str) -> Result<Vec<Value>, String> {
    run_axe_with(b, axe, "{}").await
}

/// `options`: a JS object literal merged into axe.run's options.
async fn run_axe_with(b: &Browser, axe: &str, options: &str) -> Result<Vec<Value>, String> {
    if b.eval("typeof window.axe").await.as_str() != Some("object") {
        b.d().execute(format!("{axe}\nreturn true;"), vec![]).await.map_err(|e| format!("inject axe-core: {e}"))?;
    }
    let out = b
        .eval_async(&format!(
            "const done = arguments[arguments.length - 1];
             axe.run(document, Object.assign({{ resultTypes: ['violations'] }}, {options}))
               .then(r => done({{ violations: r.violations.map(v => ({{
                   id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(n => ({{ target: n.target, summary: n.failureSummary }})) }})) }}))
               .catch(e => done({{ error: String(e) }}));"
        ))
        .await?;
    if let Some(e) = out.get("error") {
        return Err(format!("axe.run failed: {e}"));
    }
    Ok(out.get("violations").and_then(Value::as_array).cloned().unwrap_or_default())
}

fn describe(v: &Value) -> String {
    let mut s = format!(
        "{} ({}): {}",
        v["id"].as_str().unwrap_or("?"),
        v["impact"].as_str().unwrap_or("?"),
        v["help"].as_str().unwrap_or("")
    );
    for n in v["nodes"].as_array().into_iter().flatten() {
        let summary = n["summary"].as_str().unwrap_or("").replace('\n', " ");
        s.push_str(&format!("\n    at {} — {}", n["target"], summary));
    }
    s
}
