//! One region's secrets, owned here: the loaded list, and when to load it. It loads whenever
//! its region becomes usable (the first time, and again after an outage, since the list may have
//! changed while nobody could see it) and when asked; each load supersedes the one before. What
//! the requests show about reachability goes back through the region's [`Evidence`] channel:
//! this feature never calls into the region controller.

use std::collections::HashSet;
use std::rc::Rc;

use leptos::prelude::*;

use super::loader;
use crate::api::evidence::Evidence;
use crate::api::{ApiError, RegionApi};
use crate::model::secret_list::SecretList;

/// The secrets of one region as far as they are loaded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecretsLoad {
    pub items: SecretList,
    /// `total_count` the region reported, when it is a believable number.
    pub total: Option<u64>,
    pub loading: bool,
    /// Entries the region sent that could not be read (bad types, missing fields).
    pub skipped: usize,
    pub error: Option<ApiError>,
    /// When the current list finished loading (ms since epoch).
    pub loaded_at_ms: Option<f64>,
    /// Secrets received by the load in progress (for "3,000 of 10,000").
    pub received: u64,
    /// Pages that still failed after their retries; the others are shown.
    pub failed_pages: usize,
    /// Not read, and nothing sent: the region needs a token and the user has not signed in yet.
    pub signed_out: bool,
}

impl SecretsLoad {
    /// A count can be shown: a page of the list arrived, or a whole (maybe empty) list. Until
    /// then the count is unknown, which is not zero.
    pub fn has_count(&self) -> bool {
        self.loaded_at_ms.is_some() || !self.items.is_empty()
    }
}

struct Inner {
    api: RegionApi,
    evidence: Evidence,
    generation: u32,
}

/// Secrets deleted in this session. An answer still in flight when the user deleted one (a
/// detail fetch, a page of a list load) must not put it back; ids are never reused.
type Deleted = StoredValue<HashSet<String>>;

/// `Copy` handles only, so views and effects can hold it.
#[derive(Clone, Copy)]
pub struct SecretsStore {
    pub list: RwSignal<SecretsLoad>,
    inner: StoredValue<Inner, LocalStorage>,
    deleted: Deleted,
}

impl SecretsStore {
    /// A store that loads by itself whenever `usable` turns true.
    pub fn start(api: RegionApi, usable: Signal<bool>, evidence: Evidence) -> SecretsStore {
        let store = SecretsStore::idle(api, evidence);
        Effect::watch(
            move || usable.get(),
            move |now, before, _| {
                if *now && before != Some(&true) {
                    store.load();
                }
            },
            true,
        );
        store
    }

    /// A store that loads only when asked (component tests set its list directly).
    pub fn idle(api: RegionApi, evidence: Evidence) -> SecretsStore {
        SecretsStore {
            list: RwSignal::new(SecretsLoad::default()),
            inner: StoredValue::new_local(Inner { api, evidence, generation: 0 }),
            deleted: StoredValue::new(HashSet::new()),
        }
    }

    /// The secret is gone from the region: drop it, and keep it out of late answers.
    pub fn forget(&self, id: &str) {
        self.deleted.update_value(|d| {
            d.insert(id.to_string());
        });
        if self.list.with_untracked(|s| s.items.contains(id)) {
            self.list.update(|s| {
                s.items.remove(id);
            });
        }
    }

    pub fn was_deleted(&self, id: &str) -> bool {
        self.deleted.try_with_value(|d| d.contains(id)).unwrap_or(false)
    }

    pub fn api(&self) -> Option<RegionApi> {
        self.inner.try_with_value(|i| i.api.clone())
    }

    /// Load every page of the region's secrets (see `loader`). A new call supersedes a load in
    /// progress; a load whose store is gone (its view closed) stops quietly.
    pub fn load(&self) {
        let Some((api, evidence, generation)) = self.inner.try_update_value(|i| {
            i.generation = i.generation.wrapping_add(1);
            (i.api.clone(), i.evidence.clone(), i.generation)
        }) else {
            return;
        };
        // A request without the token it needs would only collect a 401: wait for the sign-in,
        // whose new token reloads every list.
        let signed_out = api.waits_for_token();
        if self.list.with_untracked(|l| l.signed_out) != signed_out {
            self.list.update(|l| {
                l.signed_out = signed_out;
                l.loading = false;
            });
        }
        if signed_out {
            return;
        }
        let inner = self.inner;
        let current = Rc::new(move || inner.try_with_value(|i| i.generation == generation).unwrap_or(false));
        let on_done: loader::Done = Rc::new(move |outcome: Result<(), ApiError>| evidence.report(&outcome));
        let deleted = self.deleted;
        let keep: loader::Keep = Rc::new(move |id: &str| !deleted.try_with_value(|d| d.contains(id)).unwrap_or(false));
        loader::start(api, self.list, current, on_done, keep);
    }
}
