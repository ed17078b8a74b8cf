//! The data listener: secrets API v2, health API v1, and the layers every data request passes.

pub mod auth;
pub mod groups;
pub mod health;
pub mod locks;
pub mod secrets;
pub mod versions;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, patch, post, MethodRouter};
use axum::Router;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::state::SharedApp;

/// Largest request body: a 1 MB payload can grow to several MB once JSON-escaped, and anything
/// beyond is refused with 413 while it streams in, never buffered whole.
pub const BODY_LIMIT: usize = 8 * 1024 * 1024;

/// Every data route, one row per operation. The router is built from this table and a test checks it
/// against `openapi.json`, so the document cannot drift from what is served.
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<SharedApp>)> {
    vec![
        (Method::GET, "/api/v2/secrets", get(secrets::list)),
        (Method::POST, "/api/v2/secrets", post(secrets::create)),
        (Method::GET, "/api/v2/secrets/{id}", get(secrets::get_with_data)),
        (Method::DELETE, "/api/v2/secrets/{id}", delete(secrets::delete)),
        (Method::GET, "/api/v2/secrets/{id}/metadata", get(secrets::metadata)),
        (Method::PATCH, "/api/v2/secrets/{id}/metadata", patch(secrets::patch_metadata)),
        (Method::GET, "/api/v2/secrets/{id}/versions", get(versions::list)),
        (Method::POST, "/api/v2/secrets/{id}/versions", post(versions::create)),
        (Method::GET, "/api/v2/secrets/{id}/versions/{version_id}", get(versions::get_with_data)),
        (Method::GET, "/api/v2/secrets/{id}/versions/{version_id}/metadata", get(versions::metadata)),
        (Method::GET, "/api/v2/secrets/{id}/locks", get(locks::list)),
        (Method::POST, "/api/v2/secrets/{id}/locks_bulk", post(locks::create)),
        (Method::DELETE, "/api/v2/secrets/{id}/locks_bulk", delete(locks::delete)),
        (Method::GET, "/api/v2/secrets/{id}/versions/{version_id}/locks", get(locks::list_of_version)),
        (Method::POST, "/api/v2/secrets/{id}/versions/{version_id}/locks_bulk", post(locks::create_on_version)),
        (Method::DELETE, "/api/v2/secrets/{id}/versions/{version_id}/locks_bulk", delete(locks::delete_on_version)),
        (Method::GET, "/api/v2/secret_groups/{group_name}/secret_types/{secret_type}/secrets/{name}", get(secrets::get_by_name)),
        (Method::GET, "/api/v2/secret_groups", get(groups::list)),
        (Method::POST, "/api/v2/secret_groups", post(groups::create)),
        (Method::GET, "/api/v2/secret_groups/{id}", get(groups::get_one)),
        (Method::PATCH, "/api/v2/secret_groups/{id}", patch(groups::patch)),
        (Method::DELETE, "/api/v2/secret_groups/{id}", delete(groups::delete)),
        (Method::GET, "/api/health/v1/region", get(health::region)),
        (Method::GET, "/api/health/v1/events", get(crate::events::events)),
    ]
}

/// Builds a router from a route table; rows sharing a path merge into one method router.
pub fn from_table(rows: Vec<(Method, &'static str, MethodRouter<SharedApp>)>) -> Router<SharedApp> {
    rows.into_iter().fold(Router::new(), |r, (_, path, mr)| r.route(path, mr))
}

pub fn router(app: SharedApp) -> Router {
    let health_api = app.cfg.health_api;
    let served = routes().into_iter().filter(|(_, path, _)| health_api || !path.starts_with("/api/health/")).collect();
    from_table(served)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(app.clone(), crate::faults::middleware))
        .layer(from_fn_with_state(app.clone(), auth::middleware))
        .layer(from_fn_with_state(app.clone(), crate::zones::middleware))
        .layer(crate::cors::layer(&app.cfg.allow_origins))
        .layer(from_fn_with_state(app.clone(), crate::faults::hang_middleware))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(app)
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("No resource at {}", uri.path()))
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "The method is not allowed for this resource")
}

pub const JSON: &str = "application/json";
pub const MERGE_PATCH: &str = "application/merge-patch+json";

/// Whether the request's `Content-Type` is `expected`, ignoring parameters such as `charset` and
/// letter case (RFC 9110 media types are case-insensitive).
pub fn has_media_type(headers: &HeaderMap, expected: &str) -> bool {
    headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case(expected))
}

/// 415 unless the body is declared as `expected`. Checking it is what makes a cross-origin page
/// unable to send a body without a CORS preflight: `text/plain` and form types need none.
pub fn require_media_type(headers: &HeaderMap, expected: &str) -> Result<(), ApiError> {
    if has_media_type(headers, expected) {
        return Ok(());
    }
    let got = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("none");
    // Echo at most a short, printable prefix of what the client sent.
    let got: String = got.chars().take(80).filter(|c| !c.is_control()).collect();
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("The request body must be sent as Content-Type: {expected} (got {got})"),
    ))
}

/// Parses an `application/json` request body into `T`, answering 415/413/400 in the IBM shape.
pub fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    require_media_type(headers, JSON)?;
    parse_body(body)
}

/// Parses an `application/merge-patch+json` body (the PATCH operations of secrets-v2.md).
pub fn merge_patch_body<T: DeserializeOwned>(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    require_media_type(headers, MERGE_PATCH)?;
    parse_body(body)
}

fn parse_body<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("The request body exceeds {BODY_LIMIT} bytes"))
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_request", format!("The request body could not be read: {r}"))
        }
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid_json", format!("The request body is not valid JSON: {e}")))
}

/// Query parameters in order (repeated keys keep the last value, as most servers do).
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(q: Option<&str>) -> Self {
        Params(q.map(|q| form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()).unwrap_or_default())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// A comma-separated list parameter; empty items are dropped.
    pub fn list(&self, key: &str) -> Vec<String> {
        self.get(key).map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()).unwrap_or_default()
    }
}

/// `http://host:port` the client used, for absolute page links.
pub fn origin_of(headers: &HeaderMap, uri: &Uri) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(String::from)
        .or_else(|| uri.authority().map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".into());
    format!("http://{host}")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    const OPENAPI: &str = include_str!("../../openapi.json");

    fn documented() -> BTreeSet<(String, String)> {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
        let mut out = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in ["get", "post", "put", "patch", "delete"] {
                if item.get(method).is_some() {
                    out.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
        out
    }

    #[test]
    fn openapi_lists_exactly_the_served_routes() {
        let served: BTreeSet<(String, String)> = super::routes()
            .into_iter()
            .chain(crate::control::routes())
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .collect();
        let documented = documented();
        let missing: Vec<_> = served.difference(&documented).collect();
        let extra: Vec<_> = documented.difference(&served).collect();
        assert!(missing.is_empty(), "served but not documented: {missing:?}");
        assert!(extra.is_empty(), "documented but not served: {extra:?}");
    }
}
