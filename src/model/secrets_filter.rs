//! Filtering and sorting the loaded secrets, fast enough for a keystroke over 20,000 rows.
//!
//! Everything that would cost per keystroke (lower-casing, date parsing) is done once per load in
//! [`RowKey::build`]; a keystroke is then one `contains` per row over a pre-sorted list, so the
//! sort is paid only when the sort column changes.

use std::cmp::Ordering;

use imbl::OrdMap;

use sm_contract::time::{parse_rfc3339, DAY};
use sm_contract::{state_name, SecretMetadata};

/// Expiring "soon" means within this many days (issue 5).
pub const SOON_DAYS: i64 = 30;

/// Per-secret values precomputed once per load.
#[derive(Debug, Clone, PartialEq)]
pub struct RowKey {
    /// Lower-case `name`, then id, type, group, labels and description, separated by `\u{1}` so a
    /// search cannot match across two fields.
    hay: String,
    name_len: usize,
    pub expires: Option<i64>,
    pub updated: Option<i64>,
    /// Rotation interval in hours; 0 when the secret does not rotate by itself.
    pub rotation_hours: u64,
    pub state: &'static str,
}

impl RowKey {
    pub fn build(m: &SecretMetadata) -> RowKey {
        let mut hay = String::with_capacity(m.name.len() + m.id.len() + 64);
        push_lower(&mut hay, &m.name);
        let name_len = hay.len();
        for part in [m.id.as_str(), m.secret_type.as_str(), m.secret_group_id.as_str()] {
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
            hay,
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

    pub fn matches_text(&self, needle_lc: &str) -> bool {
        needle_lc.is_empty() || self.hay.contains(needle_lc)
    }

    /// Every word somewhere in the secret ("payments prod": a name with one, a label with the
    /// other); no words matches everything.
    pub fn matches_words(&self, words_lc: &[String]) -> bool {
        words_lc.iter().all(|w| self.hay.contains(w.as_str()))
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
pub fn state_label(m: &SecretMetadata) -> &'static str {
    if let Some(s) = m.state {
        return state_name(s);
    }
    let d = m.state_description.as_deref().unwrap_or("");
    ["pre-activation", "active", "suspended", "deactivated", "destroyed"]
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(d))
        .unwrap_or("unknown")
}

fn rotation_hours(m: &SecretMetadata) -> u64 {
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

pub fn rotation_text(m: &SecretMetadata) -> String {
    match &m.rotation {
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

    pub fn matches(&self, m: &SecretMetadata, k: &RowKey, now: i64) -> bool {
        if !k.matches_words(&self.words) {
            return false;
        }
        if self.secret_type.as_deref().is_some_and(|t| t != m.secret_type.as_str()) {
            return false;
        }
        if self.group.as_deref().is_some_and(|g| g != m.secret_group_id) {
            return false;
        }
        if self.state.as_deref().is_some_and(|s| s != k.state) {
            return false;
        }
        if let Some(l) = &self.label {
            if !m.labels.iter().any(|x| x.eq_ignore_ascii_case(l)) {
                return false;
            }
        }
        match (self.expiring, expiry(k.expires, now)) {
            (ExpiringFilter::Any, _) => true,
            (ExpiringFilter::Expired, e) => e == Expiry::Expired,
            (ExpiringFilter::Soon, e) => e == Expiry::Soon,
            (ExpiringFilter::Attention, e) => matches!(e, Expiry::Expired | Expiry::Soon),
        }
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
    pub items: &'a imbl::Vector<SecretMetadata>,
    pub keys: &'a imbl::Vector<RowKey>,
    pub counts: &'a FacetCounts,
}

/// A row of a (possibly combined) view: which source, which secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RowRef {
    pub source: u8,
    pub idx: u32,
}

fn opt_cmp<T: Ord>(a: Option<T>, b: Option<T>) -> Ordering {
    // Rows without a value sort last in ascending order.
    match (a, b) {
        (Some(a), Some(b)) => a.cmp(&b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// Every row of every source, sorted; ties broken by name then id so the order is stable.
pub fn sorted(sources: &[Source], sort: Sort) -> Vec<RowRef> {
    // References taken once, in one pass per list: the comparisons then never walk the trees.
    let mut refs: Vec<(RowRef, &SecretMetadata, &RowKey)> = sources
        .iter()
        .enumerate()
        .flat_map(|(s, src)| src.items.iter().zip(src.keys.iter()).enumerate().map(move |(i, (m, k))| (RowRef { source: s as u8, idx: i as u32 }, m, k)))
        .collect();
    // Unstable is enough: the order is total (ties end at id and region), and it sorts in place.
    refs.sort_unstable_by(|(a, ma, ka), (b, mb, kb)| {
        let primary = match sort.column {
            Column::Region => a.source.cmp(&b.source),
            Column::Type => ma.secret_type.as_str().cmp(mb.secret_type.as_str()),
            Column::Name => Ordering::Equal,
            Column::Group => ma.secret_group_id.cmp(&mb.secret_group_id),
            Column::State => ka.state.cmp(kb.state),
            Column::Labels => ma.labels.first().cmp(&mb.labels.first()),
            Column::Expiration => opt_cmp(ka.expires, kb.expires),
            Column::Rotation => ka.rotation_hours.cmp(&kb.rotation_hours),
            Column::Updated => opt_cmp(ka.updated, kb.updated),
        };
        let primary = if sort.descending { primary.reverse() } else { primary };
        let by_name = ka.name_lc().cmp(kb.name_lc());
        let by_name = if sort.descending && sort.column == Column::Name { by_name.reverse() } else { by_name };
        primary.then(by_name).then_with(|| ma.id.cmp(&mb.id)).then(a.source.cmp(&b.source))
    });
    refs.into_iter().map(|(r, _, _)| r).collect()
}

/// The rows of `order` that match `filter`, keeping the order.
pub fn filtered(sources: &[Source], order: &[RowRef], filter: &Filter, now: i64) -> Vec<RowRef> {
    order
        .iter()
        .copied()
        .filter(|r| {
            // `order` may come from another list than `sources` for a moment: skip, never panic.
            let s = sources.get(r.source as usize);
            let (m, k) = (s.and_then(|s| s.items.get(r.idx as usize)), s.and_then(|s| s.keys.get(r.idx as usize)));
            matches!((m, k), (Some(m), Some(k)) if filter.matches(m, k, now))
        })
        .collect()
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
    fn change(&mut self, m: &SecretMetadata, k: &RowKey, add: bool) {
        count_in(&mut self.types, m.secret_type.as_str(), add);
        count_in(&mut self.groups, m.secret_group_id.as_str(), add);
        count_in(&mut self.states, &k.state, add);
        for l in &m.labels {
            count_in(&mut self.labels, l.as_str(), add);
        }
    }

    pub fn add(&mut self, m: &SecretMetadata, k: &RowKey) {
        self.change(m, k, true);
    }

    pub fn remove(&mut self, m: &SecretMetadata, k: &RowKey) {
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
    use crate::model::secret_list::SecretList;

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
        assert_eq!(state_label(&items[1]), "suspended");
        assert_eq!(rotation_text(&items[2]), "every 2 months");
        assert_eq!(rotation_text(&items[0]), "manual");
    }
}
