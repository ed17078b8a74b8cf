//! End-to-end: every hostile-response case of the emulator, served by one region while the other
//! stays healthy. The console must not panic, must not run anything the server sent, must not
//! violate its CSP, and must keep the healthy region fully live; and per case, what must hold of
//! the hostile region itself (`expect`): the endpoints the case does not touch still work, the
//! good secrets of a partly bad page are shown, an unreadable page says so.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::{config_for, Browser, Emulator, Site};

/// What must hold of Dallas, the hostile region, once it has settled.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// The case is on another endpoint: the list loads its 30 real secrets as usual.
    RealSecrets,
    /// One secret of a three-secret page is bad: the other two are shown (the bad one may be too,
    /// read leniently, or counted as unreadable).
    GoodOnesOfThePage,
    /// A valid three-secret page presented oddly: the three are shown, or an error says why.
    PageOrError,
    /// Nothing usable: an error is shown and no secret is.
    ErrorShown,
    /// The page has no readable `secrets` array: no secret shown (an error may say why).
    EmptyOrError,
    /// Exactly this many secrets shown (more than asked for, duplicates merged, lossy UTF-8).
    Shown(u64),
    /// Told to come back in 31 years: it waits (still loading), showing nothing it did not get.
    HoldsOff,
    /// Headers, half a page, then silence: still waiting on its request (which has a deadline), or
    /// an error; never secrets from the half page. (Seen: no error within 60 s of the stall.)
    LoadingOrError,
}

/// The good secrets of the hostile page (`hostile-secret-1` is the one made bad).
const GOOD: [&str; 2] = ["hostile-secret-0", "hostile-secret-2"];

fn expect(case: &Case) -> Expect {
    if case.endpoint != "/api/v2/secrets" {
        return Expect::RealSecrets;
    }
    match case.name.as_str() {
        "list_wrong_type_labels" | "list_wrong_type_id" | "list_wrong_type_everywhere" | "list_missing_required_fields" | "list_all_nulls"
        | "list_control_characters" | "list_zalgo_and_emoji" | "list_enormous_name" | "list_unknown_secret_type" => Expect::GoodOnesOfThePage,
        // 10,000 labels of 1 KB make the page larger than the console reads at all (8 MB).
        "list_truncated_json" | "list_malformed_json" | "list_empty_body" | "list_proxy_html_200" | "list_html_labelled_json" | "list_top_level_array"
        | "list_error_body_with_200" | "list_redirect_loop" | "list_redirect_other_origin" | "list_enormous_labels" => {
            Expect::ErrorShown
        }
        "list_secrets_null" | "list_secrets_object" => Expect::EmptyOrError,
        // A page is capped at the limit the console asked for (1,000).
        "list_more_than_limit" => Expect::Shown(1000),
        "list_duplicate_ids" => Expect::Shown(2),
        "list_invalid_utf8" => Expect::Shown(1),
        "error_429_huge_retry_after" => Expect::HoldsOff,
        "list_headers_then_stall" => Expect::LoadingOrError,
        n if n.starts_with("error_") => Expect::ErrorShown,
        _ => Expect::PageOrError,
    }
}

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
        // Dallas's own list, so the names it shows can be checked.
        format!("{}#/secrets/us-south", site.url)
    };
    b.d().goto(&url).await.map_err(|e| e.to_string())?;
    b.d().refresh().await.map_err(|e| format!("page did not load: {e}"))?;
    b.wait_until(Duration::from_secs(10), "Frankfurt live with its 20 secrets", || async {
        b.region_state("eu-de").await.as_deref() == Some("available") && b.secrets_total("eu-de").await.as_deref() == Some("20")
    })
    .await?;
    let want = expect(case);
    let settled = dallas_settled(b, want).await;
    let mut reveal = String::new();
    if case.endpoint == "/api/v2/secrets/{id}" {
        // The value endpoint is only called when the user asks to see the value. The detail may
        // still be waiting for the secret (then it has no button yet): click once it is there.
        b.wait_until(Duration::from_secs(20), "the Reveal button", || async {
            b.eval("document.querySelector('[data-action=reveal]') !== null").await == true
        })
        .await?;
        b.eval("(document.querySelector('[data-action=reveal]').click(), true)").await;
        // Answered means a value (or "no value") inside the revealed box, or a failed read, which
        // closes the box again and says why beside the buttons. The box's "Reading the value…"
        // is not an answer, and a fast failure can close the box between two polls.
        let took = b
            .wait_until(Duration::from_secs(30), "the reveal answered (a value or an error)", || async {
                b.eval(
                    "document.querySelector('[data-secret-value=\"revealed\"] dl, [data-secret-value=\"revealed\"] .note, \
                     [data-secret-value=\"revealed\"] .error, [data-copy-status]') !== null",
                )
                .await
                    == true
            })
            .await?;
        let said = b.eval("document.querySelector('[data-copy-status]')?.textContent ?? ''").await;
        let said = said.as_str().filter(|s| !s.is_empty()).map(|s| format!(": {}", s.chars().take(70).collect::<String>())).unwrap_or_default();
        reveal = format!(" (reveal answered in {} ms{said})", took.as_millis());
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
    let (state, total, error, names) = dallas_outcome(b).await;
    let outcome = format!("{want:?}: state={state} secrets={total} {}{reveal}", error.chars().take(90).collect::<String>());
    settled.map_err(|e| format!("{e} ({outcome})"))?;
    let total_n: u64 = total.parse().unwrap_or(0);
    let ok = match want {
        Expect::RealSecrets => total == "30",
        Expect::GoodOnesOfThePage => GOOD.iter().all(|g| names.iter().any(|n| n == g)),
        Expect::PageOrError => total_n == 3 || !error.is_empty(),
        Expect::ErrorShown => !error.is_empty() && names.iter().all(|n| !n.starts_with("hostile-secret")),
        // A region never read shows no count at all (unknown is not zero).
        Expect::EmptyOrError | Expect::HoldsOff | Expect::LoadingOrError => (total == "0" || total.is_empty()) && names.iter().all(|n| !n.starts_with("hostile-secret")),
        Expect::Shown(n) => total_n == n,
    };
    if !ok {
        return Err(format!("expected {want:?}, got {outcome}; names {names:?}"));
    }
    Ok(outcome)
}

