//! IBM IAM: exchanging an API key for an access token (`POST {iam}/identity/token`), mapping IAM's
//! errors onto the secrets API's error body, and when to renew a token.

use std::time::Duration;

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::upstream::transport_reason;

pub const APIKEY_GRANT: &str = "urn:ibm:params:oauth:grant-type:apikey";
/// Renew at this share of a token's life, as IBM's SDKs do.
pub const RENEW_AT: f64 = 0.8;

/// What IAM answers (only the fields the gateway passes on; the refresh token is never read).
#[derive(Deserialize)]
struct IamToken {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    expires_in: i64,
    #[serde(default)]
    expiration: Option<i64>,
}

/// What the gateway answers: IAM's token without the refresh token. `Debug` hides the token.
#[derive(Clone, Serialize)]
pub struct Token {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub expiration: i64,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token").field("expires_in", &self.expires_in).field("expiration", &self.expiration).finish_non_exhaustive()
    }
}

/// How long after receiving a token to renew it: 80 % of its life, at least one second so a
/// misconfigured IAM (zero or negative lifetime) cannot make the caller spin.
pub fn renew_after(expires_in_s: i64) -> Duration {
    let life = expires_in_s.max(0) as f64;
    Duration::from_secs_f64((life * RENEW_AT).max(1.0))
}

/// IAM's error (`errorCode`, `errorMessage`, `context.requestId`) as the secrets API's error body with
/// IAM's status, so the console shows IAM's own words ("Provided API key could not be found").
pub fn map_error(status: u16, body: &[u8]) -> ApiError {
    let status_code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    let v: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |k: &str| v.as_ref().and_then(|v| v.get(k)).and_then(|x| x.as_str()).map(|s| s.chars().take(500).collect::<String>());
    let trace = v.as_ref().and_then(|v| v.pointer("/context/requestId")).and_then(|x| x.as_str()).map(String::from);
    match (field("errorCode"), field("errorMessage")) {
        (code, Some(message)) => ApiError::new(status_code, code.as_deref().unwrap_or("iam_error"), message).with_trace(trace),
        (_, None) => ApiError::new(status_code, "iam_error", format!("IAM answered HTTP {status} without an error message")),
    }
}

#[derive(Clone)]
pub struct IamClient {
    http: reqwest::Client,
    token_url: String,
}

impl IamClient {
    pub fn new(http: reqwest::Client, iam_origin: &str) -> Self {
        IamClient { http, token_url: format!("{}/identity/token", iam_origin.trim_end_matches('/')) }
    }

    /// One exchange. IAM's errors keep IAM's status (400 unknown key, 429 with `Retry-After`, 5xx);
    /// an unreachable IAM is a 502 that says so.
    pub async fn exchange(&self, api_key: &str) -> Result<Token, ApiError> {
        let form: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", APIKEY_GRANT)
            .append_pair("apikey", api_key)
            .append_pair("response_type", "cloud_iam")
            .finish();
        let res = self
            .http
            .post(&self.token_url)
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::ACCEPT, "application/json")
            .body(form)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| ApiError::bad_gateway("iam_unreachable", format!("IAM could not be reached: {}", transport_reason(&e))))?;
        let status = res.status().as_u16();
        let retry_after = res.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<u64>().ok());
        let body = res.bytes().await.map_err(|e| ApiError::bad_gateway("iam_unreachable", format!("IAM's answer was cut off: {}", transport_reason(&e))))?;
        if !(200..300).contains(&status) {
            let mut err = map_error(status, &body);
            if status == 429 {
                err = err.retry_after(retry_after.unwrap_or(1));
            }
            return Err(err);
        }
        let t: IamToken = serde_json::from_slice(&body).map_err(|_| ApiError::bad_gateway("iam_bad_answer", "IAM answered 2xx without a token"))?;
        let now = crate::state::now_s();
        Ok(Token {
            access_token: t.access_token,
            token_type: t.token_type.unwrap_or_else(|| "Bearer".into()),
            expires_in: t.expires_in,
            expiration: t.expiration.unwrap_or(now + t.expires_in),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renews_at_eighty_percent() {
        assert_eq!(renew_after(3600), Duration::from_secs(2880));
        assert_eq!(renew_after(20), Duration::from_secs(16));
        assert_eq!(renew_after(0), Duration::from_secs(1));
        assert_eq!(renew_after(-5), Duration::from_secs(1));
    }

    #[test]
    fn maps_iam_errors() {
        let e = map_error(400, br#"{"errorCode":"BXNIM0415E","errorMessage":"Provided API key could not be found","context":{"requestId":"r-1"}}"#);
        assert_eq!(e.status, StatusCode::BAD_REQUEST);
        assert_eq!(e.code, "BXNIM0415E");
        assert_eq!(e.message, "Provided API key could not be found");
        assert_eq!(e.body().trace, "r-1");
        let e = map_error(503, b"<html>bad gateway</html>");
        assert_eq!(e.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code, "iam_error");
        assert!(e.message.contains("503"));
        let e = map_error(429, br#"{"errorMessage":"slow down"}"#);
        assert_eq!((e.status.as_u16(), e.code.as_str()), (429, "iam_error"));
    }

    #[test]
    fn token_debug_hides_the_token() {
        let t = Token { access_token: "eyJ-secret".into(), token_type: "Bearer".into(), expires_in: 1, expiration: 2 };
        assert!(!format!("{t:?}").contains("eyJ"));
    }
}
