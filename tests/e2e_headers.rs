//! End-to-end: the console deployed with the headers `scripts/deploy_config.py` writes, served by
//! a host that sends them (`tests/support/serve_with_headers.py`). Proves the headers where they
//! act, in Chromium: the console runs under them without a CSP violation, and `frame-ancestors`
//! lets the allowed parent frame the console and keeps a foreign one out.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::{config_with, root, Browser, Emulator, Site};

type Check = Result<(), String>;

#[tokio::test(flavor = "multi_thread")]
async fn deployed_headers_act_in_the_browser() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "6"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "4"]);
    let host = Site::serve_files(&root().join("examples/embed-host"));
    let foreign = Site::serve_files(&root().join("examples/embed-host"));
    let regions = [("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)];
    let console = Site::serve_with_headers(&config_with(&regions, "none", &[host.origin()]), "/");

    // The headers are on the wire, as deploy_config.py derived them from this config.
    let resp = reqwest::get(&console.url).await.expect("the console's index answers");
    let csp = resp.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(csp.contains(&format!("frame-ancestors {}", host.origin())), "CSP header: {csp}");
    assert_eq!(resp.headers().get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));

    let b = Browser::start().await;
    let result = async {
        runs_under_the_deployed_headers(&b, &console).await?;
        injected_sinks_are_refused(&b).await?;
        allowed_parent_frames_it(&b, &host, &console).await?;
        foreign_parent_cannot(&b, &foreign, &console).await?;
        // Last: it makes every later page believe WebAssembly SIMD is missing.
        a_browser_without_simd_is_told_why(&b, &console).await
    }
    .await;
    b.finish(result).await;
}

async fn runs_under_the_deployed_headers(b: &Browser, console: &Site) -> Check {
    b.d().goto(&console.url).await.map_err(|e| e.to_string())?;
    b.wait_until(Duration::from_secs(20), "both regions live with their secrets", || async {
        b.secrets_total("us-south").await.as_deref() == Some("6") && b.secrets_total("eu-de").await.as_deref() == Some("4")
    })
    .await?;
    // Open a secret's detail too: more of the console's DOM writing runs under the policy.
    let id = b.eval("document.querySelector('tr[data-secret-id][data-region=\"us-south\"]')?.getAttribute('data-secret-id') ?? null").await;
    if let Some(id) = id.as_str() {
        b.eval(&format!("(location.hash = '#/region/us-south/secret/{id}', true)")).await;
        b.wait_until(Duration::from_secs(10), "the secret's detail", || async {
            b.eval(&format!("document.querySelector('[data-secret-detail=\"{id}\"]') !== null")).await == true
        })
        .await?;
    }
    let violations = b.csp_violations().await;
    if !violations.is_empty() {
        return Err(format!("the console broke its own CSP: {violations:?}"));
    }
    // Chromium has WebAssembly SIMD: js/unsupported.js's probe must say so, or it is not a SIMD probe.
    if b.eval("document.querySelector('[data-unsupported-browser]') !== null").await != false {
        return Err("the unsupported-browser notice is shown in a browser with WebAssembly SIMD".into());
    }
    Ok(())
}

