//! End-to-end: zone and region faults injected through the emulator's control API, as the console
//! in headless Chromium sees them. One browser and two regions for the whole scenario list, run in
//! order: the faults are timing-sensitive, and parallel Chromiums on a small machine would make the
//! measurements meaningless.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::{Duration, Instant};

use sm_contract::time::{format_date, DAY};
use support::{config_for, Browser, Emulator, Site};

type Check = Result<(), String>;

fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

const ALL_ZONES: &[&str] = &["us-south-1", "us-south-2", "us-south-3"];

/// Dallas's history, replaced by outages whose bars are worked out by hand below: (days ago,
/// status, zones, start seconds after midnight UTC, duration in seconds).
const KNOWN_OUTAGES: &[(i64, &str, &[&str], i64, i64)] = &[
    (3, "major_outage", ALL_ZONES, 10 * 3600, 300),
    (5, "partial_outage", &["us-south-2"], 8 * 3600, 7200),
    (8, "major_outage", ALL_ZONES, 16 * 3600 + 1800, 60),
    (10, "degraded_performance", &["us-south-1"], 2 * 3600, 3 * 3600),
];

/// What each of those days must show, computed by hand from health-v1.md's rules (day uptime =
/// 100 × (86400 − Σ weight × seconds) / 86400, weights major 1, partial 0.3, degraded 0; green ≥
/// 99.99, yellow ≥ 99.9, orange ≥ 99, red below), as (days ago, bucket, tooltip figures):
/// - 300 s major: 100 × 86100 / 86400 = 99.6527…% → orange, "99.652%" (three decimals, rounded down);
/// - 7200 s partial: 0.3 × 7200 = 2160 s; 100 × 84240 / 86400 = 97.5% → red;
/// - 60 s major: 100 × 86340 / 86400 = 99.9305…% → yellow;
/// - 3 h degraded: weight 0 → 100% → green, the time still shown.
const EXPECTED_BARS: &[(i64, &str, &str)] = &[
    (3, "orange", "99.652% uptime, 5 min major outage"),
    (5, "red", "97.500% uptime, 2 h partial outage"),
    (8, "yellow", "99.930% uptime, 1 min major outage"),
    (10, "green", "100% uptime, 3 h degraded"),
];

#[tokio::test(flavor = "multi_thread")]
async fn zone_and_region_faults_as_the_console_shows_them() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "30", "--history-days", "90"]);
    let today = now_s().div_euclid(DAY);
    let rows: Vec<(&str, &[&str], i64, i64)> =
        KNOWN_OUTAGES.iter().map(|(ago, st, zones, at, len)| (*st, *zones, (today - ago) * DAY + at, (today - ago) * DAY + at + len)).collect();
    dallas.replace_history(&rows);
    // Frankfurt has only 30 days of history: the older bars must say "no data".
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "20", "--history-days", "30"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let b = Browser::start().await;

    let result = run_all(&b, &site, &dallas, &frankfurt, today).await;
    b.finish(result).await;
}

