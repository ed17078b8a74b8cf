//! What keeps a web page the developer happens to visit from using a local emulator: CORS without
//! credentials, declared body types, a control API no page can call, no token in URLs; and
//! control calls answered only once their effect holds.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn fresh_connections() -> reqwest::Client {
    // No pooled connection may hide whether the listener accepts new ones.
    reqwest::Client::builder().no_proxy().pool_max_idle_per_host(0).timeout(Duration::from_secs(30)).build().expect("client")
}

async fn total(c: &reqwest::Client, emu: &Emu) -> u64 {
    let (_, page) = get_json(c, &emu.url("/api/v2/secrets?limit=1")).await;
    page["total_count"].as_u64().expect("total_count")
}

#[tokio::test]
async fn down_and_up_are_answered_only_once_they_hold() {
    let dir = TempDir::new("settle");
    let emu = Emu::start(dir.path(), &["--seed", "3"]);
    let c = fresh_connections();
    let mut stream = c.get(emu.url("/api/health/v1/events")).send().await.expect("stream");
    assert_eq!(read_events(&mut stream, 1, Duration::from_secs(10)).await.len(), 1);
    for round in 0..15 {
        let (s, st) = send_json(&c, Method::PUT, &emu.ctl("/emulator/v1/region"), json!({"mode":"down"})).await;
        assert_eq!((s, st["mode"].as_str()), (200, Some("down")), "round {round}");
        // Refused at once: no retry, no grace period.
        let err = c.get(emu.url("/api/v2/secrets?limit=1")).send().await.expect_err("refused after down");
        assert!(err.is_connect(), "round {round}: {err:?}");
        if round == 0 {
            // Open streams are already gone when `down` answers.
            let ended = tokio::time::timeout(Duration::from_millis(500), async { while let Ok(Some(_)) = stream.chunk().await {} }).await;
            assert!(ended.is_ok(), "the event stream was closed before down answered");
        }
        let (s, _) = if round % 2 == 0 {
            send_json(&c, Method::PUT, &emu.ctl("/emulator/v1/region"), json!({"mode":"up"})).await
        } else {
            let r = c.delete(emu.ctl("/emulator/v1/faults")).header(CONTROL_HEADER, "1").send().await.expect("clear");
            (r.status().as_u16(), Value::Null)
        };
        assert_eq!(s, 200, "round {round}");
        let r = c.get(emu.url("/api/v2/secrets?limit=1")).send().await.unwrap_or_else(|e| panic!("round {round}: serving at once after up: {e:?}"));
        assert_eq!(r.status(), 200, "round {round}");
    }
}

