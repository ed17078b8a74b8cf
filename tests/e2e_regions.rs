//! End-to-end: two emulated regions, the release console in headless Chromium, and a region that
//! dies for real (SIGKILL) and comes back.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::{config_for, Browser, Emulator, Site};

#[tokio::test(flavor = "multi_thread")]
async fn killed_region_greys_out_and_recovers_without_reload() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "40", "--history-days", "90"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "25", "--history-days", "90"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;

    let result = scenario(&browser, &site, &mut dallas).await;
    browser.finish(result).await;
}

async fn scenario(b: &Browser, site: &Site, dallas: &mut Emulator) -> Result<(), String> {
    b.d().goto(&site.url).await.map_err(|e| e.to_string())?;

    for region in ["us-south", "eu-de"] {
        b.wait_until(Duration::from_secs(20), &format!("{region} available"), || async {
            b.region_state(region).await.as_deref() == Some("available")
        })
        .await?;
    }
    for (region, n) in [("us-south", "40"), ("eu-de", "25")] {
        b.wait_until(Duration::from_secs(20), &format!("{region} shows {n} secrets"), || async {
            b.secrets_total(region).await.as_deref() == Some(n)
        })
        .await?;
    }
    for z in 1..=3 {
        let status = b
            .eval(&format!("document.querySelector('[data-zone=\"us-south-{z}\"]')?.dataset.status ?? null"))
            .await;
        if status.as_str() != Some("operational") {
            return Err(format!("zone us-south-{z} shows {status}, expected operational"));
        }
    }
    // Marks this page load: if the console reloaded itself, the marker would be gone.
    b.eval("(window.__e2e_page = 'same', true)").await;
    b.watch_states().await;

    dallas.kill();
    let took = b
        .wait_until(Duration::from_secs(2), "us-south greyed out within 2 s of SIGKILL", || async {
            b.region_state("us-south").await.as_deref() == Some("unavailable")
        })
        .await?;
    println!("us-south greyed out {took:?} after SIGKILL");
    if b.region_attr("us-south", "aria-disabled").await.as_deref() != Some("true") {
        return Err("unavailable region is not aria-disabled".into());
    }
    if b.region_state("eu-de").await.as_deref() != Some("available") {
        return Err("eu-de did not stay available while us-south was down".into());
    }
    if b.secrets_total("us-south").await.as_deref() != Some("40") {
        return Err("us-south's last-known secrets count was not kept".into());
    }
    let stale = b.eval("document.querySelectorAll('[data-region=\"us-south\"] [data-stale]').length").await;
    if stale.as_u64().unwrap_or(0) == 0 {
        return Err("us-south's last-known data is not marked data-stale".into());
    }
    let note = b.eval("document.querySelector('[data-region=\"us-south\"] .stale-note')?.textContent ?? ''").await;
    if !note.as_str().unwrap_or("").starts_with("Last known data, as of ") {
        return Err(format!("the stale data does not say when it dates from: {note}"));
    }
    let fresh = b.eval("document.querySelectorAll('[data-region=\"eu-de\"] [data-stale]').length").await;
    if fresh.as_u64() != Some(0) {
        return Err("eu-de is marked stale but is live".into());
    }

    // Stay down a while (the outage itself, not a wait for the console): every state change is
    // recorded page-side, so a flicker between two samples cannot hide.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (us, eu) = (b.state_log("us-south").await, b.state_log("eu-de").await);
    if us != ["unavailable"] || !eu.is_empty() {
        return Err(format!("states changed while nothing happened: us-south went {us:?}, eu-de {eu:?}"));
    }

    dallas.restart();
    let took = b
        .wait_until(Duration::from_secs(10), "us-south back to available", || async {
            b.region_state("us-south").await.as_deref() == Some("available")
        })
        .await?;
    println!("us-south recovered {took:?} after restart");
    if b.region_attr("us-south", "aria-disabled").await.is_some() {
        return Err("recovered region is still aria-disabled".into());
    }
    if b.eval("window.__e2e_page ?? null").await.as_str() != Some("same") {
        return Err("the page reloaded: recovery must happen in place".into());
    }
    b.wait_until(Duration::from_secs(10), "us-south secrets reloaded", || async {
        b.secrets_total("us-south").await.as_deref() == Some("40")
    })
    .await?;
    let (us, eu) = (b.state_log("us-south").await, b.state_log("eu-de").await);
    if us != ["unavailable", "available"] || !eu.is_empty() {
        return Err(format!("one outage, one recovery expected: us-south went {us:?}, eu-de {eu:?}"));
    }
    let violations = b.csp_violations().await;
    if !violations.is_empty() {
        return Err(format!("Content-Security-Policy violations: {violations:?}"));
    }
    // Prove the recorder (and the policy) work: an injected inline script must be blocked, not
    // run, and its violation seen. Trusted Types stops it first (a script's text is a script
    // sink, and no policy makes scripts); script-src would be next.
    b.eval("(() => { const s = document.createElement('script'); try { s.textContent = 'window.__inline_ran = 1'; } catch (e) { s.appendChild(document.createTextNode('window.__inline_ran = 1')); } document.head.appendChild(s); return true; })()").await;
    b.wait_until(Duration::from_secs(2), "the CSP blocks an inline script and the recorder sees it", || async {
        b.csp_violations().await.iter().any(|v| v.starts_with("script-src") || v.starts_with("require-trusted-types-for"))
    })
    .await?;
    if !b.eval("window.__inline_ran ?? null").await.is_null() {
        return Err("an injected inline script ran: the CSP is not in force".into());
    }
    Ok(())
}

/// A plain static server, the console under a sub-path, no rewrite rules: it finds its assets
/// and its config.json relative to the page.
#[tokio::test(flavor = "multi_thread")]
async fn works_under_a_sub_path_of_a_plain_static_server() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "5"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "6"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/tools/console/");
    assert!(site.url.ends_with("/tools/console/"));
    let browser = Browser::start().await;
    let result = async {
        let b = &browser;
        b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
        for (region, n) in [("us-south", "5"), ("eu-de", "6")] {
            b.wait_until(Duration::from_secs(20), &format!("{region} live with {n} secrets under the sub-path"), || async {
                b.region_state(region).await.as_deref() == Some("available") && b.secrets_total(region).await.as_deref() == Some(n)
            })
            .await?;
        }
        let violations = b.csp_violations().await;
        if violations.is_empty() { Ok(()) } else { Err(format!("CSP violations: {violations:?}")) }
    }
    .await;
    browser.finish(result).await;
}

/// A broken config is a full-page error that names the problem, not a blank page.
#[tokio::test(flavor = "multi_thread")]
async fn a_broken_config_is_explained() {
    let site = Site::serve(r#"{"regions":[{"id":"us-south","api":"https://dallas.example"}],"auth":{"mode":"magic"}}"#, "/");
    let browser = Browser::start().await;
    let result = async {
        let b = &browser;
        b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
        b.wait_until(Duration::from_secs(10), "the config error page", || async {
            b.eval("document.querySelector('[data-config-error]')?.textContent ?? ''")
                .await
                .as_str()
                .is_some_and(|t| t.contains("auth.mode") && t.contains("magic"))
        })
        .await
        .map(|_| ())
    }
    .await;
    browser.finish(result).await;
}
