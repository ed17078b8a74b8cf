//! Which secrets exist in which region, and whether the copies agree: the answer to "if Dallas
//! goes down, what can't we read?".
//!
//! Regions are separate instances with separate ids, so a secret is matched across regions by
//! `(name, type)` — the pair an instance keeps unique.

use std::collections::HashMap;

use sm_contract::time::parse_rfc3339;
use sm_contract::SecretMetadata;

/// One region's copy of a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Copy {
    pub id: String,
    pub versions: Option<u64>,
    pub updated: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Presence {
    /// Only this region has it: lose the region, lose the secret.
    Only(u8),
    /// In some regions but not all (three or more regions).
    Partial,
    /// Everywhere, but version counts or update times differ.
    Differs,
    Same,
}

impl Presence {
    pub fn key(self) -> String {
        match self {
            Presence::Only(r) => format!("only-{r}"),
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
    pub copies: Vec<Option<Copy>>,
    pub presence: Presence,
    pub versions_differ: bool,
    pub updated_differ: bool,
}

/// Update times within this many seconds count as the same (replication is not instantaneous).
pub const UPDATE_TOLERANCE_S: i64 = 60;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CrossSummary {
    pub only: Vec<usize>,
    pub partial: usize,
    pub differs: usize,
    pub same: usize,
}

pub fn diff(regions: &[&[SecretMetadata]]) -> Vec<CrossRow> {
    let n = regions.len();
    let mut index: HashMap<(&str, &str), usize> = HashMap::new();
    let mut rows: Vec<CrossRow> = Vec::new();
    for (r, items) in regions.iter().enumerate() {
        for m in items.iter() {
            let k = (m.name.as_str(), m.secret_type.as_str());
            let i = *index.entry(k).or_insert_with(|| {
                rows.push(CrossRow {
                    name: m.name.clone(),
                    secret_type: m.secret_type.as_str().to_string(),
                    copies: vec![None; n],
                    presence: Presence::Same,
                    versions_differ: false,
                    updated_differ: false,
                });
                rows.len() - 1
            });
            // A region holding two secrets with the same name and type (should not happen) keeps
            // the first: one copy is enough to answer "can we read it there".
            if rows[i].copies[r].is_none() {
                rows[i].copies[r] = Some(Copy {
                    id: m.id.clone(),
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
    let present: Vec<(usize, &Copy)> = row.copies.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (i, c))).collect();
    if present.len() == 1 && row.copies.len() > 1 {
        row.presence = Presence::Only(present[0].0 as u8);
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
            Presence::Partial => s.partial += 1,
            Presence::Differs => s.differs += 1,
            Presence::Same => s.same += 1,
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let rows = diff(&[&dallas, &frankfurt]);
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
    }

    #[test]
    fn three_regions_and_empty_ones() {
        let a = vec![s("1", "x", "kv", 1, T0)];
        let b = vec![s("2", "x", "kv", 1, T0)];
        let rows = diff(&[&a, &b, &[]]);
        assert_eq!(rows[0].presence, Presence::Partial);
        assert!(diff(&[&[], &[]]).is_empty());
        let single = diff(&[&a]);
        assert_eq!(single[0].presence, Presence::Same);
    }

    #[test]
    fn missing_update_time_on_one_side_differs() {
        let mut x = s("1", "x", "kv", 1, T0);
        x.updated_at = None;
        let rows = diff(&[&[x], &[s("2", "x", "kv", 1, T0)]]);
        assert_eq!(rows[0].presence, Presence::Differs);
        assert!(!rows[0].versions_differ);
    }
}
