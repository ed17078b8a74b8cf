//! Secrets list, groups, health document, SSE, CORS and zones against the real binary.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use serde_json::Value;

fn offset_of(href: &str) -> Option<u64> {
    href.split(['?', '&']).find_map(|kv| kv.strip_prefix("offset=")).and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn list_pages_with_hrefs_and_follows_next_to_the_end() {
    let dir = TempDir::new("paging");
    let emu = Emu::start(dir.path(), &["--seed", "250"]);
    let c = client();

    let (s, first) = get_json(&c, &emu.url("/api/v2/secrets?limit=100")).await;
    assert_eq!(s, 200);
    assert_eq!(first["total_count"], 250);
    assert_eq!(first["limit"], 100);
    assert_eq!(first["offset"], 0);
    assert!(first.get("previous").is_none(), "no previous on the first page");
    assert_eq!(offset_of(first["next"]["href"].as_str().expect("next")), Some(100));
    assert_eq!(offset_of(first["last"]["href"].as_str().expect("last")), Some(200));
    assert!(first["first"]["href"].as_str().expect("first").starts_with(&emu.data));

    let (_, last) = get_json(&c, &emu.url("/api/v2/secrets?limit=100&offset=200")).await;
    assert!(last.get("next").is_none(), "no next on the last page");
    assert_eq!(offset_of(last["previous"]["href"].as_str().expect("previous")), Some(100));
    assert_eq!(last["secrets"].as_array().map(Vec::len), Some(50));

    let mut ids = HashSet::new();
    let mut url = Some(emu.url("/api/v2/secrets?limit=64"));
    let mut pages = 0;
    while let Some(u) = url {
        let (s, page) = get_json(&c, &u).await;
        assert_eq!(s, 200);
        for sec in page["secrets"].as_array().expect("secrets") {
            assert!(ids.insert(sec["id"].as_str().expect("id").to_string()), "duplicate across pages");
        }
        url = page.get("next").and_then(|n| n["href"].as_str()).map(String::from);
        pages += 1;
        assert!(pages < 10);
    }
    assert_eq!(ids.len(), 250);
    assert_eq!(pages, 4);
}

#[tokio::test]
async fn seeded_data_is_realistic() {
    let dir = TempDir::new("seed");
    let emu = Emu::start(dir.path(), &["--seed", "400"]);
    let c = client();
    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?limit=1000")).await;
    let secrets = page["secrets"].as_array().expect("secrets");
    let types: HashSet<&str> = secrets.iter().filter_map(|s| s["secret_type"].as_str()).collect();
    assert_eq!(types.len(), 9, "{types:?}");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs() as i64;
    let exp: Vec<i64> = secrets
        .iter()
        .filter_map(|s| s["expiration_date"].as_str())
        .filter_map(sm_contract::time::parse_rfc3339)
        .collect();
    assert!(exp.iter().any(|e| *e < now), "some expired");
    assert!(exp.iter().any(|e| *e > now && *e < now + 30 * 86_400), "some expiring within 30 days");
    assert!(exp.iter().filter(|e| **e > now + 30 * 86_400).count() > exp.len() / 2, "most later");
    for s in secrets {
        let crn = s["crn"].as_str().expect("crn");
        assert!(crn.starts_with("crn:v1:bluemix:public:secrets-manager:us-south:a/") && crn.ends_with(s["id"].as_str().expect("id")));
        let page: sm_contract::SecretMetadata = serde_json::from_value(s.clone()).expect("parses as the shared type");
        assert!((1..=5).contains(&page.versions_total.expect("versions_total")));
    }
    assert!(secrets.iter().any(|s| s["rotation"]["auto_rotate"] == true));
    assert!(secrets.iter().any(|s| s["state"] != 1));

    // Deterministic per region: a second data dir seeded for the same region has the same ids.
    let dir2 = TempDir::new("seed2");
    let emu2 = Emu::start(dir2.path(), &["--seed", "400"]);
    let (_, page2) = get_json(&c, &emu2.url("/api/v2/secrets?limit=5&sort=id")).await;
    let (_, page1) = get_json(&c, &emu.url("/api/v2/secrets?limit=5&sort=id")).await;
    assert_eq!(page1["secrets"], page2["secrets"]);
}

#[tokio::test]
async fn sort_search_filters_and_validation() {
    let dir = TempDir::new("sort");
    let emu = Emu::start(dir.path(), &["--seed", "120"]);
    let c = client();

    let names = |v: &Value| -> Vec<String> {
        v["secrets"].as_array().expect("secrets").iter().map(|s| s["name"].as_str().unwrap_or("").to_string()).collect()
    };
    let (_, asc) = get_json(&c, &emu.url("/api/v2/secrets?sort=name&limit=1000")).await;
    let a = names(&asc);
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(a, sorted);
    let (_, desc) = get_json(&c, &emu.url("/api/v2/secrets?sort=-name&limit=1000")).await;
    let mut d = names(&desc);
    d.reverse();
    assert_eq!(d, a);

    let (_, by_type) = get_json(&c, &emu.url("/api/v2/secrets?sort=-created_at&secret_types=kv,arbitrary&limit=1000")).await;
    let list = by_type["secrets"].as_array().expect("secrets");
    assert!(!list.is_empty());
    assert!(list.iter().all(|s| s["secret_type"] == "kv" || s["secret_type"] == "arbitrary"));
    assert_eq!(by_type["total_count"].as_u64(), Some(list.len() as u64));
    assert!(by_type["first"]["href"].as_str().unwrap_or("").contains("secret_types=kv%2Carbitrary"));

    let (_, dflt) = get_json(&c, &emu.url("/api/v2/secrets?groups=default&limit=1000")).await;
    assert!(dflt["secrets"].as_array().expect("secrets").iter().all(|s| s["secret_group_id"] == "default"));

    let target = a[7].clone();
    let (_, found) = get_json(&c, &emu.url(&format!("/api/v2/secrets?search={}", target.to_uppercase()))).await;
    assert!(names(&found).contains(&target), "search is case-insensitive on name");

    let labelled = asc["secrets"].as_array().expect("secrets").iter().find(|s| s["labels"].as_array().is_some_and(|l| l.len() >= 2)).expect("a secret with 2 labels");
    let labels: Vec<&str> = labelled["labels"].as_array().expect("labels").iter().filter_map(Value::as_str).take(2).collect();
    let (_, by_labels) = get_json(&c, &emu.url(&format!("/api/v2/secrets?match_all_labels={}&limit=1000", labels.join(",")))).await;
    for s in by_labels["secrets"].as_array().expect("secrets") {
        let l = s["labels"].as_array().expect("labels");
        assert!(labels.iter().all(|x| l.iter().any(|y| y == x)));
    }

    for (q, target) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("sort=colour", "sort"),
        ("search=x", "search"),
        ("secret_types=nope", "secret_types"),
    ] {
        let (s, body) = get_json(&c, &emu.url(&format!("/api/v2/secrets?{q}"))).await;
        assert_eq!(s, 400, "{q}");
        assert_eq!(assert_ibm_error(&body, 400).as_deref(), Some(target), "{q}");
    }
    let (s, body) = get_json(&c, &emu.url(&format!("/api/v2/secrets?search={}", "y".repeat(129)))).await;
    assert_eq!(s, 400);
    assert_ibm_error(&body, 400);
}

