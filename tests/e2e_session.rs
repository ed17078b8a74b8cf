//! End-to-end: a bearer-token session under a sub-path of a plain static server. Deep links
//! survive a reload, the token lives in memory only (a reload forgets it), and after reveals
//! nothing of the token or of a secret value is left in storage, cookies, IndexedDB or the URL.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::{config_with, Browser, Emulator, Site};

const TOKEN: &str = "session-token-7f3a";
const VALUE: &str = "session-secret-value-42";
const T: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread")]
async fn deep_link_reload_and_nothing_left_behind() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "10", "--token", TOKEN]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "10", "--token", TOKEN]);
    let created: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/v2/secrets", dallas.api()))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"secret_type": "arbitrary", "name": "session-e2e-secret", "payload": VALUE}))
        .send()
        .await
        .expect("create answers")
        .json()
        .await
        .expect("create returns the secret");
    let id = created["id"].as_str().expect("an id").to_string();
    let site = Site::serve(&config_with(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)], "bearer", &[]), "/tools/console/");
    let b = Browser::start().await;
    let result = session(&b, &site, &id).await;
    b.finish(result).await;
}

async fn wait_js(b: &Browser, what: &str, cond: &str) -> Result<(), String> {
    b.wait_until(T, what, || async { b.eval(cond).await.as_bool() == Some(true) }).await.map(|_| ())
}

async fn give_token(b: &Browser) -> Result<(), String> {
    wait_js(b, "the token prompt", "document.querySelector('[data-token-needed] [data-token-input]') !== null").await?;
    b.eval(&format!(
        "(() => {{ const i = document.querySelector('[data-token-input]'); i.value = '{TOKEN}'; i.dispatchEvent(new Event('input', {{bubbles: true}})); \
         document.querySelector('[data-token-needed] form').requestSubmit(); return true; }})()"
    ))
    .await;
    wait_js(b, "the prompt gone", "document.querySelector('[data-token-needed]') === null").await
}

async fn session(b: &Browser, site: &Site, id: &str) -> Result<(), String> {
    let deep = format!("{}#/region/us-south/secret/{id}", site.url);
    b.d().goto(&deep).await.map_err(|e| e.to_string())?;
    give_token(b).await?;
    let detail = format!("document.querySelector('[data-secret-detail=\"{id}\"]') !== null");
    let detail = detail.as_str();
    wait_js(b, "the deep-linked secret's detail", detail).await?;
    // The health API wanted the token too: it is re-read as soon as the token arrives, not at the
    // next poll.
    // Positively: the document's history is drawn (90 day bars, which only the health document
    // with a valid token brings), and no health error is left on the panel.
    b.wait_until(Duration::from_secs(3), "the health document read with the new token", || async {
        b.eval(
            "document.querySelectorAll('[data-region=\"us-south\"] [data-uptime-day]').length === 90 && \
             document.querySelectorAll('[data-region=\"eu-de\"] [data-uptime-day]').length === 90 && \
             !Array.from(document.querySelectorAll('[data-region] .error')).some(e => e.textContent.includes('Health document'))",
        )
        .await
            == true
    })
    .await?;
    reveal(b).await?;

    // Reload on the deep link: same route, token forgotten (memory only), detail back after the
    // token is given again.
    b.d().refresh().await.map_err(|e| e.to_string())?;
    let url = b.d().current_url().await.map_err(|e| e.to_string())?;
    if url.as_str() != deep {
        return Err(format!("reload moved the page to {url}"));
    }
    give_token(b).await?;
    wait_js(b, "the detail after reload", detail).await?;
    reveal(b).await?;

    let leftovers = b
        .eval_async(&format!(
            "const done = arguments[arguments.length - 1]; \
             const dbs = indexedDB.databases ? await indexedDB.databases() : []; \
             const where = {{local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage), \
               cookies: document.cookie, url: location.href, indexeddb: JSON.stringify(dbs), \
               caches: JSON.stringify(await caches.keys())}}; \
             done(Object.entries(where).filter(([k, v]) => v.includes('{TOKEN}') || v.includes('{VALUE}') || (k === 'indexeddb' && v !== '[]')).map(([k]) => k));"
        ))
        .await?;
    if leftovers.as_array().is_none_or(|a| !a.is_empty()) {
        return Err(format!("token or secret value left behind in: {leftovers}"));
    }
    // Hiding removes the value from the page itself too.
    b.eval("(document.querySelector('[data-action=hide]')?.click(), true)").await;
    wait_js(b, "the value gone from the DOM", &format!("!document.body.innerHTML.includes('{VALUE}')")).await?;
    Ok(())
}

async fn reveal(b: &Browser) -> Result<(), String> {
    b.eval("(document.querySelector('[data-action=reveal]')?.click(), true)").await;
    wait_js(b, "the value revealed", &format!("document.querySelector('[data-secret-value=\"revealed\"]')?.textContent.includes('{VALUE}') === true")).await
}
