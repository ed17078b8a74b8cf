//! One secret as a region's list keeps it: what lists, filters, comparisons, copies and the menus
//! read, in a form sized for 100,000 of them.
//!
//! A [`SecretMetadata`] is some 430 bytes before its strings on wasm32 (24 optional fields), and
//! each of its groups, labels and state names is its own allocation, repeated in every secret that
//! has it. Here the strings are boxed to their length, the few distinct groups, labels and state
//! names are shared (one allocation per distinct value, see [`Interner`]), and what only a
//! secret's own page shows is not kept: that page reads the whole secret itself, and a copy reads
//! the whole secret (with its value) before it writes.

use std::sync::Arc;

use imbl::HashMap;
use sm_contract::{Rotation, SecretMetadata, SecretType};

/// A string many secrets have (a group id, a label, a state name), stored once.
pub type Shared = Arc<str>;

#[derive(Debug, Clone, PartialEq)]
pub struct ListedSecret {
    pub id: Box<str>,
    pub name: Box<str>,
    pub secret_type: SecretType,
    pub secret_group_id: Shared,
    pub labels: Box<[Shared]>,
    pub description: Option<Box<str>>,
    pub state: Option<i64>,
    pub state_description: Option<Shared>,
    pub created_at: Option<Box<str>>,
    pub updated_at: Option<Box<str>>,
    pub expiration_date: Option<Box<str>>,
    pub versions_total: Option<u64>,
    /// Boxed: most secrets of a large instance have none, and the inline form is 32 bytes.
    pub rotation: Option<Box<Rotation>>,
}

/// The distinct shared strings of one list. Persistent, so a copy of the list (every view holds
/// one) shares it rather than copying it; it only grows while the list lives, and a new load
/// starts a new one, so what a removed secret alone used is dropped with the next load.
#[derive(Clone, Default)]
pub struct Interner {
    // A map to nothing: imbl's set has no way to hand back the stored key.
    strings: HashMap<Shared, ()>,
}

impl Interner {
    pub fn get(&mut self, s: &str) -> Shared {
        if let Some((found, _)) = self.strings.get_key_value(s) {
            return found.clone();
        }
        let new: Shared = Arc::from(s);
        self.strings.insert(new.clone(), ());
        new
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

fn boxed(s: Option<String>) -> Option<Box<str>> {
    s.map(String::into_boxed_str)
}

impl ListedSecret {
    pub fn new(m: SecretMetadata, shared: &mut Interner) -> ListedSecret {
        ListedSecret {
            secret_group_id: shared.get(&m.secret_group_id),
            labels: m.labels.iter().map(|l| shared.get(l)).collect(),
            state_description: m.state_description.as_deref().map(|d| shared.get(d)),
            id: m.id.into_boxed_str(),
            name: m.name.into_boxed_str(),
            secret_type: m.secret_type,
            description: boxed(m.description),
            state: m.state,
            created_at: boxed(m.created_at),
            updated_at: boxed(m.updated_at),
            expiration_date: boxed(m.expiration_date),
            versions_total: m.versions_total,
            rotation: m.rotation.map(Box::new),
        }
    }

    /// The secret as far as the list knows it, for what takes a whole one (the detail page until
    /// the region answers, the edit and copy paths); the fields the list does not keep are `None`.
    pub fn to_metadata(&self) -> SecretMetadata {
        SecretMetadata {
            id: self.id.to_string(),
            name: self.name.to_string(),
            secret_type: self.secret_type.clone(),
            secret_group_id: self.secret_group_id.to_string(),
            state: self.state,
            state_description: self.state_description.as_deref().map(str::to_string),
            labels: self.labels.iter().map(|l| l.to_string()).collect(),
            description: self.description.as_deref().map(str::to_string),
            created_at: self.created_at.as_deref().map(str::to_string),
            updated_at: self.updated_at.as_deref().map(str::to_string),
            expiration_date: self.expiration_date.as_deref().map(str::to_string),
            versions_total: self.versions_total,
            rotation: self.rotation.as_deref().cloned(),
            crn: None,
            created_by: None,
            retrieved_at: None,
            downloaded: None,
            locks_total: None,
            custom_metadata: None,
            next_rotation_date: None,
            ttl: None,
            common_name: None,
            alt_names: None,
            issuer: None,
            serial_number: None,
            validity: None,
            key_algorithm: None,
            service_id: None,
            access_groups: None,
            reuse_api_key: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> SecretMetadata {
        let mut m: SecretMetadata = serde_json::from_value(serde_json::json!({
            "id": "a1", "name": "db-password", "secret_type": "username_password", "secret_group_id": "g1",
            "state": 1, "state_description": "active", "labels": ["pci", "prod"], "description": "d",
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-02-01T00:00:00Z",
            "expiration_date": "2027-01-01T00:00:00Z", "versions_total": 3,
            "rotation": {"auto_rotate": true, "interval": 30, "unit": "day"},
            "crn": "crn:v1:…", "created_by": "IBMid-1", "custom_metadata": {"owner": "me"}, "locks_total": 2
        }))
        .expect("a secret");
        m.downloaded = Some(true);
        m
    }

    #[test]
    fn what_the_list_keeps_comes_back_whole_and_the_rest_is_left_to_the_secrets_page() {
        let mut shared = Interner::default();
        let back = ListedSecret::new(full(), &mut shared).to_metadata();
        let mut expected = full();
        (expected.crn, expected.created_by, expected.custom_metadata, expected.locks_total, expected.downloaded) = (None, None, None, None, None);
        assert_eq!(back, expected);
    }

    #[test]
    fn groups_labels_and_states_are_stored_once_for_every_secret_that_has_them() {
        let mut shared = Interner::default();
        let a = ListedSecret::new(full(), &mut shared);
        let mut other = full();
        other.id = "b2".into();
        other.labels = vec!["prod".into()];
        let b = ListedSecret::new(other, &mut shared);
        assert!(Arc::ptr_eq(&a.secret_group_id, &b.secret_group_id));
        assert!(Arc::ptr_eq(&a.labels[1], &b.labels[0]), "the same label is one string");
        assert!(Arc::ptr_eq(a.state_description.as_ref().expect("kept"), b.state_description.as_ref().expect("kept")));
        // g1, pci, prod, active: no more, however many secrets have them.
        assert_eq!(shared.len(), 4);
    }
}
