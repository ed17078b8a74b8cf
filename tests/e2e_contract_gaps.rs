//! End-to-end: the corners of the contracts a plain test run never reaches. A health API that
//! fails CORS is a region without one (health-v1.md); a 401 on the event stream is a reachable
//! region asking for a token, not a dropped stream; a framing page's token counts only when the
//! config says the parent provides it (console.md).
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::instrument::{self, authorizations, fetches, states};
use support::{config_for, config_with, root, Browser, Emulator, Site};

type Check = Result<(), String>;

const T: Duration = Duration::from_secs(15);

async fn wait_js(b: &Browser, what: &str, cond: &str) -> Check {
    b.wait_until(T, what, || async { b.eval(cond).await.as_bool() == Some(true) }).await.map(|_| ())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_health_api_failing_cors_is_judged_by_probes() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "4"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "3"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let b = Browser::start_with(&instrument::FLAGS).await;
    let result = async {
        // The emulator's CORS allows the console's origin for both APIs; a gateway that forgot
        // it for the health API looks to the page exactly like this: fetch rejects, no response.
        instrument::install_failing_health(&b, &dallas.api()).await?;
        b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
        b.wait_until(T, "Dallas available with its 4 secrets, from probes", || async {
            b.region_state("us-south").await.as_deref() == Some("available") && b.secrets_total("us-south").await.as_deref() == Some("4")
        })
        .await?;
        wait_js(&b, "the note that zone data needs the health API",
            "document.querySelector('[data-region=\"us-south\"]')?.textContent.includes(\"needs the region's health API\")").await?;
        let seen = states(&b, "us-south").await;
        if seen.iter().any(|s| s == "unavailable") {
            return Err(format!("Dallas was greyed out on the way: {seen:?}"));
        }
        let opens = fetches(&b, &dallas.api(), "events").await;
        // A window of time is what is measured: a stream reconnecting every second shows here.
        tokio::time::sleep(Duration::from_secs(6)).await;
        let reopened = fetches(&b, &dallas.api(), "events").await - opens;
        if reopened > 0 {
            return Err(format!("{reopened} event-stream opens in 6 s for a region whose health API fails CORS"));
        }
        let seen = states(&b, "us-south").await;
        if seen.last().map(String::as_str) != Some("available") || seen.iter().any(|s| s == "unavailable") {
            return Err(format!("Dallas must stay available in probe mode: {seen:?}"));
        }
        Ok(())
    }
    .await;
    b.finish(result).await;
}

const TOKEN: &str = "gaps-token-51c2";

#[tokio::test(flavor = "multi_thread")]
async fn a_stream_refused_with_401_waits_for_a_token() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "6", "--token", TOKEN]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "2"]);
    let site = Site::serve(&config_with(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)], "bearer", &[]), "/");
    let b = Browser::start_with(&instrument::FLAGS).await;
    let result = async {
        instrument::install(&b).await?;
        b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
        wait_js(&b, "the token prompt", "document.querySelector('[data-token-needed] [data-token-input]') !== null").await?;
        b.wait_until(T, "Dallas reachable (it answered, with 401)", || async { b.region_state("us-south").await.as_deref() == Some("available") })
            .await?;
        let dallas_api = dallas.api();
        let (opens, probes) = (fetches(&b, &dallas_api, "events").await, fetches(&b, &dallas_api, "probe").await);
        // A window of time is what is measured: a stream retried every second shows here.
        tokio::time::sleep(Duration::from_secs(6)).await;
        let reopened = fetches(&b, &dallas_api, "events").await - opens;
        let probed = fetches(&b, &dallas_api, "probe").await - probes;
        if reopened > 0 || probed > 1 {
            return Err(format!("without a new token the stream was reopened {reopened} times and the region probed {probed} times in 6 s"));
        }
        let seen = states(&b, "us-south").await;
        if seen.iter().any(|s| s == "unavailable") {
            return Err(format!("a region answering 401 is reachable, never greyed: {seen:?}"));
        }
        b.eval(&format!(
            "(() => {{ const i = document.querySelector('[data-token-input]'); i.value = '{TOKEN}'; \
             document.querySelector('[data-token-needed] form').requestSubmit(); return true; }})()"
        ))
        .await;
        b.wait_until(T, "the stream reopened with the token and the list loaded", || async {
            fetches(&b, &dallas_api, "events").await > opens && b.secrets_total("us-south").await.as_deref() == Some("6")
        })
        .await?;
        wait_js(&b, "the prompt gone", "document.querySelector('[data-token-needed]') === null").await
    }
    .await;
    b.finish(result).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parent_frame_token_counts_only_in_embed_mode() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "3", "--token", TOKEN]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "2"]);
    let host = Site::serve_files(&root().join("examples/embed-host"));
    let regions = [("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)];
    // Bearer mode, yet framed by an allowed parent that hands over a (valid) token.
    let console = Site::serve(&config_with(&regions, "bearer", &[host.origin()]), "/");
    let b = Browser::start_with(&instrument::FLAGS).await;
    let result = async {
        instrument::install(&b).await?;
        let url = format!("{}index.html?console={}&token={TOKEN}", host.url, console.url);
        b.d().goto(&url).await.map_err(|e| e.to_string())?;
        // The parent answers `ready` with `init`, carrying its token.
        b.wait_until(T, "ready from the console", || async {
            b.eval("(window.__received || []).some(m => m.type === 'regional-console:ready')").await.as_bool() == Some(true)
        })
        .await?;
        b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
        wait_js(&b, "the token prompt inside the frame", "document.querySelector('[data-token-needed] [data-token-input]') !== null").await?;
        // The user's own token, a wrong one: once it has gone out, any use of the parent's
        // token would already have shown.
        b.eval("(() => { const i = document.querySelector('[data-token-input]'); i.value = 'users-own-token'; \
                document.querySelector('[data-token-needed] form').requestSubmit(); return true; })()")
            .await;
        let dallas_api = dallas.api();
        b.wait_until(T, "a request with the user's token", || async {
            authorizations(&b).await.iter().any(|a| a.starts_with(&dallas_api) && a.ends_with("users-own-token"))
        })
        .await?;
        let used: Vec<String> = authorizations(&b).await.into_iter().filter(|a| a.ends_with(TOKEN)).collect();
        if !used.is_empty() {
            return Err(format!("the parent's token was used in bearer mode: {} requests", used.len()));
        }
        Ok(())
    }
    .await;
    b.finish(result).await;
}
