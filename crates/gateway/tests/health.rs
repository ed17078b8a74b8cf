//! Probes, the health document and its event stream, the uptime record across restarts, the status
//! feed, and start-up refusals: real gateway and emulator processes on loopback.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[tokio::test]
async fn upstream_death_is_an_outage_on_the_stream_and_its_return_ends_it() {
    let tmp = TempDir::new("death");
    let mut region = Region::start(&tmp, "us-south", &["--seed", "3"]);
    let every = 1_000u64;
    let gw = Gateway::start(&tmp, "us-south", &region.data, &tmp.join("gw"), &["--probe-every-ms", &every.to_string()]);
    let c = client();
    let up = wait_for(Duration::from_secs(10), || async { (doc_status(&c, &gw).await == "operational").then_some(()) }).await;
    assert!(up.is_some(), "the gateway never judged the live region operational");

    let (s, doc) = get_json(&c, &gw.url("/api/health/v1/region")).await;
    assert_eq!(s, 200);
    assert_eq!(doc["probe"]["authenticated"], false);
    assert_eq!(doc["probe"]["every_ms"], every);
    assert!(doc["probe"]["last_ms"].as_u64().is_some(), "{doc}");
    let zones = doc["zones"].as_array().expect("zones");
    assert_eq!(zones.len(), 3);
    assert!(zones.iter().all(|z| z["status"] == "unknown" && z["reason"].as_str().is_some_and(|r| r.contains("no per-zone health"))), "{doc}");
    assert_eq!(doc["history"]["window_days"], 1, "only the days since the first probe");

    let mut stream = c.get(gw.url("/api/health/v1/events")).send().await.expect("stream");
    assert_eq!(stream.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("text/event-stream"));
    let first = wait_event(&mut stream, Duration::from_secs(3), |n, _| n == "region").await.expect("region event on connect");
    assert_eq!(first.1["status"], "operational");
    assert!(first.1.get("history").is_none(), "the stream's region event has no history");
    wait_event(&mut stream, Duration::from_secs(3), |n, _| n == "heartbeat").await.expect("heartbeat");

    region.kill();
    let killed = Instant::now();
    let limit = Duration::from_millis(every + 1_500);
    let ev = wait_event(&mut stream, limit, |n, v| n == "region" && v["status"] == "major_outage").await;
    let took = killed.elapsed();
    assert!(ev.is_some(), "no major_outage on the stream within {limit:?} of the upstream's death");
    println!("upstream SIGKILL -> major_outage on the stream: {} ms", took.as_millis());
    assert_eq!(doc_status(&c, &gw).await, "major_outage");
    wait_event(&mut stream, Duration::from_secs(3), |n, _| n == "heartbeat").await.expect("the stream stays open with heartbeats while the upstream is down");
    let (_, doc) = get_json(&c, &gw.url("/api/health/v1/region")).await;
    let open = doc["history"]["intervals"].as_array().and_then(|a| a.last().cloned()).unwrap_or(Value::Null);
    assert_eq!(open["status"], "major_outage", "{doc}");
    assert!(open["end"].is_null(), "the outage is open: {open}");
    // A forwarded request during the outage: a clear 502, not a hang.
    let r = c.get(gw.url("/api/v2/secrets?limit=1")).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 502);
    let err: Value = r.json().await.expect("error body");
    assert!(err["errors"][0]["message"].as_str().is_some_and(|m| m.contains("could not be reached") && m.contains("refused")), "{err}");

    region.restart(&tmp);
    let back = wait_event(&mut stream, Duration::from_millis(every + 3_000), |n, v| n == "region" && v["status"] == "operational").await;
    assert!(back.is_some(), "the region did not come back on the stream");
    let (_, doc) = get_json(&c, &gw.url("/api/health/v1/region")).await;
    let closed = doc["history"]["intervals"].as_array().and_then(|a| a.last().cloned()).unwrap_or(Value::Null);
    assert_eq!(closed["status"], "major_outage");
    assert!(closed["end"].is_string(), "the outage is closed: {closed}");
}

#[tokio::test]
async fn time_the_gateway_was_not_running_is_unknown() {
    let tmp = TempDir::new("gap");
    let region = Region::start(&tmp, "eu-de", &[]);
    let data = tmp.join("gw");
    let mut gw = Gateway::start(&tmp, "eu-de", &region.data, &data, &["--probe-every-ms", "200"]);
    let c = client();
    assert!(wait_for(Duration::from_secs(10), || async { (doc_status(&c, &gw).await == "operational").then_some(()) }).await.is_some());
    gw.proc.kill();
    let killed_at = now_s();
    // Timestamps are whole seconds: wait until the clock has moved on, so the gap is visible.
    while now_s() < killed_at + 2 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let gw = Gateway::start(&tmp, "eu-de", &region.data, &data, &["--probe-every-ms", "200"]);
    let (_, doc) = get_json(&c, &gw.url("/api/health/v1/region")).await;
    let intervals = doc["history"]["intervals"].as_array().cloned().unwrap_or_default();
    let gap = intervals.iter().rev().find(|i| i["status"] == "unknown").unwrap_or_else(|| panic!("no unknown interval: {doc}"));
    let start = sm_contract::time::parse_rfc3339(gap["start"].as_str().unwrap_or("")).expect("start");
    let end = sm_contract::time::parse_rfc3339(gap["end"].as_str().unwrap_or("")).expect("end");
    assert!(start <= killed_at && start >= killed_at - 2, "the gap starts when the gateway was last alive: {gap}");
    assert!(end >= killed_at + 2, "the gap ends at the restart: {gap}");
    assert!(wait_for(Duration::from_secs(10), || async { (doc_status(&c, &gw).await == "operational").then_some(()) }).await.is_some());
}

