//! End-to-end: zone and region faults injected through the emulator's control API, as the console
//! in headless Chromium sees them. One browser and two regions for the whole scenario list, run in
//! order: the faults are timing-sensitive, and parallel Chromiums on a small machine would make the
//! measurements meaningless.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::{Duration, Instant};

use regional_console::model::uptime;
use sm_contract::RegionHealth;
use support::{config_for, Browser, Emulator, Site};

type Check = Result<(), String>;

#[tokio::test(flavor = "multi_thread")]
async fn zone_and_region_faults_as_the_console_shows_them() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "30", "--history-days", "90"]);
    // Frankfurt has only 30 days of history: the older bars must say "no data".
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "20", "--history-days", "30"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let b = Browser::start().await;

    let result = run_all(&b, &site, &dallas, &frankfurt).await;
    b.finish(result).await;
}

async fn run_all(b: &Browser, site: &Site, dallas: &Emulator, frankfurt: &Emulator) -> Check {
    b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
    both_available(b).await?;
    b.eval("(window.__e2e_page = 'same', true)").await;

    bars_match_history(b, dallas, "us-south").await?;
    bars_match_history(b, frankfurt, "eu-de").await?;
    zone_down_is_degraded_not_greyed(b, dallas).await?;
    region_down_greys_out_and_recovers(b, dallas).await?;
    region_hang_greys_out_and_recovers(b, dallas).await?;
    slow_and_rate_limited_region_does_not_hold_up_the_other(b, dallas, frankfurt).await?;
    outages_show_in_todays_bar(b, dallas).await?;

    if b.eval("window.__e2e_page ?? null").await.as_str() != Some("same") {
        return Err("the page reloaded during the scenarios; every recovery must happen in place".into());
    }
    Ok(())
}

async fn state_is(b: &Browser, region: &str, want: &str) -> bool {
    b.region_state(region).await.as_deref() == Some(want)
}

async fn both_available(b: &Browser) -> Check {
    for region in ["us-south", "eu-de"] {
        b.wait_until(Duration::from_secs(20), &format!("{region} available"), || state_is(b, region, "available"))
            .await?;
    }
    Ok(())
}

/// Every one of the 90 day bars carries the bucket the tested uptime model computes from the
/// history the emulator serves.
async fn bars_match_history(b: &Browser, emu: &Emulator, region: &str) -> Check {
    let body = reqwest::get(format!("{}/api/health/v1/region", emu.api()))
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let doc: RegionHealth = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    let history = doc.history.ok_or("the emulator served no history")?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_err(|e| e.to_string())?.as_secs() as i64;
    let spans = uptime::spans(&history.intervals.items, now);
    let expected: Vec<(String, &str)> = uptime::day_bars(&spans, now, history.window_days.unwrap_or(90), 90)
        .into_iter()
        .map(|bar| (bar.date, bar.bucket.as_str()))
        .collect();
    let script = format!(
        "Array.from(document.querySelectorAll('[data-region=\"{region}\"] [data-uptime-day]')).map(e => [e.getAttribute('data-uptime-day'), e.getAttribute('data-bucket')])"
    );
    b.wait_until(Duration::from_secs(10), &format!("{region}: 90 day bars"), || async {
        b.eval(&script).await.as_array().is_some_and(|a| a.len() == 90)
    })
    .await?;
    let shown = b.eval(&script).await;
    let shown: Vec<(String, String)> = serde_json::from_value(shown).map_err(|e| e.to_string())?;
    for ((want_day, want_bucket), (day, bucket)) in expected.iter().zip(&shown) {
        if want_day != day || want_bucket != bucket {
            return Err(format!("{region}: bar {day}={bucket}, expected {want_day}={want_bucket}"));
        }
    }
    let non_green = shown.iter().filter(|(_, b)| b != "green").count();
    println!("{region}: 90 bars match the served history ({non_green} not green)");
    if region == "eu-de" && !shown.iter().any(|(_, b)| b == "no_data") {
        return Err("eu-de has 30 days of history but no bar says no_data".into());
    }
    Ok(())
}

