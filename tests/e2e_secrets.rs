//! End-to-end: the secrets feature against two emulated regions in headless Chromium — create,
//! edit, rotate, reveal/copy/re-mask, delete, a write refused on a downed region, and the 401
//! token flow.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::page::goto_hash;
use support::{config_for, Browser, Emulator, Site};

const T: Duration = Duration::from_secs(20);

/// Quoted as a JS string literal.
fn js(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

/// Waits for the input to be there first: a form can arrive a moment after the click that opens
/// it (with the `split` feature its code is fetched then).
async fn set_input(b: &Browser, sel: &str, value: &str) -> Result<(), String> {
    wait_for(b, &format!("input {sel}"), &format!("document.querySelector({}) !== null", js(sel))).await.map_err(|_| format!("no input {sel}"))?;
    let ok = b
        .eval(&format!(
            "(() => {{ const e = document.querySelector({}); if (!e) return false; e.value = {}; \
             e.dispatchEvent(new Event('input', {{bubbles: true}})); e.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()",
            js(sel),
            js(value)
        ))
        .await;
    if ok.as_bool() == Some(true) { Ok(()) } else { Err(format!("no input {sel}")) }
}

async fn click(b: &Browser, sel: &str) -> Result<(), String> {
    let ok = b.eval(&format!("(() => {{ const e = document.querySelector({}); if (!e || e.disabled) return false; e.click(); return true; }})()", js(sel))).await;
    if ok.as_bool() == Some(true) { Ok(()) } else { Err(format!("{sel} is missing or disabled")) }
}

async fn attr(b: &Browser, sel: &str, name: &str) -> Option<String> {
    b.eval(&format!("document.querySelector({})?.getAttribute({}) ?? null", js(sel), js(name))).await.as_str().map(str::to_string)
}

async fn text(b: &Browser, sel: &str) -> String {
    b.eval(&format!("document.querySelector({})?.textContent ?? ''", js(sel))).await.as_str().unwrap_or("").to_string()
}

async fn wait_for(b: &Browser, what: &str, cond_js: &str) -> Result<(), String> {
    b.wait_until(T, what, || async { b.eval(cond_js).await.as_bool() == Some(true) }).await.map(|_| ())
}

async fn api_get(base: &str, path: &str) -> (u16, serde_json::Value) {
    match reqwest::get(format!("{base}{path}")).await {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, serde_json::from_str(&r.text().await.unwrap_or_default()).unwrap_or_default())
        }
        Err(_) => (0, serde_json::Value::Null),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_edit_rotate_reveal_delete_and_refuse_on_a_downed_region() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "40"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "25"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let result = lifecycle(&browser, &site, &dallas).await;
    browser.finish(result).await;
}

