//! The IBM API Handbook error body, used by both APIs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorTarget {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more_info: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "crate::lenient::opt")]
    pub target: Option<ErrorTarget>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub errors: Vec<ApiError>,
    pub trace: String,
    pub status_code: u16,
}

impl ErrorBody {
    pub fn new(status_code: u16, code: &str, message: impl Into<String>, trace: impl Into<String>) -> Self {
        Self {
            errors: vec![ApiError { code: code.into(), message: message.into(), more_info: None, target: None }],
            trace: trace.into(),
            status_code,
        }
    }

    pub fn with_target(mut self, kind: &str, name: &str) -> Self {
        if let Some(e) = self.errors.first_mut() {
            e.target = Some(ErrorTarget { kind: kind.into(), name: name.into() });
        }
        self
    }
}

/// What a client can say about a failed response, read the way `secrets-v2.md` prescribes:
/// `errors[0].message`, then `error`, `message`, `errorMessage`. Never fails: an unreadable body
/// simply yields nothing and the caller falls back to the HTTP status text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ErrorSummary {
    pub message: Option<String>,
    pub code: Option<String>,
    pub target: Option<ErrorTarget>,
    pub trace: Option<String>,
}

/// Longest message we keep: a hostile server may put megabytes in `message`.
const MAX_MESSAGE_CHARS: usize = 500;

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

impl ErrorSummary {
    pub fn from_body(body: &str) -> Self {
        let Ok(v) = serde_json::from_str::<Value>(body) else {
            return Self::default();
        };
        let str_at = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(clip);
        let first = v.get("errors").and_then(Value::as_array).and_then(|a| a.first());
        let message = first
            .and_then(|e| str_at(e, "message"))
            .or_else(|| str_at(&v, "error"))
            .or_else(|| str_at(&v, "message"))
            .or_else(|| str_at(&v, "errorMessage"));
        Self {
            message,
            code: first.and_then(|e| str_at(e, "code")),
            target: first
                .and_then(|e| e.get("target"))
                .and_then(|t| serde_json::from_value(t.clone()).ok()),
            trace: str_at(&v, "trace"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ibm_shape_first() {
        let s = ErrorSummary::from_body(
            r#"{"errors":[{"code":"bad_name","message":"name too short","target":{"type":"field","name":"name"}}],"trace":"t-1","status_code":400}"#,
        );
        assert_eq!(s.message.as_deref(), Some("name too short"));
        assert_eq!(s.target.map(|t| t.name), Some("name".to_string()));
        assert_eq!(s.trace.as_deref(), Some("t-1"));
    }

    #[test]
    fn falls_back_through_the_documented_keys() {
        assert_eq!(ErrorSummary::from_body(r#"{"error":"e1"}"#).message.as_deref(), Some("e1"));
        assert_eq!(ErrorSummary::from_body(r#"{"message":"m1"}"#).message.as_deref(), Some("m1"));
        assert_eq!(ErrorSummary::from_body(r#"{"errorMessage":"x"}"#).message.as_deref(), Some("x"));
        assert_eq!(ErrorSummary::from_body("<html>proxy</html>"), ErrorSummary::default());
    }

    #[test]
    fn clips_huge_messages() {
        let body = format!(r#"{{"message":"{}"}}"#, "a".repeat(10_000));
        let m = ErrorSummary::from_body(&body).message.expect("message");
        assert!(m.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }
}
