//! Every hostile case is listed and served on its endpoint.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_hostile_case_is_served_where_it_hurts() {
    let dir = TempDir::new("hostile");
    let emu = Emu::start(dir.path(), &["--seed", "3"]);
    let c = reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).timeout(Duration::from_secs(60)).build().expect("client");
    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?limit=1")).await;
    let id = page["secrets"][0]["id"].as_str().expect("id").to_string();

    let (s, list) = get_json(&c, &emu.ctl("/emulator/v1/hostile")).await;
    assert_eq!(s, 200);
    let cases = list.as_array().expect("array");
    assert!(cases.len() >= 60, "{} cases", cases.len());
    let endpoints: std::collections::HashSet<&str> = cases.iter().filter_map(|c| c["endpoint"].as_str()).collect();
    for e in ["/api/v2/secrets", "/api/v2/secrets/{id}/metadata", "/api/health/v1/region", "/api/health/v1/events", "/api/v2/secret_groups"] {
        assert!(endpoints.contains(e), "a case for {e}");
    }

    for case in cases {
        let name = case["name"].as_str().expect("name");
        assert!(case["description"].as_str().is_some_and(|d| !d.is_empty()));
        let (s, _) = send_json(&c, Method::PUT, &emu.ctl("/emulator/v1/faults"), json!({"hostile": name})).await;
        assert_eq!(s, 200, "{name}");
        let path = case["endpoint"].as_str().expect("endpoint").replace("{id}", &id);
        let r = c.get(emu.url(&path)).header("Origin", "http://localhost:3000").send().await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.headers().get("x-hostile-case").and_then(|v| v.to_str().ok()), Some(name), "{name} served on {path}");
        assert!(r.headers().contains_key("x-zone"), "{name}");
        assert_eq!(r.headers()["access-control-allow-origin"], "http://localhost:3000", "{name}");
        // Some cases stall or stream forever by design; the first chunk (or none) is enough here.
        let _ = tokio::time::timeout(Duration::from_millis(300), async move {
            let mut r = r;
            r.chunk().await
        })
        .await;
        // Other endpoints keep answering normally.
        if !path.starts_with("/api/health") {
            let (s, _) = get_json(&c, &emu.url("/api/health/v1/region")).await;
            assert_eq!(s, 200, "{name} leaks onto other endpoints");
        }
    }

    c.delete(emu.ctl("/emulator/v1/faults")).header(CONTROL_HEADER, "1").send().await.expect("clear");
    let r = c.get(emu.url("/api/v2/secrets")).send().await.expect("get");
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-hostile-case").is_none());
}
