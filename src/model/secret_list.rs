//! One region's loaded secrets with their precomputed filter keys, as a persistent list.
//!
//! Views, memos and the cross-region comparison each hold their own copy of the list, so a plain
//! `Vec` made every change a copy of all of it: re-reading one secret at 20,000 copied 20,000
//! secrets and rebuilt 20,000 keys. Here a copy shares everything (O(1)), and replacing, adding or
//! removing one secret touches O(log n) of the tree, keeping the others' keys.

use std::sync::atomic::{AtomicU64, Ordering};

use imbl::{HashMap, Vector};
use sm_contract::SecretMetadata;

use super::secrets_filter::{RowKey, Source};

/// One counter for every list of the page: a list's revision is never another list's.
static REVISIONS: AtomicU64 = AtomicU64::new(1);

fn next_revision() -> u64 {
    REVISIONS.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone, Default)]
pub struct SecretList {
    items: Vector<SecretMetadata>,
    keys: Vector<RowKey>,
    /// Where each id is in `items`.
    at: HashMap<String, usize>,
    /// Changes with every change, and differs between any two lists (even two loads of the same
    /// size): a cheap "is this still the list I drew?" for row keys.
    revision: u64,
}

/// Equal when it is the same list (shared tree), never compared secret by secret: a memo of a
/// region's list must not walk 20,000 entries to learn that nothing changed. Two lists built
/// apart with the same content count as different, which costs one redraw at most.
impl PartialEq for SecretList {
    fn eq(&self, other: &Self) -> bool {
        self.items.ptr_eq(&other.items) && self.keys.ptr_eq(&other.keys)
    }
}

impl std::fmt::Debug for SecretList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretList({} secrets)", self.items.len())
    }
}

impl SecretList {
    /// The list of a finished load. A later entry with an id already seen replaces the earlier
    /// one (ids are unique in a region; a page boundary that moved can repeat one).
    pub fn from_vec(items: Vec<SecretMetadata>) -> SecretList {
        let mut list = SecretList::default();
        for m in items {
            list.upsert(m);
        }
        list
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, idx: usize) -> Option<&SecretMetadata> {
        self.items.get(idx)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SecretMetadata> {
        self.items.iter()
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.at.get(id).copied()
    }

    pub fn by_id(&self, id: &str) -> Option<&SecretMetadata> {
        self.position(id).and_then(|i| self.items.get(i))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.at.contains_key(id)
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn source(&self) -> Source<'_> {
        Source { items: &self.items, keys: &self.keys }
    }

    /// Puts `m` in place of the secret with its id, or at the end when it is new.
    pub fn upsert(&mut self, m: SecretMetadata) {
        let key = RowKey::build(&m);
        self.revision = next_revision();
        match self.at.get(&m.id).copied() {
            Some(i) => {
                self.items.set(i, m);
                self.keys.set(i, key);
            }
            None => {
                self.at.insert(m.id.clone(), self.items.len());
                self.items.push_back(m);
                self.keys.push_back(key);
            }
        }
    }

    /// Drops the secret with this id; the last one takes its place, which no view can see since
    /// every view sorts (ties broken by id). Returns whether it was there.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(i) = self.at.remove(id) else { return false };
        self.revision = next_revision();
        let (Some(last), Some(last_key)) = (self.items.pop_back(), self.keys.pop_back()) else {
            return false;
        };
        if i < self.items.len() {
            self.at.insert(last.id.clone(), i);
            self.items.set(i, last);
            self.keys.set(i, last_key);
        }
        true
    }

    /// Keeps only the secrets `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&SecretMetadata) -> bool) {
        let gone: Vec<String> = self.items.iter().filter(|m| !keep(m)).map(|m| m.id.clone()).collect();
        for id in gone {
            self.remove(&id);
        }
    }
}

impl<'a> IntoIterator for &'a SecretList {
    type Item = &'a SecretMetadata;
    type IntoIter = imbl::vector::Iter<'a, SecretMetadata, imbl::shared_ptr::DefaultSharedPtr>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::secrets_filter::tests::secret;

