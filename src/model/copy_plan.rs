//! Copying what one region lacks from another: which secrets, into which group, what is refused
//! and why, the request bodies, and what a retry still has to do. Always started by a person;
//! nothing here runs by itself.
//!
//! Regions are separate instances: a secret is matched by `(name, type)`, and a group by *name*
//! (group ids differ between instances). Types whose value the service issues (IAM and service
//! credentials, public and private certificates, custom credentials) cannot be copied: each
//! instance issues its own from its own engine configuration.

use serde_json::{Map, Value};
use sm_contract::{SecretGroup, SecretMetadata, SecretType};
use zeroize::Zeroize;

use super::cross_region::{Cell, CrossRow};
use super::listed_secret::{ListedSecret, Shared};
use super::secret_list::SecretList;

/// The default group exists in every instance under this id and name.
pub const DEFAULT_GROUP: &str = "default";

/// Why a secret of this type is not copied, or `None` when it can be.
pub fn refusal_for(t: &SecretType) -> Option<&'static str> {
    match t {
        SecretType::Arbitrary | SecretType::UsernamePassword | SecretType::Kv | SecretType::ImportedCert => None,
        SecretType::IamCredentials | SecretType::ServiceCredentials | SecretType::CustomCredentials => {
            Some("not copied: its value is issued by the service in each region (create it there from its own configuration)")
        }
        SecretType::PublicCert | SecretType::PrivateCert => {
            Some("not copied: the certificate is issued by each region's own certificate engine (order it there)")
        }
        SecretType::Other(_) => Some("not copied: the console does not know this secret type"),
    }
}

/// One secret of the source region the target lacks.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanItem {
    pub name: String,
    pub secret_type: SecretType,
    pub source_id: String,
    /// The name of its group in the source region (`default` for the default group).
    pub group_name: String,
    pub refusal: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Plan {
    pub items: Vec<PlanItem>,
    /// Groups the target region must have before their secrets can be copied, by name.
    pub missing_groups: Vec<String>,
}

impl Plan {
    pub fn copyable(&self) -> usize {
        self.items.iter().filter(|i| i.refusal.is_none()).count()
    }
}

/// The secrets of `rows` present in region `from` and absent from region `to`, with the group each
/// goes to. `source` is the source region's list (for each secret's group id).
pub fn plan(rows: &[CrossRow], from: usize, to: usize, source: &SecretList, source_groups: &[SecretGroup], target_groups: &[SecretGroup]) -> Plan {
    let mut out = Plan::default();
    for row in rows {
        // Only where the target is known not to have it: a region not read yet may well have it.
        let (Some(Cell::Present(copy)), Some(Cell::Absent)) = (row.copies.get(from), row.copies.get(to)) else { continue };
        let Some(meta) = source.by_id(&copy.id) else { continue };
        let group = if *meta.secret_group_id == *DEFAULT_GROUP {
            Some(DEFAULT_GROUP.to_string())
        } else {
            source_groups.iter().find(|g| *g.id == *meta.secret_group_id).map(|g| g.name.clone())
        };
        let refusal = refusal_for(&meta.secret_type)
            .map(String::from)
            .or_else(|| group.is_none().then(|| "not copied: its group could not be read in the source region".to_string()));
        let group_name = group.unwrap_or_default();
        if refusal.is_none()
            && group_name != DEFAULT_GROUP
            && !target_groups.iter().any(|g| g.name == group_name)
            && !out.missing_groups.contains(&group_name)
        {
            out.missing_groups.push(group_name.clone());
        }
        out.items.push(PlanItem { name: meta.name.to_string(), secret_type: meta.secret_type.clone(), source_id: meta.id.to_string(), group_name, refusal });
    }
    out.missing_groups.sort();
    out
}

