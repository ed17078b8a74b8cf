//! Filtering and sorting the loaded secrets, fast enough for a keystroke over 20,000 rows.
//!
//! Everything that would cost per keystroke (lower-casing, date parsing) is done once per load in
//! [`RowKey::build`]; a keystroke is then one `contains` per row over a pre-sorted list, so the
//! sort is paid only when the sort column changes.

use std::sync::Arc;

use imbl::OrdMap;
use memchr::memmem::Finder;

use sm_contract::time::{parse_rfc3339, DAY};
use sm_contract::{state_name, Rotation};

use super::listed_secret::ListedSecret;

/// Expiring "soon" means within this many days (issue 5).
pub const SOON_DAYS: i64 = 30;

/// Per-secret values precomputed once per load.
#[derive(Debug, Clone, PartialEq)]
pub struct RowKey {
    /// Lower-case `name`, then id, type, group, labels and description, separated by `\u{1}` so a
    /// search cannot match across two fields. Boxed to its length: the spare capacity a growing
    /// `String` keeps was a quarter of the key, 100,000 times.
    hay: Box<str>,
    name_len: usize,
    pub expires: Option<i64>,
    pub updated: Option<i64>,
    /// Rotation interval in hours; 0 when the secret does not rotate by itself.
    pub rotation_hours: u64,
    pub state: &'static str,
}

impl RowKey {
    pub fn build(m: &ListedSecret) -> RowKey {
        let mut hay = String::with_capacity(m.name.len() + m.id.len() + 64);
        push_lower(&mut hay, &m.name);
        let name_len = hay.len();
        for part in [&*m.id, m.secret_type.as_str(), &*m.secret_group_id] {
            hay.push('\u{1}');
            push_lower(&mut hay, part);
        }
        for l in &m.labels {
            hay.push('\u{1}');
            push_lower(&mut hay, l);
        }
        if let Some(d) = &m.description {
            hay.push('\u{1}');
            push_lower(&mut hay, d);
        }
        RowKey {
            hay: hay.into_boxed_str(),
            name_len,
            expires: m.expiration_date.as_deref().and_then(parse_rfc3339),
            updated: m.updated_at.as_deref().or(m.created_at.as_deref()).and_then(parse_rfc3339),
            rotation_hours: rotation_hours(m),
            state: state_label(m),
        }
    }

    pub fn name_lc(&self) -> &str {
        &self.hay[..self.name_len]
    }

    /// Every word somewhere in the secret ("payments prod": a name with one, a label with the
    /// other); no words matches everything.
    fn matches_words(&self, words: &[Finder]) -> bool {
        words.iter().all(|w| w.find(self.hay.as_bytes()).is_some())
    }
}

fn push_lower(out: &mut String, s: &str) {
    if s.is_ascii() {
        out.extend(s.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.extend(s.chars().flat_map(char::to_lowercase));
    }
}

/// The secret's state as a lower-case name; `state` wins, `state_description` (seen as both
/// `active` and `Active`) is the fallback.
pub fn state_label(m: &ListedSecret) -> &'static str {
    state_label_of(m.state, m.state_description.as_deref())
}

/// [`state_label`] of a secret's `state` and `state_description`, wherever they were read.
pub fn state_label_of(state: Option<i64>, description: Option<&str>) -> &'static str {
    if let Some(s) = state {
        return state_name(s);
    }
    let d = description.unwrap_or("");
    ["pre-activation", "active", "suspended", "deactivated", "destroyed"]
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(d))
        .unwrap_or("unknown")
}

fn rotation_hours(m: &ListedSecret) -> u64 {
    match &m.rotation {
        Some(r) if r.auto_rotate => {
            let n = r.interval.unwrap_or(0);
            let per = match r.unit.as_deref() {
                Some("hour") => 1,
                Some("month") => 24 * 30,
                _ => 24,
            };
            n.saturating_mul(per).max(1)
        }
        _ => 0,
    }
}

pub fn rotation_text(rotation: Option<&Rotation>) -> String {
    match rotation {
        Some(r) if r.auto_rotate => match (r.interval, r.unit.as_deref()) {
            (Some(n), Some(u)) => format!("every {n} {u}{}", if n == 1 { "" } else { "s" }),
            _ => "automatic".into(),
        },
        _ => "manual".into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    Never,
    Later,
    Soon,
    Expired,
}

impl Expiry {
    pub fn as_str(self) -> &'static str {
        match self {
            Expiry::Never => "none",
            Expiry::Later => "later",
            Expiry::Soon => "soon",
            Expiry::Expired => "expired",
        }
    }
}

