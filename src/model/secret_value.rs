//! The parts of a secret's data that a person reads, picked from `GET /api/v2/secrets/{id}` per
//! type (secrets-v2.md). Pure, so what is shown (and copied) is tested natively.

use serde_json::Value;

/// The fields that make up the value, per type, in display order.
fn fields(secret_type: &str) -> &'static [&'static str] {
    match secret_type {
        "arbitrary" => &["payload"],
        "username_password" => &["username", "password"],
        "kv" => &["data"],
        "iam_credentials" => &["api_key"],
        "imported_cert" => &["certificate", "intermediate", "private_key"],
        "public_cert" | "private_cert" => &["certificate", "private_key", "issuing_ca", "ca_chain"],
        "service_credentials" => &["credentials"],
        "custom_credentials" => &["credentials_content"],
        _ => &["payload", "data", "credentials"],
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// `(field, value)` pairs present in the response.
pub fn value_fields(secret_type: &str, body: &Value) -> Vec<(&'static str, String)> {
    fields(secret_type)
        .iter()
        .filter_map(|f| body.get(*f).filter(|v| !v.is_null()).map(|v| (*f, text(v))))
        .collect()
}

/// What "copy" puts on the clipboard: the one field people paste (the password of a
/// username_password, the payload, the key), or the whole set as `field: value` lines.
pub fn copy_text(secret_type: &str, fields: &[(&'static str, String)]) -> String {
    let main = match secret_type {
        "username_password" => Some("password"),
        "imported_cert" | "public_cert" | "private_cert" => Some("certificate"),
        _ => None,
    };
    if let Some(f) = main.and_then(|m| fields.iter().find(|(k, _)| *k == m)) {
        return f.1.clone();
    }
    match fields {
        [(_, v)] => v.clone(),
        _ => fields.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn picks_fields_per_type() {
        let b = json!({"id":"1","name":"n","username":"u","password":"p","labels":[]});
        let f = value_fields("username_password", &b);
        assert_eq!(f, vec![("username", "u".to_string()), ("password", "p".to_string())]);
        assert_eq!(copy_text("username_password", &f), "p");
        let kv = value_fields("kv", &json!({"data":{"a":1}}));
        assert_eq!(kv[0].0, "data");
        assert!(kv[0].1.contains("\"a\": 1"));
        assert_eq!(copy_text("arbitrary", &value_fields("arbitrary", &json!({"payload":"x"}))), "x");
        assert!(value_fields("arbitrary", &json!({"payload":null})).is_empty());
    }
}
