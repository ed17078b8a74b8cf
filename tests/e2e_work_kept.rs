//! End-to-end: work that must not vanish. A write says what it did (a live status line) and
//! shows its row; filters, sort, tab and server search survive opening a secret, switching tabs
//! and a reload (they live in the hash); the detail view stays true (last read after a reveal,
//! versions and values on a down region); validation clears as soon as a field is valid and marks
//! invalid fields; every form can be cancelled; a filter of several words matches all of them.
//! Typing is real keystrokes (`send_keys`), choices real clicks.
#![cfg(not(target_arch = "wasm32"))]

mod support;


use serde_json::json;
use support::page::{choose, click, el, js, prop, text, type_into, wait_for, T};
use support::{config_for, Browser, Emulator, Site};

async fn create(region: &Emulator, name: &str, labels: &[&str]) {
    let r = reqwest::Client::new()
        .post(format!("{}/api/v2/secrets", region.api()))
        .json(&json!({"secret_type": "arbitrary", "name": name, "payload": "v", "labels": labels}))
        .send()
        .await
        .expect("create");
    assert!(r.status().is_success(), "create {name}: {}", r.status());
}

const VIEW: &str = "[data-secrets-view=\"r0\"]";

fn shown_is(n: usize) -> String {
    format!("document.querySelector('{VIEW}')?.dataset.secretsShown === '{n}'")
}

/// The Dallas view shows the filter, type menu and sort set earlier, and the one row they leave.
async fn keep(b: &Browser, when: &str) -> Result<(), String> {
    wait_for(b, &format!("{when}: the list is back"), &format!("document.querySelector('{VIEW}') !== null")).await?;
    let q = prop(b, &format!("{VIEW} [data-secrets-filter]"), "value").await;
    let ty = prop(b, &format!("{VIEW} [data-filter=type]"), "value").await;
    let sort = b.eval(&format!("document.querySelector('{VIEW} th.col-updated')?.getAttribute('aria-sort') ?? ''")).await;
    if q != "payments prod" || ty != "arbitrary" || sort != "descending" {
        return Err(format!("{when}: filter {q:?}, type {ty:?}, sort {sort} — the view was not kept"));
    }
    wait_for(b, &format!("{when}: still one row"), &shown_is(1)).await
}

#[tokio::test(flavor = "multi_thread")]
async fn writes_confirm_and_views_keep_their_state() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "30"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "6"]);
    for (n, l) in [("payments-api", &["prod", "team-pay"][..]), ("payments-batch", &["dev"][..]), ("billing-prod", &["prod"][..])] {
        create(&dallas, n, l).await;
    }
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let result = scenario(&browser, &site, &dallas).await;
    browser.finish(result).await;
}

