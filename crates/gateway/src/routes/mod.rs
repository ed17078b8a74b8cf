//! The gateway's HTTP surface (`gateway.md`, "What it serves"), with CORS and the body limit.

mod forward;
mod health;
mod token;

use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{map_response, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::Router;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;

use crate::error::ApiError;
use crate::state::SharedApp;

/// Largest request body forwarded (`gateway.md`).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

pub fn router(app: SharedApp) -> Router {
    Router::new()
        .route("/api/v2/{*rest}", any(forward::forward))
        .route("/api/health/v1/region", get(health::region))
        .route("/api/health/v1/events", get(health::events))
        .route("/api/auth/v1/token", post(token::exchange))
        .route("/healthz", get(|| async { "ok" }))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // tower-http answers 413 from Content-Length before a byte is read, and cuts a chunked body
        // off at the limit; the map below gives its 413 the API's error body.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(map_response(error_body_for_413))
        .layer(cors(&app.cfg.allow_origins))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(app)
}

fn loopback_origin(origin: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"].iter().any(|base| match origin.strip_prefix(base) {
        Some("") => true,
        Some(rest) => rest.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|c| c.is_ascii_digit())),
        None => false,
    })
}

/// Only the listed origins (default: loopback ones, like the emulator); never credentials, since the
/// console sends its token in `Authorization`, not in cookies.
pub fn origin_allowed(origin: &str, list: &[String]) -> bool {
    if list.is_empty() {
        loopback_origin(origin)
    } else {
        list.iter().any(|o| o == "*" || o == origin)
    }
}

fn cors(list: &[String]) -> CorsLayer {
    let list = list.to_vec();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |o: &HeaderValue, _| o.to_str().is_ok_and(|o| origin_allowed(o, &list))))
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::PUT, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT, HeaderName::from_static("x-sm-accept-configuration-type")])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
        // Chromium's Private Network Access asks before a public page reaches a private gateway.
        .allow_private_network(true)
}

async fn error_body_for_413(res: Response) -> Response {
    let is_json = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if res.status() == StatusCode::PAYLOAD_TOO_LARGE && !is_json {
        return payload_too_large().into_response();
    }
    res
}

pub fn payload_too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("The request body exceeds {BODY_LIMIT} bytes"))
}

/// One line per request: method, path (never the query, which may carry a token), status, time.
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let start = std::time::Instant::now();
    let res = next.run(req).await;
    tracing::debug!(%method, %path, status = res.status().as_u16(), ms = start.elapsed().as_millis() as u64, "request");
    res
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("No resource at {}", uri.path()))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "The method is not allowed for this resource")
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn origins() {
        let none: Vec<String> = vec![];
        assert!(origin_allowed("http://127.0.0.1:8080", &none));
        assert!(origin_allowed("http://localhost", &none));
        assert!(!origin_allowed("http://localhost.evil.com", &none));
        assert!(!origin_allowed("https://console.example.com", &none));
        let list = vec!["https://console.example.com".to_string()];
        assert!(origin_allowed("https://console.example.com", &list));
        assert!(!origin_allowed("http://127.0.0.1:8080", &list), "an explicit list replaces the loopback default");
    }
}