/// The target region's id of a group, by name.
pub fn target_group_id(group_name: &str, target_groups: &[SecretGroup]) -> Option<String> {
    if group_name == DEFAULT_GROUP {
        return Some(DEFAULT_GROUP.into());
    }
    target_groups.iter().find(|g| g.name == group_name).map(|g| g.id.clone())
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CopyError {
    #[error("the source region sent no {0} for it")]
    MissingField(&'static str),
    #[error("{0}")]
    Refused(String),
}

/// The data fields of a type, as the create and new-version bodies name them.
fn data_fields(t: &SecretType) -> &'static [(&'static str, bool)] {
    // (field, required)
    match t {
        SecretType::Arbitrary => &[("payload", true)],
        SecretType::UsernamePassword => &[("username", true), ("password", true)],
        SecretType::Kv => &[("data", true)],
        SecretType::ImportedCert => &[("certificate", true), ("private_key", false), ("intermediate", false)],
        _ => &[],
    }
}

fn copy_data(t: &SecretType, value: &Value, into: &mut Map<String, Value>, skip: &[&str]) -> Result<(), CopyError> {
    for (field, required) in data_fields(t) {
        if skip.contains(field) {
            continue;
        }
        match value.get(*field) {
            Some(v) if !v.is_null() => {
                into.insert((*field).to_string(), v.clone());
            }
            _ if *required => return Err(CopyError::MissingField(field)),
            _ => {}
        }
    }
    Ok(())
}

/// The create body of a copy: the same name, type, labels, description, custom metadata and
/// expiration, with the source's value, in the target's group of the same name.
pub fn create_body(meta: &SecretMetadata, value: &Value, target_group_id: &str) -> Result<Value, CopyError> {
    if let Some(r) = refusal_for(&meta.secret_type) {
        return Err(CopyError::Refused(r.into()));
    }
    let mut b = Map::new();
    b.insert("secret_type".into(), Value::String(meta.secret_type.as_str().into()));
    b.insert("name".into(), Value::String(meta.name.clone()));
    b.insert("secret_group_id".into(), Value::String(target_group_id.into()));
    if !meta.labels.is_empty() {
        b.insert("labels".into(), Value::Array(meta.labels.iter().cloned().map(Value::String).collect()));
    }
    if let Some(d) = meta.description.as_ref().filter(|d| !d.is_empty()) {
        b.insert("description".into(), Value::String(d.clone()));
    }
    // The list does not keep custom metadata (model::listed_secret); the secret just read does.
    let custom = value.get("custom_metadata").and_then(Value::as_object).or(meta.custom_metadata.as_ref());
    if let Some(c) = custom.filter(|c| !c.is_empty()) {
        b.insert("custom_metadata".into(), Value::Object(c.clone()));
    }
    // A certificate's expiration is the certificate's own; for the others it is set explicitly.
    if matches!(meta.secret_type, SecretType::Arbitrary | SecretType::UsernamePassword) {
        if let Some(e) = &meta.expiration_date {
            b.insert("expiration_date".into(), Value::String(e.clone()));
        }
    }
    copy_data(&meta.secret_type, value, &mut b, &[])?;
    Ok(Value::Object(b))
}

/// The new-version body that brings a newer value across onto the older copy (a username stays
/// the older copy's own: a version changes only the password).
pub fn version_body(t: &SecretType, value: &Value) -> Result<Value, CopyError> {
    if let Some(r) = refusal_for(t) {
        return Err(CopyError::Refused(r.into()));
    }
    let mut b = Map::new();
    copy_data(t, value, &mut b, &["username"])?;
    Ok(Value::Object(b))
}

/// Overwrites every string in a JSON value before it is dropped, so a value read for a copy does
/// not linger in the wasm heap for a later allocation (or a heap snapshot) to find.
pub fn wipe(v: &mut Value) {
    match v {
        Value::String(s) => s.zeroize(),
        Value::Array(a) => a.iter_mut().for_each(wipe),
        Value::Object(m) => m.values_mut().for_each(wipe),
        _ => {}
    }
}

