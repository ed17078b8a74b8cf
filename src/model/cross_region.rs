//! Which secrets exist in which region, and whether the copies agree: the answer to "if Dallas
//! goes down, what can't we read?".
//!
//! Regions are separate instances with separate ids, so a secret is matched across regions by
//! `(name, type)` — the pair an instance keeps unique.
//!
//! A region whose list has not been read completely is *unknown*, not empty: a secret not seen
//! there may well be there, so nothing is counted against it ("only in Frankfurt" while Dallas
//! was never read would invite someone to re-create secrets that exist).

use std::collections::HashMap;

use sm_contract::time::parse_rfc3339;
use super::listed_secret::ListedSecret;

/// One region's copy of a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    pub id: String,
    pub versions: Option<u64>,
    pub updated: Option<i64>,
}

/// What is known of one region's copy of a secret.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Present(Copy),
    /// The region's list was read completely and it is not there.
    Absent,
    /// The region's list was not (completely) read: it may or may not be there.
    Unknown,
}

impl Cell {
    pub fn copy(&self) -> Option<&Copy> {
        match self {
            Cell::Present(c) => Some(c),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Presence {
    /// Only this region has it: lose the region, lose the secret.
    Only(u8),
    /// Seen in some regions; whether the unread ones have it cannot be told.
    Unknown,
    /// In some regions but not all (three or more regions).
    Partial,
    /// Everywhere, but version counts or update times differ.
    Differs,
    Same,
}

impl Presence {
    /// The inverse of [`Presence::key`]; `None` for anything else (all rows).
    pub fn parse_key(s: &str) -> Option<Presence> {
        match s {
            "unknown" => Some(Presence::Unknown),
            "partial" => Some(Presence::Partial),
            "differs" => Some(Presence::Differs),
            "same" => Some(Presence::Same),
            _ => s.strip_prefix("only-").and_then(|n| n.parse::<u8>().ok()).map(Presence::Only),
        }
    }

    pub fn key(self) -> String {
        match self {
            Presence::Only(r) => format!("only-{r}"),
            Presence::Unknown => "unknown".into(),
            Presence::Partial => "partial".into(),
            Presence::Differs => "differs".into(),
            Presence::Same => "same".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CrossRow {
    pub name: String,
    pub secret_type: String,
    /// One entry per region, in the order the regions were given.
    pub copies: Vec<Cell>,
    pub presence: Presence,
    pub versions_differ: bool,
    pub updated_differ: bool,
}

/// Update times within this many seconds count as the same (replication is not instantaneous).
pub const UPDATE_TOLERANCE_S: i64 = 60;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CrossSummary {
    pub only: Vec<usize>,
    pub unknown: usize,
    pub partial: usize,
    pub differs: usize,
    pub same: usize,
}

/// `regions[i]` is `None` while region `i`'s list is not (completely) read.
pub fn diff<'a, L>(regions: &[Option<L>]) -> Vec<CrossRow>
where
    L: IntoIterator<Item = &'a ListedSecret> + std::marker::Copy,
{
    let blank: Vec<Cell> = regions.iter().map(|r| if r.is_some() { Cell::Absent } else { Cell::Unknown }).collect();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut rows: Vec<CrossRow> = Vec::new();
    for (r, items) in regions.iter().enumerate() {
        let Some(items) = *items else { continue };
        for m in items {
            let k = (&*m.name, m.secret_type.as_str());
            let i = *index.entry(k).or_insert_with(|| {
                rows.push(CrossRow {
                    name: m.name.to_string(),
                    secret_type: m.secret_type.as_str().to_string(),
                    copies: blank.clone(),
                    presence: Presence::Same,
                    versions_differ: false,
                    updated_differ: false,
                });
                rows.len() - 1
            });
            // A region holding two secrets with the same name and type (should not happen) keeps
            // the first: one copy is enough to answer "can we read it there".
            if rows[i].copies[r].copy().is_none() {
                rows[i].copies[r] = Cell::Present(Copy {
                    id: m.id.to_string(),
                    versions: m.versions_total,
                    updated: m.updated_at.as_deref().and_then(parse_rfc3339),
                });
            }
        }
    }
    for row in &mut rows {
        classify(row);
    }
    rows.sort_by(|a, b| a.presence.cmp(&b.presence).then_with(|| a.name.cmp(&b.name)).then_with(|| a.secret_type.cmp(&b.secret_type)));
    rows
}

fn classify(row: &mut CrossRow) {
    let present: Vec<(usize, &Copy)> = row.copies.iter().enumerate().filter_map(|(i, c)| c.copy().map(|c| (i, c))).collect();
    let absent = row.copies.iter().filter(|c| **c == Cell::Absent).count();
    if present.len() == 1 && absent == row.copies.len() - 1 && row.copies.len() > 1 {
        row.presence = Presence::Only(present[0].0 as u8);
        return;
    }
    if row.copies.contains(&Cell::Unknown) {
        row.presence = Presence::Unknown;
        return;
    }
    if present.len() < row.copies.len() {
        row.presence = Presence::Partial;
        return;
    }
    let first = present[0].1;
    row.versions_differ = present.iter().any(|(_, c)| c.versions != first.versions);
    row.updated_differ = present.iter().any(|(_, c)| match (c.updated, first.updated) {
        (Some(a), Some(b)) => (a - b).abs() > UPDATE_TOLERANCE_S,
        (None, None) => false,
        _ => true,
    });
    row.presence = if row.versions_differ || row.updated_differ { Presence::Differs } else { Presence::Same };
}

pub fn summary(rows: &[CrossRow], regions: usize) -> CrossSummary {
    let mut s = CrossSummary { only: vec![0; regions], ..Default::default() };
    for r in rows {
        match r.presence {
            Presence::Only(i) => {
                if let Some(c) = s.only.get_mut(i as usize) {
                    *c += 1;
                }
            }
            Presence::Unknown => s.unknown += 1,
            Presence::Partial => s.partial += 1,
            Presence::Differs => s.differs += 1,
            Presence::Same => s.same += 1,
        }
    }
    s
}

/// What the cross-region table is sorted by; `Status` (what is at risk first) by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CrossKey {
    #[default]
    Status,
    Name,
    Type,
    /// The most recent update among the copies.
    Updated,
}

impl CrossKey {
    pub const ALL: [CrossKey; 4] = [CrossKey::Status, CrossKey::Name, CrossKey::Type, CrossKey::Updated];

    pub fn as_str(self) -> &'static str {
        match self {
            CrossKey::Status => "status",
            CrossKey::Name => "name",
            CrossKey::Type => "type",
            CrossKey::Updated => "updated",
        }
    }

    pub fn parse(s: &str) -> Option<CrossKey> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

fn latest(r: &CrossRow) -> Option<i64> {
    r.copies.iter().filter_map(|c| c.copy().and_then(|c| c.updated)).max()
}

/// Positions of `rows` in the asked order; ties by name then type, so the order is stable.
/// Rows without an update time sort last whichever the direction.
pub fn sort_rows(rows: &[CrossRow], key: CrossKey, descending: bool) -> Vec<usize> {
    use std::cmp::Ordering;
    let mut idx: Vec<usize> = (0..rows.len()).collect();
    let tie = |a: &CrossRow, b: &CrossRow| a.name.cmp(&b.name).then_with(|| a.secret_type.cmp(&b.secret_type));
    idx.sort_by(|&i, &j| {
        let (a, b) = (&rows[i], &rows[j]);
        let primary = match key {
            CrossKey::Status => a.presence.cmp(&b.presence),
            CrossKey::Name => Ordering::Equal,
            CrossKey::Type => a.secret_type.cmp(&b.secret_type),
            CrossKey::Updated => match (latest(a), latest(b)) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => return Ordering::Less,
                (None, Some(_)) => return Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
        };
        let o = primary.then_with(|| tie(a, b));
        if descending { o.reverse() } else { o }
    });
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::secret_list::SecretList;
    use sm_contract::SecretMetadata;

    fn l(v: &[SecretMetadata]) -> SecretList {
        SecretList::from_vec(v.to_vec())
    }

    fn s(id: &str, name: &str, ty: &str, versions: u64, updated: &str) -> SecretMetadata {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "secret_type": ty,
            "versions_total": versions, "updated_at": updated}))
        .expect("valid")
    }

    const T0: &str = "2026-01-01T00:00:00Z";
    const T1: &str = "2026-01-01T00:00:30Z";
    const T2: &str = "2026-02-01T00:00:00Z";

    #[test]
    fn classifies_each_secret() {
        let dallas = vec![
            s("a1", "db", "kv", 2, T0),
            s("a2", "db", "arbitrary", 1, T0),
            s("a3", "only-dal", "kv", 1, T0),
            s("a4", "rotated", "kv", 3, T2),
            s("a5", "close", "kv", 1, T0),
        ];
        let frankfurt = vec![
            s("b1", "db", "kv", 2, T0),
            s("b3", "only-fra", "kv", 1, T0),
            s("b4", "rotated", "kv", 2, T0),
            s("b5", "close", "kv", 1, T1),
        ];
        let rows = diff(&[Some(&l(&dallas)), Some(&l(&frankfurt))]);
        let find = |n: &str, t: &str| rows.iter().find(|r| r.name == n && r.secret_type == t).expect("row").clone();
        assert_eq!(find("db", "kv").presence, Presence::Same);
        assert_eq!(find("db", "arbitrary").presence, Presence::Only(0), "same name, other type: not a copy");
        assert_eq!(find("only-dal", "kv").presence, Presence::Only(0));
        assert_eq!(find("only-fra", "kv").presence, Presence::Only(1));
        let r = find("rotated", "kv");
        assert_eq!(r.presence, Presence::Differs);
        assert!(r.versions_differ && r.updated_differ);
        assert_eq!(find("close", "kv").presence, Presence::Same, "within the tolerance");
        let sum = summary(&rows, 2);
        assert_eq!(sum.only, vec![2, 1]);
        assert_eq!((sum.differs, sum.same, sum.partial), (1, 2, 0));
        assert_eq!(rows[0].presence, Presence::Only(0), "what is at risk comes first");
        for p in [Presence::Only(1), Presence::Unknown, Presence::Partial, Presence::Differs, Presence::Same] {
            assert_eq!(Presence::parse_key(&p.key()), Some(p));
        }
        assert_eq!(Presence::parse_key("only-x"), None);
    }

    #[test]
    fn three_regions_and_empty_ones() {
        let a = vec![s("1", "x", "kv", 1, T0)];
        let b = vec![s("2", "x", "kv", 1, T0)];
        let rows = diff(&[Some(&l(&a)), Some(&l(&b)), Some(&l(&Vec::new()))]);
        assert_eq!(rows[0].presence, Presence::Partial);
        assert!(diff(&[Some(&l(&[])), Some(&l(&[]))]).is_empty());
        let single = diff(&[Some(&l(&a))]);
        assert_eq!(single[0].presence, Presence::Same);
    }

    #[test]
    fn missing_update_time_on_one_side_differs() {
        let mut x = s("1", "x", "kv", 1, T0);
        x.updated_at = None;
        let rows = diff(&[Some(&l(&[x])), Some(&l(&[s("2", "x", "kv", 1, T0)]))]);
        assert_eq!(rows[0].presence, Presence::Differs);
        assert!(!rows[0].versions_differ);
    }

    #[test]
    fn an_unread_region_is_unknown_not_missing() {
        let frankfurt = vec![s("b1", "db", "kv", 1, T0), s("b2", "api", "kv", 1, T0)];
        let rows = diff(&[None, Some(&l(&frankfurt))]);
        assert!(rows.iter().all(|r| r.presence == Presence::Unknown), "nothing is 'only in Frankfurt' while Dallas is unread");
        assert!(rows.iter().all(|r| r.copies[0] == Cell::Unknown && r.copies[1].copy().is_some()));
        let sum = summary(&rows, 2);
        assert_eq!(sum.only, vec![0, 0]);
        assert_eq!(sum.unknown, 2);
        // Three regions, one unread: seen in one read region and not in the other is not "only
        // there" (the unread one may have it).
        let a = vec![s("1", "x", "kv", 1, T0)];
        let rows = diff(&[Some(&l(&a)), Some(&l(&Vec::new())), None]);
        assert_eq!(rows[0].presence, Presence::Unknown);
        assert_eq!(rows[0].copies[1], Cell::Absent);
    }

    #[test]
    fn sorts_by_each_column_and_back() {
        let dallas = vec![s("a", "zeta", "kv", 1, T0), s("b", "alpha", "arbitrary", 1, T2), s("c", "mid", "kv", 1, T0)];
        let frankfurt = vec![s("d", "zeta", "kv", 1, T0), s("e", "mid", "kv", 2, T1)];
        let rows = diff(&[Some(&l(&dallas)), Some(&l(&frankfurt))]);
        let names = |k: CrossKey, d: bool| sort_rows(&rows, k, d).into_iter().map(|i| rows[i].name.as_str()).collect::<Vec<_>>();
        assert_eq!(names(CrossKey::Status, false), vec!["alpha", "mid", "zeta"], "only-in first, then differs, then same");
        assert_eq!(names(CrossKey::Name, false), vec!["alpha", "mid", "zeta"]);
        assert_eq!(names(CrossKey::Name, true), vec!["zeta", "mid", "alpha"]);
        assert_eq!(names(CrossKey::Type, false), vec!["alpha", "mid", "zeta"], "arbitrary before kv");
        assert_eq!(names(CrossKey::Updated, true), vec!["alpha", "mid", "zeta"], "newest copy first");
        assert_eq!(names(CrossKey::Updated, false), vec!["zeta", "mid", "alpha"]);
        for k in CrossKey::ALL {
            assert_eq!(CrossKey::parse(k.as_str()), Some(k));
        }
    }
}
