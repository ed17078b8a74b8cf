//! The iframe embedding protocol of console.md, as pure logic: which messages to accept and what
//! they say, and the exact shape of what the console sends.
//!
//! Messages are flat objects: `{"type": "regional-console:init", "token": "…", "theme": "dark"}`.
//! A parent that wraps the fields in `"payload"` is understood too.

use serde_json::{json, Map, Value};
use thiserror::Error;

pub const PREFIX: &str = "regional-console:";
pub const PROTOCOL_VERSION: u32 = 1;
/// Tokens longer than this are refused: no IAM token is anywhere near it.
const MAX_TOKEN_CHARS: usize = 16 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    Init { token: Option<String>, theme: Option<Theme>, region: Option<String> },
    Token(String),
    Theme(Theme),
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmbedError {
    #[error("not a regional-console message")]
    NotOurs,
    #[error("unknown message type {0}")]
    UnknownType(String),
    #[error("field {0} is missing or invalid")]
    BadField(&'static str),
}

/// Whether a message event may be acted on: exactly an allowed origin, and sent by our own parent
/// window (not a sibling frame or a popup that happens to share the origin).
pub fn accept(origin: &str, allowed: &[String], source_is_parent: bool) -> bool {
    source_is_parent && allowed.iter().any(|a| a == origin)
}

fn field<'a>(msg: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    msg.get(name).or_else(|| msg.get("payload").and_then(|p| p.get(name)))
}

fn theme(v: Option<&Value>) -> Result<Option<Theme>, EmbedError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s == "light" => Ok(Some(Theme::Light)),
        Some(Value::String(s)) if s == "dark" => Ok(Some(Theme::Dark)),
        Some(_) => Err(EmbedError::BadField("theme")),
    }
}

fn token(v: Option<&Value>) -> Result<Option<String>, EmbedError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let t = s.trim();
            if t.is_empty() || t.chars().count() > MAX_TOKEN_CHARS || t.chars().any(char::is_control) {
                Err(EmbedError::BadField("token"))
            } else {
                Ok(Some(t.to_string()))
            }
        }
        Some(_) => Err(EmbedError::BadField("token")),
    }
}

pub fn parse(data: &Value) -> Result<Inbound, EmbedError> {
    let msg = data.as_object().ok_or(EmbedError::NotOurs)?;
    let kind = msg.get("type").and_then(Value::as_str).ok_or(EmbedError::NotOurs)?;
    let kind = kind.strip_prefix(PREFIX).ok_or(EmbedError::NotOurs)?;
    match kind {
        "init" => Ok(Inbound::Init {
            token: token(field(msg, "token"))?,
            theme: theme(field(msg, "theme"))?,
            region: field(msg, "region").and_then(Value::as_str).map(|r| r.chars().take(64).collect()),
        }),
        "token" => token(field(msg, "token"))?.map(Inbound::Token).ok_or(EmbedError::BadField("token")),
        "theme" => theme(field(msg, "theme"))?.map(Inbound::Theme).ok_or(EmbedError::BadField("theme")),
        other => Err(EmbedError::UnknownType(other.chars().take(40).collect())),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outbound {
    Ready,
    AuthRequired { region: String },
    Resize { height: u32 },
    Navigate { path: String },
}

impl Outbound {
    pub fn to_json(&self) -> Value {
        match self {
            Outbound::Ready => json!({"type": "regional-console:ready", "version": PROTOCOL_VERSION}),
            Outbound::AuthRequired { region } => json!({"type": "regional-console:auth-required", "region": region}),
            Outbound::Resize { height } => json!({"type": "regional-console:resize", "height": height}),
            Outbound::Navigate { path } => json!({"type": "regional-console:navigate", "path": path}),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_allowed_origins_from_the_parent() {
        let allowed = vec!["https://cloud.example.com".to_string()];
        assert!(accept("https://cloud.example.com", &allowed, true));
        assert!(!accept("https://cloud.example.com", &allowed, false), "a sibling frame");
        assert!(!accept("https://cloud.example.com.evil.test", &allowed, true));
        assert!(!accept("http://cloud.example.com", &allowed, true));
        assert!(!accept("null", &allowed, true));
        assert!(!accept("https://cloud.example.com", &[], true));
    }

    #[test]
    fn parses_the_documented_messages() {
        let init = json!({"type":"regional-console:init","token":" abc ","theme":"dark","region":"eu-de"});
        assert_eq!(
            parse(&init),
            Ok(Inbound::Init { token: Some("abc".into()), theme: Some(Theme::Dark), region: Some("eu-de".into()) })
        );
        assert_eq!(parse(&json!({"type":"regional-console:init"})), Ok(Inbound::Init { token: None, theme: None, region: None }));
        assert_eq!(parse(&json!({"type":"regional-console:token","payload":{"token":"t2"}})), Ok(Inbound::Token("t2".into())));
        assert_eq!(parse(&json!({"type":"regional-console:theme","theme":"light"})), Ok(Inbound::Theme(Theme::Light)));
    }

    #[test]
    fn refuses_what_is_not_ours_or_malformed() {
        assert_eq!(parse(&json!("regional-console:init")), Err(EmbedError::NotOurs));
        assert_eq!(parse(&json!({"type":"webpackOk"})), Err(EmbedError::NotOurs));
        assert_eq!(parse(&json!({"type":"regional-console:exec"})), Err(EmbedError::UnknownType("exec".into())));
        assert_eq!(parse(&json!({"type":"regional-console:theme","theme":"neon"})), Err(EmbedError::BadField("theme")));
        assert_eq!(parse(&json!({"type":"regional-console:token","token":""})), Err(EmbedError::BadField("token")));
        assert_eq!(parse(&json!({"type":"regional-console:token","token":"a\nb"})), Err(EmbedError::BadField("token")));
        assert_eq!(parse(&json!({"type":"regional-console:token","token":5})), Err(EmbedError::BadField("token")));
    }

    #[test]
    fn outbound_shapes() {
        assert_eq!(Outbound::Ready.to_json(), json!({"type":"regional-console:ready","version":1}));
        assert_eq!(
            Outbound::Resize { height: 812 }.to_json(),
            json!({"type":"regional-console:resize","height":812})
        );
        assert_eq!(
            Outbound::AuthRequired { region: "us-south".into() }.to_json()["type"],
            json!("regional-console:auth-required")
        );
    }
}
