//! `POST /api/auth/v1/token`: the browser cannot call IAM (no CORS there), so the gateway exchanges
//! the API key for it and answers the access token only: never the refresh token, nothing kept.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::error::ApiError;
use crate::state::SharedApp;

pub async fn exchange(State(app): State<SharedApp>, headers: HeaderMap, body: Result<Bytes, axum::extract::rejection::BytesRejection>) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => return super::payload_too_large().into_response(),
        Err(_) => return ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "The request body could not be read").into_response(),
    };
    let form = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if !form {
        return ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "Send the API key as a form: Content-Type application/x-www-form-urlencoded, apikey=…").into_response();
    }
    let Some(key) = form_urlencoded::parse(&body).find(|(k, _)| k == "apikey").map(|(_, v)| v.into_owned()).filter(|k| !k.trim().is_empty()) else {
        return ApiError::new(StatusCode::BAD_REQUEST, "missing_apikey", "The form field apikey is required").into_response();
    };
    match app.iam.exchange(key.trim()).await {
        Ok(token) => {
            let mut res = Json(token).into_response();
            res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(e) => {
            tracing::info!(status = e.status.as_u16(), code = %e.code, "token exchange refused");
            e.into_response()
        }
    }
}