async fn lifecycle(b: &Browser, site: &Site, dallas: &Emulator) -> Result<(), String> {
    b.d().goto(&format!("{}#/secrets/us-south", site.url)).await.map_err(|e| e.to_string())?;
    wait_for(b, "Dallas's table shows 40 secrets", "document.querySelector('[data-secrets-view=\"r0\"]')?.dataset.secretsTotal === '40'").await?;
    let rows = b.eval("document.querySelectorAll('[data-secrets-view=\"r0\"] tr[data-secret-id][data-region=\"us-south\"]').length").await;
    let rows = rows.as_u64().unwrap_or(0);
    if rows == 0 || rows >= 40 {
        return Err(format!("windowing: {rows} of 40 rows in the DOM"));
    }
    set_input(b, "[data-secrets-filter]", "no-secret-has-this-name").await?;
    wait_for(b, "filter to nothing", "document.querySelector('[data-secrets-view]')?.dataset.secretsShown === '0'").await?;

    // Create.
    click(b, "[data-action=create]").await?;
    set_input(b, "[data-form=create] [data-field=name]", "e2e-created-secret").await?;
    set_input(b, "[data-form=create] [data-field=payload]", "e2e-value-1").await?;
    set_input(b, "[data-form=create] [data-field=labels]", "e2e").await?;
    click(b, "[data-action=submit-create]").await?;
    set_input(b, "[data-secrets-filter]", "e2e-created").await?;
    wait_for(b, "the new secret appears", "document.querySelector('[data-secrets-view]')?.dataset.secretsShown === '1'").await?;
    let id = attr(b, "tr[data-secret-id][data-region=\"us-south\"]", "data-secret-id").await.ok_or("no row for the new secret")?;
    if attr(b, "[data-secrets-view]", "data-secrets-total").await.as_deref() != Some("41") {
        return Err("the total did not become 41".into());
    }

    // The server's own search finds it too (asked explicitly, at Dallas's origin).
    click(b, "[data-secrets-view] .filters button").await?;
    wait_for(b, "server search results", "document.querySelector('.server-results')?.textContent.includes('e2e-created') === true").await?;
    if attr(b, "[data-secrets-view]", "data-secrets-shown").await.as_deref() != Some("1") {
        return Err("server search did not return exactly the new secret".into());
    }

    // The cross-region view counts it as only in Dallas.
    goto_hash(b, "#/secrets/cross").await;
    wait_for(b, "cross-region view", "document.querySelector('[data-cross=\"only-0\"] [data-count]') !== null").await?;
    let only = text(b, "[data-cross=\"only-0\"] [data-count]").await;
    let listed = b.eval("Array.from(document.querySelectorAll('tr[data-presence=\"only-0\"] td:first-child')).some(td => td.textContent === 'e2e-created-secret')").await;
    if only.trim().parse::<u32>().unwrap_or(0) == 0 || listed.as_bool() != Some(true) {
        return Err(format!("the cross-region view does not list the new secret as only in Dallas ({only})"));
    }

    // Detail by deep link; edit only the description.
    goto_hash(b, &format!("#/region/us-south/secret/{id}")).await;
    wait_for(b, "detail", &format!("document.querySelector('[data-secret-detail=\"{id}\"]') !== null")).await?;
    // Editing waits for the whole secret (the list holds no custom metadata).
    wait_for(b, "the whole secret read", "document.querySelector('[data-action=edit]')?.disabled === false && document.querySelector('[data-detail-partial]') === null").await?;
    click(b, "[data-action=edit]").await?;
    set_input(b, "[data-form=edit] [data-field=description]", "edited by e2e").await?;
    click(b, "[data-action=submit-edit]").await?;
    wait_for(b, "edit shown", "document.querySelector('[data-secret-detail]')?.textContent.includes('edited by e2e') === true").await?;
    let (_, meta) = api_get(&dallas.api(), &format!("/api/v2/secrets/{id}/metadata")).await;
    if meta["description"] != "edited by e2e" || meta["name"] != "e2e-created-secret" || meta["labels"] != serde_json::json!(["e2e"]) {
        return Err(format!("the edit did not land as a merge patch of one field: {meta}"));
    }

    // Rotate.
    click(b, "[data-action=rotate]").await?;
    set_input(b, "[data-form=rotate] textarea", "e2e-value-2").await?;
    click(b, "[data-action=submit-rotate]").await?;
    wait_for(b, "two versions", "document.querySelectorAll('[data-version-id]').length === 2").await?;

    // Reveal, hide: the value leaves the DOM.
    click(b, "[data-action=reveal]").await?;
    wait_for(b, "value revealed", "document.querySelector('[data-secret-value=\"revealed\"] pre')?.textContent === 'e2e-value-2'").await?;
    click(b, "[data-action=hide]").await?;
    wait_for(b, "masked after hide", "document.querySelector('[data-secret-value=\"masked\"]') !== null && !document.body.innerHTML.includes('e2e-value-2')").await?;
    // Reveal, navigate away and back: masked again.
    click(b, "[data-action=reveal]").await?;
    wait_for(b, "value revealed again", "document.querySelector('[data-secret-value=\"revealed\"] pre') !== null").await?;
    goto_hash(b, "#/secrets/us-south").await;
    goto_hash(b, &format!("#/region/us-south/secret/{id}")).await;
    wait_for(b, "masked after navigation", "document.querySelector('[data-secret-value=\"masked\"]') !== null && !document.body.innerHTML.includes('e2e-value-2')").await?;
    // Reveal and wait: re-masked by itself after 30 s.
    click(b, "[data-action=reveal]").await?;
    wait_for(b, "value revealed a third time", "document.querySelector('[data-secret-value=\"revealed\"] pre') !== null").await?;
    b.wait_until(Duration::from_secs(40), "re-masked after 30 s", || async {
        b.eval("document.querySelector('[data-secret-value=\"masked\"]') !== null && !document.body.innerHTML.includes('e2e-value-2')").await.as_bool() == Some(true)
    })
    .await?;

    // Copy without revealing (the clipboard is stubbed: headless Chromium has no real one).
    b.eval("(Object.defineProperty(navigator, 'clipboard', {configurable: true, value: {writeText: t => { window.__copied = t; return Promise.resolve(); }}}), true)").await;
    click(b, "[data-action=copy]").await?;
    wait_for(b, "copied", "document.querySelector('[data-copy-status]')?.textContent.includes('Copied') === true").await?;
    if b.eval("window.__copied ?? null").await.as_str() != Some("e2e-value-2") {
        return Err("the clipboard did not receive the value".into());
    }
    if b.eval("document.body.innerHTML.includes('e2e-value-2')").await.as_bool() != Some(false) {
        return Err("copying revealed the value in the DOM".into());
    }

    // Delete with typed confirmation.
    click(b, "[data-action=delete]").await?;
    set_input(b, "[data-form=delete] [data-field=confirm-name]", "wrong-name").await?;
    if click(b, "[data-action=submit-delete]").await.is_ok() {
        return Err("delete was enabled with the wrong name typed".into());
    }
    set_input(b, "[data-form=delete] [data-field=confirm-name]", "e2e-created-secret").await?;
    click(b, "[data-action=submit-delete]").await?;
    // The list keeps its state (filter, sort…) in the hash after the view id.
    wait_for(b, "back on the list after delete", "location.hash.startsWith('#/secrets/us-south')").await?;
    wait_for(b, "total back to 40", "document.querySelector('[data-secrets-view=\"r0\"]')?.dataset.secretsTotal === '40'").await?;
    let (status, _) = api_get(&dallas.api(), &format!("/api/v2/secrets/{id}/metadata")).await;
    if status != 404 {
        return Err(format!("the secret still exists in Dallas (HTTP {status})"));
    }

    // A downed region: writes disabled with a reason, last-known list still shown and stale.
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"down"}"#).await;
    b.wait_until(T, "Dallas unavailable", || async { b.region_state("us-south").await.as_deref() == Some("unavailable") }).await?;
    wait_for(b, "create disabled", "document.querySelector('[data-action=create]')?.disabled === true").await?;
    let reason = text(b, ".write-block").await;
    if !reason.contains("unavailable") || !reason.contains("Nothing is sent to another region") {
        return Err(format!("no plain reason for the refusal: {reason:?}"));
    }
    if attr(b, "[data-secrets-view=\"r0\"]", "data-stale").await.is_none() || attr(b, "[data-secrets-view=\"r0\"]", "data-secrets-total").await.as_deref() != Some("40") {
        return Err("the last-known list is not kept and marked stale".into());
    }
    goto_hash(b, "#/secrets/eu-de").await;
    wait_for(b, "Frankfurt still writable", "document.querySelector('[data-action=create]')?.disabled === false").await?;
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"up"}"#).await;
    b.wait_until(T, "Dallas back", || async { b.region_state("us-south").await.as_deref() == Some("available") }).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_401_asks_for_a_token_and_retries() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "40", "--token", "e2e-token-123"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "25"]);
    let mut config: serde_json::Value =
        serde_json::from_str(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)])).expect("json");
    config["auth"] = serde_json::json!({"mode": "bearer"});
    let site = Site::serve(&config.to_string(), "/console/");
    let browser = Browser::start().await;
    let result = token_flow(&browser, &site).await;
    browser.finish(result).await;
}

