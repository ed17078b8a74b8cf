//! The runtime configuration (`config.json`, console.md): parsed and validated as pure logic.
//!
//! One build serves every deployment, so nothing here is compiled in. The config is the only thing
//! that decides which APIs the console talks to; no query parameter can change it.

use serde::Deserialize;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionConfig {
    pub id: String,
    pub label: String,
    /// Origin of the region's secrets and health APIs, without a trailing slash.
    pub api: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthMode {
    #[default]
    None,
    Bearer,
    Embed,
    /// The user pastes an IBM Cloud API key; the console exchanges it through a region's gateway
    /// and renews the token itself (console.md, `api::iam`).
    Iam,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub regions: Vec<RegionConfig>,
    pub auth: AuthMode,
    pub allowed_parent_origins: Vec<String>,
}

/// The most regions one console shows side by side. Each region costs a stream, a tick and its
/// own list in memory, and the layout is built for a handful of panels, not dozens.
pub const MAX_REGIONS: usize = 8;

/// Ids the console uses for its own secrets tabs (`#/secrets/all`, `#/secrets/cross`).
const RESERVED_IDS: [&str; 2] = ["all", "cross"];

#[derive(Debug, Clone, Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("config.json could not be loaded: {0}")]
    Fetch(String),
    #[error("config.json is not valid JSON: {0}")]
    Syntax(String),
    #[error("config.json has no regions: add at least one entry to \"regions\"")]
    NoRegions,
    #[error("region #{index} in config.json has an empty \"{field}\"")]
    EmptyField { index: usize, field: &'static str },
    #[error("config.json lists {0} regions; the console shows at most {MAX_REGIONS}")]
    TooManyRegions(usize),
    #[error("region id \"{0}\" is reserved for the console's own secrets tabs (all, cross): rename the region")]
    ReservedId(String),
    #[error("region \"{id}\" appears twice in config.json")]
    DuplicateRegion { id: String },
    #[error("region \"{id}\": \"api\" must be an http(s) origin such as https://host:port, not \"{api}\"")]
    BadApi { id: String, api: String },
    #[error("\"auth.mode\" must be none, bearer, embed or iam, not \"{0}\"")]
    BadAuthMode(String),
    #[error("\"embed.allowed_parent_origins\" entry \"{0}\" is not an origin (scheme://host[:port])")]
    BadParentOrigin(String),
}

#[derive(Deserialize)]
struct RawRegion {
    #[serde(default)]
    id: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    api: String,
}

#[derive(Deserialize, Default)]
struct RawAuth {
    #[serde(default)]
    mode: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawEmbed {
    #[serde(default)]
    allowed_parent_origins: Vec<String>,
}

#[derive(Deserialize)]
struct RawConfig {
    #[serde(default)]
    regions: Vec<RawRegion>,
    #[serde(default)]
    auth: RawAuth,
    #[serde(default)]
    embed: RawEmbed,
}

/// `scheme://host[:port]` with nothing after it: what an origin compares equal to. The one rule,
/// also applied by `scripts/deploy_config.py` (its `is_origin`) to the same trimmed text; both are
/// checked against `tests/fixtures/origins.json`:
/// - the scheme is exactly `http://` or `https://` (lowercase, as browsers serialize origins);
/// - the host is ASCII letters, digits, `-`, `.`, `_`, or an IPv6 literal in brackets (hex, `:`, `.`);
///   non-ASCII names never equal a browser's (punycoded) origin, so they are refused;
/// - an optional `:port` of 1–5 digits; nothing else (no path, query, fragment, user info, spaces).
pub fn is_origin(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")) else { return false };
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else { return false };
        if addr.is_empty() || !addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.') {
            return false;
        }
        match after {
            "" => ("v6", None),
            p => match p.strip_prefix(':') {
                Some(port) => ("v6", Some(port)),
                None => return false,
            },
        }
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    let host_ok = !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    let port_ok = port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    host_ok && port_ok
}

pub fn parse_config(text: &str) -> Result<Config, ConfigError> {
    let raw: RawConfig = serde_json::from_str(text).map_err(|e| ConfigError::Syntax(e.to_string()))?;
    if raw.regions.is_empty() {
        return Err(ConfigError::NoRegions);
    }
    if raw.regions.len() > MAX_REGIONS {
        return Err(ConfigError::TooManyRegions(raw.regions.len()));
    }
    let mut regions: Vec<RegionConfig> = Vec::with_capacity(raw.regions.len());
    for (index, r) in raw.regions.into_iter().enumerate() {
        let id = r.id.trim().to_string();
        if id.is_empty() {
            return Err(ConfigError::EmptyField { index, field: "id" });
        }
        if RESERVED_IDS.iter().any(|r| r.eq_ignore_ascii_case(&id)) {
            return Err(ConfigError::ReservedId(id));
        }
        let api = r.api.trim().trim_end_matches('/').to_string();
        if !is_origin(&api) {
            return Err(ConfigError::BadApi { id, api: r.api });
        }
        if regions.iter().any(|x| x.id == id) {
            return Err(ConfigError::DuplicateRegion { id });
        }
        let label = if r.label.trim().is_empty() { id.clone() } else { r.label.trim().to_string() };
        regions.push(RegionConfig { id, label, api });
    }
    let auth = match raw.auth.mode.as_deref().unwrap_or("none") {
        "none" => AuthMode::None,
        "bearer" => AuthMode::Bearer,
        "embed" => AuthMode::Embed,
        "iam" => AuthMode::Iam,
        other => return Err(ConfigError::BadAuthMode(other.to_string())),
    };
    let mut allowed_parent_origins = Vec::new();
    for o in raw.embed.allowed_parent_origins {
        let o = o.trim().trim_end_matches('/').to_string();
        if !is_origin(&o) {
            return Err(ConfigError::BadParentOrigin(o));
        }
        allowed_parent_origins.push(o);
    }
    Ok(Config { regions, auth, allowed_parent_origins })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared cases `scripts/deploy_config.py` is tested against too (`tests/deploy_config.rs`).
    #[test]
    fn origins_follow_the_shared_rule() {
        let cases: serde_json::Value = serde_json::from_str(include_str!("../tests/fixtures/origins.json")).expect("fixture is JSON");
        for (list, want) in [("valid", true), ("invalid", false)] {
            for case in cases[list].as_array().expect("list") {
                let input = case["input"].as_str().expect("input");
                let normal = input.trim().trim_end_matches('/');
                assert_eq!(is_origin(normal), want, "{input:?} should be {list}");
                if want {
                    assert_eq!(normal, case["origin"].as_str().expect("origin"), "{input:?}");
                }
            }
        }
    }

    const SAMPLE: &str = r#"{
      "regions": [
        {"id": "us-south", "label": "Dallas", "api": "http://127.0.0.1:8101"},
        {"id": "eu-de", "label": "Frankfurt", "api": "http://127.0.0.1:8102/"}
      ],
      "auth": {"mode": "none"},
      "embed": {"allowed_parent_origins": ["https://cloud.example.com"]}
    }"#;

    #[test]
    fn parses_the_contract_example() {
        let c = parse_config(SAMPLE).expect("valid");
        assert_eq!(c.regions.len(), 2);
        assert_eq!(c.regions[1].api, "http://127.0.0.1:8102", "trailing slash trimmed");
        assert_eq!(c.auth, AuthMode::None);
        assert_eq!(c.allowed_parent_origins, vec!["https://cloud.example.com"]);
    }

    #[test]
    fn names_each_problem() {
        assert!(matches!(parse_config("{"), Err(ConfigError::Syntax(_))));
        assert_eq!(parse_config(r#"{"regions":[]}"#), Err(ConfigError::NoRegions));
        assert_eq!(
            parse_config(r#"{"regions":[{"id":"a","api":"ftp://x"}]}"#),
            Err(ConfigError::BadApi { id: "a".into(), api: "ftp://x".into() })
        );
        assert!(matches!(
            parse_config(r#"{"regions":[{"id":"a","api":"https://x/api/v2"}]}"#),
            Err(ConfigError::BadApi { .. })
        ));
        assert_eq!(
            parse_config(r#"{"regions":[{"id":"a","api":"https://x"},{"id":"a","api":"https://y"}]}"#),
            Err(ConfigError::DuplicateRegion { id: "a".into() })
        );
        assert_eq!(
            parse_config(r#"{"regions":[{"id":"a","api":"https://x"}],"auth":{"mode":"magic"}}"#),
            Err(ConfigError::BadAuthMode("magic".into()))
        );
        assert_eq!(
            parse_config(r#"{"regions":[{"id":" ","api":"https://x"}]}"#),
            Err(ConfigError::EmptyField { index: 0, field: "id" })
        );
    }

    #[test]
    fn reads_every_auth_mode() {
        for (name, mode) in [("none", AuthMode::None), ("bearer", AuthMode::Bearer), ("embed", AuthMode::Embed), ("iam", AuthMode::Iam)] {
            let text = format!(r#"{{"regions":[{{"id":"a","api":"https://x"}}],"auth":{{"mode":"{name}"}}}}"#);
            assert_eq!(parse_config(&text).map(|c| c.auth), Ok(mode), "{name}");
        }
        assert!(ConfigError::BadAuthMode("x".into()).to_string().contains("iam"));
    }

    #[test]
    fn label_defaults_to_id() {
        let c = parse_config(r#"{"regions":[{"id":"eu-gb","api":"https://x"}]}"#).expect("valid");
        assert_eq!(c.regions[0].label, "eu-gb");
    }

    #[test]
    fn refuses_the_built_in_tab_ids_and_too_many_regions() {
        for id in ["all", "cross", "ALL"] {
            let text = format!(r#"{{"regions":[{{"id":"{id}","api":"https://x"}}]}}"#);
            assert_eq!(parse_config(&text), Err(ConfigError::ReservedId(id.to_string())));
        }
        let list = |n: usize| {
            let regions: Vec<String> = (0..n).map(|i| format!(r#"{{"id":"r{i}","api":"https://r{i}.example"}}"#)).collect();
            format!(r#"{{"regions":[{}]}}"#, regions.join(","))
        };
        assert!(parse_config(&list(MAX_REGIONS)).is_ok());
        assert_eq!(parse_config(&list(MAX_REGIONS + 1)), Err(ConfigError::TooManyRegions(MAX_REGIONS + 1)));
        assert!(ConfigError::TooManyRegions(9).to_string().contains("at most 8"));
    }
}
