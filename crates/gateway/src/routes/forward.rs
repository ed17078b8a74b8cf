//! `/api/v2/*`: forwarded to the instance with an allow-list of headers, so nothing the browser adds
//! (cookies, `X-Forwarded-For`, …) reaches IBM, and with the instance's page links rewritten.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::TryStreamExt;

use crate::error::ApiError;
use crate::links::rewrite_page_links;
use crate::state::SharedApp;
use crate::upstream::transport_reason;

/// Request headers that reach the instance; everything else is dropped.
pub const REQUEST_HEADERS: [HeaderName; 4] =
    [header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT, HeaderName::from_static("x-sm-accept-configuration-type")];
/// Response headers passed back (hop-by-hop and the instance's own cookies never are).
const RESPONSE_HEADERS: [HeaderName; 5] =
    [header::CONTENT_TYPE, header::RETRY_AFTER, header::CACHE_CONTROL, HeaderName::from_static("x-correlation-id"), HeaderName::from_static("x-zone")];
/// An answer must be complete within this, so a hung instance is a 502, never a hung console.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(20);
/// A JSON list page is read whole to rewrite its links; beyond this it passes through untouched.
const MAX_REWRITE_BYTES: u64 = 32 * 1024 * 1024;

fn is_length_limit(e: &axum::Error) -> bool {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if s.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        src = s.source();
    }
    false
}

fn copy_headers(from: &HeaderMap, names: &[HeaderName], to: &mut HeaderMap) {
    for name in names {
        for v in from.get_all(name) {
            to.append(name.clone(), v.clone());
        }
    }
}

pub async fn forward(State(app): State<SharedApp>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(b) => b,
        Err(e) if is_length_limit(&e) => return super::payload_too_large().into_response(),
        Err(_) => return ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "The request body could not be read").into_response(),
    };
    if !app.limiter.acquire().await {
        return ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", format!("The gateway sends at most {} requests a second to the instance; retry shortly", app.cfg.upstream_rps))
            .retry_after(1)
            .into_response();
    }
    let path_and_query = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let url = format!("{}{}", app.upstream_origin, path_and_query);
    let mut headers = HeaderMap::new();
    copy_headers(&parts.headers, &REQUEST_HEADERS, &mut headers);
    let mut rb = app.http.request(parts.method.clone(), url).headers(headers).timeout(FORWARD_TIMEOUT);
    if !bytes.is_empty() {
        rb = rb.body(bytes);
    }
    let res = match rb.send().await {
        Ok(r) => r,
        Err(e) => {
            let reason = transport_reason(&e);
            app.report_unreachable(reason.clone());
            tracing::warn!(path = %parts.uri.path(), %reason, "instance unreachable");
            return ApiError::bad_gateway("upstream_unreachable", format!("The {} instance could not be reached: {reason}", app.display_name)).into_response();
        }
    };
    let status = res.status();
    let mut out_headers = HeaderMap::new();
    copy_headers(res.headers(), &RESPONSE_HEADERS, &mut out_headers);
    let json = res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    let small = res.content_length().is_none_or(|n| n <= MAX_REWRITE_BYTES);
    let body = if parts.method == Method::GET && status.is_success() && json && small {
        match res.bytes().await {
            Ok(b) => match rewrite_page_links(&b, &app.upstream_origin) {
                Some(rewritten) => Body::from(rewritten),
                None => Body::from(b),
            },
            Err(e) => {
                let reason = transport_reason(&e);
                return ApiError::bad_gateway("upstream_cut_off", format!("The {} instance's answer was cut off: {reason}", app.display_name)).into_response();
            }
        }
    } else {
        Body::from_stream(res.bytes_stream().map_err(std::io::Error::other))
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = out_headers;
    response
}