#[tokio::test]
async fn secret_reads_groups_and_unknown_routes() {
    let dir = TempDir::new("reads");
    let emu = Emu::start(dir.path(), &["--seed", "30"]);
    let c = client();
    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?secret_types=arbitrary&limit=1")).await;
    let id = page["secrets"][0]["id"].as_str().expect("id").to_string();
    let (s, meta) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}/metadata"))).await;
    assert_eq!(s, 200);
    assert_eq!(meta["id"], id.as_str());
    assert!(meta.get("payload").is_none(), "metadata carries no secret data");
    let (s, full) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}"))).await;
    assert_eq!(s, 200);
    assert!(full["payload"].as_str().is_some_and(|p| !p.is_empty()));
    assert_eq!(full["downloaded"], true);

    let (s, body) = get_json(&c, &emu.url("/api/v2/secrets/00000000-0000-4000-8000-000000000000/metadata")).await;
    assert_eq!(s, 404);
    assert_ibm_error(&body, 404);
    let (s, body) = get_json(&c, &emu.url("/api/v2/nothing/here")).await;
    assert_eq!(s, 404);
    assert_ibm_error(&body, 404);

    let (s, groups) = get_json(&c, &emu.url("/api/v2/secret_groups")).await;
    assert_eq!(s, 200);
    let list = groups["secret_groups"].as_array().expect("groups");
    assert_eq!(groups["total_count"].as_u64(), Some(list.len() as u64));
    assert!(list.len() >= 4);
    assert!(list.iter().any(|g| g["id"] == "default"));
    assert!(list.iter().filter(|g| g["id"] != "default").all(|g| g["id"].as_str().is_some_and(|i| i.len() == 36)));
}