/// Dallas's panel: state, secrets count, error texts, and the names its list shows.
async fn dallas_outcome(b: &Browser) -> (String, String, String, Vec<String>) {
    let state = b.region_state("us-south").await.unwrap_or_else(|| "missing".into());
    let total = b.secrets_total("us-south").await.unwrap_or_default();
    let error = b
        .eval("Array.from(document.querySelectorAll('[data-region=\"us-south\"] .error, [data-secrets-view=\"r0\"] .error')).map(e => e.textContent).join(' | ')")
        .await
        .as_str()
        .unwrap_or("")
        .to_string();
    let names = b
        .eval("Array.from(document.querySelectorAll('tr[data-secret-id][data-region=\"us-south\"] td.name')).map(e => e.textContent.trim())")
        .await;
    let names = names.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default();
    (state, total, error, names)
}

/// Waits until Dallas has done what it will do with the case: its list finished loading (or
/// failed), and what `want` needs to be checked is on the page.
async fn dallas_settled(b: &Browser, want: Expect) -> Result<(), String> {
    // A body that stalls after its headers only fails at the page timeout (15 s), after retries.
    let limit = Duration::from_secs(if want == Expect::ErrorShown { 60 } else { 20 });
    b.wait_until(limit, &format!("Dallas settled ({want:?})"), || async {
        let loading = b.eval("document.querySelector('[data-region=\"us-south\"] .secrets-summary')?.textContent.includes('loading') ?? true").await;
        if want == Expect::HoldsOff {
            return loading == true;
        }
        if want == Expect::LoadingOrError {
            return loading == true || !dallas_outcome(b).await.2.is_empty();
        }
        if loading != false {
            return false;
        }
        let (state, total, error, names) = dallas_outcome(b).await;
        match want {
            Expect::EmptyOrError => state != "unknown",
            Expect::Shown(n) => total == n.to_string(),
            Expect::HoldsOff | Expect::LoadingOrError => true,
            Expect::RealSecrets => total == "30",
            Expect::GoodOnesOfThePage => !error.is_empty() || GOOD.iter().all(|g| names.iter().any(|n| n == g)),
            Expect::PageOrError | Expect::ErrorShown => !error.is_empty() || total != "0",
        }
    })
    .await
    .map(|_| ())
}
