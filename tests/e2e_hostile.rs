//! End-to-end: every hostile-response case of the emulator, served by one region while the other
//! stays healthy. The console must not panic, must not run anything the server sent, must not
//! violate its CSP, and must keep the healthy region fully live.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::{config_for, Browser, Emulator, Site};

/// How long each case gets to do its damage after the page is up.
const SETTLE: Duration = Duration::from_millis(900);

#[derive(serde::Deserialize)]
struct Case {
    name: String,
    endpoint: String,
}

#[tokio::test(flavor = "multi_thread")]
async fn every_hostile_case_is_survived_and_contained() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "30", "--history-days", "30"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "20", "--history-days", "30"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let cases: Vec<Case> = serde_json::from_str(&dallas.control_call("GET", "/emulator/v1/hostile", "").await)
        .expect("the emulator lists its hostile cases");
    assert!(cases.len() >= 60, "the corpus has {} cases", cases.len());

    // A real secret to deep-link to, so the cases served on a secret's own endpoints are reached.
    let list: serde_json::Value = reqwest::get(format!("{}/api/v2/secrets?limit=1", dallas.api()))
        .await
        .expect("list answers")
        .json()
        .await
        .expect("list is JSON");
    let id = list["secrets"][0]["id"].as_str().expect("a seeded secret").to_string();

    let b = Browser::start().await;
    let mut failures = Vec::new();
    let mut seen = Vec::new();
    for case in &cases {
        dallas.control_call("PUT", "/emulator/v1/faults", &format!(r#"{{"hostile":"{}"}}"#, case.name)).await;
        match one_case(&b, &site, case, &id).await {
            Ok(outcome) => seen.push(format!("{:<44} {:<32} {outcome}", case.name, case.endpoint)),
            Err(e) => failures.push(format!("{}: {e}", case.name)),
        }
        dallas.control_call("DELETE", "/emulator/v1/faults", "").await;
    }
    b.quit().await;
    println!("{}", seen.join("\n"));
    assert!(failures.is_empty(), "{} of {} hostile cases broke the console:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

/// Load the console fresh with the case active; returns how Dallas ended up, for the report.
async fn one_case(b: &Browser, site: &Site, case: &Case, id: &str) -> Result<String, String> {
    let url = if case.endpoint.contains("{id}") {
        format!("{}#/region/us-south/secret/{id}", site.url)
    } else {
        site.url.clone()
    };
    b.d().goto(&url).await.map_err(|e| e.to_string())?;
    b.d().refresh().await.map_err(|e| format!("page did not load: {e}"))?;
    b.wait_until(Duration::from_secs(10), "Frankfurt live with its 20 secrets", || async {
        b.region_state("eu-de").await.as_deref() == Some("available") && b.secrets_total("eu-de").await.as_deref() == Some("20")
    })
    .await?;
    tokio::time::sleep(SETTLE).await;
    if case.endpoint == "/api/v2/secrets/{id}" {
        // The value endpoint is only called when the user asks to see the value.
        b.eval("(document.querySelector('[data-action=reveal]')?.click(), true)").await;
        tokio::time::sleep(SETTLE).await;
    }

    if let Ok(text) = b.d().get_alert_text().await {
        let _ = b.d().dismiss_alert().await;
        return Err(format!("a script from the server ran and opened an alert: {text}"));
    }
    if b.eval("document.querySelector('[data-fatal]') !== null").await.as_bool() != Some(false) {
        return Err("the console panicked (or the page stopped answering)".into());
    }
    let injected = b
        .eval("document.querySelectorAll('img[src=\"x\"], [onerror], [onload], script:not([type=\"module\"]):not([src])').length")
        .await;
    if injected.as_u64() != Some(0) {
        return Err(format!("markup from the server became DOM elements ({injected})"));
    }
    let violations = b.csp_violations().await;
    if !violations.is_empty() {
        return Err(format!("CSP violations: {violations:?}"));
    }
    if b.region_state("eu-de").await.as_deref() != Some("available") {
        return Err("Frankfurt was affected by Dallas's hostile response".into());
    }
    let state = b.region_state("us-south").await.unwrap_or_else(|| "missing".into());
    let total = b.secrets_total("us-south").await.unwrap_or_default();
    let error = b
        .eval("Array.from(document.querySelectorAll('[data-region=\"us-south\"] .error')).map(e => e.textContent).join(' | ')")
        .await;
    Ok(format!("state={state} secrets={total} {}", error.as_str().unwrap_or("").chars().take(90).collect::<String>()))
}