#[tokio::test]
async fn health_document_and_history() {
    let dir = TempDir::new("health");
    let emu = Emu::start(dir.path(), &["--history-days", "90"]);
    let c = client();
    let (s, doc) = get_json(&c, &emu.url("/api/health/v1/region")).await;
    assert_eq!(s, 200);
    let h: sm_contract::RegionHealth = serde_json::from_value(doc.clone()).expect("parses as the shared type");
    assert_eq!(h.schema_version, "1.0");
    assert_eq!(h.region.display_name, "Dallas");
    assert_eq!(h.status, sm_contract::HealthStatus::Operational);
    assert_eq!(h.zones.items.len(), 3);
    assert!(h.zones.items.iter().all(|z| z.latency_ms.is_some_and(|l| (10..=100).contains(&l)) && z.checked_at.is_some()));
    assert_eq!(h.sla, sm_contract::Sla::default());
    let hist = h.history.expect("history");
    assert_eq!(hist.window_days, Some(90));
    assert!(!hist.intervals.items.is_empty());
    assert!(hist.intervals.items.iter().all(|i| i.end.is_some()));
    assert!(!h.incidents.items.is_empty());
    assert!(h.incidents.items.iter().all(|i| i.status == "resolved" && !i.updates.items.is_empty()));

    let (_, eu) = {
        let dir2 = TempDir::new("health-eu");
        let e2 = Emu::start_region(dir2.path(), "eu-de", &[]);
        get_json(&c, &e2.url("/api/health/v1/region")).await
    };
    assert_eq!(eu["region"]["display_name"], "Frankfurt");
    assert_eq!(eu["zones"][2]["id"], "eu-de-3");
}

#[tokio::test]
async fn sse_sends_region_then_heartbeats() {
    let dir = TempDir::new("sse");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();
    let mut resp = c.get(emu.url("/api/health/v1/events")).header("Origin", "http://localhost:5173").send().await.expect("stream");
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap_or("").starts_with("text/event-stream"));
    assert_eq!(resp.headers()["access-control-allow-origin"], "http://localhost:5173");
    let events = read_events(&mut resp, 2, Duration::from_secs(10)).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[0].0, "region");
    let doc: Value = serde_json::from_str(&events[0].1).expect("region json");
    assert!(doc.get("history").is_none());
    assert_eq!(doc["zones"].as_array().map(Vec::len), Some(3));
    assert_eq!(events[1].0, "heartbeat");
    let hb: sm_contract::Heartbeat = serde_json::from_str(&events[1].1).expect("heartbeat json");
    assert!(sm_contract::time::parse_rfc3339(&hb.at).is_some());

    // A zone change reaches the open stream as a zone event and a region event.
    let (s, _) = send_json(&c, reqwest::Method::PUT, &emu.ctl("/emulator/v1/zones/us-south-3"), serde_json::json!({"status":"degraded_performance"})).await;
    assert_eq!(s, 200);
    let more = read_events(&mut resp, 6, Duration::from_secs(10)).await;
    let zone = more.iter().find(|e| e.0 == "zone").expect("zone event");
    let ze: sm_contract::ZoneEvent = serde_json::from_str(&zone.1).expect("zone json");
    assert_eq!(ze.zone, "us-south-3");
    assert_eq!(ze.status, sm_contract::HealthStatus::DegradedPerformance);
    let region = more.iter().find(|e| e.0 == "region").expect("region event");
    assert!(region.1.contains("\"status\":\"degraded_performance\""));
}