    fn ids(l: &SecretList) -> Vec<String> {
        let mut v: Vec<String> = l.iter().map(|m| m.id.clone()).collect();
        v.sort();
        v
    }

    fn consistent(l: &SecretList) {
        let s = l.source();
        assert_eq!(s.items.len(), s.keys.len());
        for (i, m) in l.iter().enumerate() {
            assert_eq!(l.position(&m.id), Some(i), "index of {}", m.id);
            assert_eq!(s.keys[i], RowKey::build(m), "key of {}", m.id);
        }
        assert_eq!(l.at.len(), l.len());
    }

    #[test]
    fn a_changed_secret_replaces_the_old_one_in_place_and_a_copy_keeps_the_old() {
        let mut l = SecretList::from_vec(vec![secret("a", "alpha", "arbitrary"), secret("b", "beta", "arbitrary")]);
        let before = l.clone();
        l.upsert(secret("a", "alpha renamed", "arbitrary"));
        consistent(&l);
        assert_eq!(l.len(), 2);
        assert_eq!(l.by_id("a").map(|m| m.name.as_str()), Some("alpha renamed"));
        assert_eq!(l.position("a"), Some(0), "in place, not moved to the end");
        assert_eq!(before.by_id("a").map(|m| m.name.as_str()), Some("alpha"), "a copy is a snapshot");
        assert!(l != before, "a change is seen by memos");
        assert!(l.clone() == l, "a copy is the same list");
        assert_ne!(l.revision(), before.revision());
        let twin = SecretList::from_vec(vec![secret("a", "other", "arbitrary"), secret("b", "beta", "arbitrary")]);
        assert_ne!(twin.revision(), l.revision(), "a reload of the same size is another list for row keys");
    }

    #[test]
    fn removing_moves_the_last_secret_into_the_gap_and_keeps_every_index_true() {
        let mut l = SecretList::from_vec((0..5).map(|i| secret(&format!("s{i}"), &format!("n{i}"), "arbitrary")).collect());
        assert!(l.remove("s1"));
        consistent(&l);
        assert_eq!(ids(&l), ["s0", "s2", "s3", "s4"]);
        assert!(l.remove("s4"), "the last one");
        assert!(!l.remove("s4"), "already gone");
        assert!(!l.remove("nope"));
        consistent(&l);
        assert_eq!(ids(&l), ["s0", "s2", "s3"]);
        l.retain(|m| m.id != "s0");
        consistent(&l);
        assert_eq!(ids(&l), ["s2", "s3"]);
        l.upsert(secret("s9", "n9", "arbitrary"));
        consistent(&l);
        assert_eq!(l.position("s9"), Some(2));
    }

    #[test]
    fn changing_one_secret_of_thousands_keeps_the_others_shared_not_copied() {
        let before = SecretList::from_vec((0..5_000).map(|i| secret(&format!("s{i}"), &format!("n{i}"), "arbitrary")).collect());
        let mut after = before.clone();
        after.upsert(secret("s0", "renamed", "arbitrary"));
        after.upsert(secret("s5000", "new", "arbitrary"));
        assert!(after.remove("s17"));
        let (b, a) = (before.source(), after.source());
        // Same addresses: the untouched secrets and their keys were neither cloned nor rebuilt.
        assert!(std::ptr::eq(&b.items[2_500], &a.items[2_500]));
        assert!(std::ptr::eq(&b.keys[2_500], &a.keys[2_500]));
        assert_eq!(before.by_id("s0").map(|m| m.name.as_str()), Some("n0"));
        assert_eq!(after.by_id("s0").map(|m| m.name.as_str()), Some("renamed"));
        assert_eq!((before.len(), after.len()), (5_000, 5_000));
        consistent(&after);
    }

    #[test]
    fn a_repeated_id_in_a_load_is_one_secret() {
        let l = SecretList::from_vec(vec![secret("a", "old", "arbitrary"), secret("b", "b", "arbitrary"), secret("a", "new", "arbitrary")]);
        consistent(&l);
        assert_eq!(l.len(), 2);
        assert_eq!(l.by_id("a").map(|m| m.name.as_str()), Some("new"));
    }
}
