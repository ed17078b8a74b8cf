//! Every operation in openapi.json answers from a real route (not the 404/405 fallback).

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

#[tokio::test]
async fn every_documented_operation_is_served() {
    let doc: Value = serde_json::from_str(include_str!("../openapi.json")).expect("openapi.json");
    let dir = TempDir::new("openapi");
    let emu = Emu::start(dir.path(), &["--seed", "5"]);
    let c = client();
    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?limit=1&secret_types=arbitrary")).await;
    let id = page["secrets"][0]["id"].as_str().unwrap_or("missing").to_string();
    let (_, g) = send_json(&c, reqwest::Method::POST, &emu.url("/api/v2/secret_groups"), json!({"name":"openapi-group"})).await;
    let gid = g["id"].as_str().unwrap_or("missing").to_string();

    let mut checked = 0;
    let ops = doc["paths"].as_object().expect("paths");
    // Deletes last, so the ids stay valid for the other operations.
    for pass in ["other", "delete"] {
        for (path, item) in ops {
            let control = path.starts_with("/emulator/");
            let concrete = path
                .replace("{version_id}", "current")
                .replace("{group_name}", "default")
                .replace("{secret_type}", "arbitrary")
                .replace("{name}", "no-such-secret")
                .replace("{zone}", "us-south-1")
                .replace("{id}", if path.starts_with("/api/v2/secret_groups") { &gid } else { &id });
            for method in ["get", "post", "put", "patch", "delete"] {
                if item.get(method).is_none() || (method == "delete") != (pass == "delete") {
                    continue;
                }
                // Leave the region up while the remaining operations run.
                if path == "/emulator/v1/region" {
                    let (s, _) = send_json(&c, reqwest::Method::PUT, &emu.ctl(&concrete), json!({"mode":"up"})).await;
                    assert_eq!(s, 200);
                    checked += 1;
                    continue;
                }
                let url = if control { emu.ctl(&concrete) } else { emu.url(&concrete) };
                let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                let mut req = c.request(m, &url);
                if matches!(method, "post" | "put" | "patch") {
                    let ct = if method == "patch" { "application/merge-patch+json" } else { "application/json" };
                    req = req.header("content-type", ct).body("{}");
                }
                if control {
                    req = req.header(CONTROL_HEADER, "1");
                }
                let r = req.timeout(Duration::from_secs(30)).send().await.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
                let status = r.status().as_u16();
                let body = if path.ends_with("/events") { String::new() } else { r.text().await.unwrap_or_default() };
                assert_ne!(status, 405, "{method} {path}");
                let fell_through = (status == 404 && body.contains("No resource at")) || body.contains("No such control endpoint");
                assert!(!fell_through, "{method} {path} fell through: {body}");
                let documented: Vec<&String> = item[method]["responses"].as_object().expect("responses").keys().collect();
                assert!(documented.iter().any(|k| k.as_str() == status.to_string()), "{method} {path} answered {status}, documented {documented:?}");
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 32);
}