#[tokio::test]
async fn cors_preflight_and_headers_on_errors() {
    let dir = TempDir::new("cors");
    let emu = Emu::start(dir.path(), &["--allow-origin", "https://console.example.com"]);
    let c = client();
    let r = c
        .request(reqwest::Method::OPTIONS, emu.url("/api/v2/secrets"))
        .header("Origin", "http://127.0.0.1:8080")
        .header("Access-Control-Request-Method", "PATCH")
        .header("Access-Control-Request-Headers", "authorization,content-type")
        .send()
        .await
        .expect("preflight");
    assert!(r.status().is_success());
    let h = r.headers();
    assert_eq!(h["access-control-allow-origin"], "http://127.0.0.1:8080");
    for m in ["GET", "POST", "PATCH", "DELETE", "PUT"] {
        assert!(h["access-control-allow-methods"].to_str().unwrap_or("").contains(m));
    }
    let allowed = h["access-control-allow-headers"].to_str().unwrap_or("").to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type") && allowed.contains("accept"));
    assert!(h.get_all("vary").iter().any(|v| v.to_str().unwrap_or("").to_ascii_lowercase().contains("origin")));
    assert!(h.get("access-control-allow-credentials").is_none(), "never credentials");

    let r = c.get(emu.url("/api/v2/secrets?limit=0")).header("Origin", "https://console.example.com").send().await.expect("get");
    assert_eq!(r.status(), 400);
    assert_eq!(r.headers()["access-control-allow-origin"], "https://console.example.com");
    assert_ne!(r.headers()["access-control-allow-origin"], "*");
    let expose = r.headers()["access-control-expose-headers"].to_str().unwrap_or("").to_lowercase();
    assert!(expose.contains("x-zone") && expose.contains("retry-after"));

    let r = c.get(emu.url("/api/v2/secrets")).header("Origin", "https://evil.example").send().await.expect("get");
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn x_zone_round_robins_and_routes_around_a_downed_zone() {
    let dir = TempDir::new("zones");
    let emu = Emu::start(dir.path(), &["--zone-failover-ms", "300"]);
    let c = client();
    let mut seen = HashSet::new();
    for _ in 0..6 {
        let r = c.get(emu.url("/api/v2/secrets?limit=1")).send().await.expect("get");
        seen.insert(r.headers()["x-zone"].to_str().expect("x-zone").to_string());
    }
    assert_eq!(seen, HashSet::from(["us-south-1".to_string(), "us-south-2".to_string(), "us-south-3".to_string()]));

    let (s, _) = send_json(&c, reqwest::Method::PUT, &emu.ctl("/emulator/v1/zones/us-south-2"), serde_json::json!({"status":"major_outage"})).await;
    assert_eq!(s, 200);
    let (_, doc) = get_json(&c, &emu.url("/api/health/v1/region")).await;
    assert_eq!(doc["status"], "partial_outage");
    assert_eq!(doc["zones"][1]["status"], "major_outage");
    assert!(doc["zones"][1]["latency_ms"].is_null());
    let open = doc["history"]["intervals"].as_array().expect("intervals").iter().find(|i| i["end"].is_null()).expect("open interval");
    assert_eq!(open["status"], "partial_outage");
    assert_eq!(open["zones"], serde_json::json!(["us-south-2"]));

    // After the failover window, traffic avoids the downed zone.
    tokio::time::sleep(Duration::from_millis(600)).await;
    for _ in 0..6 {
        let r = c.get(emu.url("/api/v2/secrets?limit=1")).send().await.expect("get");
        assert_eq!(r.status(), 200);
        assert_ne!(r.headers()["x-zone"], "us-south-2");
    }

    let (s, _) = send_json(&c, reqwest::Method::PUT, &emu.ctl("/emulator/v1/zones/us-south-9"), serde_json::json!({"status":"major_outage"})).await;
    assert_eq!(s, 404);
    let (s, _) = send_json(&c, reqwest::Method::PUT, &emu.ctl("/emulator/v1/zones/us-south-1"), serde_json::json!({"status":"on_fire"})).await;
    assert_eq!(s, 400);

    let r = c.delete(emu.ctl("/emulator/v1/faults")).header(CONTROL_HEADER, "1").send().await.expect("clear");
    assert_eq!(r.status(), 200);
    let (_, doc) = get_json(&c, &emu.url("/api/health/v1/region")).await;
    assert_eq!(doc["status"], "operational");
    assert!(doc["history"]["intervals"].as_array().expect("intervals").iter().all(|i| !i["end"].is_null()));
}

#[tokio::test]
async fn all_zones_down_is_a_regional_outage() {
    let dir = TempDir::new("allzones");
    let emu = Emu::start(dir.path(), &["--zone-failover-ms", "0"]);
    let c = client();
    for z in 1..=3 {
        send_json(&c, reqwest::Method::PUT, &emu.ctl(&format!("/emulator/v1/zones/us-south-{z}")), serde_json::json!({"status":"major_outage"})).await;
    }
    let (s, body) = get_json(&c, &emu.url("/api/v2/secrets")).await;
    assert_eq!(s, 503);
    assert_ibm_error(&body, 503);
    let (s, doc) = get_json(&c, &emu.url("/api/health/v1/region")).await;
    assert_eq!(s, 200);
    assert_eq!(doc["status"], "major_outage");
}

#[tokio::test]
async fn without_the_health_api_only_the_secrets_api_answers() {
    let dir = TempDir::new("no-health");
    let emu = Emu::start(dir.path(), &["--seed", "5", "--no-health-api"]);
    let c = client();
    for path in ["/api/health/v1/region", "/api/health/v1/events"] {
        let (s, body) = get_json(&c, &emu.url(path)).await;
        assert_eq!(s, 404, "{path}");
        assert_ibm_error(&body, 404);
    }
    let (s, page) = get_json(&c, &emu.url("/api/v2/secrets?limit=1")).await;
    assert_eq!(s, 200);
    assert_eq!(page["total_count"], 5);
}
