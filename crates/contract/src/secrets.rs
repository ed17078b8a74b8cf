//! Secrets API v2 shapes (the subset in `secrets-v2.md`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::lenient::{self, LenientVec, RawList};

/// The nine secret types. Unknown strings survive as `Other` so a newer server never breaks a list.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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

/// Read from a string by hand: the derived form of an enum with an untagged variant buffers the
/// value and tries each variant in turn, once per secret of every page.
impl<'de> Deserialize<'de> for SecretType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = SecretType;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a secret type")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<SecretType, E> {
                Ok(SecretType::parse(s))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rotation {
    #[serde(default, deserialize_with = "lenient::bool_or_false")]
    pub auto_rotate: bool,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::count")]
    pub interval: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validity {
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub not_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
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
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_i64")]
    pub state: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub state_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub crn: Option<String>,
    #[serde(default, deserialize_with = "lenient::strings")]
    pub labels: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub updated_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub retrieved_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub expiration_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_bool")]
    pub downloaded: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::count")]
    pub locks_total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::count")]
    pub versions_total: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub custom_metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub rotation: Option<Rotation>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub next_rotation_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub ttl: Option<String>,
    // Certificate fields (imported/public/private certs).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub common_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_strings")]
    pub alt_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub serial_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt")]
    pub validity: Option<Validity>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub key_algorithm: Option<String>,
    // Credentials fields (iam_credentials, service_credentials).
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_strings")]
    pub access_groups: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_bool")]
    pub reuse_api_key: Option<bool>,
}

pub const DEFAULT_GROUP: &str = "default";

fn default_group() -> String {
    DEFAULT_GROUP.to_string()
}

fn group_or_default<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(lenient::opt_string(d)?.unwrap_or_else(default_group))
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

/// The same page with its secrets not read yet (see [`RawList`]): `RawList::read` reads one as a
/// [`SecretMetadata`]. The console reads pages this way so that no page is one long task.
#[derive(Debug)]
pub struct SecretsPageRaw {
    pub total_count: Option<u64>,
    pub secrets: RawList,
}

impl<'de> Deserialize<'de> for SecretsPageRaw {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Fields {
            #[serde(default, deserialize_with = "lenient::count")]
            total_count: Option<u64>,
            secrets: RawList,
        }
        let f: Fields = lenient::object_only(d)?;
        Ok(SecretsPageRaw { total_count: f.total_count, secrets: f.secrets })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecretGroup {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
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
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub secret_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_bool")]
    pub auto_rotated: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_bool")]
    pub downloaded: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_bool")]
    pub payload_available: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub alias: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
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
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub created_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub created_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
    pub secret_version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "lenient::opt_string")]
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
        assert!(serde_json::from_str::<SecretsPageRaw>(body).is_err());
    }

    #[test]
    fn a_bare_array_is_not_a_page() {
        // What `list_top_level_array` sends: two secrets where the page object belongs.
        let body = r#"[{"id":"a","name":"one","secret_type":"arbitrary"},{"id":"b","name":"two","secret_type":"kv"}]"#;
        assert!(serde_json::from_str::<SecretsPageRaw>(body).is_err());
        assert!(serde_json::from_str::<SecretsPage>(body).is_err());
        let v: Value = serde_json::from_str(body).expect("json");
        assert!(serde_json::from_value::<SecretsPageRaw>(v).is_err());
        // Nor is an array, fields in order, a secret of a page.
        let page: SecretsPage = serde_json::from_str(r#"{"secrets":[["a","one","kv"],{"id":"b","name":"two","secret_type":"kv"}]}"#).expect("page");
        assert_eq!((page.secrets.items.len(), page.secrets.skipped), (1, 1));
        assert_eq!(page.secrets.items[0].id, "b");
    }

    #[test]
    fn a_field_nested_past_any_depth_limit_loses_the_field_not_the_secret() {
        // What `list_deeply_nested` sends: custom_metadata 100,000 levels deep on one secret.
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let body = format!(
            r#"{{"total_count":2,"secrets":[{{"id":"a","name":"one","secret_type":"kv","labels":["x"],"custom_metadata":{{"x":{deep}}}}},{{"id":"b","name":"two","secret_type":"kv"}}]}}"#
        );
        let raw: SecretsPageRaw = serde_json::from_str(&body).expect("raw page parses");
        let read: Vec<SecretMetadata> = raw.secrets.items.iter().filter_map(|r| RawList::read(r)).collect();
        assert_eq!(read.len(), 2, "both secrets read");
        assert_eq!((read[0].name.as_str(), read[0].labels.as_slice(), read[0].custom_metadata.as_ref()), ("one", &["x".to_string()][..], None));
        let page: SecretsPage = serde_json::from_str(&body).expect("page parses");
        assert_eq!((page.secrets.items.len(), page.secrets.skipped), (2, 0));
    }

    #[test]
    fn a_raw_page_reads_to_the_same_secrets_as_a_page() {
        let body = r#"{"total_count":4,"secrets":[
            {"id":"a","name":"one","secret_type":"arbitrary","labels":["x"],"state":1,"custom_metadata":{"k":[1]}},
            {"id":7,"name":"bad","secret_type":"kv"},
            {"id":"b","name":"two","secret_type":5},
            {"id":"c","name":"three","secret_type":"kv","rotation":{"auto_rotate":"yes","interval":3}}]}"#;
        let page: SecretsPage = serde_json::from_str(body).expect("page parses");
        let raw: SecretsPageRaw = serde_json::from_str(body).expect("raw page parses");
        assert_eq!(raw.total_count, Some(4));
        assert_eq!(raw.secrets.items.len(), 4);
        let read: Vec<SecretMetadata> = raw.secrets.items.iter().filter_map(|r| RawList::read(r)).collect();
        assert_eq!(read, page.secrets.items);
        assert_eq!((page.secrets.items.len(), page.secrets.skipped), (2, 2), "a non-string type is no secret");
        assert_eq!(read[1].rotation.as_ref().map(|r| (r.auto_rotate, r.interval)), Some((false, Some(3))));
        let not_a_list: SecretsPageRaw = serde_json::from_str(r#"{"secrets":{"id":"a"}}"#).expect("parses");
        assert_eq!((not_a_list.secrets.items.len(), not_a_list.secrets.skipped), (0, 1));
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
