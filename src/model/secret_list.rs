//! One region's loaded secrets with their precomputed filter keys, as a persistent list.
//!
//! Views, memos and the cross-region comparison each hold their own copy of the list, so a plain
//! `Vec` made every change a copy of all of it: re-reading one secret at 20,000 copied 20,000
//! secrets and rebuilt 20,000 keys. Here a copy shares everything (O(1)), and replacing, adding or
//! removing one secret touches O(log n) of the tree, keeping the others' keys.
//!
//! It is also the console's largest holding (100,000 secrets in one instance are real), so each
//! secret is kept as a [`ListedSecret`]: what lists, filters, comparisons and copies read, with the
//! strings many secrets share stored once. Ids are indexed by a hash, not by a second copy of
//! every id.

use std::sync::atomic::{AtomicU64, Ordering};

#[cfg(not(test))]
use std::hash::{BuildHasher, Hash, Hasher};

use imbl::{HashMap, Vector};
use sm_contract::SecretMetadata;

use super::listed_secret::{Interner, ListedSecret};

use super::secrets_filter::{FacetCounts, RowKey, Source};

/// One counter for every list of the page: a list's revision is never another list's.
static REVISIONS: AtomicU64 = AtomicU64::new(1);

fn next_revision() -> u64 {
    REVISIONS.fetch_add(1, Ordering::Relaxed)
}

#[derive(Clone, Default)]
pub struct SecretList {
    items: Vector<ListedSecret>,
    keys: Vector<RowKey>,
    /// Where each id is in `items`, by the id's hash: two ids with the same hash share a slot,
    /// and a lookup compares the ids themselves.
    at: HashMap<u64, Slot>,
    counts: FacetCounts,
    shared: Interner,
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

/// The positions of the ids that have one hash: almost always one.
#[derive(Clone, Debug, PartialEq)]
enum Slot {
    One(usize),
    Many(Vec<usize>),
}

/// A fixed-key hasher: the same hash in every list, so lists compare and share. A hostile server
/// choosing ids that collide only makes its own lookups slower (a slot holds them all).
#[cfg(not(test))]
fn id_hash(id: &str) -> u64 {
    let mut h = std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().build_hasher();
    id.hash(&mut h);
    h.finish()
}

/// In tests, ids collide on purpose (the hash is the first and last bytes): every test then also
/// checks that ids sharing a slot stay apart.
#[cfg(test)]
fn id_hash(id: &str) -> u64 {
    let b = id.as_bytes();
    b.first().map_or(0, |f| u64::from(*f) << 8 | b.last().map_or(0, |l| u64::from(*l)))
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

    pub fn get(&self, idx: usize) -> Option<&ListedSecret> {
        self.items.get(idx)
    }

    pub fn iter(&self) -> impl Iterator<Item = &ListedSecret> {
        self.items.iter()
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        let is = |i: &usize| self.items.get(*i).is_some_and(|m| *m.id == *id);
        match self.at.get(&id_hash(id))? {
            Slot::One(i) => Some(*i).filter(is),
            Slot::Many(v) => v.iter().copied().find(is),
        }
    }

    fn index_insert(&mut self, id: &str, i: usize) {
        let h = id_hash(id);
        let slot = match self.at.remove(&h) {
            None => Slot::One(i),
            Some(Slot::One(j)) => Slot::Many(vec![j, i]),
            Some(Slot::Many(mut v)) => {
                v.push(i);
                Slot::Many(v)
            }
        };
        self.at.insert(h, slot);
    }

    /// Forgets that `id` is at `i`.
    fn index_remove(&mut self, id: &str, i: usize) {
        let h = id_hash(id);
        match self.at.remove(&h) {
            Some(Slot::Many(mut v)) => {
                v.retain(|j| *j != i);
                let slot = if v.len() == 1 { Slot::One(v[0]) } else { Slot::Many(v) };
                self.at.insert(h, slot);
            }
            Some(Slot::One(j)) if j != i => {
                self.at.insert(h, Slot::One(j));
            }
            _ => {}
        }
    }

    pub fn by_id(&self, id: &str) -> Option<&ListedSecret> {
        self.position(id).and_then(|i| self.items.get(i))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.position(id).is_some()
    }

    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn source(&self) -> Source<'_> {
        Source { items: &self.items, keys: &self.keys, counts: &self.counts }
    }

    /// Puts `m` in place of the secret with its id, or at the end when it is new.
    pub fn upsert(&mut self, m: SecretMetadata) {
        let m = ListedSecret::new(m, &mut self.shared);
        let key = RowKey::build(&m);
        self.revision = next_revision();
        self.counts.add(&m, &key);
        match self.position(&m.id) {
            Some(i) => {
                let old = self.items.set(i, m);
                let old_key = self.keys.set(i, key);
                self.counts.remove(&old, &old_key);
            }
            None => {
                self.index_insert(&m.id, self.items.len());
                self.items.push_back(m);
                self.keys.push_back(key);
            }
        }
    }

