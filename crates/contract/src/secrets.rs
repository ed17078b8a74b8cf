//! Secrets API v2 shapes (the subset in `secrets-v2.md`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::lenient::{self, LenientVec};

/// The nine secret types. Unknown strings survive as `Other` so a newer server never breaks a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretType {
    Arbitrary,
    IamCredentials,
    ImportedCert,
    Kv,
    PrivateCert,
    PublicCert,
    ServiceCredentials,
    UsernamePassword,
    CustomCredentials,
    #[serde(untagged)]
    Other(String),
}

impl SecretType {
    pub const ALL: [SecretType; 9] = [
        SecretType::Arbitrary,
        SecretType::IamCredentials,
        SecretType::ImportedCert,
        SecretType::Kv,
        SecretType::PrivateCert,
        SecretType::PublicCert,
        SecretType::ServiceCredentials,
        SecretType::UsernamePassword,
        SecretType::CustomCredentials,
    ];

    pub fn as_str(&self) -> &str {
        match self {
            SecretType::Arbitrary => "arbitrary",
            SecretType::IamCredentials => "iam_credentials",
            SecretType::ImportedCert => "imported_cert",
            SecretType::Kv => "kv",
            SecretType::PrivateCert => "private_cert",
            SecretType::PublicCert => "public_cert",
            SecretType::ServiceCredentials => "service_credentials",
            SecretType::UsernamePassword => "username_password",
            SecretType::CustomCredentials => "custom_credentials",
            SecretType::Other(s) => s,
        }
    }

    pub fn parse(s: &str) -> SecretType {
        SecretType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .unwrap_or_else(|| SecretType::Other(s.to_string()))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rotation {
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub auto_rotate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::count")]
    pub interval: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validity {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub not_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub not_after: Option<String>,
}

/// Secret metadata, as in list pages and `GET …/metadata`. `id`, `name` and `secret_type` are
/// required: a secret without them cannot be shown or acted on, so it is skipped (and counted) by
/// [`LenientVec`]. Every other field tolerates a wrong type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretMetadata {
    pub id: String,
    pub name: String,
    pub secret_type: SecretType,
    #[serde(default = "default_group", deserialize_with = "group_or_default")]
    pub secret_group_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub state: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub state_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub crn: Option<String>,
    #[serde(default, deserialize_with = "lenient::or_default")]
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub retrieved_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub downloaded: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::count")]
    pub locks_total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::count")]
    pub versions_total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub custom_metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub rotation: Option<Rotation>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub next_rotation_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub ttl: Option<String>,
    // Certificate fields (imported/public/private certs).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub common_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub alt_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub serial_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub validity: Option<Validity>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub key_algorithm: Option<String>,
    // Credentials fields (iam_credentials, service_credentials).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub access_groups: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub reuse_api_key: Option<bool>,
}

pub const DEFAULT_GROUP: &str = "default";

fn default_group() -> String {
    DEFAULT_GROUP.to_string()
}

fn group_or_default<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient::opt::<D, String>(d)?.unwrap_or_else(default_group))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Href {
    pub href: String,
}

/// One page of `GET /api/v2/secrets`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretsPage {
    #[serde(default, deserialize_with = "lenient::count")]
    pub total_count: Option<u64>,
    #[serde(default, deserialize_with = "lenient::count")]
    pub limit: Option<u64>,
    #[serde(default, deserialize_with = "lenient::count")]
    pub offset: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub first: Option<Href>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub previous: Option<Href>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub next: Option<Href>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub last: Option<Href>,
    /// Required: a 200 without a `secrets` list (an error body sent with 200, say) is not a page.
    pub secrets: LenientVec<SecretMetadata>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretGroup {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretGroupsPage {
    #[serde(default)]
    pub secret_groups: LenientVec<SecretGroup>,
    #[serde(default, deserialize_with = "lenient::count")]
    pub total_count: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionMetadata {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub secret_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub auto_rotated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub downloaded: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub payload_available: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub alias: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub expiration_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionsList {
    #[serde(default)]
    pub versions: LenientVec<VersionMetadata>,
    #[serde(default, deserialize_with = "lenient::count")]
    pub total_count: Option<u64>,
}

/// One lock of IBM's locks API (`GET /api/v2/secrets/{id}/locks`): a name unique per version,
/// attached to one version (`current` or `previous`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretLock {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub secret_version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub secret_version_alias: Option<String>,
}

/// A page of a secret's locks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretLocksPage {
    #[serde(default)]
    pub locks: LenientVec<SecretLock>,
    #[serde(default, deserialize_with = "lenient::count")]
    pub total_count: Option<u64>,
}

/// NIST SP 800-57 state names; `state_description` is compared case-insensitively by callers.
pub fn state_name(state: i64) -> &'static str {
    match state {
        0 => "pre-activation",
        1 => "active",
        2 => "suspended",
        3 => "deactivated",
        5 => "destroyed",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_survives_one_bad_secret() {
        let body = r#"{"total_count":3,"limit":50,"offset":0,
          "first":{"href":"/api/v2/secrets?limit=50"},
          "secrets":[
            {"id":"a","name":"one","secret_type":"arbitrary","labels":["x"],"state":1},
            {"id":7,"name":"bad","secret_type":"kv"},
            {"id":"c","name":"three","secret_type":"future_type","labels":"oops","versions_total":-3}
          ]}"#;
        let page: SecretsPage = serde_json::from_str(body).expect("page parses");
        assert_eq!(page.secrets.items.len(), 2);
        assert_eq!(page.secrets.skipped, 1);
        let c = &page.secrets.items[1];
        assert_eq!(c.secret_type, SecretType::Other("future_type".into()));
        assert!(c.labels.is_empty());
        assert_eq!(c.versions_total, None);
        assert_eq!(c.secret_group_id, "default");
    }

    #[test]
    fn an_error_body_is_not_an_empty_page() {
        let body = r#"{"errors":[{"code":"x","message":"boom"}],"trace":"t","status_code":500}"#;
        assert!(serde_json::from_str::<SecretsPage>(body).is_err());
    }

    #[test]
    fn a_locks_page_keeps_the_good_locks() {
        let body = r#"{"total_count":2,"locks":[{"name":"app","secret_version_alias":"current","attributes":{"k":1}},{"name":5}]}"#;
        let page: SecretLocksPage = serde_json::from_str(body).expect("parses");
        assert_eq!(page.locks.items.len(), 1);
        assert_eq!(page.locks.items[0].name, "app");
        assert_eq!(page.locks.items[0].secret_version_alias.as_deref(), Some("current"));
        assert_eq!(page.total_count, Some(2));
    }

    #[test]
    fn secret_type_round_trips() {
        for t in SecretType::ALL {
            let s = serde_json::to_string(&t).expect("serializes");
            assert_eq!(serde_json::from_str::<SecretType>(&s).expect("parses"), t);
            assert_eq!(SecretType::parse(t.as_str()), t);
        }
    }
}