/// What differs between two regions' copies of one secret, in words ("versions 3 and 5",
/// "last updated 2 Mar and 9 Mar", "labels pci / pci, eu").
pub fn differences(a: &ListedSecret, b: &ListedSecret, a_label: &str, b_label: &str) -> Vec<String> {
    let mut out = Vec::new();
    if a.versions_total != b.versions_total {
        let v = |m: &ListedSecret| m.versions_total.map(|v| v.to_string()).unwrap_or_else(|| "?".into());
        out.push(format!("versions: {} in {a_label}, {} in {b_label}", v(a), v(b)));
    }
    let day = |m: &ListedSecret| m.updated_at.as_deref().map(|u| u.get(..10).unwrap_or(u).to_string()).unwrap_or_else(|| "unknown".into());
    if a.updated_at != b.updated_at {
        out.push(format!("last updated: {} in {a_label}, {} in {b_label}", day(a), day(b)));
    }
    let mut la = a.labels.clone();
    let mut lb = b.labels.clone();
    la.sort();
    lb.sort();
    if la != lb {
        let l = |v: &[Shared]| if v.is_empty() { "none".to_string() } else { v.join(", ") };
        out.push(format!("labels: {} in {a_label}, {} in {b_label}", l(&la), l(&lb)));
    }
    out
}

/// Which copy is newer: the later update, then the one with more versions. `None` when nothing
/// tells them apart (then no value is brought across: a person must decide).
pub fn newer_is_first(a: &ListedSecret, b: &ListedSecret) -> Option<bool> {
    let t = |m: &ListedSecret| m.updated_at.as_deref().and_then(sm_contract::time::parse_rfc3339);
    match (t(a), t(b)) {
        (Some(x), Some(y)) if x != y => return Some(x > y),
        _ => {}
    }
    match (a.versions_total, b.versions_total) {
        (Some(x), Some(y)) if x != y => Some(x > y),
        _ => None,
    }
}

/// What became of one secret in a copy run.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Waiting,
    Copied,
    /// The target already had it (found by name, or answered 409): nothing to do.
    AlreadyThere,
    Refused(String),
    Failed(String),
    /// Not sent because a region stopped being usable mid-run.
    NotSent(String),
}

impl Outcome {
    /// Whether a retry has to try this secret again.
    pub fn needs_retry(&self) -> bool {
        matches!(self, Outcome::Waiting | Outcome::Failed(_) | Outcome::NotSent(_))
    }

