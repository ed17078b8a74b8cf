//! Forwarding through a real gateway to a real emulator (and, where the test must see exactly what
//! arrived upstream, to a recording server in the test).

mod common;

use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn send(c: &reqwest::Client, m: Method, url: &str, body: Option<Value>) -> (u16, Value) {
    let mut rb = c.request(m, url);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.expect("request");
    let s = r.status().as_u16();
    let t = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&t).unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_v2_operation_the_console_uses_and_page_links() {
    let tmp = TempDir::new("fwd");
    let region = Region::start(&tmp, "us-south", &["--seed", "30"]);
    let gw = Gateway::start(&tmp, "us-south", &region.data, &tmp.join("gw"), &[]);
    let c = client();

    // Lists: the instance's absolute links become the gateway's own paths.
    let (s, direct) = get_json(&c, &format!("{}/api/v2/secrets?limit=10&offset=10", region.data)).await;
    assert_eq!(s, 200);
    assert!(direct["next"]["href"].as_str().is_some_and(|h| h.starts_with(&region.data)), "the emulator writes absolute links: {}", direct["next"]);
    let (s, page) = get_json(&c, &gw.url("/api/v2/secrets?limit=10&offset=10")).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["secrets"].as_array().map(Vec::len), Some(10));
    assert_eq!(page["total_count"], direct["total_count"]);
    for link in ["first", "previous", "next", "last"] {
        let href = page[link]["href"].as_str().unwrap_or_else(|| panic!("{link} missing: {page}"));
        assert!(href.starts_with("/api/v2/secrets?"), "{link}: {href}");
        let (s, _) = get_json(&c, &gw.url(href)).await;
        assert_eq!(s, 200, "following {link} through the gateway");
    }
    let (s, groups) = get_json(&c, &gw.url("/api/v2/secret_groups")).await;
    assert_eq!(s, 200);
    assert!(groups["secret_groups"].as_array().is_some_and(|g| !g.is_empty()), "{groups}");

    // Create, read (metadata and value), edit, rotate, versions, delete.
    let (s, made) = send(&c, Method::POST, &gw.url("/api/v2/secrets"), Some(json!({"secret_type":"arbitrary","name":"via-gateway","payload":"p1","labels":["gw"]}))).await;
    assert_eq!(s, 201, "{made}");
    let id = made["id"].as_str().expect("id").to_string();
    let (s, meta) = get_json(&c, &gw.url(&format!("/api/v2/secrets/{id}/metadata"))).await;
    assert_eq!((s, meta["name"].as_str()), (200, Some("via-gateway")));
    let (s, full) = get_json(&c, &gw.url(&format!("/api/v2/secrets/{id}"))).await;
    assert_eq!((s, full["payload"].as_str()), (200, Some("p1")));
    let (s, patched) = send(&c, Method::PATCH, &gw.url(&format!("/api/v2/secrets/{id}/metadata")), Some(json!({"description":"edited"}))).await;
    assert_eq!((s, patched["description"].as_str()), (200, Some("edited")), "{patched}");
    let (s, v2) = send(&c, Method::POST, &gw.url(&format!("/api/v2/secrets/{id}/versions")), Some(json!({"payload":"p2"}))).await;
    assert_eq!(s, 201, "{v2}");
    let (s, versions) = get_json(&c, &gw.url(&format!("/api/v2/secrets/{id}/versions"))).await;
    assert_eq!(s, 200);
    assert_eq!(versions["versions"].as_array().map(Vec::len), Some(2), "{versions}");
    let vid = v2["id"].as_str().expect("version id");
    let (s, vm) = get_json(&c, &gw.url(&format!("/api/v2/secrets/{id}/versions/{vid}/metadata"))).await;
    assert_eq!(s, 200, "{vm}");
    let (s, vd) = get_json(&c, &gw.url(&format!("/api/v2/secrets/{id}/versions/{vid}"))).await;
    assert_eq!((s, vd["payload"].as_str()), (200, Some("p2")));
    let (s, g) = send(&c, Method::POST, &gw.url("/api/v2/secret_groups"), Some(json!({"name":"gw-group"}))).await;
    assert_eq!(s, 201, "{g}");
    let gid = g["id"].as_str().expect("group id");
    let (s, _) = send(&c, Method::PATCH, &gw.url(&format!("/api/v2/secret_groups/{gid}")), Some(json!({"description":"d"}))).await;
    assert_eq!(s, 200);
    let (s, _) = send(&c, Method::DELETE, &gw.url(&format!("/api/v2/secret_groups/{gid}")), None).await;
    assert_eq!(s, 204);
    let (s, _) = send(&c, Method::DELETE, &gw.url(&format!("/api/v2/secrets/{id}")), None).await;
    assert_eq!(s, 204);

    // The instance's errors come back unchanged.
    let (s, err) = get_json(&c, &gw.url(&format!("/api/v2/secrets/{id}/metadata"))).await;
    assert_eq!(s, 404);
    assert_eq!(err["status_code"], 404, "{err}");
    let (s, err) = send(&c, Method::POST, &gw.url("/api/v2/secrets"), Some(json!({"secret_type":"arbitrary","name":"x","payload":"p"}))).await;
    assert_eq!((s, err["errors"][0]["target"]["name"].as_str()), (400, Some("name")), "{err}");

    // Not ours: a clear 404 in the API's error shape, and the gateway's own liveness.
    let (s, err) = get_json(&c, &gw.url("/api/v3/anything")).await;
    assert_eq!(s, 404);
    assert!(err["errors"][0]["message"].as_str().is_some_and(|m| m.contains("/api/v3/anything")), "{err}");
    let r = c.get(gw.url("/healthz")).send().await.expect("healthz");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap_or_default(), "ok");
}