async fn scenario(b: &Browser, site: &Site, dallas: &Emulator) -> Result<(), String> {
    b.d().goto(&format!("{}#/secrets/us-south", site.url)).await.map_err(|e| e.to_string())?;
    wait_for(b, "Dallas's 33 secrets", &format!("document.querySelector('{VIEW}')?.dataset.secretsTotal === '33'")).await?;

    // Several words: all must match, each anywhere (name, label…).
    type_into(b, &format!("{VIEW} [data-secrets-filter]"), "payments prod").await?;
    wait_for(b, "'payments prod' matches payments-api only", &shown_is(1)).await?;
    if text(b, &format!("{VIEW} tr[data-secret-id] td.name")).await != "payments-api" {
        return Err("'payments prod' did not match payments-api".into());
    }

    // Filter + type menu + sort, then open a secret and come back: all kept.
    choose(b, &format!("{VIEW} [data-filter=type]"), "arbitrary").await?;
    click(b, &format!("{VIEW} th.col-updated button")).await?;
    click(b, &format!("{VIEW} th.col-updated button")).await?;
    wait_for(b, "sorted by updated, descending", &format!("document.querySelector('{VIEW} th.col-updated')?.getAttribute('aria-sort') === 'descending'")).await?;
    let hash = b.eval("location.hash").await.as_str().unwrap_or("").to_string();
    for want in ["q=payments+prod", "type=arbitrary", "sort=updated", "desc=1"] {
        if !hash.contains(want) {
            return Err(format!("the address does not keep the view ({want} missing): {hash}"));
        }
    }
    click(b, &format!("{VIEW} tr[data-secret-id] td.name")).await?;
    wait_for(b, "detail", "document.querySelector('[data-secret-detail]') !== null").await?;
    click(b, "[data-action=back]").await?;
    keep(b, "after opening a secret").await?;
    click(b, "nav.tabs a.tab:nth-of-type(2)").await?;
    wait_for(b, "Frankfurt's tab", "document.querySelector('[data-secrets-view=\"r1\"]') !== null").await?;
    click(b, "nav.tabs a.tab:nth-of-type(1)").await?;
    keep(b, "after switching tabs").await?;
    b.d().refresh().await.map_err(|e| e.to_string())?;
    keep(b, "after a reload").await?;

    // Server search results survive switching tabs (the server matches the whole phrase, so
    // "payments prod" finds nothing there: the results line says so).
    click(b, &format!("{VIEW} .filters button")).await?;
    wait_for(b, "server search results", "document.querySelector('.server-results')?.textContent.includes('payments prod') === true").await?;
    click(b, "nav.tabs a.tab:nth-of-type(2)").await?;
    wait_for(b, "Frankfurt's tab", "document.querySelector('[data-secrets-view=\"r1\"]') !== null").await?;
    click(b, "nav.tabs a.tab:nth-of-type(1)").await?;
    wait_for(b, "server results still shown", "document.querySelector('.server-results')?.textContent.includes('payments prod') === true").await?;
    if !b.eval("location.hash").await.as_str().unwrap_or("").contains("server=payments+prod") {
        return Err("the server search is not in the address".into());
    }
    click(b, ".server-results button").await?;

    // Validation: an invalid name is marked; fixing it clears the error at once.
    click(b, "[data-action=create]").await?;
    let name = "[data-form=create] [data-field=name]";
    type_into(b, name, "x").await?;
    type_into(b, "[data-form=create] [data-field=payload]", "typed value").await?;
    click(b, "[data-action=submit-create]").await?;
    wait_for(b, "name error shown", "document.querySelector('[data-field-error=name]') !== null").await?;
    if b.eval(&format!("document.querySelector({})?.getAttribute('aria-invalid')", js(name))).await != "true" {
        return Err("the invalid name field is not aria-invalid".into());
    }
    type_into(b, name, "yz-kept-1").await?;
    wait_for(b, "error gone once valid", &format!(
        "document.querySelector('[data-field-error=name]') === null && !document.querySelector({})?.hasAttribute('aria-invalid')", js(name)
    )).await?;

    // Create: a status line says so, the form closes, the new row is shown and marked.
    click(b, "[data-action=submit-create]").await?;
    if let Err(e) = wait_for(b, "confirmation", "document.querySelector('[data-notice]')?.textContent.includes('Created secret “xyz-kept-1” in Dallas') === true").await {
        let seen = b.eval("[document.querySelector('[data-notice]')?.outerHTML, Array.from(document.querySelectorAll('[data-form] .field-error, [data-form] .error')).map(e => e.textContent), document.querySelector('[data-form=create] [data-field=name]')?.value]").await;
        return Err(format!("{e}; the page shows {seen}"));
    }
    let live = b.eval("(() => { const n = document.querySelector('[data-notice]'); return n.getAttribute('role') + ' ' + n.getAttribute('aria-live'); })()").await;
    if live != "status polite" {
        return Err(format!("the confirmation is not announced ({live})"));
    }
    // The filter ("payments prod") hides the new secret: the line says so instead of leaving the user looking.
    wait_for(b, "hidden-by-filter note", "document.querySelector('[data-notice]')?.textContent.includes('does not match the current filter') === true").await?;
    let f = el(b, &format!("{VIEW} [data-secrets-filter]")).await?;
    f.clear().await.map_err(|e| e.to_string())?;
    f.send_keys("xyz-kept").await.map_err(|e| e.to_string())?;
    wait_for(b, "the new row", &format!("document.querySelector('{VIEW} tr[data-secret-id] td.name')?.textContent === 'xyz-kept-1'")).await?;

    // Detail: reveal, then "read before" is yes; every form can be cancelled.
    click(b, &format!("{VIEW} tr[data-secret-id] td.name")).await?;
    wait_for(b, "detail", "document.querySelector('[data-secret-detail]')?.textContent.includes('Value read beforeno, never') === true").await?;
    click(b, "[data-action=reveal]").await?;
    wait_for(b, "revealed", "document.querySelector('[data-secret-value=revealed] pre')?.textContent === 'typed value'").await?;
    wait_for(b, "read before: yes", "document.querySelector('[data-secret-detail]')?.textContent.includes('Value read beforeyes') === true").await?;
    if b.eval("document.querySelector('[data-secret-value=revealed]') !== null").await != true {
        return Err("refreshing the metadata after a reveal hid the value".into());
    }
    for (open, cancel, form) in [("edit", "cancel-edit", "edit"), ("rotate", "cancel-rotate", "rotate"), ("delete", "cancel-delete", "delete")] {
        click(b, &format!("[data-action={open}]")).await?;
        el(b, &format!("[data-form={form}]")).await?;
        click(b, &format!("[data-action={cancel}]")).await?;
        wait_for(b, &format!("{form} form cancelled"), &format!("document.querySelector('[data-form={form}]') === null")).await?;
    }
    // Edit: typed, saved, confirmed; the detail shows it.
    click(b, "[data-action=edit]").await?;
    type_into(b, "[data-form=edit] [data-field=description]", "kept by e2e").await?;
    click(b, "[data-action=submit-edit]").await?;
    wait_for(b, "edit confirmed", "document.querySelector('[data-notice]')?.textContent.includes('Saved the changes to “xyz-kept-1”') === true").await?;
    wait_for(b, "edit shown", "document.querySelector('[data-secret-detail]')?.textContent.includes('kept by e2e') === true").await?;
    // Rotate: confirmed; versions become two.
    click(b, "[data-action=rotate]").await?;
    type_into(b, "[data-form=rotate] textarea", "second value").await?;
    click(b, "[data-action=submit-rotate]").await?;
    wait_for(b, "rotate confirmed", "document.querySelector('[data-notice]')?.textContent.includes('Created a new version of “xyz-kept-1”') === true").await?;
    wait_for(b, "two versions", "document.querySelectorAll('[data-version-id]').length === 2").await?;

    // Dallas down: versions and value say why, never "Loading…" forever or a flip to "Hide".
    let detail_hash = b.eval("location.hash").await.as_str().unwrap_or("").to_string();
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"down"}"#).await;
    b.wait_until(T, "Dallas unavailable", || async { b.region_state("us-south").await.as_deref() == Some("unavailable") }).await?;
    // Still revealed from before (30 s): hide it first.
    if b.eval("document.querySelector('[data-action=hide]') !== null").await == true {
        click(b, "[data-action=hide]").await?;
    }
    click(b, "[data-action=reveal]").await?;
    wait_for(b, "reveal refused plainly", "document.querySelector('[data-copy-status]')?.textContent.includes('Dallas is unavailable') === true").await?;
    if b.eval("document.querySelector('[data-action=hide]') === null && document.querySelector('[data-action=reveal]') !== null").await != true {
        return Err("Reveal on a down region flipped the button to Hide".into());
    }
    b.d().refresh().await.map_err(|e| e.to_string())?;
    if !b.eval("location.hash").await.as_str().unwrap_or("").starts_with(detail_hash.split('?').next().unwrap_or("")) {
        return Err("the reload lost the detail route".into());
    }
    wait_for(b, "versions say why they are missing", "(() => { const d = document.querySelector('article.detail'); return !!d && !d.textContent.includes('Loading versions') && d.textContent.includes('versions'); })()").await?;
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"up"}"#).await;
    b.wait_until(T, "Dallas back", || async { b.region_state("us-south").await.as_deref() == Some("available") }).await?;

    // Delete: confirmed, back on the list as it was left.
    wait_for(b, "detail again", "document.querySelector('[data-secret-detail]') !== null").await?;
    click(b, "[data-action=delete]").await?;
    type_into(b, "[data-form=delete] [data-field=confirm-name]", "xyz-kept-1").await?;
    click(b, "[data-action=submit-delete]").await?;
    wait_for(b, "delete confirmed", "document.querySelector('[data-notice]')?.textContent.includes('Deleted secret “xyz-kept-1”') === true").await?;
    wait_for(b, "back on the list", &format!("document.querySelector('{VIEW}') !== null && location.hash.startsWith('#/secrets/us-south')")).await?;
    Ok(())
}