async fn token_flow(b: &Browser, site: &Site) -> Result<(), String> {
    b.d().goto(&format!("{}#/secrets/us-south", site.url)).await.map_err(|e| e.to_string())?;
    wait_for(b, "token prompt after 401", "document.querySelector('[data-token-needed] [data-token-input]') !== null").await?;
    b.wait_until(T, "Frankfurt unaffected", || async { b.secrets_total("eu-de").await.as_deref() == Some("25") }).await?;
    set_input(b, "[data-token-input]", "e2e-token-123").await?;
    b.eval("(document.querySelector('[data-token-needed] form').requestSubmit(), true)").await;
    wait_for(b, "Dallas loads with the token", "document.querySelector('[data-secrets-view=\"r0\"]')?.dataset.secretsTotal === '40'").await?;
    wait_for(b, "prompt gone", "document.querySelector('[data-token-needed]') === null").await?;
    let stored = b
        .eval("JSON.stringify(localStorage).includes('e2e-token') || JSON.stringify(sessionStorage).includes('e2e-token') || location.href.includes('e2e-token') || document.cookie.includes('e2e-token') || document.body.innerHTML.includes('e2e-token')")
        .await;
    if stored.as_bool() != Some(false) {
        return Err("the token leaked into storage, the URL, a cookie or the DOM".into());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn rate_limited_pages_are_retried_until_everything_is_loaded() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "3500"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "25"]);
    // Two requests a second: most page requests of the first burst get 429 with Retry-After.
    dallas
        .control_call("PUT", "/emulator/v1/faults", r#"{"rate_limit_rps":2,"retry_after_s":1}"#)
        .await;
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let result = async {
        browser.d().goto(&format!("{}#/secrets/us-south", site.url)).await.map_err(|e| e.to_string())?;
        browser
            .wait_until(Duration::from_secs(45), "all 3,500 Dallas secrets despite 429s", || async {
                browser.eval("document.querySelector('[data-secrets-view=\"r0\"]')?.dataset.secretsTotal ?? null").await.as_str() == Some("3500")
            })
            .await?;
        let status = text(&browser, ".load-status").await;
        if status.contains("could not be loaded") {
            return Err(format!("pages were given up: {status}"));
        }
        Ok::<(), String>(())
    }
    .await;
    browser.finish(result).await;
}