pub fn expiry(expires: Option<i64>, now: i64) -> Expiry {
    match expires {
        None => Expiry::Never,
        Some(t) if t <= now => Expiry::Expired,
        Some(t) if t <= now + SOON_DAYS * DAY => Expiry::Soon,
        Some(_) => Expiry::Later,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExpiringFilter {
    #[default]
    Any,
    Expired,
    Soon,
    /// Expired or expiring soon: what needs attention.
    Attention,
}

impl ExpiringFilter {
    pub fn parse(s: &str) -> Self {
        match s {
            "expired" => Self::Expired,
            "soon" => Self::Soon,
            "attention" => Self::Attention,
            _ => Self::Any,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    /// As typed, so a restored view shows the user's own text.
    raw: String,
    /// Lower-cased by [`Filter::set_text`].
    text: String,
    /// `text` split at white space: each must match.
    words: Vec<String>,
    pub secret_type: Option<String>,
    pub group: Option<String>,
    pub state: Option<String>,
    pub label: Option<String>,
    pub expiring: ExpiringFilter,
}

impl Filter {
    pub fn set_text(&mut self, s: &str) {
        self.raw = s.to_string();
        self.text.clear();
        let clean: String = s.trim().chars().filter(|c| !c.is_control()).collect();
        push_lower(&mut self.text, &clean);
        self.words = self.text.split_whitespace().map(str::to_string).collect();
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn raw_text(&self) -> &str {
        &self.raw
    }

    /// Nothing to filter by: every row matches.
    pub fn is_everything(&self) -> bool {
        self.words.is_empty()
            && self.secret_type.is_none()
            && self.group.is_none()
            && self.state.is_none()
            && self.label.is_none()
            && self.expiring == ExpiringFilter::Any
    }

    /// Whether a row matches; its secret (`meta`) is read only when the filter asks about it,
    /// since for most keystrokes the key alone answers. `words` are this filter's words, made
    /// ready once per pass ([`Filter::searchers`]).
    fn matches<'a>(&self, words: &[Finder], k: &RowKey, meta: impl FnOnce() -> Option<&'a ListedSecret>, now: i64) -> bool {
        self.matches_key(words, k, now) && (!self.needs_meta() || meta().is_some_and(|m| self.matches_meta(m)))
    }

    /// The words as searchers, built once for a pass over every row: memchr's `memmem` searches
    /// with wasm SIMD (the build enables `simd128`), 3 to 4 times faster than `str::contains`
    /// over 100,000 keys in Chromium (5 against 17 ms for a three-letter word).
    fn searchers(&self) -> Vec<Finder<'_>> {
        self.words.iter().map(|w| Finder::new(w.as_bytes())).collect()
    }

    /// The part of the filter a row's key answers alone: the words, the state and the expiry.
    fn matches_key(&self, words: &[Finder], k: &RowKey, now: i64) -> bool {
        if !k.matches_words(words) {
            return false;
        }
        if self.state.as_deref().is_some_and(|s| s != k.state) {
            return false;
        }
        match (self.expiring, expiry(k.expires, now)) {
            (ExpiringFilter::Any, _) => true,
            (ExpiringFilter::Expired, e) => e == Expiry::Expired,
            (ExpiringFilter::Soon, e) => e == Expiry::Soon,
            (ExpiringFilter::Attention, e) => matches!(e, Expiry::Expired | Expiry::Soon),
        }
    }

    /// Whether the filter asks anything only the secret itself answers (type, group, label).
    fn needs_meta(&self) -> bool {
        self.secret_type.is_some() || self.group.is_some() || self.label.is_some()
    }

    fn matches_meta(&self, m: &ListedSecret) -> bool {
        if self.secret_type.as_deref().is_some_and(|t| t != m.secret_type.as_str()) {
            return false;
        }
        if self.group.as_deref().is_some_and(|g| *g != *m.secret_group_id) {
            return false;
        }
        if let Some(l) = &self.label {
            if !m.labels.iter().any(|x| x.eq_ignore_ascii_case(l)) {
                return false;
            }
        }
        true
    }

    /// Both filters match exactly the same rows ("pay" and "Pay", "pay pay" and "pay").
    pub fn same_rows_as(&self, other: &Filter) -> bool {
        self.narrows(other) && other.narrows(self)
    }

    /// Every row this filter matches also matched `before` (the user typed on: "pay" after
    /// "pa"), so the new answer can be looked for among the old one's rows alone. Each old word
    /// must lie inside a new word; everything else must be the same.
    pub fn narrows(&self, before: &Filter) -> bool {
        self.secret_type == before.secret_type
            && self.group == before.group
            && self.state == before.state
            && self.label == before.label
            && self.expiring == before.expiring
            && before.words.iter().all(|old| self.words.iter().any(|new| new.contains(old.as_str())))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Region,
    Type,
    Name,
    Group,
    State,
    Labels,
    Expiration,
    Rotation,
    Updated,
}

impl Column {
    pub const ALL: [Column; 9] = [
        Column::Region,
        Column::Type,
        Column::Name,
        Column::Group,
        Column::State,
        Column::Labels,
        Column::Expiration,
        Column::Rotation,
        Column::Updated,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Column::Region => "Region",
            Column::Type => "Type",
            Column::Name => "Name",
            Column::Group => "Group",
            Column::State => "State",
            Column::Labels => "Labels",
            Column::Expiration => "Expiration",
            Column::Rotation => "Rotation",
            Column::Updated => "Updated",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { column: Column::Name, descending: false }
    }
}

/// One region's loaded secrets and their keys (same length, same order).
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub items: &'a imbl::Vector<ListedSecret>,
    pub keys: &'a imbl::Vector<RowKey>,
    pub counts: &'a FacetCounts,
}

/// A row of a (possibly combined) view: which source, which secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowRef {
    pub source: u8,
    pub idx: u32,
}

/// The rows of `order` that match `filter`, keeping the order.
///
/// A long `order` is answered list by list first, each list walked front to back, and `order`
/// then only looks its rows up in those answers: looking each row up in the lists in sorted order
/// was two tree walks per row, at 100,000 rows 16 ms of a keystroke even with an empty filter.
/// The secrets themselves are walked only when the filter asks about them (type, group, label).
/// A short `order` (a narrowing keystroke filters the last answer) is looked up row by row.
pub fn filtered(sources: &[Source], order: &[RowRef], filter: &Filter, now: i64) -> Vec<RowRef> {
    if filter.is_everything() {
        // Clearing the filter is the broadest keystroke of all: no row needs to be looked at.
        let lens: Vec<usize> = sources.iter().map(|s| s.items.len().min(s.keys.len())).collect();
        return order.iter().copied().filter(|r| lens.get(r.source as usize).is_some_and(|n| (r.idx as usize) < *n)).collect();
    }
    // In every path, `order` may come from another list than `sources` for a moment: its rows
    // out of range are skipped, never a panic.
    let words = filter.searchers();
    let rows: usize = sources.iter().map(|s| s.keys.len()).sum();
    if order.len() * 4 < rows {
        return order
            .iter()
            .copied()
            .filter(|r| {
                let s = sources.get(r.source as usize);
                let k = s.and_then(|s| s.keys.get(r.idx as usize));
                k.is_some_and(|k| filter.matches(&words, k, || s.and_then(|s| s.items.get(r.idx as usize)), now))
            })
            .collect();
    }
    let hits: Vec<Vec<bool>> = sources
        .iter()
        .map(|s| {
            if filter.needs_meta() {
                s.items.iter().zip(s.keys.iter()).map(|(m, k)| filter.matches(&words, k, || Some(m), now)).collect()
            } else {
                // The keys alone: walking the secrets too costs as much as the matching.
                s.keys.iter().map(|k| filter.matches(&words, k, || None, now)).collect()
            }
        })
        .collect();
    order.iter().copied().filter(|r| hits.get(r.source as usize).and_then(|h| h.get(r.idx as usize)).copied().unwrap_or(false)).collect()
}

/// How many answers a view keeps at most, and how many rows they may hold together, as a multiple
/// of the view's rows (8 bytes a row: 3.2 MB at 100,000). Four: a word's first letters match most rows,
/// and the answers on the way back to them are the ones worth keeping.
const KEEP_ANSWERS: usize = 32;
const KEEP_ROWS_PER_ROW: usize = 4;

/// A view's recent filter answers. Typing on ("pay" after "pa") looks only among the rows of the
/// narrowest kept answer it narrows, and deleting back ("pa" after "pay") finds the answer it had
/// on the way in: at 100,000 rows each backspace was a full pass over every key, the slowest
/// keystrokes of the benchmark. The answers serve only the same lists (revisions), the same
/// order (the very same `Arc`) and the same clock; anything else starts again from `order`.
#[derive(Debug, Default)]
pub struct RecentAnswers {
    now: i64,
    lists: Vec<u64>,
    order: Option<Arc<Vec<RowRef>>>,
    /// Newest first.
    kept: Vec<(Filter, Arc<Vec<RowRef>>)>,
}

impl RecentAnswers {
    /// The rows of `order` that match `filter`, as [`filtered`] gives them; `lists` are the
    /// revisions of `sources`.
    pub fn answer(&mut self, sources: &[Source], lists: Vec<u64>, order: &Arc<Vec<RowRef>>, filter: &Filter, now: i64) -> Arc<Vec<RowRef>> {
        let same_rows = self.order.as_ref().is_some_and(|o| Arc::ptr_eq(o, order)) && self.lists == lists && self.now == now;
        if !same_rows {
            *self = RecentAnswers { now, lists, order: Some(order.clone()), kept: Vec::new() };
        }
        if let Some(i) = self.kept.iter().position(|(f, _)| f.same_rows_as(filter)) {
            let hit = self.kept.remove(i);
            let rows = hit.1.clone();
            self.kept.insert(0, hit);
            return rows;
        }
        let base = self.kept.iter().filter(|(f, _)| filter.narrows(f)).map(|(_, rows)| rows).min_by_key(|rows| rows.len());
        let rows = Arc::new(filtered(sources, base.map_or(&order[..], |rows| &rows[..]), filter, now));
        self.kept.insert(0, (filter.clone(), rows.clone()));
        self.trim(order.len());
        rows
    }

    /// Keeps the newest answers within the bounds; the newest is always kept.
    fn trim(&mut self, view_rows: usize) {
        let budget = view_rows.saturating_mul(KEEP_ROWS_PER_ROW);
        let mut held = 0usize;
        let keep = self
            .kept
            .iter()
            .enumerate()
            .take_while(|(i, (_, rows))| {
                held = held.saturating_add(rows.len());
                *i == 0 || (*i < KEEP_ANSWERS && held <= budget)
            })
            .count();
        self.kept.truncate(keep);
    }

    #[cfg(test)]
    fn held_rows(&self) -> usize {
        self.kept.iter().map(|(_, rows)| rows.len()).sum()
    }
}

/// Distinct values for the filter menus.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Facets {
    pub types: Vec<String>,
    pub groups: Vec<String>,
    pub states: Vec<&'static str>,
    pub labels: Vec<String>,
}

/// Labels offered in the menu; more than this is noise (hostile servers send thousands).
const MAX_LABEL_FACETS: usize = 300;

/// How many secrets of a list have each type, group, state and label: kept up to date by the
/// list as secrets come and go (O(log n) per change), so the filter menus of 100,000 secrets are
/// a merge of a few dozen entries instead of a pass over every secret at each publish.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FacetCounts {
    types: OrdMap<String, u32>,
    groups: OrdMap<String, u32>,
    states: OrdMap<&'static str, u32>,
    labels: OrdMap<String, u32>,
}

