//! End-to-end: the console embedded in an iframe by the example host page, speaking the
//! postMessage protocol of console.md; and the same host page on a foreign origin, ignored. The
//! regions require a token, so "the parent's token was used" and "the foreign parent's token was
//! not" are both observed on the requests the console makes.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{config_with, root, Browser, Emulator, Site};

type Check = Result<(), String>;

const TOKEN: &str = "embed-token-5c1d";

#[tokio::test(flavor = "multi_thread")]
async fn embedding_protocol_with_an_allowed_parent_and_a_foreign_one() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "12"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "8"]);
    // Regions that need a token, for the console in `embed` auth mode: which token it sends is
    // then visible on every request.
    let dallas_t = Emulator::start("us-south", &data.path().join("us-south-t"), &["--seed", "3", "--token", TOKEN]);
    let frankfurt_t = Emulator::start("eu-de", &data.path().join("eu-de-t"), &["--seed", "2", "--token", TOKEN]);
    let host = Site::serve_files(&root().join("examples/embed-host"));
    let foreign = Site::serve_files(&root().join("examples/embed-host"));
    let regions = [("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)];
    let console = Site::serve(&config_with(&regions, "none", &[host.origin()]), "/");
    let regions_t = [("us-south", "Dallas", &dallas_t), ("eu-de", "Frankfurt", &frankfurt_t)];
    let console_t = Site::serve(&config_with(&regions_t, "embed", &[host.origin()]), "/");
    let b = Browser::start().await;
    b.record_authorization().await;

    let result = async {
        allowed_parent(&b, &host, &console).await?;
        allowed_parents_token_is_used(&b, &host, &console_t).await?;
        foreign_parent(&b, &foreign, &console_t).await
    }
    .await;
    b.finish(result).await;
}

async fn received(b: &Browser) -> Vec<Value> {
    b.eval("window.__received ?? []").await.as_array().cloned().unwrap_or_default()
}

async fn got(b: &Browser, kind: &str) -> Option<Value> {
    received(b).await.into_iter().find(|m| m["type"] == kind)
}

/// Inside the console's frame: record every message it receives (after the console's own
/// listener, which was registered first and so has already handled each one).
async fn watch_messages(b: &Browser) {
    b.eval("(window.__msgs_seen = [], addEventListener('message', e => window.__msgs_seen.push(e.data && e.data.type)), true)").await;
}

/// Inside the frame: once a message of type `kind` was handled, wait until the console has sent
/// `more` further requests (it reads the token at each request, so these show which token it
/// holds now), then return every Authorization header sent so far.
async fn auth_after_message(b: &Browser, kind: &str, more: u64) -> Result<Vec<Value>, String> {
    let seen = format!("(window.__msgs_seen ?? []).includes('{kind}')");
    b.wait_until(Duration::from_secs(10), &format!("{kind} delivered to the console"), || async { b.eval(&seen).await.as_bool() == Some(true) })
        .await?;
    let sent_so_far = || async { b.eval("window.__auth_sent?.length ?? 0").await.as_u64().unwrap_or(0) };
    let n0 = sent_so_far().await;
    b.wait_until(Duration::from_secs(20), &format!("{more} requests after {kind}"), || async { sent_so_far().await >= n0 + more }).await?;
    let sent = b.eval("window.__auth_sent ?? null").await;
    sent.as_array().cloned().ok_or_else(|| "the Authorization recorder is missing in the frame".to_string())
}

async fn allowed_parent(b: &Browser, host: &Site, console: &Site) -> Check {
    let url = format!("{}index.html?console={}&theme=dark", host.url, console.url);
    b.d().goto(&url).await.map_err(|e| e.to_string())?;
    b.wait_until(Duration::from_secs(15), "ready from the console", || async { got(b, "regional-console:ready").await.is_some() })
        .await?;
    let ready = got(b, "regional-console:ready").await.unwrap_or_default();
    if ready["version"] != 1 {
        return Err(format!("ready message {ready}, expected version 1"));
    }
    b.wait_until(Duration::from_secs(10), "a resize with the content height", || async {
        received(b).await.iter().any(|m| m["type"] == "regional-console:resize" && m["height"].as_u64().unwrap_or(0) > 100)
    })
    .await?;
    let heights = received(b).await.iter().filter(|m| m["type"] == "regional-console:resize").count();
    b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
    let inside = async {
        b.wait_until(Duration::from_secs(15), "both regions live with their secrets inside the frame", || async {
            b.secrets_total("us-south").await.as_deref() == Some("12") && b.secrets_total("eu-de").await.as_deref() == Some("8")
        })
        .await?;
        let theme = b.eval("document.documentElement.dataset.theme ?? null").await;
        if theme != "dark" {
            return Err(format!("the parent's theme was not applied: {theme}"));
        }
        if b.eval("document.documentElement.hasAttribute('data-embedded') && !document.querySelector('.app-head')").await != true {
            return Err("embedded console still shows its own header".into());
        }
        // A deep-link change inside the console is mirrored to the parent.
        b.eval("(location.hash = '#/region/eu-de', true)").await;
        Ok(())
    }
    .await;
    b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
    inside?;
    b.wait_until(Duration::from_secs(5), "navigate mirrored to the parent", || async {
        received(b).await.iter().any(|m| m["type"] == "regional-console:navigate" && m["path"] == "/region/eu-de")
    })
    .await?;
    // Data arriving grew the page: more than the first resize was reported.
    b.wait_until(Duration::from_secs(5), "resize on every height change", || async {
        received(b).await.iter().filter(|m| m["type"] == "regional-console:resize").count() > heights.min(1)
    })
    .await?;

    // The parent switches theme.
    b.eval("(() => { const s = document.getElementById('theme'); s.value = 'light'; s.dispatchEvent(new Event('change')); return true; })()").await;
    b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
    let light = b
        .wait_until(Duration::from_secs(5), "theme message applied", || async {
            b.eval("document.documentElement.dataset.theme ?? null").await == "light"
        })
        .await;
    b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
    light.map(|_| ())
}

/// The console in `embed` auth mode, its regions requiring a token: the allowed parent's token
/// (handed to the host page by a message, never in its URL) is the one its requests carry. This is
/// also the control for `foreign_parent`: the recorder does see a token that was accepted.
async fn allowed_parents_token_is_used(b: &Browser, host: &Site, console: &Site) -> Check {
    b.d().goto(&format!("{}index.html?console={}", host.url, console.url)).await.map_err(|e| e.to_string())?;
    b.eval(&format!("(window.postMessage({{type: 'example-host:token', token: '{TOKEN}'}}, location.origin), true)")).await;
    b.wait_until(Duration::from_secs(15), "ready from the console", || async { got(b, "regional-console:ready").await.is_some() }).await?;
    b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
    let bearer = format!("Bearer {TOKEN}");
    let used = b
        .wait_until(Duration::from_secs(15), "a request with the allowed parent's token", || async {
            b.eval("window.__auth_sent ?? []").await.as_array().is_some_and(|a| a.iter().any(|h| h.as_str() == Some(&bearer)))
        })
        .await;
    b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
    used.map(|_| ())
}

async fn foreign_parent(b: &Browser, foreign: &Site, console: &Site) -> Check {
    let url = format!("{}index.html?console={}&theme=dark", foreign.url, console.url);
    b.d().goto(&url).await.map_err(|e| e.to_string())?;
    b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
    let inside = async {
        b.wait_until(Duration::from_secs(15), "the console runs inside the foreign frame and asks its regions", || async {
            b.region_state("eu-de").await.is_some() && b.eval("window.__auth_sent?.length ?? 0").await.as_u64().unwrap_or(0) > 0
        })
        .await?;
        watch_messages(b).await;
        Ok::<(), String>(())
    }
    .await;
    b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
    inside?;
    // The foreign page hands over a valid token twice: through its form and as an init message.
    b.eval(&format!(
        "(() => {{ document.getElementById('token').value = '{TOKEN}'; document.getElementById('send-token').click(); \
           document.getElementById('console').contentWindow.postMessage({{type: 'regional-console:init', theme: 'dark', token: '{TOKEN}'}}, '*'); return true; }})()"
    ))
    .await;
    b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
    let inside = async {
        // The init is posted last, so the token message before it was handled too.
        let sent = auth_after_message(b, "regional-console:init", 3).await?;
        if sent.iter().any(|h| h.as_str().is_some_and(|v| v.contains(TOKEN))) {
            return Err(format!("the console used a token from a foreign parent: {sent:?}"));
        }
        let theme = b.eval("document.documentElement.dataset.theme ?? null").await;
        if !theme.is_null() {
            return Err(format!("a foreign parent's theme was applied: {theme}"));
        }
        if b.secrets_total("us-south").await.as_deref().is_some_and(|n| n != "0") {
            return Err("Dallas's secrets loaded without a token from an allowed parent".into());
        }
        Ok(())
    }
    .await;
    b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
    inside?;
    // The console never spoke to the foreign page, not even `ready` (it answers only allowed origins).
    let msgs = received(b).await;
    if !msgs.is_empty() {
        return Err(format!("the console posted to a foreign origin: {msgs:?}"));
    }
    Ok(())
}
