//! End-to-end: the forms as a person uses them. Every value is typed with real keystrokes
//! (WebDriver `send_keys`) and every choice made with real clicks; after each submit, what the
//! region stored is read back from the emulator's own API and compared with exactly what was
//! typed. (A form that rebuilds its inputs on each keystroke stores only the last character and
//! shows an empty box: setting values by script in one event would never notice.)
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::page::{self, click, el, js, wait_for, T};
use support::{config_for, Browser, Emulator, Site};
use thirtyfour::prelude::*;

/// Click into the box and type `text` key by key; then the box must show exactly `text`.
async fn type_into(b: &Browser, css: &str, text: &str) -> Result<(), String> {
    let e = page::type_into(b, css, text).await?;
    // The element must still be the one typed into (not rebuilt) and show the whole text.
    let shown = e.prop("value").await.map_err(|e| format!("{css} after typing (was it rebuilt?): {e}"))?.unwrap_or_default();
    if shown != text {
        return Err(format!("{css} shows {shown:?} after typing {text:?}"));
    }
    Ok(())
}

/// Choose an option of a `<select>` by clicking it.
async fn choose(b: &Browser, select_css: &str, value: &str) -> Result<(), String> {
    page::choose(b, select_css, value).await?;
    let now = el(b, select_css).await?.prop("value").await.map_err(|e| e.to_string())?.unwrap_or_default();
    if now != value {
        return Err(format!("{select_css} is {now:?} after choosing {value:?}"));
    }
    Ok(())
}

