//! Process-level behaviour: start-up failures, region down/hang, restart, signals.

mod common;

use std::time::Duration;

use common::*;

#[test]
fn bad_flags_fail_with_one_clear_line() {
    let dir = TempDir::new("flags");
    let d = dir.path().to_str().expect("utf-8 path");
    for args in [
        vec!["--region", "us-south", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--data-dir", d, "--frobnicate"],
        vec!["--region", "Not A Region", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--data-dir", d],
        vec!["--region", "us-south", "--listen", "nowhere", "--control", "127.0.0.1:0", "--data-dir", d],
        vec!["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--data-dir", d],
    ] {
        let (code, err) = run_to_exit(&args);
        assert!(code.is_some_and(|c| c != 0), "{args:?} exited {code:?}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line for {args:?}: {err:?}");
        assert!(err.starts_with("sm-emulator: "), "{err}");
    }
}

#[test]
fn used_port_and_unusable_data_dir_fail_cleanly() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").to_string();
    let dir = TempDir::new("port");
    let d = dir.path().to_str().expect("utf-8 path");
    let (code, err) = run_to_exit(&["--region", "us-south", "--listen", &port, "--control", "127.0.0.1:0", "--data-dir", d]);
    assert!(code.is_some_and(|c| c != 0));
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&port) && err.contains("cannot listen"), "{err}");

    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").expect("write");
    let under_file = file.join("data");
    let (code, err) =
        run_to_exit(&["--region", "us-south", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--data-dir", under_file.to_str().expect("utf-8")]);
    assert!(code.is_some_and(|c| c != 0));
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("data directory"), "{err}");
}

#[tokio::test]
async fn region_down_refuses_connections_and_drops_streams_then_comes_back() {
    let dir = TempDir::new("down");
    let emu = Emu::start(dir.path(), &["--seed", "5"]);
    let c = client();
    let mut stream = c.get(emu.url("/api/health/v1/events")).send().await.expect("stream");
    assert_eq!(read_events(&mut stream, 1, Duration::from_secs(10)).await.len(), 1);

    let (s, state) = send_json(&c, reqwest::Method::PUT, &emu.ctl("/emulator/v1/region"), serde_json::json!({"mode":"down"})).await;
    assert_eq!(s, 200);
    assert_eq!(state["mode"], "down");
    let err = c.get(emu.url("/api/v2/secrets")).send().await.expect_err("refused");
    assert!(err.is_connect(), "{err:?}");
    // The open stream ends instead of going silent (already when `down` answered).
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(_)) = stream.chunk().await {}
    })
    .await;
    assert!(ended.is_ok(), "stream was dropped");
    // The control API is untouched by faults.
    let (s, state) = get_json(&c, &emu.ctl("/emulator/v1/state")).await;
    assert_eq!(s, 200);
    assert_eq!(state["status"], "major_outage");

    let (s, _) = send_json(&c, reqwest::Method::PUT, &emu.ctl("/emulator/v1/region"), serde_json::json!({"mode":"up"})).await;
    assert_eq!(s, 200);
    // `up` answers once the listener accepts again: no retry needed.
    let r = c.get(emu.url("/api/v2/secrets?limit=1")).send().await.expect("serving again after up");
    assert_eq!(r.status(), 200);
    let (_, doc) = get_json(&c, &emu.url("/api/health/v1/region")).await;
    let regional = doc["history"]["intervals"].as_array().expect("intervals").iter().rev().find(|i| i["status"] == "major_outage").cloned().expect("recorded");
    assert_eq!(regional["zones"].as_array().map(Vec::len), Some(3));
    assert!(!regional["end"].is_null(), "closed when the region came back");
}

#[tokio::test]
async fn hang_parks_requests_and_silences_heartbeats_until_up() {
    let dir = TempDir::new("hang");
    let emu = Emu::start(dir.path(), &["--seed", "5"]);
    let c = client();
    let mut stream = c.get(emu.url("/api/health/v1/events")).send().await.expect("stream");
    assert_eq!(read_events(&mut stream, 1, Duration::from_secs(10)).await.len(), 1);

    send_json(&c, reqwest::Method::PUT, &emu.ctl("/emulator/v1/region"), serde_json::json!({"mode":"hang"})).await;
    // Drain anything sent before the hang took effect, then expect silence.
    let _ = read_events(&mut stream, 10, Duration::from_millis(300)).await;
    let silent = read_events(&mut stream, 1, Duration::from_millis(2500)).await;
    assert!(silent.is_empty(), "no heartbeats while hanging: {silent:?}");

    let pending = tokio::spawn({
        let c = c.clone();
        let url = emu.url("/api/v2/secrets?limit=1");
        async move { c.get(url).send().await.map(|r| r.status().as_u16()) }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!pending.is_finished(), "a hung region does not answer");

    send_json(&c, reqwest::Method::PUT, &emu.ctl("/emulator/v1/region"), serde_json::json!({"mode":"up"})).await;
    let status = tokio::time::timeout(Duration::from_secs(10), pending).await.expect("answered after up").expect("task").expect("request");
    assert_eq!(status, 200);
    let resumed = read_events(&mut stream, 1, Duration::from_secs(5)).await;
    assert_eq!(resumed.len(), 1, "heartbeats resume");
}

#[tokio::test]
async fn restart_with_the_same_data_dir_keeps_everything() {
    let dir = TempDir::new("restart");
    let c = client();
    let (before, groups_before, created) = {
        let mut emu = Emu::start(dir.path(), &["--seed", "40"]);
        let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?limit=1000&sort=id")).await;
        let (_, groups) = get_json(&c, &emu.url("/api/v2/secret_groups")).await;
        let (s, made) = send_json(
            &c,
            reqwest::Method::POST,
            &emu.url("/api/v2/secrets"),
            serde_json::json!({"secret_type":"arbitrary","name":"restart-check","payload":"kept"}),
        )
        .await;
        assert_eq!(s, 201);
        assert!(emu.terminate(), "clean exit on SIGTERM");
        (page["secrets"].clone(), groups, made["id"].as_str().expect("id").to_string())
    };
    // Restarting with --seed again must not add anything: the database is not empty.
    let emu = Emu::start(dir.path(), &["--seed", "40"]);
    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?limit=1000&sort=id")).await;
    assert_eq!(page["total_count"], 41);
    let (_, groups) = get_json(&c, &emu.url("/api/v2/secret_groups")).await;
    assert_eq!(groups, groups_before);
    let kept: Vec<&serde_json::Value> = page["secrets"].as_array().expect("secrets").iter().filter(|s| s["id"] != created.as_str()).collect();
    assert_eq!(kept.len(), before.as_array().map(Vec::len).unwrap_or(0));
    let (s, secret) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{created}"))).await;
    assert_eq!(s, 200);
    assert_eq!(secret["payload"], "kept");
}

#[test]
fn sigint_exits_cleanly() {
    let dir = TempDir::new("sigint");
    let mut emu = Emu::start(dir.path(), &[]);
    assert!(emu.signal_and_wait("INT"), "exit status 0 after SIGINT");
}
