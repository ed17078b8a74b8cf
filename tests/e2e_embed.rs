//! End-to-end: the console embedded in an iframe by the example host page, speaking the
//! postMessage protocol of console.md; and the same host page on a foreign origin, ignored.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{config_with, root, Browser, Emulator, Site};

type Check = Result<(), String>;

#[tokio::test(flavor = "multi_thread")]
async fn embedding_protocol_with_an_allowed_parent_and_a_foreign_one() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "12"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "8"]);
    let host = Site::serve_files(&root().join("examples/embed-host"));
    let foreign = Site::serve_files(&root().join("examples/embed-host"));
    let regions = [("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)];
    let console = Site::serve(&config_with(&regions, "none", &[host.origin()]), "/");
    let b = Browser::start().await;

    let result = async {
        allowed_parent(&b, &host, &console).await?;
        foreign_parent(&b, &foreign, &console).await
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
        b.wait_until(Duration::from_secs(15), "both regions live inside the frame", || async {
            b.region_state("us-south").await.as_deref() == Some("available") && b.region_state("eu-de").await.as_deref() == Some("available")
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

async fn foreign_parent(b: &Browser, foreign: &Site, console: &Site) -> Check {
    let url = format!("{}index.html?console={}&theme=dark", foreign.url, console.url);
    b.d().goto(&url).await.map_err(|e| e.to_string())?;
    b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
    let inside = async {
        b.wait_until(Duration::from_secs(15), "the console runs inside the foreign frame", || async {
            b.region_state("eu-de").await.as_deref() == Some("available")
        })
        .await?;
        // The foreign page sent init with theme=dark on load (if it ever heard ready) and keeps
        // trying below; none of it may take effect.
        Ok::<(), String>(())
    }
    .await;
    b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
    inside?;
    b.eval("(() => { document.getElementById('console').contentWindow.postMessage({type: 'regional-console:init', theme: 'dark', token: 'stolen'}, '*'); return true; })()").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let msgs = received(b).await;
    if !msgs.is_empty() {
        return Err(format!("the console posted to a foreign origin: {msgs:?}"));
    }
    b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
    let theme = b.eval("document.documentElement.dataset.theme ?? null").await;
    b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
    if !theme.is_null() {
        return Err(format!("a foreign parent's theme was applied: {theme}"));
    }
    Ok(())
}
