//! End-to-end: a region reached without the health gateway (its `/api/health/*` answers 404). The
//! console judges it from its own light requests to the secrets API, shows its zones as unknown with
//! a plain note, never invents zone data, and still greys it out and brings it back.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::{Duration, Instant};

use support::{config_for, Browser, Emulator, Site};

#[tokio::test(flavor = "multi_thread")]
async fn a_region_without_the_health_api_is_judged_by_probes() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "7", "--no-health-api"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "9"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let b = Browser::start().await;
    let result = scenario(&b, &site, &mut dallas).await;
    b.finish(result).await;
}

async fn scenario(b: &Browser, site: &Site, dallas: &mut Emulator) -> Result<(), String> {
    b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
    b.wait_until(Duration::from_secs(15), "Dallas available with its 7 secrets, from probes alone", || async {
        b.region_state("us-south").await.as_deref() == Some("available") && b.secrets_total("us-south").await.as_deref() == Some("7")
    })
    .await?;
    let zones = b
        .eval("Array.from(document.querySelectorAll('[data-region=\"us-south\"] [data-zone]')).map(z => z.dataset.status)")
        .await;
    if zones != serde_json::json!(["unknown", "unknown", "unknown"]) {
        return Err(format!("zones without a health API must be unknown, not {zones}"));
    }
    let note = b.eval("document.querySelector('[data-region=\"us-south\"]')?.textContent.includes(\"needs the region's health API\")").await;
    if note != true {
        return Err("no note says zone data needs the health API".into());
    }
    if b.eval("document.querySelectorAll('[data-region=\"us-south\"] [data-uptime-day]').length").await != 0 {
        return Err("uptime bars shown for a region that serves no history".into());
    }
    if b.region_state("eu-de").await.as_deref() != Some("available") {
        return Err("Frankfurt (with its health API) is not available".into());
    }

    // Without a stream, the outage is seen by the next routine probe (every 5 s) and confirmed.
    let t0 = Instant::now();
    dallas.kill();
    b.wait_until(Duration::from_secs(8), "Dallas greyed out by failed probes", || async {
        b.region_state("us-south").await.as_deref() == Some("unavailable")
    })
    .await?;
    println!("probe-only region greyed {:?} after SIGKILL", t0.elapsed());
    if b.region_state("eu-de").await.as_deref() != Some("available") {
        return Err("Frankfurt must stay available".into());
    }
    let t1 = Instant::now();
    dallas.restart();
    b.wait_until(Duration::from_secs(10), "Dallas back by probes", || async {
        b.region_state("us-south").await.as_deref() == Some("available")
    })
    .await?;
    println!("probe-only region back {:?} after restart", t1.elapsed());
    Ok(())
}