#[derive(Default)]
struct Seen {
    requests: Vec<HeaderMap>,
}

/// An upstream that records the headers it receives and answers a page with absolute links on its
/// own origin, plus a cookie the gateway must not pass back.
async fn recording_upstream() -> (String, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let origin = format!("http://{}", listener.local_addr().expect("addr"));
    let (s2, o2) = (seen.clone(), origin.clone());
    let app = axum::Router::new().fallback(move |headers: HeaderMap| {
        let (seen, origin) = (s2.clone(), o2.clone());
        async move {
            seen.lock().expect("lock").requests.push(headers);
            let body = json!({"total_count": 1, "limit": 1, "offset": 0, "first": {"href": format!("{origin}/api/v2/secrets?limit=1")}, "secrets": []});
            ([("content-type", "application/json"), ("set-cookie", "session=upstream"), ("x-correlation-id", "corr-1")], body.to_string())
        }
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (origin, seen)
}

#[tokio::test]
async fn header_allow_list_cors_and_body_limit() {
    let tmp = TempDir::new("hdr");
    let (upstream, seen) = recording_upstream().await;
    let gw = Gateway::start(&tmp, "us-south", &upstream, &tmp.join("gw"), &["--probe-every-ms", "60000"]);
    let c = client();
    let probes = seen.lock().expect("lock").requests.len();

    let r = c
        .get(gw.url("/api/v2/secrets?limit=1"))
        .header("Authorization", "Bearer t-1")
        .header("Cookie", "session=browser")
        .header("X-Forwarded-For", "203.0.113.9")
        .header("X-Sm-Accept-Configuration-Type", "public_cert_configuration_dns_cloud_internet_services")
        .header("Origin", "http://127.0.0.1:8080")
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("set-cookie").is_none(), "the instance's cookies stay upstream");
    assert_eq!(r.headers().get("x-correlation-id").and_then(|v| v.to_str().ok()), Some("corr-1"));
    assert_eq!(r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("http://127.0.0.1:8080"));
    assert!(r.headers().get("access-control-allow-credentials").is_none());
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["first"]["href"], "/api/v2/secrets?limit=1");
    {
        let s = seen.lock().expect("lock");
        let h = s.requests.last().expect("the request reached the upstream");
        assert_eq!(h.get("authorization").and_then(|v| v.to_str().ok()), Some("Bearer t-1"));
        assert!(h.get("x-sm-accept-configuration-type").is_some());
        for dropped in ["cookie", "x-forwarded-for", "origin"] {
            assert!(h.get(dropped).is_none(), "{dropped} reached the upstream: {h:?}");
        }
    }

    // CORS preflights: loopback origins by default, never credentials; others get nothing.
    let pre = |origin: &'static str| {
        c.request(Method::OPTIONS, gw.url("/api/v2/secrets"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .send()
    };
    let ok = pre("http://localhost:3000").await.expect("preflight");
    assert_eq!(ok.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()), Some("http://localhost:3000"));
    assert!(ok.headers().get("access-control-allow-headers").and_then(|v| v.to_str().ok()).is_some_and(|v| v.to_ascii_lowercase().contains("authorization")));
    assert!(ok.headers().get("access-control-allow-credentials").is_none());
    let refused = pre("https://evil.example").await.expect("preflight");
    assert!(refused.headers().get("access-control-allow-origin").is_none());

    // 3 MB bodies: 413 in the error shape, and the upstream never sees them.
    let before = seen.lock().expect("lock").requests.len();
    let big = vec![b'a'; 3 * 1024 * 1024];
    let r = c.post(gw.url("/api/v2/secrets")).header("Content-Type", "application/json").body(big.clone()).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 413);
    let err: Value = r.json().await.expect("error body");
    assert_eq!(err["errors"][0]["code"], "payload_too_large", "{err}");
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = big.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let r = c
        .post(gw.url("/api/v2/secrets"))
        .header("Content-Type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .expect("request");
    assert_eq!(r.status().as_u16(), 413, "a chunked body is cut off at the limit too");
    assert_eq!(seen.lock().expect("lock").requests.len(), before, "nothing over the limit was forwarded");
    assert!(before > probes, "the probe and the request went through");
}

#[tokio::test]
async fn an_explicit_origin_list_replaces_the_loopback_default() {
    let tmp = TempDir::new("cors");
    let (upstream, _seen) = recording_upstream().await;
    let gw = Gateway::start(&tmp, "eu-de", &upstream, &tmp.join("gw"), &["--allow-origin", "https://console.example.com"]);
    let c = client();
    for (origin, allowed) in [("https://console.example.com", true), ("http://127.0.0.1:8080", false), ("https://console.example.com.evil", false)] {
        let r = c
            .request(Method::OPTIONS, gw.url("/api/health/v1/region"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .send()
            .await
            .expect("preflight");
        assert_eq!(r.headers().get("access-control-allow-origin").is_some(), allowed, "{origin}");
    }
}
