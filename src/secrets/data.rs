//! What every secrets view reads: per region, its store (the loaded list) with precomputed keys,
//! its groups and its state (read-only); plus the route and the token prompt. All handles are `Copy` signals or
//! `Arc`s so reactive closures can hold them.

use std::sync::Arc;

use leptos::prelude::*;
use sm_contract::{SecretGroup, SecretMetadata};

use crate::api::{ApiError, RegionApi};
use crate::model::region_state::RegionState;
use crate::model::route::Route;
use crate::model::secret_list::SecretList;
use super::store::{SecretsLoad, SecretsStore};
use crate::api::evidence::Evidence;
use crate::regions::signals::RegionSignals;

#[derive(Clone)]
pub struct RegionData {
    pub idx: u8,
    pub id: String,
    pub label: String,
    /// The region's state, read-only here: this feature never drives the region.
    pub signals: RegionSignals,
    pub store: SecretsStore,
    /// The loaded list (the store's).
    pub secrets: RwSignal<SecretsLoad>,
    /// The list alone: progress updates of a load do not wake its readers (the list compares
    /// by identity, so this costs nothing).
    pub keyed: Memo<SecretList>,
    pub groups: RwSignal<Vec<SecretGroup>>,
    /// The latest `load_groups` call: an answer to an earlier one is older than what may already
    /// be shown, so it is dropped (two loads can be in flight after a write and a reload).
    groups_asked: StoredValue<u32>,
}

impl RegionData {
    pub fn new(idx: u8, id: String, label: String, signals: RegionSignals, store: SecretsStore) -> RegionData {
        let secrets = store.list;
        let keyed = Memo::new(move |_| secrets.with(|s| s.items.clone()));
        RegionData {
            idx,
            id,
            label,
            signals,
            store,
            secrets,
            keyed,
            groups: RwSignal::new(Vec::new()),
            groups_asked: StoredValue::new(0),
        }
    }

    /// A region without a live monitor (component tests): reads and writes still go to `api`,
    /// and the list loads only when asked.
    pub fn detached(idx: u8, id: String, label: String, signals: RegionSignals, api: RegionApi) -> RegionData {
        RegionData::new(idx, id, label, signals, SecretsStore::idle(api, Evidence::none()))
    }

    pub fn api(&self) -> Option<RegionApi> {
        self.store.api()
    }

    pub fn reload(&self) {
        self.store.load();
    }

    /// Why writes are refused right now, in plain words; `None` when they are allowed.
    pub fn write_block(&self) -> Option<String> {
        match self.signals.state.get() {
            s if s.is_usable() => None,
            RegionState::Unavailable => Some(format!(
                "{} is unavailable: changes are disabled until it is back. Nothing is sent to another region instead.",
                self.label
            )),
            _ => Some(format!("Still connecting to {}: changes are disabled until it answers.", self.label)),
        }
    }

    /// The secret is gone from the region (deleted here, or answered 404): drop it, and keep it
    /// out of late answers.
    pub fn remove_secret(&self, id: &str) {
        self.store.forget(id);
    }

    /// A 404 on a secret means it is gone from the region: drop it from the list (secrets-v2.md).
    /// Every failed call on one secret goes through here. Returns whether it was gone.
    pub fn forget_if_gone(&self, e: &ApiError, id: &str) -> bool {
        let gone = e.status() == Some(404);
        if gone {
            self.remove_secret(id);
        }
        gone
    }

    /// Put a secret the region just returned into the list (new or changed), unless it was
    /// deleted since the request went out.
    pub fn upsert_secret(&self, m: SecretMetadata) {
        if self.store.was_deleted(&m.id) {
            return;
        }
        self.secrets.update(|s| s.items.upsert(m));
    }

    pub fn group_name(&self, id: &str) -> String {
        self.groups
            .with(|g| g.iter().find(|g| g.id == id).map(|g| g.name.clone()))
            .unwrap_or_else(|| id.to_string())
    }

    pub fn load_groups(&self) {
        let (Some(api), groups, asked, token) = (self.api(), self.groups, self.groups_asked, TokenPrompt::get()) else { return };
        if api.waits_for_token() {
            return;
        }
        asked.update_value(|n| *n = n.wrapping_add(1));
        let mine = asked.get_value();
        leptos::task::spawn_local(async move {
            let answer = api.groups().await;
            if asked.try_get_value() != Some(mine) {
                return;
            }
            match answer {
                Ok(page) => {
                    let _ = groups.try_set(page.secret_groups.items);
                }
                Err(e) => token.note(&e),
            }
        });
    }
}

/// Set when a region answered 401: the console asks for a token (bearer mode) and retries.
pub use crate::api::auth::TokenPrompt;

#[derive(Clone)]
pub struct Ctx {
    pub regions: Arc<Vec<RegionData>>,
    pub route: RwSignal<Route>,
    pub bearer: bool,
    /// The token comes from the parent frame (console.md, embedding).
    pub embed: bool,
    /// The user pastes an API key and the console exchanges and renews the token (`api::iam`).
    pub iam: bool,
    pub token: TokenPrompt,
    /// Unix seconds, refreshed every minute: what "expired" and "expiring soon" compare to.
    pub now_s: RwSignal<i64>,
}

impl Ctx {
    pub fn region(&self, id: &str) -> Option<RegionData> {
        self.regions.iter().find(|r| r.id == id).cloned()
    }
}

pub fn now_s() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

pub fn navigate(route: &Route) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&crate::model::route::href(route));
    }
}

// `api` and the features build only for the browser, so these run as wasm-bindgen tests
// (`cargo test -p regional-console --target wasm32-unknown-unknown`).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::secrets_filter::tests::secret;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn ids(r: &RegionData) -> Vec<String> {
        r.secrets.with_untracked(|s| s.items.iter().map(|m| m.id.to_string()).collect())
    }

    #[wasm_bindgen_test]
    fn an_answer_that_lands_after_the_delete_does_not_bring_the_secret_back() {
        let r = RegionData::detached(0, "us-south".into(), "Dallas".into(), RegionSignals::new(), RegionApi::new("http://127.0.0.1:1"));
        r.upsert_secret(secret("a", "alpha", "arbitrary"));
        r.upsert_secret(secret("b", "beta", "arbitrary"));
        assert_eq!(ids(&r), vec!["a", "b"]);
        // The detail view asked for `a`'s metadata; the user deleted `a` before it answered.
        r.remove_secret("a");
        r.upsert_secret(secret("a", "alpha", "arbitrary"));
        assert_eq!(ids(&r), vec!["b"], "the late answer is dropped");
        r.upsert_secret(secret("b", "beta renamed", "arbitrary"));
        assert_eq!(ids(&r), vec!["b"]);
    }
}
