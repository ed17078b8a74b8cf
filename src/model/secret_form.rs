//! Create, edit and rotate forms: validation that mirrors the API's limits (secrets-v2.md), and
//! the request bodies. Pure, so every limit is tested natively; the API still has the last word.

use serde_json::{json, Map, Value};
use sm_contract::time::{format_rfc3339, parse_rfc3339};
use sm_contract::SecretMetadata;

use super::redacted::Redacted;

pub const MAX_NAME: usize = 256;
pub const MAX_GROUP_NAME: usize = 64;
pub const MAX_DESCRIPTION: usize = 1024;
pub const MAX_LABELS: usize = 30;
pub const MAX_PAYLOAD: usize = 1024 * 1024;
pub const MAX_KV: usize = 512 * 1024;
pub const MAX_CUSTOM_METADATA: usize = 10 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The API's field name (`target.name` in its errors), so server and client errors land on
    /// the same input.
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError { field, message: message.into() }
}

/// IBM's name pattern `^[A-Za-z0-9_][A-Za-z0-9_]*(?:_*-*\.*[A-Za-z0-9]+)*$`, without a regex
/// engine in the wasm: word runs separated by `_*-*.*` runs that must be followed by a letter or
/// digit.
pub fn valid_name_chars(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else { return false };
    if !(first.is_ascii_alphanumeric() || first == b'_') {
        return false;
    }
    if !b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')) {
        return false;
    }
    let rank = |c: u8| match c {
        b'_' => 0,
        b'-' => 1,
        _ => 2,
    };
    let (mut i, mut seen_sep) = (0, false);
    while i < b.len() {
        if b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let run = &b[start..i];
        if run.iter().any(|c| *c != b'_') {
            if i == b.len() || run.windows(2).any(|w| rank(w[0]) > rank(w[1])) {
                return false;
            }
            seen_sep = true;
        } else if i == b.len() && seen_sep {
            return false;
        }
    }
    true
}

pub fn check_name(field: &'static str, v: &str, max: usize) -> Result<(), FieldError> {
    let n = v.chars().count();
    if n < 2 || n > max {
        return Err(err(field, format!("Use 2 to {max} characters.")));
    }
    if !valid_name_chars(v) {
        return Err(err(field, "Use letters, digits, '_', '-' and '.'; start with a letter, digit or '_' and end with a letter or digit."));
    }
    Ok(())
}

pub fn parse_labels(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

pub fn check_labels(labels: &[String]) -> Result<(), FieldError> {
    if labels.len() > MAX_LABELS {
        return Err(err("labels", format!("At most {MAX_LABELS} labels.")));
    }
    if let Some(bad) = labels.iter().find(|l| !(2..=64).contains(&l.chars().count())) {
        return Err(err("labels", format!("Label \"{bad}\" must be 2 to 64 characters.")));
    }
    Ok(())
}

/// `<input type="datetime-local">` gives `2026-12-01T10:00` (read as UTC); RFC 3339 is accepted too.
pub fn expiration_from_input(v: &str) -> Result<Option<String>, FieldError> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    let full = match v.len() {
        16 => format!("{v}:00Z"),
        19 => format!("{v}Z"),
        _ => v.to_string(),
    };
    parse_rfc3339(&full)
        .map(|t| Some(format_rfc3339(t)))
        .ok_or_else(|| err("expiration_date", "Enter a date and time, e.g. 2027-01-31T12:00 (UTC)."))
}