async fn zone_down_is_degraded_not_greyed(b: &Browser, dallas: &Emulator) -> Check {
    dallas.control_call("PUT", "/emulator/v1/zones/us-south-2", r#"{"status":"major_outage"}"#).await;
    b.wait_until(Duration::from_secs(3), "us-south degraded after one zone down", || state_is(b, "us-south", "degraded"))
        .await?;
    let zone = b.eval("document.querySelector('[data-zone=\"us-south-2\"]')?.dataset.status ?? null").await;
    if zone.as_str() != Some("major_outage") {
        return Err(format!("zone us-south-2 shows {zone}, expected major_outage"));
    }
    if b.region_attr("us-south", "aria-disabled").await.is_some() {
        return Err("a degraded region must not be greyed".into());
    }
    // Two zones down is still degraded; all three is unavailable.
    dallas.control_call("PUT", "/emulator/v1/zones/us-south-3", r#"{"status":"major_outage"}"#).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    if !state_is(b, "us-south", "degraded").await {
        return Err("two zones down must still be degraded".into());
    }
    dallas.control_call("PUT", "/emulator/v1/zones/us-south-1", r#"{"status":"major_outage"}"#).await;
    b.wait_until(Duration::from_secs(3), "all zones down → unavailable", || state_is(b, "us-south", "unavailable"))
        .await?;
    dallas.control_call("DELETE", "/emulator/v1/faults", "").await;
    b.wait_until(Duration::from_secs(5), "us-south available after zones recover", || state_is(b, "us-south", "available"))
        .await?;
    Ok(())
}

async fn region_down_greys_out_and_recovers(b: &Browser, dallas: &Emulator) -> Check {
    let t0 = Instant::now();
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"down"}"#).await;
    b.wait_until(Duration::from_secs(2), "us-south greyed within 2 s of going down", || state_is(b, "us-south", "unavailable"))
        .await?;
    println!("region down → greyed in {:?}", t0.elapsed());
    if !state_is(b, "eu-de", "available").await {
        return Err("eu-de must stay available while us-south is down".into());
    }
    let t1 = Instant::now();
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"up"}"#).await;
    b.wait_until(Duration::from_secs(5), "us-south back after up", || state_is(b, "us-south", "available")).await?;
    println!("region up → live in {:?}", t1.elapsed());
    Ok(())
}

async fn region_hang_greys_out_and_recovers(b: &Browser, dallas: &Emulator) -> Check {
    let t0 = Instant::now();
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"hang"}"#).await;
    // The rule: two seconds without a heartbeat, confirmed by a direct request. Heartbeats come
    // every second, so the region greys 1–2 s after the hang begins; allow scheduling slack.
    b.wait_until(Duration::from_millis(2_500), "hung us-south greyed", || state_is(b, "us-south", "unavailable"))
        .await?;
    println!("region hang → greyed in {:?}", t0.elapsed());
    let cause = b.eval("document.querySelector('[data-region=\"us-south\"] .banner')?.textContent ?? ''").await;
    if !cause.as_str().unwrap_or("").contains("does not answer") {
        return Err(format!("a hung region should be explained as not answering, got {cause}"));
    }
    if !state_is(b, "eu-de", "available").await {
        return Err("eu-de must stay available while us-south hangs".into());
    }
    let t1 = Instant::now();
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"up"}"#).await;
    b.wait_until(Duration::from_secs(6), "us-south back after hang", || state_is(b, "us-south", "available")).await?;
    println!("hang cleared → live in {:?}", t1.elapsed());
    Ok(())
}

/// A region answering in 10 s and rate-limiting with 429 must not slow the other region's view:
/// Frankfurt's panel still follows a zone change promptly.
async fn slow_and_rate_limited_region_does_not_hold_up_the_other(b: &Browser, dallas: &Emulator, frankfurt: &Emulator) -> Check {
    dallas
        .control_call("PUT", "/emulator/v1/faults", r#"{"latency_ms":10000,"rate_limit_rps":1,"retry_after_s":5}"#)
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    frankfurt.control_call("PUT", "/emulator/v1/zones/eu-de-1", r#"{"status":"major_outage"}"#).await;
    let took = b
        .wait_until(Duration::from_secs(3), "eu-de degraded while us-south is slow", || state_is(b, "eu-de", "degraded"))
        .await?;
    println!("eu-de zone change shown in {took:?} while us-south answers in 10 s with 429s");
    frankfurt.control_call("DELETE", "/emulator/v1/faults", "").await;
    b.wait_until(Duration::from_secs(5), "eu-de available again", || state_is(b, "eu-de", "available")).await?;
    dallas.control_call("DELETE", "/emulator/v1/faults", "").await;
    b.wait_until(Duration::from_secs(15), "us-south available after faults cleared", || state_is(b, "us-south", "available"))
        .await?;
    Ok(())
}

/// The outages injected above are recorded by the emulator; after a refresh of the region
/// document the console's bars still match the served history, today's bar included.
async fn outages_show_in_todays_bar(b: &Browser, dallas: &Emulator) -> Check {
    b.d().refresh().await.map_err(|e| e.to_string())?;
    both_available(b).await?;
    b.eval("(window.__e2e_page = 'same', true)").await;
    bars_match_history(b, dallas, "us-south").await
}