    /// Drops the secret with this id; the last one takes its place, which no view can see since
    /// every view sorts (ties broken by id). Returns whether it was there.
    pub fn remove(&mut self, id: &str) -> bool {
        let Some(i) = self.position(id) else { return false };
        self.index_remove(id, i);
        self.revision = next_revision();
        let (Some(last), Some(last_key)) = (self.items.pop_back(), self.keys.pop_back()) else {
            return false;
        };
        if i < self.items.len() {
            let end = self.items.len();
            self.index_remove(&last.id, end);
            self.index_insert(&last.id, i);
            let gone = self.items.set(i, last);
            let gone_key = self.keys.set(i, last_key);
            self.counts.remove(&gone, &gone_key);
        } else {
            self.counts.remove(&last, &last_key);
        }
        true
    }

    /// Keeps only the secrets `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&ListedSecret) -> bool) {
        let gone: Vec<Box<str>> = self.items.iter().filter(|m| !keep(m)).map(|m| m.id.clone()).collect();
        for id in gone {
            self.remove(&id);
        }
    }
}

impl<'a> IntoIterator for &'a SecretList {
    type Item = &'a ListedSecret;
    type IntoIter = imbl::vector::Iter<'a, ListedSecret, imbl::shared_ptr::DefaultSharedPtr>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::secrets_filter::tests::secret;

    fn ids(l: &SecretList) -> Vec<String> {
        let mut v: Vec<String> = l.iter().map(|m| m.id.to_string()).collect();
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
        let indexed: usize = l.at.values().map(|s| match s {
            Slot::One(_) => 1,
            Slot::Many(v) => v.len(),
        }).sum();
        assert_eq!(indexed, l.len());
        // The counts are what a count from scratch gives.
        let mut fresh = FacetCounts::default();
        for (m, k) in s.items.iter().zip(s.keys.iter()) {
            fresh.add(m, k);
        }
        assert_eq!(l.counts, fresh, "facet counts drifted from the list");
    }

    #[test]
    fn a_changed_secret_replaces_the_old_one_in_place_and_a_copy_keeps_the_old() {
        let mut l = SecretList::from_vec(vec![secret("a", "alpha", "arbitrary"), secret("b", "beta", "arbitrary")]);
        let before = l.clone();
        l.upsert(secret("a", "alpha renamed", "arbitrary"));
        consistent(&l);
        assert_eq!(l.len(), 2);
        assert_eq!(l.by_id("a").map(|m| &*m.name), Some("alpha renamed"));
        assert_eq!(l.position("a"), Some(0), "in place, not moved to the end");
        assert_eq!(before.by_id("a").map(|m| &*m.name), Some("alpha"), "a copy is a snapshot");
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
        l.retain(|m| &*m.id != "s0");
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
        assert_eq!(before.by_id("s0").map(|m| &*m.name), Some("n0"));
        assert_eq!(after.by_id("s0").map(|m| &*m.name), Some("renamed"));
        assert_eq!((before.len(), after.len()), (5_000, 5_000));
        consistent(&after);
    }

    #[test]
    fn the_list_keeps_what_lists_filters_copies_and_forms_read_and_drops_the_rest() {
        let mut m = secret("a", "cert", "public_cert");
        m.crn = Some("crn:v1:…:secret:a".into());
        m.common_name = Some("example.com".into());
        m.created_by = Some("IBMid-1".into());
        m.description = Some("kept".into());
        m.labels = vec!["kept".into()];
        m.updated_at = Some("2026-01-01T00:00:00Z".into());
        m.versions_total = Some(3);
        let l = SecretList::from_vec(vec![m]);
        let kept = l.by_id("a").expect("listed").to_metadata();
        assert_eq!((kept.crn.as_deref(), kept.common_name.as_deref(), kept.created_by.as_deref()), (None, None, None));
        assert_eq!((kept.description.as_deref(), kept.labels.len(), kept.versions_total), (Some("kept"), 1, Some(3)));
        assert_eq!(kept.updated_at.as_deref(), Some("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn ids_that_share_a_hash_stay_apart() {
        // "s0" … "s5" share no slot under the test hash, "s…0" do: six of them.
        let mut l = SecretList::from_vec((0..6).map(|i| secret(&format!("s{i}0"), &format!("n{i}"), "arbitrary")).collect());
        l.upsert(secret("t0", "other slot", "arbitrary"));
        consistent(&l);
        assert_eq!(l.by_id("s30").map(|m| &*m.name), Some("n3"));
        assert!(!l.contains("s90") && !l.contains("u"), "a shared slot is no match");
        assert!(l.remove("s00"));
        assert!(l.remove("s50"));
        consistent(&l);
        assert_eq!(ids(&l), ["s10", "s20", "s30", "s40", "t0"]);
        for id in ["s10", "s20", "s30", "s40"] {
            assert!(l.remove(id));
            consistent(&l);
        }
        assert_eq!(ids(&l), ["t0"]);
    }

    #[test]
    fn a_repeated_id_in_a_load_is_one_secret() {
        let l = SecretList::from_vec(vec![secret("a", "old", "arbitrary"), secret("b", "b", "arbitrary"), secret("a", "new", "arbitrary")]);
        consistent(&l);
        assert_eq!(l.len(), 2);
        assert_eq!(l.by_id("a").map(|m| &*m.name), Some("new"));
    }
}