const FEED: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>IBM Cloud status</title>
<item><title>Secrets Manager - Dallas (us-south): Degraded performance</title><description>Slow reads.</description>
<pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate><guid>a</guid></item>
<item><title>Secrets Manager - Frankfurt (eu-de): Outage</title><description>x</description>
<pubDate>Tue, 01 Dec 2026 11:00:00 GMT</pubDate><guid>b</guid></item>
</channel></rss>"#;

#[tokio::test]
async fn status_feed_items_become_incidents_and_a_malformed_feed_is_ignored() {
    let tmp = TempDir::new("feed");
    let region = Region::start(&tmp, "us-south", &[]);
    let feed = tmp.join("feed.rss");
    std::fs::write(&feed, "<rss><channel><item>cut off").expect("write");
    let feed_arg = feed.display().to_string();
    let gw = Gateway::start(&tmp, "us-south", &region.data, &tmp.join("gw"), &["--status-feed", &feed_arg, "--status-feed-every-s", "1"]);
    let c = client();
    let logged = wait_for(Duration::from_secs(5), || async { gw.proc.log_text().contains("status feed ignored").then_some(()) }).await;
    assert!(logged.is_some(), "a malformed feed is logged: {}", gw.proc.log_text());
    let (s, doc) = get_json(&c, &gw.url("/api/health/v1/region")).await;
    assert_eq!(s, 200, "the gateway serves on despite the feed");
    assert_eq!(doc["incidents"], serde_json::json!([]));

    std::fs::write(&feed, FEED).expect("write");
    let incidents = wait_for(Duration::from_secs(5), || async {
        let (_, d) = get_json(&c, &gw.url("/api/health/v1/region")).await;
        d["incidents"].as_array().filter(|a| !a.is_empty()).cloned()
    })
    .await
    .expect("incidents from the feed");
    assert_eq!(incidents.len(), 1, "only Secrets Manager in this region: {incidents:?}");
    assert_eq!(incidents[0]["title"], "Secrets Manager - Dallas (us-south): Degraded performance");
    assert_eq!(incidents[0]["started_at"], "2026-12-01T10:00:00Z");

    // A broken feed later keeps the last good incidents.
    std::fs::write(&feed, "not xml at all").expect("write");
    let n = gw.proc.log_text().matches("status feed ignored").count();
    assert!(wait_for(Duration::from_secs(5), || async { (gw.proc.log_text().matches("status feed ignored").count() > n).then_some(()) }).await.is_some());
    let (_, doc) = get_json(&c, &gw.url("/api/health/v1/region")).await;
    assert_eq!(doc["incidents"].as_array().map(Vec::len), Some(1));
}

#[test]
fn refuses_to_start_with_a_clear_message() {
    let tmp = TempDir::new("refuse");
    let base = |dir: &str| vec!["--region".to_string(), "us-south".into(), "--listen".into(), "127.0.0.1:0".into(), "--data-dir".into(), dir.to_string()];
    let run = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        gateway_exit(&refs)
    };

    // Plain http to a non-loopback upstream.
    let mut a = base(&tmp.join("d1").display().to_string());
    a.extend(["--upstream".into(), "http://abc.us-south.secrets-manager.appdomain.cloud".into()]);
    let (code, err) = run(a);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("must be https://"), "{err}");

    // A corrupt database.
    let corrupt = tmp.join("corrupt");
    std::fs::create_dir_all(&corrupt).expect("mkdir");
    std::fs::write(corrupt.join("gateway.db"), vec![0x42u8; 16_384]).expect("write");
    let mut a = base(&corrupt.display().to_string());
    a.extend(["--upstream".into(), "http://127.0.0.1:9".into()]);
    let (code, err) = run(a);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("cannot use data directory") && err.contains("corrupt"), "{err}");

    // A data dir that cannot be created (under a file).
    let file = tmp.join("a-file");
    std::fs::write(&file, "x").expect("write");
    let mut a = base(&file.join("sub").display().to_string());
    a.extend(["--upstream".into(), "http://127.0.0.1:9".into()]);
    let (code, err) = run(a);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("cannot use data directory"), "{err}");

    // A used port.
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = held.local_addr().expect("addr").port();
    let (code, err) = run(vec![
        "--region".into(), "us-south".into(), "--listen".into(), format!("127.0.0.1:{port}"),
        "--data-dir".into(), tmp.join("d2").display().to_string(), "--upstream".into(), "http://127.0.0.1:9".into(),
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains(&format!("cannot listen on 127.0.0.1:{port}")), "{err}");

    // An unreadable key file, a bad flag.
    let mut a = base(&tmp.join("d3").display().to_string());
    a.extend(["--upstream".into(), "http://127.0.0.1:9".into(), "--probe-api-key-file".into(), "/nonexistent/key".into()]);
    let (code, err) = run(a);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("cannot read the probe API key file"), "{err}");
    let (code, err) = run(vec!["--region".into(), "US".into()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("sm-gateway: ") && err.lines().count() == 1, "{err}");
}
