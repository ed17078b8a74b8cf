//! Injected faults, zone failover, auth and body limits.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_downed_zone_answers_503_during_the_failover_window() {
    let dir = TempDir::new("failover");
    let emu = Emu::start(dir.path(), &["--zone-failover-ms", "60000"]);
    let c = client();
    send_json(&c, Method::PUT, &emu.ctl("/emulator/v1/zones/us-south-1"), json!({"status":"major_outage"})).await;
    let mut failed_on = HashSet::new();
    let mut ok = 0;
    for _ in 0..9 {
        let r = c.get(emu.url("/api/v2/secrets?limit=1")).send().await.expect("get");
        let zone = r.headers()["x-zone"].to_str().expect("x-zone").to_string();
        if r.status() == 503 {
            assert!(r.headers().contains_key("retry-after"));
            assert_ibm_error(&r.json().await.expect("json"), 503);
            failed_on.insert(zone);
        } else {
            assert_eq!(r.status(), 200);
            ok += 1;
        }
    }
    assert_eq!(failed_on, HashSet::from(["us-south-1".to_string()]), "only the downed zone fails");
    assert_eq!(ok, 6, "the downed zone keeps its third of the traffic");
    // The health API stays answerable during a zone outage.
    for _ in 0..3 {
        let (s, _) = get_json(&c, &emu.url("/api/health/v1/region")).await;
        assert_eq!(s, 200);
    }
}

#[tokio::test]
async fn faults_inject_latency_errors_rate_limits_and_are_recorded() {
    let dir = TempDir::new("faults");
    let emu = Emu::start(dir.path(), &["--seed", "5"]);
    let c = client();

    let (s, state) = send_json(&c, Method::PUT, &emu.ctl("/emulator/v1/faults"), json!({"latency_ms":0,"error_rate":1.0,"error_status":500,"rate_limit_rps":null,"retry_after_s":1,"hostile":null})).await;
    assert_eq!(s, 200);
    assert_eq!(state["error_rate"], 1.0);
    let (s, body) = get_json(&c, &emu.url("/api/v2/secrets")).await;
    assert_eq!(s, 500);
    assert_ibm_error(&body, 500);
    let (_, doc) = get_json(&c, &emu.url("/api/health/v1/region")).await;
    assert_eq!(doc["status"], "degraded_performance");
    let open = doc["history"]["intervals"].as_array().expect("intervals").iter().find(|i| i["end"].is_null()).cloned().expect("open interval");
    assert_eq!(open["status"], "degraded_performance");

    send_json(&c, Method::PUT, &emu.ctl("/emulator/v1/faults"), json!({"rate_limit_rps":2,"retry_after_s":7})).await;
    let mut limited = None;
    for _ in 0..10 {
        let r = c.get(emu.url("/api/v2/secrets?limit=1")).send().await.expect("get");
        if r.status() == 429 {
            limited = Some(r);
            break;
        }
    }
    let r = limited.expect("rate limited");
    assert_eq!(r.headers()["retry-after"], "7");
    assert_ibm_error(&r.json().await.expect("json"), 429);

    send_json(&c, Method::PUT, &emu.ctl("/emulator/v1/faults"), json!({"latency_ms":400})).await;
    let t = std::time::Instant::now();
    let (s, _) = get_json(&c, &emu.url("/api/v2/secrets?limit=1")).await;
    assert_eq!(s, 200);
    assert!(t.elapsed() >= Duration::from_millis(400), "latency applied");

    for bad in [json!({"error_rate":2.0}), json!({"error_status":200}), json!({"hostile":"no-such-case"}), json!({"colour":"red"})] {
        let (s, _) = send_json(&c, Method::PUT, &emu.ctl("/emulator/v1/faults"), bad.clone()).await;
        assert_eq!(s, 400, "{bad}");
    }

    let r = c.delete(emu.ctl("/emulator/v1/faults")).header(CONTROL_HEADER, "1").send().await.expect("clear");
    assert_eq!(r.status(), 200);
    let (_, state) = get_json(&c, &emu.ctl("/emulator/v1/state")).await;
    assert_eq!(state["mode"], "up");
    assert_eq!(state["latency_ms"], 0);
    assert!(state["zones"].as_array().expect("zones").iter().all(|z| z["status"] == "operational"));
    let (s, _) = get_json(&c, &emu.url("/api/v2/secrets")).await;
    assert_eq!(s, 200);
    let (_, doc) = get_json(&c, &emu.url("/api/health/v1/region")).await;
    assert_eq!(doc["status"], "operational");
    assert!(doc["history"]["intervals"].as_array().expect("intervals").iter().all(|i| !i["end"].is_null()));
    assert!(doc["incidents"].as_array().expect("incidents").iter().all(|i| i["status"] == "resolved"));
}

#[tokio::test]
async fn control_seed_adds_more() {
    let dir = TempDir::new("ctlseed");
    let emu = Emu::start(dir.path(), &["--seed", "20"]);
    let c = client();
    let (s, r) = send_json(&c, Method::POST, &emu.ctl("/emulator/v1/seed"), json!({"count":300})).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["added"], 300);
    assert_eq!(r["total_count"], 320);
    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?limit=1000")).await;
    let ids: HashSet<&str> = page["secrets"].as_array().expect("secrets").iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids.len(), 320);
}

#[tokio::test]
async fn bearer_token_is_required_when_configured() {
    let dir = TempDir::new("token");
    let emu = Emu::start(dir.path(), &["--token", "s3cret-token"]);
    let c = client();
    for auth in [None, Some("Bearer wrong"), Some("Basic s3cret-token"), Some("Bearer s3cret-tokenX")] {
        let mut req = c.get(emu.url("/api/v2/secrets"));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let r = req.header("Origin", "http://localhost:1234").send().await.expect("get");
        assert_eq!(r.status(), 401, "{auth:?}");
        assert_eq!(r.headers()["access-control-allow-origin"], "http://localhost:1234");
        assert_ibm_error(&r.json().await.expect("json"), 401);
    }
    let r = c.get(emu.url("/api/v2/secrets")).header("Authorization", "Bearer s3cret-token").send().await.expect("get");
    assert_eq!(r.status(), 200);
    let r = c.get(emu.url("/api/health/v1/region")).bearer_auth("s3cret-token").send().await.expect("get");
    assert_eq!(r.status(), 200);
    let r = c
        .request(Method::OPTIONS, emu.url("/api/v2/secrets"))
        .header("Origin", "http://localhost:1234")
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .expect("preflight");
    assert!(r.status().is_success(), "preflights never need auth");
    // The control API has no auth.
    let (s, _) = get_json(&c, &emu.ctl("/emulator/v1/state")).await;
    assert_eq!(s, 200);
}

#[tokio::test]
async fn huge_bodies_are_refused_with_413() {
    let dir = TempDir::new("413");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();
    let body = vec![b'a'; 20 * 1024 * 1024];
    match c.post(emu.url("/api/v2/secrets")).header("content-type", "application/json").body(body).send().await {
        Ok(r) => {
            assert_eq!(r.status(), 413);
            assert_ibm_error(&r.json().await.expect("json"), 413);
        }
        // The server may close the connection right after answering, before the upload ends.
        Err(e) => assert!(!e.is_timeout(), "{e:?}"),
    }
    let (s, _) = get_json(&c, &emu.url("/api/v2/secrets")).await;
    assert_eq!(s, 200, "still serving");
}
