//! Acknowledged writes survive SIGKILL; backups restore a wiped region.

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn payload_for(name: &str) -> String {
    format!("payload-of-{name}-{}", name.len() * 7919)
}

async fn all_secrets(c: &reqwest::Client, emu: &Emu) -> Vec<Value> {
    let mut out = Vec::new();
    let mut url = Some(emu.url("/api/v2/secrets?limit=1000&sort=id"));
    while let Some(u) = url {
        let (s, page) = get_json(c, &u).await;
        assert_eq!(s, 200);
        out.extend(page["secrets"].as_array().cloned().unwrap_or_default());
        url = page.get("next").and_then(|n| n["href"].as_str()).map(String::from);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_sigkill() {
    const TOTAL: usize = 1000;
    const CLIENTS: usize = 16;
    let dir = TempDir::new("durable");
    let mut emu = Emu::start(dir.path(), &[]);
    let c = client();
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos() as usize).unwrap_or(7);
    let kill_after = 100 + seed % 800;
    eprintln!("durability: killing after {kill_after} acknowledged writes");

    let acked: Arc<Mutex<HashMap<String, String>>> = Arc::new(Mutex::new(HashMap::new()));
    let next = Arc::new(AtomicUsize::new(0));
    let pid = emu.pid();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (c, acked, next, url) = (c.clone(), acked.clone(), next.clone(), emu.url("/api/v2/secrets"));
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= TOTAL {
                    return;
                }
                let name = format!("durable-{i:04}");
                let body = json!({"secret_type":"arbitrary","name":name,"payload":payload_for(&name),"labels":["durability"]});
                let Ok(r) = c.post(&url).json(&body).send().await else { return };
                if r.status() != 201 {
                    return;
                }
                let Ok(v) = r.json::<Value>().await else { return };
                let id = v["id"].as_str().unwrap_or_default().to_string();
                let n = {
                    let mut a = acked.lock().unwrap_or_else(|p| p.into_inner());
                    a.insert(id, name);
                    a.len()
                };
                if n == kill_after {
                    let _ = std::process::Command::new("kill").args(["-KILL", &pid.to_string()]).status();
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    emu.kill();
    let acked = acked.lock().unwrap_or_else(|p| p.into_inner()).clone();
    assert!(acked.len() >= kill_after, "{} acknowledged", acked.len());

    let emu = Emu::start(dir.path(), &[]);
    let present = all_secrets(&c, &emu).await;
    let by_id: HashMap<&str, &Value> = present.iter().filter_map(|s| Some((s["id"].as_str()?, s))).collect();
    for (id, name) in &acked {
        let s = by_id.get(id.as_str()).unwrap_or_else(|| panic!("acknowledged write {name} ({id}) lost"));
        assert_eq!(s["name"], name.as_str());
    }
    // Nothing half-written: every secret that exists is complete, acknowledged or not.
    assert!(present.len() <= TOTAL);
    for s in &present {
        let id = s["id"].as_str().expect("id");
        let name = s["name"].as_str().expect("name");
        assert_eq!(s["versions_total"], 1, "{name}");
        assert_eq!(s["labels"], json!(["durability"]));
        let (st, full) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}"))).await;
        assert_eq!(st, 200);
        assert_eq!(full["payload"], payload_for(name).as_str(), "{name}");
        let (_, versions) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}/versions"))).await;
        assert_eq!(versions["total_count"], 1, "{name}");
    }
}

#[tokio::test]
async fn backup_then_restore_a_wiped_data_dir() {
    let root = TempDir::new("backup");
    let data = root.path().join("data");
    let backups = root.path().join("backups");
    let c = client();
    let (before, snapshot) = {
        let mut emu = Emu::start(&data, &["--seed", "60", "--backup-to", backups.to_str().expect("utf-8"), "--backup-every", "1"]);
        let (s, _) = send_json(&c, Method::POST, &emu.url("/api/v2/secrets"), json!({"secret_type":"kv","name":"must-survive","data":{"k":"v"}})).await;
        assert_eq!(s, 201);
        let (s, snap) = send_json(&c, Method::POST, &emu.ctl("/emulator/v1/backup"), json!({})).await;
        assert_eq!(s, 201, "{snap}");
        let path = snap["snapshot"].as_str().expect("snapshot path").to_string();
        // Periodic snapshots appear on their own too.
        let mut periodic = false;
        for _ in 0..100 {
            let n = std::fs::read_dir(&backups).map(|d| d.filter_map(Result::ok).filter(|e| e.file_name().to_string_lossy().starts_with("snapshot-")).count()).unwrap_or(0);
            if n >= 2 {
                periodic = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(periodic, "a periodic snapshot was written");
        let all = all_secrets(&c, &emu).await;
        // A snapshot never overwrites a live database.
        let (code, err) = run_to_exit(&["restore", "--from", &path, "--data-dir", data.to_str().expect("utf-8")]);
        assert!(code.is_some_and(|c| c != 0), "restore into a running region's directory was refused: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains("in use by a running region") && err.contains("stop it first"), "{err}");
        assert_eq!(all_secrets(&c, &emu).await, all, "the running region is unharmed");
        assert!(emu.terminate());
        (all, path)
    };
    assert!(!std::fs::read_dir(&backups).expect("dir").any(|e| e.map(|e| e.file_name().to_string_lossy().starts_with(".tmp")).unwrap_or(false)));

    std::fs::remove_dir_all(&data).expect("wipe");
    let (code, err) = run_to_exit(&["restore", "--from", &snapshot, "--data-dir", data.to_str().expect("utf-8")]);
    assert_eq!(code, Some(0), "{err}");

    let emu = Emu::start(&data, &[]);
    let after = all_secrets(&c, &emu).await;
    assert_eq!(after.len(), 61);
    assert_eq!(after, before);
    assert!(after.iter().any(|s| s["name"] == "must-survive"));

    let bogus = root.path().join("bogus.db");
    std::fs::write(&bogus, b"not a database").expect("write");
    let (code, err) = run_to_exit(&["restore", "--from", bogus.to_str().expect("utf-8"), "--data-dir", root.path().join("other").to_str().expect("utf-8")]);
    assert!(code.is_some_and(|c| c != 0));
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}
