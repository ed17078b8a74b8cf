//! End-to-end, disaster readiness: copy what only Dallas has to Frankfurt (and read it back from
//! Frankfurt's own API), Frankfurt killed mid-copy then a retry that finishes with no duplicates,
//! a lock that blocks a rotation with its name shown, a previous version's value, and the SLA
//! evidence file against the uptime view. Real clicks and keystrokes through WebDriver.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::page::{self, click, js, text};
use support::{config_for, Browser, Emulator, Site};

const T: Duration = Duration::from_secs(30);

/// The copy runs at 10 requests a second: its steps get longer than the views' usual wait.
async fn wait_for(b: &Browser, what: &str, cond_js: &str) -> Result<(), String> {
    page::wait_within(b, T, what, cond_js).await
}

async fn type_into(b: &Browser, css: &str, text: &str) -> Result<(), String> {
    page::type_into(b, css, text).await.map(|_| ())
}


async fn api(method: reqwest::Method, url: String, body: Option<Value>) -> (u16, Value) {
    let c = reqwest::Client::new();
    let mut r = c.request(method, url);
    if let Some(b) = body {
        r = r.header("content-type", "application/json").body(b.to_string());
    }
    match r.send().await {
        Ok(r) => {
            let s = r.status().as_u16();
            (s, serde_json::from_str(&r.text().await.unwrap_or_default()).unwrap_or_default())
        }
        Err(_) => (0, Value::Null),
    }
}

/// The count of copy items in each outcome, e.g. `{"copied": 4, "failed": 1}`.
async fn outcomes(b: &Browser) -> Value {
    b.eval("(() => { const o = {}; for (const li of document.querySelectorAll('[data-copy-item]')) { const k = li.dataset.outcome; o[k] = (o[k] || 0) + 1; } return o; })()").await
}

#[tokio::test(flavor = "multi_thread")]
async fn copy_a_selection_to_frankfurt_stop_on_its_death_and_finish_on_retry() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &[]);
    let mut frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &[]);
    // Dallas: 24 secrets only it has, in a group Frankfurt lacks, plus one it cannot copy.
    let (s, g) = api(reqwest::Method::POST, format!("{}/api/v2/secret_groups", dallas.api()), Some(json!({"name": "payments"}))).await;
    assert_eq!(s, 201, "{g}");
    let gid = g["id"].as_str().expect("group id").to_string();
    let mut wanted: Vec<(String, Value)> = Vec::new();
    for i in 0..24 {
        let name = format!("pay-{i:02}");
        let body = match i % 3 {
            0 => json!({"secret_type": "arbitrary", "name": name, "payload": format!("value {i} with spaces & ünïcode"), "labels": ["pci", "copy-me"], "description": format!("secret {i}"), "secret_group_id": gid}),
            1 => json!({"secret_type": "kv", "name": name, "data": {"k": i, "nested": {"a": "b"}}, "labels": ["copy-me"], "secret_group_id": gid, "custom_metadata": {"owner": "team-pay"}}),
            _ => json!({"secret_type": "username_password", "name": name, "username": format!("user{i}"), "password": format!("pw-{i}-x"), "labels": ["copy-me"], "secret_group_id": gid}),
        };
        let (s, made) = api(reqwest::Method::POST, format!("{}/api/v2/secrets", dallas.api()), Some(body.clone())).await;
        assert_eq!(s, 201, "{made}");
        wanted.push((name, body));
    }
    let (s, _) = api(reqwest::Method::POST, format!("{}/api/v2/secrets", dallas.api()), Some(json!({"secret_type": "iam_credentials", "name": "pay-ci", "ttl": "24h", "secret_group_id": gid}))).await;
    assert_eq!(s, 201);

    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let result = copy_flow(&browser, &site, &dallas, &mut frankfurt, &wanted).await;
    browser.finish(result).await;
}