    pub fn key(&self) -> &'static str {
        match self {
            Outcome::Waiting => "waiting",
            Outcome::Copied => "copied",
            Outcome::AlreadyThere => "already-there",
            Outcome::Refused(_) => "refused",
            Outcome::Failed(_) => "failed",
            Outcome::NotSent(_) => "not-sent",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunSummary {
    pub copied: usize,
    pub already_there: usize,
    pub refused: usize,
    pub failed: usize,
    pub not_sent: usize,
    pub waiting: usize,
}

pub fn summarize(outcomes: &[Outcome]) -> RunSummary {
    let mut s = RunSummary::default();
    for o in outcomes {
        match o {
            Outcome::Waiting => s.waiting += 1,
            Outcome::Copied => s.copied += 1,
            Outcome::AlreadyThere => s.already_there += 1,
            Outcome::Refused(_) => s.refused += 1,
            Outcome::Failed(_) => s.failed += 1,
            Outcome::NotSent(_) => s.not_sent += 1,
        }
    }
    s
}

/// The starting outcomes of a run: refused items are settled before anything is sent.
pub fn initial_outcomes(plan: &Plan) -> Vec<Outcome> {
    plan.items.iter().map(|i| i.refusal.clone().map(Outcome::Refused).unwrap_or(Outcome::Waiting)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cross_region::diff;
    use serde_json::json;

    fn meta(id: &str, name: &str, ty: &str, group: &str) -> SecretMetadata {
        serde_json::from_value(json!({"id": id, "name": name, "secret_type": ty, "secret_group_id": group,
            "labels": ["pci"], "description": "d", "custom_metadata": {"owner": "me"},
            "expiration_date": "2030-01-01T00:00:00Z", "versions_total": 1, "updated_at": "2026-01-01T00:00:00Z"}))
        .expect("valid")
    }

    fn group(id: &str, name: &str) -> SecretGroup {
        SecretGroup { id: id.into(), name: name.into(), description: None, created_at: None, updated_at: None }
    }

    #[test]
    fn plans_only_what_the_target_lacks_with_groups_by_name_and_refusals() {
        let dallas = vec![
            meta("d1", "api-token", "arbitrary", "default"),
            meta("d2", "db-login", "username_password", "g-pay-dal"),
            meta("d3", "both", "kv", "default"),
            meta("d4", "ci-key", "iam_credentials", "default"),
            meta("d5", "edge", "public_cert", "g-ops-dal"),
            meta("d6", "orphan", "kv", "g-gone"),
            meta("d7", "ledger", "kv", "g-ledger-dal"),
        ];
        let frankfurt = vec![meta("f1", "both", "kv", "default"), meta("f2", "eu-only", "arbitrary", "default")];
        let (dallas_l, frankfurt_l) = (SecretList::from_vec(dallas.clone()), SecretList::from_vec(frankfurt.clone()));
        let rows = diff(&[Some(&dallas_l), Some(&frankfurt_l)]);
        let src_groups = vec![group("g-pay-dal", "payments"), group("g-ops-dal", "ops"), group("g-ledger-dal", "ledger")];
        let dst_groups = vec![group("g-pay-fra", "payments")];
        let p = plan(&rows, 0, 1, &dallas_l, &src_groups, &dst_groups);
        let got: Vec<(&str, &str, bool)> = p.items.iter().map(|i| (i.name.as_str(), i.group_name.as_str(), i.refusal.is_none())).collect();
        assert_eq!(got, vec![
            ("api-token", "default", true),
            ("ci-key", "default", false),
            ("db-login", "payments", true),
            ("edge", "ops", false),
            ("ledger", "ledger", true),
            ("orphan", "", false),
        ]);
        // "ops" belongs only to a refused certificate: nobody needs it created.
        assert_eq!(p.missing_groups, vec!["ledger".to_string()]);
        assert_eq!(p.copyable(), 3);
        assert!(p.items[1].refusal.as_deref().is_some_and(|r| r.contains("issued by the service")));
        assert_eq!(target_group_id("payments", &dst_groups).as_deref(), Some("g-pay-fra"));
        assert_eq!(target_group_id("default", &dst_groups).as_deref(), Some("default"));
        // A target not read yet is unknown, not empty: nothing is planned against it.
        let unread = diff(&[Some(&dallas_l), None]);
        assert!(plan(&unread, 0, 1, &dallas_l, &src_groups, &dst_groups).items.is_empty());
        assert_eq!(target_group_id("ledger", &dst_groups), None);
        // The other direction: only eu-only.
        let back = plan(&rows, 1, 0, &frankfurt_l, &dst_groups, &src_groups);
        assert_eq!(back.items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), vec!["eu-only"]);
    }

    #[test]
    fn a_copy_carries_name_labels_metadata_expiration_and_value() {
        let m = meta("d1", "api-token", "arbitrary", "g-pay-dal");
        let body = create_body(&m, &json!({"payload": "s3cr3t value", "id": "d1"}), "g-pay-fra").expect("body");
        assert_eq!(body, json!({"secret_type": "arbitrary", "name": "api-token", "secret_group_id": "g-pay-fra", "labels": ["pci"],
            "description": "d", "custom_metadata": {"owner": "me"}, "expiration_date": "2030-01-01T00:00:00Z", "payload": "s3cr3t value"}));
        let up = meta("d2", "db", "username_password", "default");
        let b = create_body(&up, &json!({"username": "app", "password": "pw"}), "default").expect("body");
        assert_eq!((b["username"].clone(), b["password"].clone()), (json!("app"), json!("pw")));
        let cert = meta("d3", "edge", "imported_cert", "default");
        let b = create_body(&cert, &json!({"certificate": "-----BEGIN C", "private_key": null}), "default").expect("body");
        assert!(b.get("expiration_date").is_none() && b.get("private_key").is_none() && b["certificate"] == "-----BEGIN C");
        assert_eq!(create_body(&up, &json!({"username": "app"}), "default"), Err(CopyError::MissingField("password")));
        assert!(matches!(create_body(&meta("x", "k", "iam_credentials", "default"), &json!({}), "default"), Err(CopyError::Refused(_))));
    }

    #[test]
    fn a_copy_takes_the_custom_metadata_from_the_secret_it_read_since_the_list_holds_none() {
        let list = SecretList::from_vec(vec![meta("d1", "api-token", "arbitrary", "g-pay-dal")]);
        let from_list = list.by_id("d1").expect("listed").to_metadata();
        assert_eq!(from_list.custom_metadata, None);
        let read = json!({"id": "d1", "payload": "v", "custom_metadata": {"owner": "me", "cost": 7}});
        let body = create_body(&from_list, &read, "g-pay-fra").expect("body");
        assert_eq!(body["custom_metadata"], json!({"owner": "me", "cost": 7}));
        let body = create_body(&from_list, &json!({"id": "d1", "payload": "v"}), "g-pay-fra").expect("body");
        assert!(body.get("custom_metadata").is_none(), "none read, none sent");
    }

    #[test]
    fn a_new_version_keeps_the_older_copys_username() {
        let b = version_body(&SecretType::UsernamePassword, &json!({"username": "other", "password": "new"})).expect("body");
        assert_eq!(b, json!({"password": "new"}));
        assert_eq!(version_body(&SecretType::Kv, &json!({"data": {"a": 1}})).expect("body"), json!({"data": {"a": 1}}));
    }

    #[test]
    fn a_retry_takes_only_what_is_still_missing() {
        let outcomes = vec![
            Outcome::Copied,
            Outcome::AlreadyThere,
            Outcome::Refused("r".into()),
            Outcome::Failed("500".into()),
            Outcome::NotSent("Frankfurt is unavailable".into()),
            Outcome::Waiting,
        ];
        let retry: Vec<bool> = outcomes.iter().map(Outcome::needs_retry).collect();
        assert_eq!(retry, vec![false, false, false, true, true, true]);
        let s = summarize(&outcomes);
        assert_eq!((s.copied, s.already_there, s.refused, s.failed, s.not_sent, s.waiting), (1, 1, 1, 1, 1, 1));
    }

    #[test]
    fn differing_copies_say_what_differs_and_which_is_newer() {
        let mut a = meta("a", "k", "arbitrary", "default");
        let mut b = a.clone();
        a.versions_total = Some(3);
        b.versions_total = Some(5);
        b.updated_at = Some("2026-03-09T10:00:00Z".into());
        b.labels = vec!["pci".into(), "eu".into()];
        let mut shared = crate::model::listed_secret::Interner::default();
        let mut listed = |m: &SecretMetadata| ListedSecret::new(m.clone(), &mut shared);
        let (la, lb) = (listed(&a), listed(&b));
        assert_eq!(differences(&la, &lb, "Dallas", "Frankfurt"), vec![
            "versions: 3 in Dallas, 5 in Frankfurt".to_string(),
            "last updated: 2026-01-01 in Dallas, 2026-03-09 in Frankfurt".to_string(),
            "labels: pci in Dallas, eu, pci in Frankfurt".to_string(),
        ]);
        assert_eq!(newer_is_first(&la, &lb), Some(false));
        assert_eq!(newer_is_first(&lb, &la), Some(true));
        b.updated_at = a.updated_at.clone();
        assert_eq!(newer_is_first(&la, &listed(&b)), Some(false), "same time: more versions is newer");
        b.versions_total = a.versions_total;
        assert_eq!(newer_is_first(&la, &listed(&b)), None);
    }

    #[test]
    fn wiping_overwrites_every_string() {
        let mut v = json!({"payload": "secret", "data": {"k": ["a", "bb"]}, "n": 1});
        wipe(&mut v);
        assert_eq!(v, json!({"payload": "", "data": {"k": ["", ""]}, "n": 1}));
    }
}
