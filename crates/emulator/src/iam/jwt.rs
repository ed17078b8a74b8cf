//! Access tokens of the emulated IAM: JWTs signed with a secret shared by the IAM process and the
//! regions started with `--iam-signing-secret`, so a region validates a token locally (signature and
//! `exp`) without calling IAM per request, as a real service does with IAM's public keys.
//!
//! Real IAM signs with RS256 and publishes its keys; a shared HS256 secret keeps the emulator free of
//! key distribution while exercising the same checks.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "https://iam.cloud.ibm.com/identity";

/// The claims IAM puts in a service ID's access token (the subset anything here reads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claims {
    pub iam_id: String,
    pub sub: String,
    pub sub_type: String,
    pub name: String,
    pub iss: String,
    pub grant_type: String,
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
}

/// A signing secret; `Debug` never prints it.
#[derive(Clone)]
pub struct SigningSecret(String);

impl SigningSecret {
    pub fn new(s: String) -> Option<Self> {
        (!s.is_empty()).then_some(SigningSecret(s))
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(…)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TokenError {
    #[error("the access token has expired")]
    Expired,
    #[error("the access token is not a token issued by IAM")]
    Invalid,
}

pub fn issue(secret: &SigningSecret, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
    encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.0.as_bytes()))
}

/// Checks signature, issuer and expiry at `now` (Unix seconds), with no leeway: an expired token is
/// refused the second it expires, so clients must renew before, as they must with IBM.
pub fn verify(secret: &SigningSecret, token: &str, now: i64) -> Result<Claims, TokenError> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_issuer(&[ISSUER]);
    // `exp` is checked below against our clock, so tests can pin time.
    v.validate_exp = false;
    v.set_required_spec_claims(&["exp", "iss"]);
    let data = decode::<Claims>(token, &DecodingKey::from_secret(secret.0.as_bytes()), &v).map_err(|_| TokenError::Invalid)?;
    if data.claims.exp <= now {
        return Err(TokenError::Expired);
    }
    Ok(data.claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            iam_id: "iam-ServiceId-1".into(),
            sub: "ServiceId-1".into(),
            sub_type: "ServiceId".into(),
            name: "probe".into(),
            iss: ISSUER.into(),
            grant_type: "urn:ibm:params:oauth:grant-type:apikey".into(),
            scope: "ibm openid".into(),
            iat: exp - 3600,
            exp,
        }
    }

    #[test]
    fn round_trip_and_expiry() {
        let s = SigningSecret::new("s3cret".into()).expect("non-empty");
        let t = issue(&s, &claims(1_000)).expect("signs");
        assert_eq!(verify(&s, &t, 999).map(|c| c.exp), Ok(1_000));
        assert_eq!(verify(&s, &t, 1_000), Err(TokenError::Expired));
    }

    #[test]
    fn refuses_other_signers_and_garbage() {
        let s = SigningSecret::new("s3cret".into()).expect("non-empty");
        let other = SigningSecret::new("other".into()).expect("non-empty");
        let t = issue(&other, &claims(1_000)).expect("signs");
        assert_eq!(verify(&s, &t, 0), Err(TokenError::Invalid));
        assert_eq!(verify(&s, "not.a.jwt", 0), Err(TokenError::Invalid));
        let mut wrong_iss = claims(1_000);
        wrong_iss.iss = "https://evil.example".into();
        assert_eq!(verify(&s, &issue(&s, &wrong_iss).expect("signs"), 0), Err(TokenError::Invalid));
        assert!(format!("{s:?}").find("s3cret").is_none());
    }
}