fn json_object(field: &'static str, text: &str, max: usize, required: bool) -> Result<Option<Map<String, Value>>, FieldError> {
    if text.trim().is_empty() {
        return if required { Err(err(field, "Enter a JSON object such as {\"key\": \"value\"}.")) } else { Ok(None) };
    }
    let v: Value = serde_json::from_str(text).map_err(|_| err(field, "This is not valid JSON."))?;
    let Value::Object(m) = v else { return Err(err(field, "Enter a JSON object ({ … }).")) };
    if text.len() > max {
        return Err(err(field, format!("At most {} KB.", max / 1024)));
    }
    if required && m.is_empty() {
        return Err(err(field, "Add at least one key."));
    }
    Ok(Some(m))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CreateKind {
    #[default]
    Arbitrary,
    UsernamePassword,
    Kv,
    ImportedCert,
}

impl CreateKind {
    pub const ALL: [CreateKind; 4] = [CreateKind::Arbitrary, CreateKind::UsernamePassword, CreateKind::Kv, CreateKind::ImportedCert];

    pub fn as_str(self) -> &'static str {
        match self {
            CreateKind::Arbitrary => "arbitrary",
            CreateKind::UsernamePassword => "username_password",
            CreateKind::Kv => "kv",
            CreateKind::ImportedCert => "imported_cert",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The create form as typed (every input is text).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CreateForm {
    pub kind: CreateKind,
    pub name: String,
    pub description: String,
    pub group: String,
    pub labels: String,
    pub expiration: String,
    /// The secret material is `Redacted`: a form logged or shown in a panic carries none of it.
    pub payload: Redacted<String>,
    pub username: String,
    pub password: Redacted<String>,
    pub kv: Redacted<String>,
    pub certificate: String,
    pub private_key: Redacted<String>,
    pub intermediate: String,
}

fn check_cert(v: &str) -> Result<(), FieldError> {
    if !v.trim_start().starts_with("-----BEGIN") {
        return Err(err("certificate", "Paste a PEM certificate (-----BEGIN CERTIFICATE-----…)."));
    }
    if v.len() > MAX_PAYLOAD {
        return Err(err("certificate", "At most 1 MB."));
    }
    Ok(())
}

/// Errors and body of the common metadata fields.
fn common(name: &str, description: &str, labels: &str, errors: &mut Vec<FieldError>, body: &mut Map<String, Value>) {
    match check_name("name", name, MAX_NAME) {
        Ok(()) => {
            body.insert("name".into(), json!(name));
        }
        Err(e) => errors.push(e),
    }
    if description.chars().count() > MAX_DESCRIPTION {
        errors.push(err("description", format!("At most {MAX_DESCRIPTION} characters.")));
    } else if !description.is_empty() {
        body.insert("description".into(), json!(description));
    }
    let labels = parse_labels(labels);
    match check_labels(&labels) {
        Ok(()) if !labels.is_empty() => {
            body.insert("labels".into(), json!(labels));
        }
        Ok(()) => {}
        Err(e) => errors.push(e),
    }
}

pub fn create_body(f: &CreateForm) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut body = Map::new();
    body.insert("secret_type".into(), json!(f.kind.as_str()));
    common(f.name.trim(), &f.description, &f.labels, &mut errors, &mut body);
    let group = f.group.trim();
    if !group.is_empty() {
        body.insert("secret_group_id".into(), json!(group));
    }
    if matches!(f.kind, CreateKind::Arbitrary) {
        match expiration_from_input(&f.expiration) {
            Ok(Some(e)) => {
                body.insert("expiration_date".into(), json!(e));
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        }
    }
    match f.kind {
        CreateKind::Arbitrary => {
            if f.payload.is_empty() {
                errors.push(err("payload", "Enter the secret value."));
            } else if f.payload.len() > MAX_PAYLOAD {
                errors.push(err("payload", "At most 1 MB."));
            } else {
                body.insert("payload".into(), json!(f.payload.expose()));
            }
        }
        CreateKind::UsernamePassword => {
            let n = f.username.chars().count();
            if !(1..=64).contains(&n) {
                errors.push(err("username", "Enter a username of 1 to 64 characters."));
            } else {
                body.insert("username".into(), json!(f.username));
            }
            if f.password.len() > 256 {
                errors.push(err("password", "At most 256 characters."));
            } else if !f.password.is_empty() {
                body.insert("password".into(), json!(f.password.expose()));
            }
        }
        CreateKind::Kv => match json_object("data", &f.kv, MAX_KV, true) {
            Ok(Some(m)) => {
                body.insert("data".into(), Value::Object(m));
            }
            Ok(None) => {}
            Err(e) => errors.push(e),
        },
        CreateKind::ImportedCert => {
            match check_cert(&f.certificate) {
                Ok(()) => {
                    body.insert("certificate".into(), json!(f.certificate));
                }
                Err(e) => errors.push(e),
            }
            for (k, v) in [("private_key", f.private_key.expose()), ("intermediate", &f.intermediate)] {
                if v.len() > MAX_PAYLOAD {
                    errors.push(FieldError { field: k, message: "At most 1 MB.".into() });
                } else if !v.trim().is_empty() {
                    body.insert(k.into(), json!(v));
                }
            }
        }
    }
    if errors.is_empty() { Ok(Value::Object(body)) } else { Err(errors) }
}

/// The editable metadata, as typed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetaForm {
    pub name: String,
    pub description: String,
    pub labels: String,
    pub custom_metadata: String,
    pub expiration: String,
}

impl MetaForm {
    pub fn from_secret(m: &SecretMetadata) -> Self {
        MetaForm {
            name: m.name.clone(),
            description: m.description.clone().unwrap_or_default(),
            labels: m.labels.join(", "),
            custom_metadata: m
                .custom_metadata
                .as_ref()
                .filter(|c| !c.is_empty())
                .and_then(|c| serde_json::to_string_pretty(c).ok())
                .unwrap_or_default(),
            expiration: m.expiration_date.as_deref().map(|e| e.trim_end_matches('Z').chars().take(16).collect()).unwrap_or_default(),
        }
    }
}

/// The JSON merge patch (RFC 7396) of the fields that changed, and only those: an untouched
/// field is never sent, so a concurrent edit of another field is not overwritten.
pub fn merge_patch(original: &SecretMetadata, form: &MetaForm) -> Result<Map<String, Value>, Vec<FieldError>> {
    let before = MetaForm::from_secret(original);
    let mut errors = Vec::new();
    let mut patch = Map::new();
    let name = form.name.trim();
    if name != before.name {
        match check_name("name", name, MAX_NAME) {
            Ok(()) => {
                patch.insert("name".into(), json!(name));
            }
            Err(e) => errors.push(e),
        }
    }
    if form.description != before.description {
        if form.description.chars().count() > MAX_DESCRIPTION {
            errors.push(err("description", format!("At most {MAX_DESCRIPTION} characters.")));
        } else {
            patch.insert("description".into(), json!(form.description));
        }
    }
    let labels = parse_labels(&form.labels);
    if labels != original.labels {
        match check_labels(&labels) {
            Ok(()) => {
                patch.insert("labels".into(), json!(labels));
            }
            Err(e) => errors.push(e),
        }
    }
    if form.custom_metadata.trim() != before.custom_metadata.trim() {
        match json_object("custom_metadata", &form.custom_metadata, MAX_CUSTOM_METADATA, false) {
            Ok(Some(m)) => {
                patch.insert("custom_metadata".into(), Value::Object(m));
            }
            Ok(None) => {
                patch.insert("custom_metadata".into(), json!({}));
            }
            Err(e) => errors.push(e),
        }
    }
    if form.expiration.trim() != before.expiration {
        match expiration_from_input(&form.expiration) {
            Ok(Some(e)) => {
                patch.insert("expiration_date".into(), json!(e));
            }
            Ok(None) => errors.push(err("expiration_date", "An expiration date cannot be removed here; set a later one.")),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() { Ok(patch) } else { Err(errors) }
}

/// The body of `POST …/versions` for a type the console can rotate by hand; `None` when the type
/// is not one the console can build new data for.
pub fn version_body(secret_type: &str, value: &str) -> Option<Result<Value, FieldError>> {
    Some(match secret_type {
        "arbitrary" if value.is_empty() => Err(err("payload", "Enter the new value.")),
        "arbitrary" if value.len() > MAX_PAYLOAD => Err(err("payload", "At most 1 MB.")),
        "arbitrary" => Ok(json!({"payload": value})),
        "username_password" if value.len() > 256 => Err(err("password", "At most 256 characters.")),
        "username_password" if value.is_empty() => Ok(json!({})),
        "username_password" => Ok(json!({"password": value})),
        "kv" => json_object("data", value, MAX_KV, true).map(|m| json!({"data": m})),
        "imported_cert" => check_cert(value).map(|()| json!({"certificate": value})),
        // Generated by the service: an empty body asks for fresh data.
        "iam_credentials" | "service_credentials" | "custom_credentials" | "private_cert" | "public_cert" => Ok(json!({})),
        _ => return None,
    })
}

pub fn group_body(name: &str, description: &str) -> Result<Value, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = name.trim();
    if let Err(e) = check_name("name", name, MAX_GROUP_NAME) {
        errors.push(e);
    }
    if description.chars().count() > MAX_DESCRIPTION {
        errors.push(err("description", format!("At most {MAX_DESCRIPTION} characters.")));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut b = json!({"name": name});
    if !description.is_empty() {
        b["description"] = json!(description);
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_api_pattern() {
        for ok in ["ab", "payments-db-password", "a_b.c", "_x1", "db.prod-2", "ab_", "_-a", "a-b_c", "a_-.b"] {
            assert!(check_name("name", ok, 256).is_ok(), "{ok}");
        }
        for bad in ["a", "-ab", "a b", "<script>", "ab-", "a.-b", "a-b_", "é-x", &"a".repeat(257), ""] {
            assert!(check_name("name", bad, 256).is_err(), "{bad}");
        }
    }

    #[test]
    fn create_bodies_per_type() {
        let f = CreateForm { name: "db-pass".into(), payload: "s3cret".into(), labels: "prod, , us".into(), ..Default::default() };
        let b = create_body(&f).expect("valid");
        assert_eq!(b, json!({"secret_type":"arbitrary","name":"db-pass","payload":"s3cret","labels":["prod","us"]}));

        let f = CreateForm { kind: CreateKind::UsernamePassword, name: "svc".into(), username: "admin".into(), ..Default::default() };
        let b = create_body(&f).expect("valid");
        assert_eq!(b.get("password"), None, "the service generates a password");

        let f = CreateForm { kind: CreateKind::Kv, name: "cfg".into(), kv: r#"{"a":1}"#.into(), group: "g1".into(), ..Default::default() };
        assert_eq!(create_body(&f).expect("valid")["data"], json!({"a":1}));

        let f = CreateForm { kind: CreateKind::ImportedCert, name: "crt".into(), certificate: "-----BEGIN CERTIFICATE-----\nx".into(), ..Default::default() };
        assert!(create_body(&f).is_ok());
    }

    #[test]
    fn create_errors_name_their_field() {
        let fields = |f: CreateForm| create_body(&f).expect_err("invalid").into_iter().map(|e| e.field).collect::<Vec<_>>();
        assert_eq!(fields(CreateForm { name: "x".into(), ..Default::default() }), vec!["name", "payload"]);
        assert_eq!(
            fields(CreateForm { name: "ok".into(), payload: "p".into(), labels: "x".into(), expiration: "soon".into(), ..Default::default() }),
            vec!["labels", "expiration_date"]
        );
        assert_eq!(fields(CreateForm { kind: CreateKind::Kv, name: "ok".into(), kv: "{}".into(), ..Default::default() }), vec!["data"]);
        assert_eq!(fields(CreateForm { kind: CreateKind::Kv, name: "ok".into(), kv: "[1]".into(), ..Default::default() }), vec!["data"]);
        assert_eq!(fields(CreateForm { kind: CreateKind::ImportedCert, name: "ok".into(), certificate: "nope".into(), ..Default::default() }), vec!["certificate"]);
        assert_eq!(fields(CreateForm { kind: CreateKind::UsernamePassword, name: "ok".into(), ..Default::default() }), vec!["username"]);
        let many = (0..31).map(|i| format!("l{i}")).collect::<Vec<_>>().join(",");
        assert_eq!(fields(CreateForm { name: "ok".into(), payload: "p".into(), labels: many, ..Default::default() }), vec!["labels"]);
        assert_eq!(fields(CreateForm { name: "ok".into(), payload: "p".into(), description: "d".repeat(1025), ..Default::default() }), vec!["description"]);
    }

    #[test]
    fn expiration_input_forms() {
        assert_eq!(expiration_from_input("2027-01-31T12:00"), Ok(Some("2027-01-31T12:00:00Z".into())));
        assert_eq!(expiration_from_input("2027-01-31T12:00:00+01:00"), Ok(Some("2027-01-31T11:00:00Z".into())));
        assert_eq!(expiration_from_input(" "), Ok(None));
        assert!(expiration_from_input("2027-02-30T12:00").is_err());
    }

    #[test]
    fn merge_patch_sends_only_changed_fields() {
        let m: SecretMetadata = serde_json::from_value(json!({"id":"1","name":"db","secret_type":"kv","labels":["a1","b2"],
            "description":"d","custom_metadata":{"team":"x"},"expiration_date":"2027-01-31T12:00:00Z"}))
        .expect("valid");
        let mut f = MetaForm::from_secret(&m);
        assert_eq!(merge_patch(&m, &f), Ok(Map::new()), "nothing changed, nothing sent");
        f.labels = "a1, c3".into();
        f.description = "new".into();
        let p = merge_patch(&m, &f).expect("valid");
        assert_eq!(Value::Object(p), json!({"labels":["a1","c3"],"description":"new"}));
        f = MetaForm::from_secret(&m);
        f.custom_metadata = String::new();
        f.expiration = "2028-01-01T00:00".into();
        let p = merge_patch(&m, &f).expect("valid");
        assert_eq!(Value::Object(p), json!({"custom_metadata":{},"expiration_date":"2028-01-01T00:00:00Z"}));
        f.name = "bad name".into();
        assert_eq!(merge_patch(&m, &f).expect_err("invalid")[0].field, "name");
    }

    #[test]
    fn version_and_group_bodies() {
        assert_eq!(version_body("arbitrary", "v2"), Some(Ok(json!({"payload":"v2"}))));
        assert_eq!(version_body("username_password", ""), Some(Ok(json!({}))));
        assert!(matches!(version_body("kv", "{}"), Some(Err(_))));
        assert!(matches!(version_body("imported_cert", "x"), Some(Err(_))));
        assert_eq!(version_body("iam_credentials", ""), Some(Ok(json!({}))));
        assert_eq!(version_body("future", ""), None);
        assert_eq!(group_body("team-a", ""), Ok(json!({"name":"team-a"})));
        assert!(group_body(&"g".repeat(65), "").is_err());
    }

    #[test]
    fn a_logged_form_carries_no_secret_material() {
        let f = CreateForm { name: "db".into(), payload: "pa55-payload".into(), password: "pa55-word".into(), kv: r#"{"k":"kv-s3cret"}"#.into(), private_key: "-----BEGIN PRIVATE KEY-----xyz".into(), ..Default::default() };
        let shown = format!("{f:?}");
        for secret in ["pa55-payload", "pa55-word", "kv-s3cret", "PRIVATE KEY"] {
            assert!(!shown.contains(secret), "Debug shows {secret}: {shown}");
        }
        assert!(shown.contains("db"), "the rest of the form is still shown");
    }
}