#[tokio::test]
async fn control_calls_need_the_header_a_page_cannot_send() {
    let dir = TempDir::new("ctl-guard");
    let emu = Emu::start(dir.path(), &["--seed", "2"]);
    let c = client();
    let before = total(&c, &emu).await;

    // What a page can send without a preflight: a text/plain POST with no custom header.
    let r = c.post(emu.ctl("/emulator/v1/seed")).header("content-type", "text/plain").body(r#"{"count":50}"#).send().await.expect("post");
    assert_eq!(r.status(), 403);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["errors"][0]["code"], "control_header_required");
    assert!(body["errors"][0]["message"].as_str().unwrap_or("").contains("X-Emulator-Control"), "{body}");
    for (m, path) in [(Method::POST, "/emulator/v1/backup"), (Method::DELETE, "/emulator/v1/faults")] {
        let r = c.request(m.clone(), emu.ctl(path)).send().await.expect("call");
        assert_eq!(r.status(), 403, "{m} {path}");
    }
    let r = c.put(emu.ctl("/emulator/v1/region")).header("content-type", "application/json").body(r#"{"mode":"down"}"#).send().await.expect("put");
    assert_eq!(r.status(), 403);
    // With the header, a body still has to be declared JSON.
    let r = c.post(emu.ctl("/emulator/v1/seed")).header(CONTROL_HEADER, "1").header("content-type", "text/plain").body(r#"{"count":50}"#).send().await.expect("post");
    assert_eq!(r.status(), 415);
    assert_eq!(total(&c, &emu).await, before, "nothing was seeded");

    // The preflight a page would need is refused, and carries no CORS grant.
    let r = c
        .request(Method::OPTIONS, emu.ctl("/emulator/v1/region"))
        .header("Origin", "http://127.0.0.1:8080")
        .header("Access-Control-Request-Method", "PUT")
        .header("Access-Control-Request-Headers", "x-emulator-control,content-type")
        .send()
        .await
        .expect("preflight");
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert!(r.headers().get("access-control-allow-headers").is_none());

    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 is same-origin, but its Host says so.
    let r = c
        .put(emu.ctl("/emulator/v1/region"))
        .header("host", "evil.example")
        .header(CONTROL_HEADER, "1")
        .header("content-type", "application/json")
        .body(r#"{"mode":"down"}"#)
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 403);
    let (_, st) = get_json(&c, &emu.ctl("/emulator/v1/state")).await;
    assert_eq!(st["mode"], "up", "no refused call changed anything");

    // Reading state stays a plain GET, and a well-formed call works.
    let (s, made) = send_json(&c, Method::POST, &emu.ctl("/emulator/v1/seed"), json!({"count":5})).await;
    assert_eq!(s, 201, "{made}");
    assert_eq!(total(&c, &emu).await, before + 5);
}

#[tokio::test]
async fn bodies_need_the_documented_content_type() {
    let dir = TempDir::new("ctype");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();
    let secret = r#"{"secret_type":"arbitrary","name":"typed","payload":"p"}"#;
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data; boundary=x"), None, Some("application/merge-patch+json")] {
        let mut req = c.post(emu.url("/api/v2/secrets")).header("Origin", "http://localhost:3000").body(secret);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let r = req.send().await.expect("post");
        assert_eq!(r.status(), 415, "{ct:?}");
        // The console can read the refusal (CORS headers on errors too).
        assert_eq!(r.headers()["access-control-allow-origin"], "http://localhost:3000");
        assert_ibm_error(&r.json().await.expect("json"), 415);
    }
    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets")).await;
    assert_eq!(page["total_count"], 0, "no refused body created anything");

    let r = c.post(emu.url("/api/v2/secrets")).header("content-type", "Application/JSON; charset=utf-8").body(secret).send().await.expect("post");
    assert_eq!(r.status(), 201, "parameters and letter case do not matter");
    let made: Value = r.json().await.expect("json");
    let id = made["id"].as_str().expect("id");

    let meta = emu.url(&format!("/api/v2/secrets/{id}/metadata"));
    let r = c.patch(&meta).header("content-type", "application/json").body(r#"{"description":"x"}"#).send().await.expect("patch");
    assert_eq!(r.status(), 415, "PATCH is a merge patch");
    let r = c.patch(&meta).header("content-type", "application/merge-patch+json").body(r#"{"description":"x"}"#).send().await.expect("patch");
    assert_eq!(r.status(), 200);

    let r = c.post(emu.url(&format!("/api/v2/secrets/{id}/versions"))).header("content-type", "text/plain").body(r#"{"payload":"q"}"#).send().await.expect("post");
    assert_eq!(r.status(), 415);
    let r = c.post(emu.url("/api/v2/secret_groups")).header("content-type", "text/plain").body(r#"{"name":"team"}"#).send().await.expect("post");
    assert_eq!(r.status(), 415);
    let (s, g) = send_json(&c, Method::POST, &emu.url("/api/v2/secret_groups"), json!({"name":"team"})).await;
    assert_eq!(s, 201);
    let gid = g["id"].as_str().expect("group id");
    let r = c.patch(emu.url(&format!("/api/v2/secret_groups/{gid}"))).header("content-type", "application/json").body(r#"{"name":"team-b"}"#).send().await.expect("patch");
    assert_eq!(r.status(), 415);
}

#[tokio::test]
async fn cors_never_grants_credentials_and_star_is_a_plain_star() {
    let dir = TempDir::new("cors-star");
    let emu = Emu::start(dir.path(), &["--allow-origin", "*"]);
    let c = client();
    let r = c.get(emu.url("/api/v2/secrets")).header("Origin", "https://anything.example").send().await.expect("get");
    assert_eq!(r.headers()["access-control-allow-origin"], "*", "`*` is not reflected");
    assert!(r.headers().get("access-control-allow-credentials").is_none());
    let r = c
        .request(Method::OPTIONS, emu.url("/api/v2/secrets"))
        .header("Origin", "https://anything.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .expect("preflight");
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(r.headers().get("access-control-allow-credentials").is_none());

    let dir2 = TempDir::new("cors-list");
    let emu = Emu::start(dir2.path(), &[]);
    let r = c.get(emu.url("/api/v2/secrets")).header("Origin", "http://localhost:8080").send().await.expect("get");
    assert_eq!(r.headers()["access-control-allow-origin"], "http://localhost:8080");
    assert!(r.headers().get("access-control-allow-credentials").is_none());
    // Private Network Access: only an allowed origin is told it may reach this loopback server.
    for (origin, granted) in [("http://localhost:8080", true), ("https://evil.example", false)] {
        let r = c
            .request(Method::OPTIONS, emu.url("/api/v2/secrets"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Private-Network", "true")
            .send()
            .await
            .expect("preflight");
        assert_eq!(r.headers().get("access-control-allow-private-network").is_some(), granted, "{origin}");
        assert_eq!(r.headers().get("access-control-allow-origin").is_some(), granted, "{origin}");
        assert!(r.headers().get("access-control-allow-credentials").is_none());
    }
}

#[tokio::test]
async fn a_token_in_the_url_is_never_accepted() {
    let dir = TempDir::new("url-token");
    let emu = Emu::start(dir.path(), &["--token", "tok-123"]);
    let c = client();
    for path in ["/api/health/v1/events?access_token=tok-123", "/api/v2/secrets?access_token=tok-123", "/api/health/v1/region?access_token=tok-123"] {
        let r = c.get(emu.url(path)).send().await.expect("get");
        assert_eq!(r.status(), 401, "{path}");
    }
    let r = c.get(emu.url("/api/health/v1/events")).bearer_auth("tok-123").send().await.expect("get");
    assert_eq!(r.status(), 200);
}