/// With the console running under Trusted Types, markup and script that are not the console's own
/// are refused at the sink, and no one can make a second policy to get around the default one.
async fn injected_sinks_are_refused(b: &Browser) -> Check {
    let outcome = b
        .eval(
            r#"(() => {
                const attempt = (f) => { try { f(); return 'accepted'; } catch (e) { return e.name; } };
                const d = document.createElement('div');
                const tpl = document.createElement('template');
                return {
                    img_onerror: attempt(() => { d.innerHTML = '<img src="x" onerror="window.__pwned = 1">'; }),
                    nodes_after: d.childNodes.length,
                    plain_div: attempt(() => { d.innerHTML = '<b>bold</b>'; }),
                    iframe_srcdoc: attempt(() => { d.insertAdjacentHTML('beforeend', '<iframe srcdoc="<b>x</b>"></iframe>'); }),
                    template_onerror: attempt(() => { tpl.innerHTML = '<img src="x" onerror="window.__pwned = 2">'; }),
                    template_entity_url: attempt(() => { tpl.innerHTML = '<a href="&#106;avascript:window.__pwned=3">x</a>'; }),
                    template_svg_script: attempt(() => { tpl.innerHTML = '<svg><script>window.__pwned = 4</script></svg>'; }),
                    setter_from_element: attempt(() => { Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML').set.call(tpl, '<b>x</b>'); }),
                    script_src: attempt(() => { document.createElement('script').src = 'https://evil.example/x.js'; }),
                    template_plain: attempt(() => { tpl.innerHTML = '<b data-x="1">bold</b><tr><td>cell</td></tr>'; }),
                    policy_default: attempt(() => trustedTypes.createPolicy('default', { createHTML: (s) => s })),
                    policy_other: attempt(() => trustedTypes.createPolicy('mine', { createHTML: (s) => s })),
                };
            })()"#,
        )
        .await;
    let get = |k: &str| outcome.get(k).cloned().unwrap_or_default();
    for sink in [
        "img_onerror", "plain_div", "iframe_srcdoc", "template_onerror", "template_entity_url", "template_svg_script",
        "setter_from_element", "script_src", "policy_default", "policy_other",
    ] {
        if get(sink) == "accepted" {
            return Err(format!("Trusted Types let an injected sink through ({sink}): {outcome}"));
        }
    }
    if get("img_onerror") != "TypeError" || get("nodes_after") != 0 {
        return Err(format!("an injected <img onerror> was not refused at the sink: {outcome}"));
    }
    // Plain markup in a view template is allowed: the refusals above are the policy's judgement,
    // not a missing policy.
    if get("template_plain") != "accepted" {
        return Err(format!("the default policy refused plain template markup (is it missing?): {outcome}"));
    }
    // No element was made from the refused markup, so nothing is left to fire later.
    if b.eval("window.__pwned ?? null").await != serde_json::Value::Null {
        return Err("injected script ran".into());
    }
    Ok(())
}

async fn received_types(b: &Browser) -> Vec<String> {
    b.eval("(window.__received ?? []).map(m => m.type)").await.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
}

async fn allowed_parent_frames_it(b: &Browser, host: &Site, console: &Site) -> Check {
    b.d().goto(&format!("{}index.html?console={}", host.url, console.url)).await.map_err(|e| e.to_string())?;
    b.wait_until(Duration::from_secs(15), "ready from the framed console", || async {
        received_types(b).await.iter().any(|t| t == "regional-console:ready")
    })
    .await?;
    b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
    let inside = b
        .wait_until(Duration::from_secs(15), "the console live inside the allowed frame", || async {
            b.region_state("us-south").await.as_deref() == Some("available")
        })
        .await;
    b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
    inside.map(|_| ())
}

async fn foreign_parent_cannot(b: &Browser, foreign: &Site, console: &Site) -> Check {
    // WebDriver's navigation returns once the page and its frames have loaded: the frame has
    // either the console or the browser's "refused to connect" error page by now.
    b.d().goto(&format!("{}index.html?console={}", foreign.url, console.url)).await.map_err(|e| e.to_string())?;
    b.d().enter_frame(0).await.map_err(|e| e.to_string())?;
    let inside = b
        .wait_until(Duration::from_secs(10), "the frame replaced by the browser's error page", || async {
            b.eval("location.href").await.as_str().is_some_and(|u| u.starts_with("chrome-error://"))
        })
        .await;
    let console_there = b.eval("document.querySelector('[data-region]') !== null").await;
    b.d().enter_default_frame().await.map_err(|e| e.to_string())?;
    inside.map_err(|e| format!("a foreign parent framed the console: {e}"))?;
    if console_there != false {
        return Err("the console rendered inside a foreign parent's frame".into());
    }
    if !received_types(b).await.is_empty() {
        return Err("the blocked console still spoke to the foreign parent".into());
    }
    Ok(())
}

/// A browser without WebAssembly SIMD cannot compile the console's module: the page says why
/// (`js/unsupported.js`), under the deployed CSP and Trusted Types. Chromium has SIMD, so the
/// missing feature is simulated: `WebAssembly.validate` answers no before any script runs.
async fn a_browser_without_simd_is_told_why(b: &Browser, console: &Site) -> Check {
    b.cdp("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({"source": "WebAssembly.validate = () => false;"})).await?;
    b.d().goto(&console.url).await.map_err(|e| e.to_string())?;
    b.wait_until(Duration::from_secs(10), "the unsupported-browser notice", || async {
        b.eval("document.querySelector('[data-unsupported-browser][role=alert]')?.textContent ?? ''").await.as_str().is_some_and(|t| t.contains("needs WebAssembly with SIMD"))
    })
    .await?;
    let violations = b.csp_violations().await;
    if !violations.is_empty() {
        return Err(format!("the notice broke the CSP: {violations:?}"));
    }
    Ok(())
}
