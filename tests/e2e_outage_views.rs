//! End-to-end: what the console states while a region is down must be true. A region never read
//! is unknown (not empty, not "missing"); last-known zone data is marked as such; the banner says
//! what IBM states and that applications need their own fallback; today's uptime does not read
//! as a clean day while the region is down now.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::page::{text, wait_for, T};
use support::{config_for, Browser, Emulator, Site};

#[tokio::test(flavor = "multi_thread")]
async fn a_region_unreachable_from_the_start_is_unknown_not_empty() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "12"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "9"]);
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"down"}"#).await;
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let result = never_read(&browser, &site, &dallas).await;
    browser.finish(result).await;
}

async fn never_read(b: &Browser, site: &Site, dallas: &Emulator) -> Result<(), String> {
    b.d().goto(&format!("{}#/secrets/cross", site.url)).await.map_err(|e| e.to_string())?;
    b.wait_until(T, "Dallas unavailable", || async { b.region_state("us-south").await.as_deref() == Some("unavailable") }).await?;
    b.wait_until(T, "Frankfurt's 9 secrets", || async { b.secrets_total("eu-de").await.as_deref() == Some("9") }).await?;
    wait_for(b, "cross view with Frankfurt's rows", "document.querySelectorAll('.cross-table tbody tr[data-presence]').length === 9").await?;

    // Cross-region: nothing counted against the unread region.
    let only_fra = text(b, "[data-cross=\"only-1\"] [data-count]").await;
    if only_fra.trim() != "0" {
        return Err(format!("{only_fra} secrets are called 'only in Frankfurt' while Dallas was never read"));
    }
    let unknown = text(b, "[data-cross=\"unknown\"] [data-count]").await;
    if unknown.trim() != "9" {
        return Err(format!("the unknown count is {unknown:?}, expected 9"));
    }
    let cells = b.eval("Array.from(document.querySelectorAll('.cross-table tbody tr[data-presence]')).map(tr => tr.children[2].textContent + '|' + tr.dataset.presence)").await;
    let cells: Vec<String> = serde_json::from_value(cells).unwrap_or_default();
    if cells.iter().any(|c| c != "unknown|unknown") {
        return Err(format!("Dallas's column must say unknown on every row: {cells:?}"));
    }
    let note = text(b, "[data-cross-unknown]").await;
    if !note.contains("Dallas") || !note.contains("not been read") {
        return Err(format!("the cross view does not say Dallas was not read: {note:?}"));
    }

    // The panel: no "0 secrets", no "Incidents (0)", and since when nothing could be read.
    let panel = "[data-region=\"us-south\"]";
    if b.secrets_total("us-south").await.is_some() {
        return Err("a never-read region shows a secrets count".into());
    }
    let summary = text(b, &format!("{panel} .secrets-summary")).await;
    if summary.contains("0 secrets") || !summary.contains("nothing could be read yet") || !summary.contains("trying since") {
        return Err(format!("the never-read summary says {summary:?}"));
    }
    let incidents = text(b, &format!("{panel} .incidents summary")).await;
    if incidents.contains("(0)") || !incidents.contains("not read yet") {
        return Err(format!("incidents of a never-read region: {incidents:?}"));
    }
    // The banner: what IBM states, and that applications need their own fallback.
    let banner = text(b, &format!("{panel} .banner")).await;
    for want in ["IBM states", "no action is needed for the service", "Applications that use this region need their own fallback", "nothing fails over automatically"] {
        if !banner.contains(want) {
            return Err(format!("the banner lacks {want:?}: {banner:?}"));
        }
    }
    if banner.contains("backed up") || banner.contains("no action is needed.") {
        return Err(format!("the banner promises what the console cannot know: {banner:?}"));
    }

    // Dallas comes back: counted for real now.
    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"up"}"#).await;
    b.wait_until(Duration::from_secs(30), "Dallas's 12 secrets", || async { b.secrets_total("us-south").await.as_deref() == Some("12") }).await?;
    wait_for(b, "cross view complete", "document.querySelector('[data-cross-unknown]') === null").await?;
    let only_dal = text(b, "[data-cross=\"only-0\"] [data-count]").await;
    let only_fra = text(b, "[data-cross=\"only-1\"] [data-count]").await;
    if only_dal.trim() != "12" || only_fra.trim() != "9" {
        return Err(format!("once both are read: only Dallas {only_dal}, only Frankfurt {only_fra} (expected 12 and 9)"));
    }
    if b.eval("document.querySelectorAll('.cross-table td.unknown').length").await != 0 {
        return Err("unknown cells remain after both regions were read".into());
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hung_region_shows_last_known_zones_as_stale_and_today_as_down() {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "5"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "5"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let browser = Browser::start().await;
    let result = hung(&browser, &site, &dallas).await;
    browser.finish(result).await;
}

async fn hung(b: &Browser, site: &Site, dallas: &Emulator) -> Result<(), String> {
    b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
    let panel = "[data-region=\"us-south\"]";
    b.wait_until(T, "Dallas available", || async { b.region_state("us-south").await.as_deref() == Some("available") }).await?;
    wait_for(b, "zones operational with latency", &format!(
        "Array.from(document.querySelectorAll('{panel} [data-zone]')).every(z => z.dataset.status === 'operational' && z.querySelector('.zone-latency').textContent.includes('ms'))"
    )).await?;
    let month = text(b, &format!("{panel} [data-sla-month] .label")).await;
    if !month.contains("so far") {
        return Err(format!("the month in progress reads as complete: {month:?}"));
    }

    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"hang"}"#).await;
    b.wait_until(T, "hung Dallas unavailable", || async { b.region_state("us-south").await.as_deref() == Some("unavailable") }).await?;
    wait_for(b, "zones marked stale", &format!("document.querySelector('{panel} ul.zones')?.hasAttribute('data-stale') === true")).await?;
    let zones = b.eval(&format!(
        "Array.from(document.querySelectorAll('{panel} [data-zone]')).map(z => z.dataset.status + '|' + z.textContent)"
    )).await;
    let zones: Vec<String> = serde_json::from_value(zones).unwrap_or_default();
    if zones.len() != 3 {
        return Err(format!("expected 3 zones, got {zones:?}"));
    }
    for z in &zones {
        if !z.starts_with("unknown|") || !z.contains("last reported operational at ") || z.contains(" ms") {
            return Err(format!("a zone of a hung region still reads as live: {z:?}"));
        }
    }
    let today = text(b, &format!("{panel} .day-detail")).await;
    if today.contains("no downtime") || !today.contains("unavailable now") {
        return Err(format!("today's summary while Dallas is down: {today:?}"));
    }
    // The tooltip of today's bar says the same.
    let tip = b.eval(&format!("Array.from(document.querySelectorAll('{panel} [data-uptime-day]')).pop()?.textContent ?? ''")).await;
    if tip.as_str().is_none_or(|t| t.contains("no downtime") || !t.contains("unavailable now")) {
        return Err(format!("today's bar tooltip while Dallas is down: {tip}"));
    }

    dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"up"}"#).await;
    b.wait_until(T, "Dallas back", || async { b.region_state("us-south").await.as_deref() == Some("available") }).await?;
    wait_for(b, "zones live again", &format!(
        "document.querySelector('{panel} ul.zones')?.hasAttribute('data-stale') === false && Array.from(document.querySelectorAll('{panel} [data-zone]')).every(z => z.dataset.status === 'operational')"
    )).await?;
    Ok(())
}
