//! IAM's HTTP surface: the token endpoint, and the control listener that injects IAM faults.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use sm_contract::time::format_rfc3339;

use super::jwt::{self, Claims};
use super::{Iam, IamFault, IamMode};
use crate::api::auth::constant_time_eq;
use crate::rng::new_uuid;
use crate::state::now_s;

pub const APIKEY_GRANT: &str = "urn:ibm:params:oauth:grant-type:apikey";

pub fn router(iam: Arc<Iam>) -> Router {
    Router::new()
        .route("/identity/token", post(token))
        .fallback(|| async { iam_error(StatusCode::NOT_FOUND, "BXNIM0404E", "The requested resource was not found") })
        .with_state(iam)
}

pub fn control_router(iam: Arc<Iam>) -> Router {
    Router::new().route("/emulator/v1/iam", get(get_fault).put(put_fault)).with_state(iam)
}

/// IAM's own error shape (not the secrets API's): `errorCode`, `errorMessage`, `context`.
fn iam_error(status: StatusCode, code: &str, message: &str) -> Response {
    let now = format_rfc3339(now_s());
    let body = json!({
        "errorCode": code,
        "errorMessage": message,
        "context": {"requestId": new_uuid(), "requestType": "incoming.OIDC_Token", "startTime": now, "endTime": now, "locale": "en_US"},
    });
    (status, Json(body)).into_response()
}

async fn token(State(iam): State<Arc<Iam>>, headers: HeaderMap, body: Bytes) -> Response {
    let fault = iam.fault();
    match fault.mode {
        IamMode::Up => {}
        IamMode::Slow => tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await,
        IamMode::Down => return iam_error(StatusCode::SERVICE_UNAVAILABLE, "BXNIM0503E", "The service is temporarily unavailable"),
        IamMode::RateLimited => {
            let mut r = iam_error(StatusCode::TOO_MANY_REQUESTS, "BXNIM0429E", "Too many requests, retry later");
            r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            return r;
        }
    }
    let form_ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if !form_ct {
        return iam_error(StatusCode::BAD_REQUEST, "BXNIM0105E", "Unsupported content type, expected application/x-www-form-urlencoded");
    }
    let mut grant = None;
    let mut apikey = None;
    for (k, v) in form_urlencoded::parse(&body) {
        match &*k {
            "grant_type" => grant = Some(v.into_owned()),
            "apikey" => apikey = Some(v.into_owned()),
            _ => {}
        }
    }
    match grant.as_deref() {
        Some(APIKEY_GRANT) => {}
        None | Some("") => return iam_error(StatusCode::BAD_REQUEST, "BXNIM0109E", "Property missing or empty. Property name: 'grant_type'"),
        Some(_) => return iam_error(StatusCode::BAD_REQUEST, "BXNIM0103E", "Unsupported grant type"),
    }
    let Some(apikey) = apikey.filter(|k| !k.is_empty()) else {
        return iam_error(StatusCode::BAD_REQUEST, "BXNIM0109E", "Property missing or empty. Property name: 'apikey'");
    };
    // Every key is compared, so timing says nothing about which (or whether one) matched.
    let found = iam.keys.iter().fold(None, |hit, k| if constant_time_eq(k.key.as_bytes(), apikey.as_bytes()) { Some(k) } else { hit });
    let Some(owner) = found else {
        return iam_error(StatusCode::BAD_REQUEST, "BXNIM0415E", "Provided API key could not be found");
    };
    let now = now_s();
    let claims = Claims {
        iam_id: format!("iam-{}", owner.service_id),
        sub: owner.service_id.clone(),
        sub_type: "ServiceId".into(),
        name: owner.name.clone(),
        iss: jwt::ISSUER.into(),
        grant_type: APIKEY_GRANT.into(),
        scope: "ibm openid".into(),
        iat: now,
        exp: now + iam.ttl_s,
    };
    let access = match jwt::issue(&iam.secret, &claims) {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "cannot sign a token");
            return iam_error(StatusCode::INTERNAL_SERVER_ERROR, "BXNIM0500E", "The token could not be issued");
        }
    };
    let mut res = Json(json!({
        "access_token": access,
        "refresh_token": new_uuid().replace('-', ""),
        "token_type": "Bearer",
        "expires_in": iam.ttl_s,
        "expiration": now + iam.ttl_s,
        "scope": "ibm openid",
    }))
    .into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn get_fault(State(iam): State<Arc<Iam>>) -> Json<IamFault> {
    Json(iam.fault())
}

async fn put_fault(State(iam): State<Arc<Iam>>, body: Bytes) -> Response {
    match serde_json::from_slice::<IamFault>(&body) {
        Ok(f) => {
            iam.set_fault(f);
            Json(f).into_response()
        }
        Err(e) => (StatusCode::BAD_REQUEST, Json(json!({"error": format!("expected {{\"mode\":\"up|down|slow|rate_limited\",\"delay_ms\":N}}: {e}")}))).into_response(),
    }
}
