//! State of each list view that outlives the view: filter, sort, server search and scroll
//! position survive opening a secret and switching tabs, and travel in the hash so a link or a
//! reload brings the same view back. Plus the status line that says what a write did.

use std::sync::Arc;

use leptos::prelude::*;

use crate::model::secret_list::SecretList;
use crate::model::cross_region::CrossKey;
use crate::model::search_round::SearchRound;
use crate::model::route::{view_href, ViewQuery};
use crate::model::secrets_filter::{Filter, Sort};
use crate::model::view_state::{from_query, to_query};


#[derive(Clone, Copy)]
pub struct ViewState {
    pub filter: RwSignal<Filter>,
    pub sort: RwSignal<Sort>,
    /// The search whose results are shown (kept in the link; the results are asked again on a
    /// reload).
    pub server_query: RwSignal<Option<String>>,
    /// Server-side search results standing in for the loaded lists, per source, as they arrive.
    pub server: RwSignal<Option<SearchRound<SecretList>>>,
    pub rounds: StoredValue<u64>,
    /// The table's own scroll offset, restored when the view comes back.
    pub scroll: StoredValue<f64>,
    /// The cross-region view's chosen presence (`only-0`, `differs`…), empty for all.
    pub chip: RwSignal<String>,
    /// The cross-region view's sort.
    pub csort: RwSignal<(CrossKey, bool)>,
}

impl ViewState {
    /// A state no other view shares (component tests, a table mounted alone).
    pub fn detached() -> Self {
        Self::new()
    }

    fn new() -> Self {
        ViewState {
            filter: RwSignal::new(Filter::default()),
            sort: RwSignal::new(Sort::default()),
            server_query: RwSignal::new(None),
            server: RwSignal::new(None),
            rounds: StoredValue::new(0),
            scroll: StoredValue::new(0.0),
            chip: RwSignal::new(String::new()),
            csort: RwSignal::new((CrossKey::default(), false)),
        }
    }

    pub fn query(&self) -> ViewQuery {
        let q = self.filter.with(|f| to_query(f, self.sort.get(), self.server_query.get().as_deref()));
        let chip = self.chip.get();
        let (key, desc) = self.csort.get();
        if chip.is_empty() && key == CrossKey::default() && !desc {
            return q;
        }
        // The cross view's chip and sort ride in slots it does not otherwise use.
        ViewQuery {
            state: (!chip.is_empty()).then_some(chip).or(q.state.clone()),
            sort: if key == CrossKey::default() { q.sort.clone() } else { key.as_str().to_string() },
            descending: if key == CrossKey::default() { q.descending || desc } else { desc },
            ..q
        }
    }

    /// What a link asks for replaces the view's state.
    pub fn apply(&self, q: &ViewQuery, cross: bool) {
        let (mut f, s) = from_query(q);
        if cross {
            self.chip.set(f.state.take().unwrap_or_default());
            self.csort.set((CrossKey::parse(&q.sort).unwrap_or_default(), q.descending));
        }
        if self.filter.with_untracked(|cur| *cur != f) {
            self.filter.set(f);
        }
        if self.sort.get_untracked() != s {
            self.sort.set(s);
        }
        if self.server_query.get_untracked() != q.server {
            self.server.set(None);
            self.server_query.set(q.server.clone());
        }
    }
}

/// What the last write did, said once in a status line (announced by screen readers).
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub text: String,
    /// The secret it concerns, so its row can be shown: (region id, secret id).
    pub secret: Option<(String, String)>,
    /// Bumped per notice so the same words twice are announced twice.
    pub seq: u32,
}

#[derive(Clone)]
pub struct Views {
    states: Arc<Vec<(String, ViewState)>>,
    /// The list view last shown: where "back" and a finished delete return.
    pub last: RwSignal<String>,
    pub notice: RwSignal<Option<Notice>>,
    /// The page's scroll position when a list view was left for a secret.
    pub page_y: StoredValue<Option<f64>>,
}

impl Views {
    pub fn new(ids: &[String]) -> Views {
        Views {
            states: Arc::new(ids.iter().map(|id| (id.clone(), ViewState::new())).collect()),
            last: RwSignal::new(String::new()),
            notice: RwSignal::new(None),
            page_y: StoredValue::new(None),
        }
    }

    pub fn get() -> Option<Views> {
        use_context::<Views>()
    }

    pub fn state(&self, id: &str) -> Option<ViewState> {
        self.states.iter().find(|(v, _)| v == id).map(|(_, s)| *s)
    }

    /// The link to a list view with its current state.
    pub fn href(&self, id: &str) -> String {
        match self.state(id) {
            Some(s) => view_href(id, &s.query()),
            None => view_href(id, &ViewQuery::default()),
        }
    }

    pub fn say(&self, text: String, secret: Option<(String, String)>) {
        let seq = self.notice.with_untracked(|n| n.as_ref().map_or(0, |n| n.seq.wrapping_add(1)));
        let _ = self.notice.try_set(Some(Notice { text, secret, seq }));
    }
}

/// Say what a write did, when the views are there (component tests may mount a form alone).
/// `views` is taken when the form is created: a write's answer arrives in a task that has no
/// reactive owner to look the context up from.
pub fn say(views: &Option<Views>, text: String, secret: Option<(String, String)>) {
    if let Some(v) = views {
        v.say(text, secret);
    }
}

/// Go to a list view, keeping its state.
pub fn go_to_list(views: &Option<Views>, id: &str) {
    let link = views.as_ref().map(|v| v.href(id)).unwrap_or_else(|| view_href(id, &ViewQuery::default()));
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&link);
    }
}

/// The status line of the secrets section.
#[component]
pub fn NoticeLine() -> impl IntoView {
    let notice = Views::get().map(|v| v.notice);
    view! {
        // Always in the DOM, so the live region exists before its text changes (screen readers
        // announce changes to a live region, not its creation).
        <p class="notice" role="status" aria-live="polite" data-notice="">
            {move || notice.and_then(|n| n.get()).map(|n| {
                let close = move |_| { if let Some(s) = notice { s.set(None) } };
                view! { <span data-notice-seq=n.seq.to_string()>{n.text}</span> " " <button type="button" class="small" on:click=close>"Dismiss"</button> }
            })}
        </p>
    }
}