async fn copy_flow(b: &Browser, site: &Site, dallas: &Emulator, frankfurt: &mut Emulator, wanted: &[(String, Value)]) -> Result<(), String> {
    b.d().goto(&format!("{}#/secrets/cross", site.url)).await.map_err(|e| e.to_string())?;
    wait_for(b, "both regions loaded", "document.querySelectorAll('[data-region][data-state=\"available\"]').length >= 2 && document.querySelector('[data-cross=\"only-0\"]') !== null").await?;
    click(b, "[data-cross=\"only-0\"]").await?;
    wait_for(b, "the copy plan", "(document.querySelector('[data-copy-plan]')?.textContent ?? '').startsWith('24 of the 25 shown')").await?;
    let plan = text(b, "[data-copy-plan]").await;
    if !plan.contains("1 cannot") {
        return Err(format!("the iam credential is not refused: {plan}"));
    }
    // Frankfurt lacks the group: create it first, from the panel.
    wait_for(b, "the missing group named", "(document.querySelector('[data-copy-missing-groups]')?.textContent ?? '').includes('payments')").await?;
    click(b, "[data-action=\"create-groups\"]").await?;
    wait_for(b, "the group created", "document.querySelector('[data-copy-missing-groups]') === null").await?;

    click(b, "[data-action=\"copy-start\"]").await?;
    wait_for(b, "the warned confirmation", "document.querySelector('[data-copy-confirm]') !== null").await?;
    let started = std::time::Instant::now();
    click(b, "[data-action=\"copy-confirm\"]").await?;
    // Kill Frankfurt once a few are across.
    if let Err(e) = wait_for(b, "six copied", "document.querySelectorAll('[data-copy-item][data-outcome=\"copied\"]').length >= 6").await {
        return Err(format!("{e}: {} / {} / {}", outcomes(b).await, text(b, ".copy-panel").await, b.eval("document.body.innerText.slice(0, 600)").await));
    }
    frankfurt.kill();
    wait_for(b, "the run stopped", "document.querySelector('[data-copy-running=\"false\"]') !== null").await?;
    let after_kill = outcomes(b).await;
    let copied_before = after_kill["copied"].as_u64().unwrap_or(0);
    let not_sent = after_kill["not-sent"].as_u64().unwrap_or(0);
    if copied_before < 6 || copied_before >= 24 || not_sent == 0 || after_kill["refused"].as_u64() != Some(1) {
        return Err(format!("after Frankfurt died the run should stop with the rest not sent: {after_kill}"));
    }
    let summary = text(b, "[data-copy-summary]").await;
    if !summary.contains(&format!("Copied {copied_before}")) {
        return Err(format!("the summary does not say what was done: {summary}"));
    }

    // Frankfurt back: the retry copies only what is still missing.
    frankfurt.restart();
    wait_for(b, "Frankfurt available again", "document.querySelector('[data-region=\"eu-de\"][data-state=\"available\"]') !== null").await?;
    click(b, "[data-action=\"copy-retry\"]").await?;
    wait_for(b, "the retry finished", "document.querySelector('[data-copy-running=\"false\"]') !== null && document.querySelector('[data-action=\"copy-retry\"]') === null").await?;
    let done = outcomes(b).await;
    let copied = done["copied"].as_u64().unwrap_or(0) + done["already-there"].as_u64().unwrap_or(0);
    if copied != 24 {
        return Err(format!("after the retry all 24 should be copied or already there: {done}"));
    }
    let took = started.elapsed();

    // Read every copy back from Frankfurt's own API: value, labels, group name; exactly once.
    let (_, groups) = api(reqwest::Method::GET, format!("{}/api/v2/secret_groups", frankfurt.api()), None).await;
    let fra_gid = groups["secret_groups"].as_array().and_then(|g| g.iter().find(|g| g["name"] == "payments")).and_then(|g| g["id"].as_str()).ok_or("no payments group in Frankfurt")?.to_string();
    let (_, page) = api(reqwest::Method::GET, format!("{}/api/v2/secrets?limit=1000", frankfurt.api()), None).await;
    let names: Vec<&str> = page["secrets"].as_array().map(|a| a.iter().filter_map(|s| s["name"].as_str()).collect()).unwrap_or_default();
    if names.len() != 24 || names.contains(&"pay-ci") {
        return Err(format!("Frankfurt should hold the 24 copies exactly once, and not the IAM credential: {names:?}"));
    }
    for (name, src) in wanted {
        let ty = src["secret_type"].as_str().unwrap_or_default();
        let (s, got) = api(reqwest::Method::GET, format!("{}/api/v2/secret_groups/payments/secret_types/{ty}/secrets/{name}", frankfurt.api()), None).await;
        if s != 200 {
            return Err(format!("{name} not found by name in Frankfurt's payments group: {s} {got}"));
        }
        let fields: &[&str] = match ty {
            "arbitrary" => &["payload", "description"],
            "kv" => &["data", "custom_metadata"],
            _ => &["username", "password"],
        };
        for f in fields.iter().chain(&["labels"]) {
            if got[*f] != src[*f] {
                return Err(format!("{name}: {f} is {} in Frankfurt, {} in Dallas", got[*f], src[*f]));
            }
        }
        if got["secret_group_id"] != fra_gid.as_str() {
            return Err(format!("{name} is not in Frankfurt's payments group: {}", got["secret_group_id"]));
        }
    }
    // Dallas was only read.
    let (_, dal) = api(reqwest::Method::GET, format!("{}/api/v2/secrets?limit=1000", dallas.api()), None).await;
    if dal["total_count"] != 25 {
        return Err(format!("Dallas changed: {}", dal["total_count"]));
    }
    println!("copy: 24 secrets (with one Frankfurt death and a retry) in {took:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_blocks_rotation_by_name_and_a_previous_value_is_read() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &[]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &[]);
    let (s, made) = api(reqwest::Method::POST, format!("{}/api/v2/secrets", dallas.api()), Some(json!({"secret_type": "arbitrary", "name": "ledger-key", "payload": "first value"}))).await;
    assert_eq!(s, 201, "{made}");
    let id = made["id"].as_str().expect("id").to_string();
    let (s, _) = api(reqwest::Method::POST, format!("{}/api/v2/secrets/{id}/versions", dallas.api()), Some(json!({"payload": "second value"}))).await;
    assert_eq!(s, 201);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let result = locks_flow(&browser, &site, &dallas, &id).await;
    browser.finish(result).await;
}

async fn locks_flow(b: &Browser, site: &Site, dallas: &Emulator, id: &str) -> Result<(), String> {
    b.d().goto(&format!("{}#/region/us-south/secret/{id}", site.url)).await.map_err(|e| e.to_string())?;
    wait_for(b, "the detail with no locks", "document.querySelector('[data-locks-count=\"0\"]') !== null && document.querySelector('[data-region=\"us-south\"][data-state=\"available\"]') !== null").await?;

    // The previous version's value, with the same reveal rules.
    wait_for(b, "the versions table", "document.querySelector('[data-action=\"version-value\"]') !== null").await?;
    click(b, "[data-action=\"version-value\"]").await?;
    wait_for(b, "the version's value section", "document.querySelector('[data-version-value] [data-action=\"reveal\"]') !== null").await?;
    if b.eval("document.querySelector('[data-version-value] [data-secret-value=\"masked\"]') !== null").await.as_bool() != Some(true) {
        return Err("a previous version's value is shown before it is asked for".into());
    }
    click(b, "[data-version-value] [data-action=\"reveal\"]").await?;
    wait_for(b, "the previous value", "(document.querySelector('[data-version-value] [data-secret-value=\"revealed\"]')?.textContent ?? '').includes('first value')").await?;

    // Lock the current version, through the form.
    type_into(b, "[data-lock-name]", "payroll-job").await?;
    type_into(b, "[data-lock-description]", "nightly payroll reads it").await?;
    click(b, "[data-action=\"add-lock\"]").await?;
    wait_for(b, "the lock listed", "document.querySelector('[data-lock=\"payroll-job\"]') !== null").await?;
    let (_, locks) = api(reqwest::Method::GET, format!("{}/api/v2/secrets/{id}/locks", dallas.api()), None).await;
    if locks["locks"][0]["name"] != "payroll-job" || locks["locks"][0]["description"] != "nightly payroll reads it" {
        return Err(format!("the region does not hold the typed lock: {locks}"));
    }
    // Rotating moves the lock to `previous`; the next rotation is refused, naming the lock.
    let (s, _) = api(reqwest::Method::POST, format!("{}/api/v2/secrets/{id}/versions", dallas.api()), Some(json!({"payload": "third value"}))).await;
    if s != 201 {
        return Err(format!("rotating a locked current version should work: {s}"));
    }
    b.d().refresh().await.map_err(|e| e.to_string())?;
    wait_for(b, "the detail again", "document.querySelector('[data-action=\"rotate\"]') !== null && !document.querySelector('[data-action=\"rotate\"]').disabled").await?;
    click(b, "[data-action=\"rotate\"]").await?;
    wait_for(b, "the rotate form", "document.querySelector('form[data-form=\"rotate\"] textarea') !== null").await?;
    type_into(b, "form[data-form=\"rotate\"] textarea", "fourth value").await?;
    click(b, "[data-action=\"submit-rotate\"]").await?;
    wait_for(b, "the refusal naming the lock", "[...document.querySelectorAll('[role=\"alert\"], .error')].some(e => e.textContent.includes('payroll-job'))").await?;
    let (_, vs) = api(reqwest::Method::GET, format!("{}/api/v2/secrets/{id}/versions", dallas.api()), None).await;
    if vs["total_count"] != 3 {
        return Err(format!("the refused rotation made a version: {vs}"));
    }

    // Every type readable: a credential's service ID, access groups and key reuse are shown.
    let (s, iam) = api(reqwest::Method::POST, format!("{}/api/v2/secrets", dallas.api()),
        Some(json!({"secret_type": "iam_credentials", "name": "ci-deployer", "ttl": "24h", "reuse_api_key": true,
            "service_id": "ServiceId-1234-abcd", "access_groups": ["AccessGroupId-ops", "AccessGroupId-ci"]}))).await;
    if s != 201 {
        return Err(format!("creating the IAM credential: {s} {iam}"));
    }
    let iam_id = iam["id"].as_str().unwrap_or_default();
    b.eval(&format!("(location.hash = {}, true)", js(&format!("#/region/us-south/secret/{iam_id}")))).await;
    wait_for(b, "the credential's fields", "(() => { const t = document.querySelector('dl.meta')?.textContent ?? ''; \
        return t.includes('ServiceId-1234-abcd') && t.includes('AccessGroupId-ops, AccessGroupId-ci') && t.includes('reading it does not rotate it'); })()").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_evidence_file_matches_the_uptime_view() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--history-days", "90"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &[]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let result = evidence_flow(&browser, &site).await;
    browser.finish(result).await;
}

async fn evidence_flow(b: &Browser, site: &Site) -> Result<(), String> {
    b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
    wait_for(b, "Dallas's uptime figures", "document.querySelector('[data-region=\"us-south\"] [data-sla-month]') !== null && document.querySelector('[data-region=\"us-south\"] [data-evidence-download=\"csv\"]') !== null").await?;
    // Keep the Blob the console hands to the browser, to read the very bytes a person saves.
    b.eval("(() => { window.__files = []; const make = URL.createObjectURL.bind(URL); URL.createObjectURL = (blob) => { window.__files.push(blob); return make(blob); }; return true; })()").await;
    click(b, "[data-region=\"us-south\"] [data-evidence-download=\"csv\"]").await?;
    click(b, "[data-region=\"us-south\"] [data-evidence-download=\"json\"]").await?;
    wait_for(b, "two files made", "window.__files.length === 2").await?;
    let csv = b.eval_async("const done = arguments[arguments.length - 1]; window.__files[0].text().then(done);").await?;
    let json_text = b.eval_async("const done = arguments[arguments.length - 1]; window.__files[1].text().then(done);").await?;
    let csv = csv.as_str().unwrap_or_default().to_string();
    let doc: Value = serde_json::from_str(json_text.as_str().unwrap_or_default()).map_err(|e| format!("the JSON file does not parse: {e}"))?;
    let month = b.eval("document.querySelector('[data-region=\"us-south\"] [data-sla-month]').dataset.slaMonth").await;
    let shown = text(b, "[data-region=\"us-south\"] [data-sla-month] .value").await;
    let lines: Vec<&str> = csv.split("\r\n").collect();
    let summary: Vec<&str> = lines.get(1).map(|l| l.split(',').collect()).unwrap_or_default();
    if summary.first() != Some(&"us-south") || summary.get(2).copied() != month.as_str() || doc["month"] != month {
        return Err(format!("the files are not of the month on screen ({month}): {:?} / {}", summary, doc["month"]));
    }
    // The view shows three decimals rounded down; the file four: they must agree.
    let file_pct: f64 = summary.get(7).and_then(|p| p.parse().ok()).ok_or("no availability in the CSV")?;
    let view_pct: f64 = shown.trim_end_matches('%').parse().map_err(|_| format!("unreadable figure on screen: {shown}"))?;
    if ((file_pct * 1000.0).floor() / 1000.0 - view_pct).abs() > 1e-9 || doc["availability_percent"].as_f64() != Some(file_pct) {
        return Err(format!("availability: file {file_pct}, JSON {}, screen {shown}", doc["availability_percent"]));
    }
    let minutes: i64 = summary.get(6).and_then(|m| m.parse().ok()).ok_or("no downtime minutes in the CSV")?;
    let listed: i64 = doc["downtime"].as_array().map(|d| d.iter().filter_map(|p| p["downtime_minutes"].as_i64()).sum()).unwrap_or(-1);
    if doc["downtime_minutes"] != minutes || listed != minutes {
        return Err(format!("downtime minutes: CSV {minutes}, JSON {}, sum of the listed stretches {listed}", doc["downtime_minutes"]));
    }
    // 43,200 or so minutes a month: the availability follows from the minutes.
    let in_month: f64 = summary.get(5).and_then(|m| m.parse().ok()).ok_or("no minutes in month")?;
    let expect = ((in_month - minutes as f64) / in_month * 100.0 * 10_000.0).floor() / 10_000.0;
    if (expect - file_pct).abs() > 1e-9 {
        return Err(format!("availability {file_pct} does not follow from {minutes} of {in_month} minutes ({expect})"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_differing_copy_says_what_differs_and_takes_the_newer_value() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &[]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &[]);
    let body = json!({"secret_type": "arbitrary", "name": "shared-key", "payload": "old value", "labels": ["pci"]});
    let (s, dal) = api(reqwest::Method::POST, format!("{}/api/v2/secrets", dallas.api()), Some(body.clone())).await;
    assert_eq!(s, 201);
    let (s, fra) = api(reqwest::Method::POST, format!("{}/api/v2/secrets", frankfurt.api()), Some(body)).await;
    assert_eq!(s, 201);
    // Dallas rotates: two versions there, and an update at least as late as Frankfurt's.
    let (s, _) = api(reqwest::Method::POST, format!("{}/api/v2/secrets/{}/versions", dallas.api(), dal["id"].as_str().unwrap_or("")), Some(json!({"payload": "new value from Dallas"}))).await;
    assert_eq!(s, 201);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let fra_id = fra["id"].as_str().unwrap_or_default().to_string();
    let result = differs_flow(&browser, &site, &frankfurt, &fra_id).await;
    browser.finish(result).await;
}

async fn differs_flow(b: &Browser, site: &Site, frankfurt: &Emulator, fra_id: &str) -> Result<(), String> {
    b.d().goto(&format!("{}#/secrets/cross", site.url)).await.map_err(|e| e.to_string())?;
    wait_for(b, "both regions loaded", "document.querySelectorAll('[data-region][data-state=\"available\"]').length >= 2 && document.querySelector('[data-cross=\"differs\"]') !== null").await?;
    click(b, "[data-cross=\"differs\"]").await?;
    wait_for(b, "the differing row", "document.querySelector('[data-differs-row=\"shared-key\"]') !== null").await?;
    let what = text(b, "[data-differs-row=\"shared-key\"]").await;
    if !what.contains("versions: 2 in Dallas, 1 in Frankfurt") || what.contains("labels") {
        return Err(format!("the row does not say what differs: {what}"));
    }
    click(b, "[data-differs-row=\"shared-key\"] [data-action=\"bring-newer\"]").await?;
    wait_for(b, "the warned confirmation", "document.querySelector('[data-bring-confirm]') !== null").await?;
    click(b, "[data-action=\"bring-confirm\"]").await?;
    b.wait_until(T, "Frankfurt's current value to be Dallas's", || async {
        let (s, cur) = api(reqwest::Method::GET, format!("{}/api/v2/secrets/{fra_id}/versions/current", frankfurt.api()), None).await;
        s == 200 && cur["payload"] == "new value from Dallas"
    })
    .await?;
    let (_, prev) = api(reqwest::Method::GET, format!("{}/api/v2/secrets/{fra_id}/versions/previous", frankfurt.api()), None).await;
    if prev["payload"] != "old value" {
        return Err(format!("Frankfurt's own value should be its previous version: {prev}"));
    }
    wait_for(b, "the outcome said", "(document.querySelector('[data-bring-status]')?.textContent ?? '').includes('shared-key: Dallas\\'s value is now the current version in Frankfurt')").await?;
    Ok(())
}