async fn run_all(b: &Browser, site: &Site, dallas: &Emulator, frankfurt: &Emulator, today: i64) -> Check {
    b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
    both_available(b).await?;
    b.eval("(window.__e2e_page = 'same', true)").await;

    dallas_bars_match_the_known_outages(b, today).await?;
    frankfurt_has_no_data_before_its_window(b).await?;
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

/// The 90 bars of a region, oldest first: (date, bucket, tooltip).
async fn bars(b: &Browser, region: &str) -> Result<Vec<(String, String, String)>, String> {
    let script = format!(
        "Array.from(document.querySelectorAll('[data-region=\"{region}\"] [data-uptime-day]')).map(e => [e.getAttribute('data-uptime-day'), e.getAttribute('data-bucket'), e.textContent])"
    );
    b.wait_until(Duration::from_secs(10), &format!("{region}: 90 day bars"), || async {
        b.eval(&script).await.as_array().is_some_and(|a| a.len() == 90)
    })
    .await?;
    serde_json::from_value(b.eval(&script).await).map_err(|e| e.to_string())
}

/// Each injected outage's bar (found by its date, so a midnight between setting up and reading
/// cannot shift it) has the bucket and the figures worked out by hand; every other day is green.
async fn dallas_bars_match_the_known_outages(b: &Browser, today: i64) -> Check {
    let shown = bars(b, "us-south").await?;
    for (ago, bucket, figures) in EXPECTED_BARS {
        let date = format_date((today - ago) * DAY);
        let (_, got_bucket, tip) = shown.iter().find(|(d, _, _)| *d == date).ok_or(format!("no bar for {date}"))?;
        if got_bucket != bucket || !tip.contains(figures) {
            return Err(format!("us-south {date}: bar {got_bucket:?} \"{tip}\", expected {bucket} with \"{figures}\""));
        }
    }
    let outage_days: Vec<String> = EXPECTED_BARS.iter().map(|(ago, _, _)| format_date((today - ago) * DAY)).collect();
    for (date, bucket, tip) in &shown {
        if !outage_days.contains(date) && (bucket != "green" || !tip.contains("100% uptime, no downtime")) {
            return Err(format!("us-south {date}: {bucket} \"{tip}\" on a day without outages"));
        }
    }
    // The windows by hand: 300 + 2160 + 60 weighted seconds (degraded weighs 0).
    // 30 days: 100 × (2592000 − 2520) / 2592000 = 99.9027…%; 90 days: over 7776000 s, 99.9675…%.
    let figures = b.eval("Array.from(document.querySelectorAll('[data-region=\"us-south\"] .uptime-figures .figure .value')).slice(0, 2).map(e => e.textContent)").await;
    if figures != serde_json::json!(["99.902%", "99.967%"]) {
        return Err(format!("us-south 30/90-day uptime shows {figures}, expected [\"99.902%\", \"99.967%\"]"));
    }
    println!("us-south: the four known outages show as worked out by hand");
    Ok(())
}

/// Frankfurt has 30 days of history. Its bar `k` days back has data iff that day ends after
/// now − 30 days, i.e. iff k ≤ 30: the 59 oldest of the 90 bars say no_data, the 31 newest do not.
async fn frankfurt_has_no_data_before_its_window(b: &Browser) -> Check {
    let shown = bars(b, "eu-de").await?;
    let no_data: Vec<bool> = shown.iter().map(|(_, bucket, _)| bucket == "no_data").collect();
    let want: Vec<bool> = (0..90).map(|i| i < 59).collect();
    if no_data != want {
        let n = no_data.iter().filter(|x| **x).count();
        return Err(format!("eu-de: {n} no_data bars, expected exactly the 59 oldest: {shown:?}"));
    }
    if !shown[0].2.contains("no data") {
        return Err(format!("eu-de's oldest bar does not say no data: {}", shown[0].2));
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
    // Two zones down is still degraded; all three is unavailable. Every state change from here
    // on is recorded page-side, so "still degraded" means "never left degraded", not one sample.
    b.watch_states().await;
    dallas.control_call("PUT", "/emulator/v1/zones/us-south-3", r#"{"status":"major_outage"}"#).await;
    b.wait_until(Duration::from_secs(3), "the second zone down shown", || async {
        b.eval("document.querySelector('[data-zone=\"us-south-3\"]')?.dataset.status ?? null").await == "major_outage"
    })
    .await?;
    dallas.control_call("PUT", "/emulator/v1/zones/us-south-1", r#"{"status":"major_outage"}"#).await;
    b.wait_until(Duration::from_secs(3), "all zones down → unavailable", || state_is(b, "us-south", "unavailable"))
        .await?;
    let log = b.state_log("us-south").await;
    if log != ["unavailable"] {
        return Err(format!("from one zone down to three, us-south went {log:?}: two zones down must stay degraded"));
    }
    dallas.control_call("DELETE", "/emulator/v1/faults", "").await;
    b.wait_until(Duration::from_secs(5), "us-south available after zones recover", || state_is(b, "us-south", "available"))
        .await?;
    let log = b.state_log("us-south").await;
    if log.first().map(String::as_str) != Some("unavailable") || log.last().map(String::as_str) != Some("available") || log.iter().filter(|s| *s == "unavailable").count() != 1 {
        return Err(format!("us-south went {log:?} between two zones down and recovery"));
    }
    println!("us-south states, two zones down → three → cleared: {log:?}");
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

/// A region outage long enough to change today's bucket whatever the time of day: 12 s of major
/// outage is at least 12 / 86400 = 0.0139% of the day, more than the 0.01% green allows, so
/// today's uptime is at most 100 × (T − 12) / T < 99.99% (T = seconds since midnight, ≤ 86400).
async fn outages_show_in_todays_bar(b: &Browser, dallas: &Emulator) -> Check {
    const OUTAGE_S: i64 = 12;
    let (down_at, up_at) = loop {
        let down_at = now_s();
        dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"down"}"#).await;
        b.wait_until(Duration::from_secs(3), "us-south greyed", || state_is(b, "us-south", "unavailable")).await?;
        // The outage's length is the stimulus, not a wait for the console.
        tokio::time::sleep(Duration::from_secs((OUTAGE_S + 1) as u64)).await;
        dallas.control_call("PUT", "/emulator/v1/region", r#"{"mode":"up"}"#).await;
        let up_at = now_s();
        if down_at.div_euclid(DAY) == up_at.div_euclid(DAY) {
            break (down_at, up_at);
        }
        // It straddled midnight: today holds only part of it. Once more, wholly in the new day.
    };
    b.d().refresh().await.map_err(|e| e.to_string())?;
    both_available(b).await?;
    b.eval("(window.__e2e_page = 'same', true)").await;
    let shown = bars(b, "us-south").await?;
    let today = format_date(up_at.div_euclid(DAY) * DAY);
    let (date, bucket, tip) = shown.last().cloned().ok_or("no bars")?;
    if date != today {
        return Err(format!("the newest bar is {date}, expected today {today}"));
    }
    if bucket == "green" || bucket == "no_data" {
        return Err(format!("today's bar is {bucket} after a {}-second regional outage: \"{tip}\"", up_at - down_at));
    }
    let shown_pct: f64 = tip.split(": ").nth(1).and_then(|t| t.split('%').next()).and_then(|p| p.parse().ok()).ok_or(format!("no uptime in \"{tip}\""))?;
    let t = (now_s() - up_at.div_euclid(DAY) * DAY) as f64;
    let bound = 100.0 * (t - OUTAGE_S as f64) / t;
    if shown_pct > bound || !tip.contains("major outage") {
        return Err(format!("today: \"{tip}\"; at most {bound:.3}% with at least {OUTAGE_S} s of major outage"));
    }
    println!("today after a {} s outage: {bucket}, \"{tip}\"", up_at - down_at);
    Ok(())
}