fn count_in<K: Ord + Clone, Q: Ord + ?Sized + ToOwned<Owned = K>>(map: &mut OrdMap<K, u32>, key: &Q, add: bool)
where
    K: std::borrow::Borrow<Q>,
{
    match map.get_mut(key) {
        Some(n) if add => *n += 1,
        Some(n) if *n > 1 => *n -= 1,
        Some(_) => {
            map.remove(key);
        }
        None if add => {
            map.insert(key.to_owned(), 1);
        }
        None => {}
    }
}

impl FacetCounts {
    fn change(&mut self, m: &ListedSecret, k: &RowKey, add: bool) {
        count_in(&mut self.types, m.secret_type.as_str(), add);
        count_in(&mut self.groups, &*m.secret_group_id, add);
        count_in(&mut self.states, &k.state, add);
        for l in &m.labels {
            count_in(&mut self.labels, &**l, add);
        }
    }

    pub fn add(&mut self, m: &ListedSecret, k: &RowKey) {
        self.change(m, k, true);
    }

    pub fn remove(&mut self, m: &ListedSecret, k: &RowKey) {
        self.change(m, k, false);
    }
}

pub fn facets(sources: &[Source]) -> Facets {
    use std::collections::BTreeSet;
    let (mut t, mut g, mut s, mut l) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for src in sources {
        t.extend(src.counts.types.keys().map(String::as_str));
        g.extend(src.counts.groups.keys().map(String::as_str));
        s.extend(src.counts.states.keys().copied());
        l.extend(src.counts.labels.keys().map(String::as_str).filter(|x| x.chars().count() <= 64));
    }
    let own = |set: BTreeSet<&str>| set.into_iter().map(String::from).collect();
    Facets { types: own(t), groups: own(g), states: s.into_iter().collect(), labels: l.into_iter().take(MAX_LABEL_FACETS).map(String::from).collect() }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::secrets_sort::sorted;
    use crate::model::secret_list::SecretList;
    use sm_contract::SecretMetadata;

    pub(crate) fn secret(id: &str, name: &str, ty: &str) -> SecretMetadata {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "secret_type": ty})).expect("valid")
    }

    fn t(s: &str) -> i64 {
        parse_rfc3339(s).expect("valid")
    }

    fn fixture() -> Vec<SecretMetadata> {
        let mut a = secret("1", "Payments-DB", "username_password");
        a.labels = vec!["prod".into(), "db".into()];
        a.state = Some(1);
        a.expiration_date = Some("2026-01-10T00:00:00Z".into());
        a.updated_at = Some("2025-06-01T00:00:00Z".into());
        let mut b = secret("2", "api-key", "arbitrary");
        b.labels = vec!["dev".into()];
        b.state_description = Some("Suspended".into());
        b.expiration_date = Some("2025-12-01T00:00:00Z".into());
        b.secret_group_id = "g1".into();
        b.updated_at = Some("2025-07-01T00:00:00Z".into());
        let mut c = secret("3", "ÉTÉ-cert", "imported_cert");
        c.description = Some("Frankfurt edge".into());
        c.state = Some(3);
        c.expiration_date = Some("2027-01-01T00:00:00Z".into());
        c.rotation = serde_json::from_str(r#"{"auto_rotate":true,"interval":2,"unit":"month"}"#).ok();
        vec![a, b, c]
    }

    fn names(items: &[SecretMetadata], refs: &[RowRef]) -> Vec<String> {
        refs.iter().map(|r| items[r.idx as usize].name.clone()).collect()
    }

    #[test]
    fn text_filter_is_case_insensitive_and_covers_id_labels_description() {
        let items = fixture();
        let list = SecretList::from_vec(items.clone());
        let src = [list.source()];
        let order = sorted(&src, Sort::default());
        let now = t("2025-12-20T00:00:00Z");
        let run = |text: &str| {
            let mut f = Filter::default();
            f.set_text(text);
            names(&items, &filtered(&src, &order, &f, now))
        };
        assert_eq!(run("payments"), vec!["Payments-DB"]);
        assert_eq!(run("  PROD "), vec!["Payments-DB"]);
        assert_eq!(run("été"), vec!["ÉTÉ-cert"]);
        assert_eq!(run("frankfurt"), vec!["ÉTÉ-cert"], "description");
        assert_eq!(run("arbitrary"), vec!["api-key"], "type");
        assert_eq!(run(""), vec!["api-key", "Payments-DB", "ÉTÉ-cert"], "code-point order: é after p");
        assert!(run("db\u{1}1").is_empty(), "no match across fields");
        assert_eq!(run("payments prod"), vec!["Payments-DB"], "every word, each anywhere");
        assert_eq!(run("PROD   payments"), vec!["Payments-DB"], "in any order, any spacing");
        assert!(run("payments nowhere").is_empty(), "all words, not any");
    }

    /// Many secrets over two lists, with names, labels, groups and types that overlap in parts.
    fn many() -> (SecretList, SecretList) {
        let make = |r: usize| {
            SecretList::from_vec(
                (0..400)
                    .map(|i| {
                        let ty = ["arbitrary", "kv", "imported_cert"][i % 3];
                        let mut m = secret(&format!("{r}-{i}"), &format!("svc-{}-{}", ["pay", "payroll", "auth", "edge"][i % 4], i % 37), ty);
                        m.labels = vec![format!("team-{}", i % 5)];
                        m.secret_group_id = format!("g{}", i % 3);
                        m.state = Some([1, 3][i % 2]);
                        m
                    })
                    .collect(),
            )
        };
        (make(0), make(1))
    }

    /// Every row of `sources` that `f` matches, in `order`, by the plainest loop there is.
    fn by_hand(sources: &[Source], order: &[RowRef], f: &Filter, now: i64) -> Vec<RowRef> {
        let mut out = Vec::new();
        for r in order {
            let s = &sources[r.source as usize];
            let (m, k) = (&s.items[r.idx as usize], &s.keys[r.idx as usize]);
            let words_ok = f.words.iter().all(|w| k.hay.contains(w.as_str()));
            let ty_ok = f.secret_type.as_deref().is_none_or(|t| t == m.secret_type.as_str());
            let group_ok = f.group.as_deref().is_none_or(|g| *g == *m.secret_group_id);
            let state_ok = f.state.as_deref().is_none_or(|st| st == k.state);
            let label_ok = f.label.as_deref().is_none_or(|l| m.labels.iter().any(|x| x.eq_ignore_ascii_case(l)));
            let e = expiry(k.expires, now);
            let expiry_ok = match f.expiring {
                ExpiringFilter::Any => true,
                ExpiringFilter::Expired => e == Expiry::Expired,
                ExpiringFilter::Soon => e == Expiry::Soon,
                ExpiringFilter::Attention => e == Expiry::Expired || e == Expiry::Soon,
            };
            if words_ok && ty_ok && group_ok && state_ok && label_ok && expiry_ok {
                out.push(*r);
            }
        }
        out
    }

    /// Two lists and their sorted order, as the answers' tests ask them.
    struct Asked {
        a: SecretList,
        b: SecretList,
        order: Arc<Vec<RowRef>>,
    }

    impl Asked {
        fn new() -> Asked {
            let (a, b) = many();
            let order = Arc::new(sorted(&[a.source(), b.source()], Sort::default()));
            Asked { a, b, order }
        }

        fn src(&self) -> [Source<'_>; 2] {
            [self.a.source(), self.b.source()]
        }

        fn lists(&self) -> Vec<u64> {
            vec![self.a.revision(), self.b.revision()]
        }

        /// Answers that keep `text`'s answer, emptied: anything later computed from it is empty,
        /// so a test sees whether it was used.
        fn emptied(&self, f: &mut Filter, text: &str) -> RecentAnswers {
            let mut kept = RecentAnswers::default();
            f.set_text(text);
            kept.answer(&self.src(), self.lists(), &self.order, f, 0);
            kept.kept[0].1 = Arc::new(Vec::new());
            kept
        }
    }

    #[test]
    fn typing_on_and_deleting_back_give_what_a_full_pass_gives() {
        let asked = Asked::new();
        let (src, lists, order) = (asked.src(), asked.lists(), &asked.order);
        let mut last = RecentAnswers::default();
        let mut f = Filter::default();
        // Typed on, broadened, cleared, a facet set and dropped, two words: each answer must be
        // what the plain loop finds in the whole order.
        let steps: &[(&str, Option<&str>)] = &[
            ("p", None), ("pa", None), ("pay", None), ("payr", None), ("pay", None), ("", None), ("a", None),
            ("a", Some("kv")), ("au", Some("kv")), ("au", None), ("pay 1", None), ("pay 12", None), ("pay 12 team-2", None), ("x", None),
        ];
        for (text, ty) in steps {
            f.set_text(text);
            f.secret_type = ty.map(str::to_string);
            let got = last.answer(&src, lists.clone(), order, &f, 0);
            let want = by_hand(&src, order, &f, 0);
            assert_eq!(*got, want, "after typing {text:?} with type {ty:?}");
            assert!(!want.is_empty() || *text == "x", "the steps must match something: {text:?}");
        }
        // A narrowing step really started from a kept answer: one computed from a wrong kept
        // answer would show it (here: an answer that lost its rows).
        f.secret_type = None;
        let mut stale = asked.emptied(&mut f, "pa");
        f.set_text("pay");
        assert!(stale.answer(&src, lists.clone(), order, &f, 0).is_empty(), "a narrowing keystroke searches the kept answer");
        // ...and deleting back gives the kept answer itself, not a new pass.
        f.set_text("pa");
        assert!(stale.answer(&src, lists.clone(), order, &f, 0).is_empty(), "deleting back reuses the kept answer");
        // ...but not across another list, another order or another clock: each case first has
        // an emptied "pa" kept for these lists, this order and this clock, then changes one.
        let other_order = Arc::new(order.to_vec());
        let cases: [(&str, Vec<u64>, &Arc<Vec<RowRef>>, i64); 3] =
            [("other lists", vec![0, 0], order, 0), ("another order", lists.clone(), &other_order, 0), ("another minute", lists.clone(), order, 60)];
        for (what, other_lists, other, now) in cases {
            let mut stale = asked.emptied(&mut f, "pa");
            f.set_text("pay");
            assert!(!stale.answer(&src, other_lists, other, &f, now).is_empty(), "{what}: from the whole order");
        }
    }

    #[test]
    fn deleting_back_reuses_the_answer_and_typing_on_starts_from_the_narrowest_kept_one() {
        let asked = Asked::new();
        let (src, lists, order) = (asked.src(), asked.lists(), &asked.order);
        let mut kept = RecentAnswers::default();
        let mut f = Filter::default();
        let mut on_the_way_in = Vec::new();
        for text in ["p", "pa", "pay"] {
            f.set_text(text);
            on_the_way_in.push(kept.answer(&src, lists.clone(), order, &f, 0));
        }
        for (i, text) in ["p", "pa"].iter().enumerate().rev() {
            f.set_text(text);
            let back = kept.answer(&src, lists.clone(), order, &f, 0);
            assert!(Arc::ptr_eq(&back, &on_the_way_in[i]), "{text:?}: the answer from the way in");
        }
        // Same rows, other spelling: still the kept answer.
        f.set_text("PA pa");
        assert!(Arc::ptr_eq(&kept.answer(&src, lists.clone(), order, &f, 0), &on_the_way_in[1]));
        // "payr" narrows "p", "pa" and "pay": it must start from "pay", the fewest rows. Emptied
        // here, so an answer from any other start would not be empty.
        kept.kept.iter_mut().filter(|(k, _)| k.text() == "pay").for_each(|(_, rows)| *rows = Arc::new(Vec::new()));
        f.set_text("payr");
        assert!(kept.answer(&src, lists.clone(), order, &f, 0).is_empty(), "started from the narrowest kept answer");
    }

    #[test]
    fn kept_answers_stay_within_four_times_the_views_rows() {
        let asked = Asked::new();
        let (src, lists, order) = (asked.src(), asked.lists(), &asked.order);
        let mut kept = RecentAnswers::default();
        let mut f = Filter::default();
        // Broad answers (a letter or a digit each: most rows) until the bound bites, then many
        // narrow ones until the count does.
        for text in ["a", "e", "s", "t", "r", "i", "o", "n", "1", "2", "3", "4"].iter().map(|s| s.to_string()).chain((0..100).map(|i| format!("zz{i}"))) {
            f.set_text(&text);
            let got = kept.answer(&src, lists.clone(), order, &f, 0);
            assert_eq!(*got, by_hand(&src, order, &f, 0), "{text:?}");
            assert!(kept.held_rows() <= 4 * order.len() || kept.kept.len() == 1, "{text:?}: {} rows held", kept.held_rows());
            assert!(kept.kept.len() <= KEEP_ANSWERS);
        }
        assert_eq!(kept.kept.len(), KEEP_ANSWERS, "narrow answers are kept up to the count");
    }

    #[test]
    fn a_filter_narrows_another_only_when_every_match_of_it_matched_the_other() {
        let with = |t: &str| {
            let mut f = Filter::default();
            f.set_text(t);
            f
        };
        assert!(with("pay").narrows(&with("pa")));
        assert!(with("pay prod").narrows(&with("pay")));
        assert!(with("payments").narrows(&with("ment pay")));
        assert!(with("pa").narrows(&with("")));
        assert!(!with("pa").narrows(&with("pay")), "deleting a letter broadens");
        assert!(!with("pay").narrows(&with("pax")));
        let mut typed = with("pay");
        typed.state = Some("active".into());
        assert!(!typed.narrows(&with("pa")), "a facet changed too");
    }

    #[test]
    fn a_short_order_and_a_long_one_give_the_same_rows() {
        let (a, b) = many();
        let src = [a.source(), b.source()];
        let order = sorted(&src, Sort::default());
        let short: Vec<RowRef> = order.iter().copied().step_by(9).collect();
        assert!(short.len() * 4 < order.len());
        for (text, label) in [("pay", None), ("auth", Some("TEAM-3")), ("", Some("team-1")), ("1", None)] {
            let mut f = Filter::default();
            f.set_text(text);
            f.label = label.map(str::to_string);
            assert_eq!(filtered(&src, &short, &f, 0), by_hand(&src, &short, &f, 0), "{text:?} {label:?}, short");
            assert_eq!(filtered(&src, &order, &f, 0), by_hand(&src, &order, &f, 0), "{text:?} {label:?}, long");
        }
        // Rows of another list (out of range) are skipped on both paths, and when nothing filters.
        let odd = vec![RowRef { source: 0, idx: 9_999 }, RowRef { source: 7, idx: 0 }, order[0]];
        for text in ["", "s"] {
            let mut f = Filter::default();
            f.set_text(text);
            assert_eq!(filtered(&src, &odd, &f, 0), vec![order[0]]);
        }
    }

    #[test]
    fn facet_filters_and_expiry() {
        let items = fixture();
        let list = SecretList::from_vec(items.clone());
        let src = [list.source()];
        let order = sorted(&src, Sort::default());
        let now = t("2025-12-20T00:00:00Z");
        let run = |f: Filter| names(&items, &filtered(&src, &order, &f, now));
        assert_eq!(run(Filter { state: Some("suspended".into()), ..Default::default() }), vec!["api-key"]);
        assert_eq!(run(Filter { group: Some("g1".into()), ..Default::default() }), vec!["api-key"]);
        assert_eq!(run(Filter { label: Some("PROD".into()), ..Default::default() }), vec!["Payments-DB"]);
        assert_eq!(run(Filter { secret_type: Some("imported_cert".into()), ..Default::default() }), vec!["ÉTÉ-cert"]);
        assert_eq!(run(Filter { expiring: ExpiringFilter::Expired, ..Default::default() }), vec!["api-key"]);
        assert_eq!(run(Filter { expiring: ExpiringFilter::Soon, ..Default::default() }), vec!["Payments-DB"]);
        assert_eq!(run(Filter { expiring: ExpiringFilter::Attention, ..Default::default() }).len(), 2);
        assert_eq!(expiry(None, now), Expiry::Never);
        assert_eq!(expiry(Some(now + 31 * DAY), now), Expiry::Later);
    }

    #[test]
    fn sorts_on_every_column_both_ways_with_missing_values_last() {
        let items = fixture();
        let list = SecretList::from_vec(items.clone());
        let src = [list.source()];
        let by = |column, descending| names(&items, &sorted(&src, Sort { column, descending }));
        assert_eq!(by(Column::Name, false), vec!["api-key", "Payments-DB", "ÉTÉ-cert"]);
        assert_eq!(by(Column::Name, true), vec!["ÉTÉ-cert", "Payments-DB", "api-key"]);
        assert_eq!(by(Column::Expiration, false), vec!["api-key", "Payments-DB", "ÉTÉ-cert"]);
        assert_eq!(by(Column::Updated, false), vec!["Payments-DB", "api-key", "ÉTÉ-cert"], "missing last");
        assert_eq!(by(Column::Type, false), vec!["api-key", "ÉTÉ-cert", "Payments-DB"]);
        assert_eq!(by(Column::Rotation, true)[0], "ÉTÉ-cert");
        assert_eq!(by(Column::State, false), vec!["Payments-DB", "ÉTÉ-cert", "api-key"]);
        for c in Column::ALL {
            assert_eq!(by(c, false).len(), 3);
        }
    }

    #[test]
    fn combined_sources_keep_their_region() {
        let a = fixture();
        let b = vec![secret("9", "api-key", "arbitrary")];
        let (la, lb) = (SecretList::from_vec(a), SecretList::from_vec(b));
        let src = [la.source(), lb.source()];
        let order = sorted(&src, Sort::default());
        assert_eq!(order.len(), 4);
        assert_eq!(order[0], RowRef { source: 0, idx: 1 });
        assert_eq!(order[1], RowRef { source: 1, idx: 0 });
        let f = facets(&src);
        assert_eq!(f.types, vec!["arbitrary", "imported_cert", "username_password"]);
        assert_eq!(f.states, vec!["active", "deactivated", "suspended", "unknown"]);
    }

    #[test]
    fn state_and_rotation_text() {
        let items = fixture();
        let list = SecretList::from_vec(items.clone());
        assert_eq!(list.by_id(&items[1].id).map(state_label), Some("suspended"));
        assert_eq!(state_label_of(None, Some("Suspended")), "suspended");
        assert_eq!(rotation_text(items[2].rotation.as_ref()), "every 2 months");
        assert_eq!(rotation_text(items[0].rotation.as_ref()), "manual");
    }
}
