//! CORS for the data listener (the console runs on another origin), with tower-http's `CorsLayer`.
//!
//! Never with credentials: the console authenticates with an `Authorization` header it sets itself,
//! never with cookies, so no origin is ever told that credentialed requests may read responses.
//! `--allow-origin '*'` answers `Access-Control-Allow-Origin: *` (which browsers never honour for
//! credentialed requests) instead of reflecting whatever origin asked.

use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, AllowPrivateNetwork, CorsLayer};

const ALLOW_METHODS: [Method; 6] = [Method::GET, Method::POST, Method::PATCH, Method::DELETE, Method::PUT, Method::OPTIONS];
const ALLOW_HEADERS: [HeaderName; 3] = [header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT];

/// Default allow-list: any port on the loopback names; extended by `--allow-origin` (`*` = any).
pub fn origin_allowed(origin: &str, extra: &[String]) -> bool {
    let local = ["http://127.0.0.1", "http://localhost"].iter().any(|base| match origin.strip_prefix(base) {
        Some("") => true,
        Some(rest) => rest.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|c| c.is_ascii_digit())),
        None => false,
    });
    local || extra.iter().any(|o| o == "*" || o.trim_end_matches('/') == origin)
}

pub fn layer(extra: &[String]) -> CorsLayer {
    let extra: Arc<Vec<String>> = Arc::new(extra.to_vec());
    let any = extra.iter().any(|o| o == "*");
    let allowed = {
        let extra = extra.clone();
        move |origin: &HeaderValue| origin.to_str().is_ok_and(|o| origin_allowed(o, &extra))
    };
    let origins = if any { AllowOrigin::any() } else { AllowOrigin::predicate({
        let allowed = allowed.clone();
        move |origin, _| allowed(origin)
    }) };
    CorsLayer::new()
        .allow_origin(origins)
        .allow_methods(ALLOW_METHODS)
        .allow_headers(ALLOW_HEADERS)
        .expose_headers([HeaderName::from_static("x-zone"), header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
        // Chromium's Private Network Access asks before a page reaches a loopback server; only the
        // origins allowed above are told yes.
        .allow_private_network(AllowPrivateNetwork::predicate(move |origin, _| allowed(origin)))
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
