//! Field limits of Secrets Manager v2, answered as 400 with the offending field as `target`.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use crate::error::ApiError;

pub const MAX_PAYLOAD: usize = 1024 * 1024;
pub const MAX_KV: usize = 512 * 1024;
pub const MAX_CUSTOM_METADATA: usize = 10 * 1024;

/// IBM's published pattern for secret and group names.
static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9_]*(?:_*-*\.*[A-Za-z0-9]+)*$").expect("static pattern compiles")
});

pub fn name(field: &str, v: &str, max: usize) -> Result<(), ApiError> {
    let n = v.chars().count();
    if n < 2 || n > max {
        return Err(ApiError::bad_field(field, format!("{field} must be 2 to {max} characters long")));
    }
    if !NAME.is_match(v) {
        return Err(ApiError::bad_field(
            field,
            format!("{field} may contain only letters, digits, '_', '-' and '.', and must start with a letter, digit or '_'"),
        ));
    }
    Ok(())
}

pub fn description(v: &str) -> Result<(), ApiError> {
    if v.chars().count() > 1024 {
        return Err(ApiError::bad_field("description", "description must be at most 1024 characters long"));
    }
    Ok(())
}

pub fn labels(v: &[String]) -> Result<(), ApiError> {
    if v.len() > 30 {
        return Err(ApiError::bad_field("labels", "at most 30 labels are allowed"));
    }
    if let Some(bad) = v.iter().find(|l| !(2..=64).contains(&l.chars().count())) {
        return Err(ApiError::bad_field("labels", format!("label {bad:?} must be 2 to 64 characters long")));
    }
    Ok(())
}

pub fn custom_metadata(v: &Map<String, Value>) -> Result<(), ApiError> {
    if Value::Object(v.clone()).to_string().len() > MAX_CUSTOM_METADATA {
        return Err(ApiError::bad_field("custom_metadata", "custom_metadata must be at most 10 KB"));
    }
    Ok(())
}

pub fn payload(v: &str) -> Result<(), ApiError> {
    if v.is_empty() {
        return Err(ApiError::bad_field("payload", "payload must not be empty"));
    }
    if v.len() > MAX_PAYLOAD {
        return Err(ApiError::bad_field("payload", "payload must be at most 1 MB"));
    }
    Ok(())
}

pub fn kv(v: &Map<String, Value>) -> Result<(), ApiError> {
    if v.is_empty() {
        return Err(ApiError::bad_field("data", "data must have at least one key"));
    }
    if Value::Object(v.clone()).to_string().len() > MAX_KV {
        return Err(ApiError::bad_field("data", "data must be at most 512 KB"));
    }
    Ok(())
}

pub fn timestamp(field: &str, v: &str) -> Result<i64, ApiError> {
    sm_contract::time::parse_rfc3339(v).ok_or_else(|| ApiError::bad_field(field, format!("{field} must be an RFC 3339 date-time")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["ab", "payments-db-password", "a_b.c", "_x1", "db.prod-2"] {
            assert!(name("name", ok, 256).is_ok(), "{ok}");
        }
        for bad in ["a", "-ab", "a b", "<script>", "ab-", &"a".repeat(257)] {
            assert!(name("name", bad, 256).is_err(), "{bad}");
        }
    }

    #[test]
    fn limits() {
        assert!(labels(&vec!["ok".to_string(); 30]).is_ok());
        assert!(labels(&vec!["ok".to_string(); 31]).is_err());
        assert!(labels(&["x".to_string()]).is_err());
        assert!(description(&"d".repeat(1025)).is_err());
        assert!(payload(&"p".repeat(MAX_PAYLOAD + 1)).is_err());
    }
}