async fn api_get(base: &str, path: &str) -> Result<Value, String> {
    let r = reqwest::get(format!("{base}{path}")).await.map_err(|e| format!("GET {path}: {e}"))?;
    let status = r.status();
    let text = r.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("GET {path}: HTTP {status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("GET {path}: {e}"))
}

/// The region's own record of the secret called `name`, with its data (`GET /secrets/{id}`),
/// waited for: the console writes asynchronously.
async fn stored(region: &Emulator, name: &str) -> Result<Value, String> {
    let deadline = std::time::Instant::now() + T;
    loop {
        let list = api_get(&region.api(), &format!("/api/v2/secrets?search={name}")).await?;
        let found = list["secrets"].as_array().and_then(|a| a.iter().find(|s| s["name"] == name)).and_then(|s| s["id"].as_str().map(str::to_string));
        if let Some(id) = found {
            return api_get(&region.api(), &format!("/api/v2/secrets/{id}")).await;
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("the region never stored a secret named {name}"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn expect_eq(what: &str, got: &Value, want: &Value) -> Result<(), String> {
    if got != want {
        return Err(format!("{what}: the region stored {got} but {want} was typed"));
    }
    Ok(())
}

async fn form_errors(b: &Browser) -> String {
    b.eval("Array.from(document.querySelectorAll('[data-form=create] [data-field-error], [data-form=create] [data-form-error]')).map(e => e.textContent).join(' | ')")
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
}

const F: &str = "[data-form=create]";

fn field(name: &str) -> String {
    format!("{F} [data-field={name}]")
}

/// Fill the common fields of the create form, typed; the type is chosen first, by click.
async fn common(b: &Browser, kind: &str, name: &str, group: &str) -> Result<(), String> {
    if b.eval(&format!("document.querySelector({}) === null", js(F))).await.as_bool() == Some(true) {
        click(b, "[data-action=create]").await?;
    }
    choose(b, &field("secret_type"), kind).await?;
    type_into(b, &field("name"), name).await?;
    type_into(b, &field("description"), &format!("Typed by hand for {kind}: spaces, Ümlauts & <symbols> \"quoted\" 'too' / 100%")).await?;
    type_into(b, &field("labels"), "team payments, prod-eu").await?;
    choose(b, &field("secret_group_id"), group).await?;
    Ok(())
}

async fn submit(b: &Browser, region: &Emulator, name: &str) -> Result<Value, String> {
    click(b, "[data-action=submit-create]").await?;
    let s = match stored(region, name).await {
        Ok(v) => v,
        Err(e) => return Err(format!("{e}; the form says: {}", form_errors(b).await)),
    };
    // The region can store the secret before the console has read the answer and closed the
    // form; the next step opens a fresh form only once this one is gone, so it waits for the
    // console's own acknowledgement instead of racing it (that race failed CI once).
    if let Err(e) = wait_for(b, "the create form to close once the region answered", &format!("document.querySelector({}) === null", js(F))).await {
        return Err(format!("{e}; the form says: {}", form_errors(b).await));
    }
    Ok(s)
}

fn check_common(kind: &str, s: &Value, group: &str) -> Result<(), String> {
    expect_eq("secret_type", &s["secret_type"], &json!(kind))?;
    expect_eq(
        "description",
        &s["description"],
        &json!(format!("Typed by hand for {kind}: spaces, Ümlauts & <symbols> \"quoted\" 'too' / 100%")),
    )?;
    expect_eq("labels", &s["labels"], &json!(["team payments", "prod-eu"]))?;
    expect_eq("secret_group_id", &s["secret_group_id"], &json!(group))
}

#[tokio::test(flavor = "multi_thread")]
async fn create_form_stores_exactly_what_was_typed_for_every_type() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "5"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "5"]);
    let group = reqwest::Client::new()
        .post(format!("{}/api/v2/secret_groups", dallas.api()))
        .json(&json!({"name": "e2e-typed-group", "description": "for the typing test"}))
        .send()
        .await
        .expect("create a group")
        .json::<Value>()
        .await
        .expect("group json");
    let group_id = group["id"].as_str().expect("group id").to_string();
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let result = create_every_type(&browser, &site, &dallas, &group_id).await;
    browser.finish(result).await;
}

async fn create_every_type(b: &Browser, site: &Site, dallas: &Emulator, group: &str) -> Result<(), String> {
    b.d().goto(&format!("{}#/secrets/us-south", site.url)).await.map_err(|e| e.to_string())?;
    wait_for(b, "Dallas's list", "document.querySelector('[data-secrets-view=\"r0\"]')?.dataset.secretsTotal === '5'").await?;
    click(b, "[data-action=create]").await?;
    // The form can arrive a moment after the click (with the `split` feature its code is fetched then).
    el(b, &field("secret_type")).await?;
    // The form offers exactly the four types the console can create.
    let offered = b.eval(&format!("Array.from(document.querySelectorAll({})).map(o => o.value).join(',')", js(&format!("{} option", field("secret_type"))))).await;
    if offered.as_str() != Some("arbitrary,username_password,kv,imported_cert") {
        return Err(format!("the create form offers {offered}"));
    }

    // arbitrary: expiration and value.
    common(b, "arbitrary", "typed-arbitrary-1", group).await?;
    let value = "super-secret-value-123 with spaces, MiXeD cAsE & symbols !@#$%^*()_+=[]{};:'\",.<>/?\\|`~ and €uro";
    type_into(b, &field("payload"), value).await?;
    // datetime-local, typed as a person does in an en-US Chromium: month, day, year, then time.
    let exp = el(b, &field("expiration_date")).await?;
    exp.click().await.map_err(|e| e.to_string())?;
    exp.send_keys("01312031").await.map_err(|e| e.to_string())?;
    exp.send_keys(Key::Tab + "1215PM").await.map_err(|e| e.to_string())?;
    let shown = exp.prop("value").await.map_err(|e| e.to_string())?.unwrap_or_default();
    if shown != "2031-01-31T12:15" {
        return Err(format!("the expiration box shows {shown:?} after typing 01/31/2031 12:15 PM"));
    }
    let s = submit(b, dallas, "typed-arbitrary-1").await?;
    check_common("arbitrary", &s, group)?;
    expect_eq("payload", &s["payload"], &json!(value))?;
    expect_eq("expiration_date", &s["expiration_date"], &json!("2031-01-31T12:15:00Z"))?;

    // username_password.
    common(b, "username_password", "typed-userpass-1", group).await?;
    let (user, pass) = ("Service Account 7 (ops)", "P@ss w0rd! with spaces ~`'\"<>&é");
    type_into(b, &field("username"), user).await?;
    type_into(b, &field("password"), pass).await?;
    let s = submit(b, dallas, "typed-userpass-1").await?;
    check_common("username_password", &s, group)?;
    expect_eq("username", &s["username"], &json!(user))?;
    expect_eq("password", &s["password"], &json!(pass))?;

    // kv: a JSON object typed over several lines.
    common(b, "kv", "typed-kv-1", group).await?;
    let kv = "{\n  \"user name\": \"Ann Lee & Co\",\n  \"count\": 3,\n  \"nested\": {\"k\": \"v with spaces\"}\n}";
    type_into(b, &field("data"), kv).await?;
    let s = submit(b, dallas, "typed-kv-1").await?;
    check_common("kv", &s, group)?;
    let want: Value = serde_json::from_str(kv).map_err(|e| e.to_string())?;
    expect_eq("data", &s["data"], &want)?;

    // imported_cert: three multi-line PEM boxes.
    common(b, "imported_cert", "typed-cert-1", group).await?;
    let cert = "-----BEGIN CERTIFICATE-----\nMIIBtypedByHand+/= line one\nline two 0123456789\n-----END CERTIFICATE-----";
    let key = "-----BEGIN PRIVATE KEY-----\nMIIEkey typed\n-----END PRIVATE KEY-----";
    let inter = "-----BEGIN CERTIFICATE-----\nMIIintermediate typed\n-----END CERTIFICATE-----";
    type_into(b, &field("certificate"), cert).await?;
    type_into(b, &field("private_key"), key).await?;
    type_into(b, &field("intermediate"), inter).await?;
    let s = submit(b, dallas, "typed-cert-1").await?;
    check_common("imported_cert", &s, group)?;
    expect_eq("certificate", &s["certificate"], &json!(cert))?;
    expect_eq("private_key", &s["private_key"], &json!(key))?;
    expect_eq("intermediate", &s["intermediate"], &json!(inter))?;
    Ok(())
}
