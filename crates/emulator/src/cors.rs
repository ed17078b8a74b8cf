//! CORS for the data listener: the console runs on another origin.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::state::SharedApp;

const ALLOW_METHODS: &str = "GET, POST, PATCH, DELETE, PUT, OPTIONS";
const ALLOW_HEADERS: &str = "Authorization, Content-Type, Accept";
const EXPOSE_HEADERS: &str = "X-Zone, Retry-After";

/// Default allow-list: any port on the loopback names; extended by `--allow-origin` (`*` = any).
pub fn origin_allowed(origin: &str, extra: &[String]) -> bool {
    let local = ["http://127.0.0.1", "http://localhost"].iter().any(|base| match origin.strip_prefix(base) {
        Some("") => true,
        Some(rest) => rest.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|c| c.is_ascii_digit())),
        None => false,
    });
    local || extra.iter().any(|o| o == "*" || o.trim_end_matches('/') == origin)
}

fn allowed_origin(app: &SharedApp, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let s = origin.to_str().ok()?;
    origin_allowed(s, &app.cfg.allow_origins).then(|| origin.clone())
}

pub async fn middleware(State(app): State<SharedApp>, req: Request, next: Next) -> Response {
    let origin = allowed_origin(&app, req.headers());
    let preflight = req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let asks_private_network = req.headers().get("access-control-request-private-network").is_some_and(|v| v == "true");
    let mut res = if preflight {
        let mut res = StatusCode::NO_CONTENT.into_response();
        if origin.is_some() {
            let h = res.headers_mut();
            h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
            h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
            h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
            // Chromium's Private Network Access asks before a page reaches a loopback server.
            if asks_private_network {
                h.insert("access-control-allow-private-network", HeaderValue::from_static("true"));
            }
        }
        res
    } else {
        next.run(req).await
    };
    let h = res.headers_mut();
    if let Some(o) = origin {
        // Echo the exact origin: `*` is not allowed together with credentials.
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSE_HEADERS));
    }
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list() {
        let none: Vec<String> = vec![];
        assert!(origin_allowed("http://127.0.0.1:8080", &none));
        assert!(origin_allowed("http://localhost:3000", &none));
        assert!(origin_allowed("http://localhost", &none));
        assert!(!origin_allowed("http://localhost.evil.com", &none));
        assert!(!origin_allowed("http://127.0.0.1:80x", &none));
        assert!(!origin_allowed("https://console.example.com", &none));
        assert!(origin_allowed("https://console.example.com", &["https://console.example.com".to_string()]));
        assert!(origin_allowed("https://x.example", &["*".to_string()]));
    }
}
