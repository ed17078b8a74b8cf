//! The order of a (possibly combined) secrets view.
//!
//! Sorting is the largest part of the task that ends a load: all 20,000 rows of both regions
//! were sorted again whenever either region's list changed. [`SortCache`] keeps each list's own
//! sorted run, keyed by the list's revision (unique across the page) and the sort, sorts only the
//! lists that changed, and merges the runs. The order is total, so the merge gives exactly what
//! one sort of every row gives ([`sorted`], the reference the tests compare with; the console
//! itself sorts only through the cache, so the sort is compiled into it once).

use std::cmp::Ordering;

use super::listed_secret::ListedSecret;
use super::secrets_filter::{Column, RowKey, RowRef, Sort, Source};

/// What a comparison reads of one row, gathered in one pass over a list, so that comparisons
/// never walk the list's trees. `name16` is the lower-case name's first 16 bytes: it decides most
/// name comparisons without reading the name itself.
struct SortRow<'a> {
    r: RowRef,
    name16: u128,
    m: &'a ListedSecret,
    k: &'a RowKey,
}

/// The first 16 bytes, zero-padded, compared as one number. A shorter name pads with zeros, which
/// orders it before any longer name it begins; so when two prefixes differ they order the names
/// as the whole names would, and when they are equal the names themselves decide.
fn prefix16(s: &str) -> u128 {
    let mut b = [0u8; 16];
    let n = s.len().min(16);
    b[..n].copy_from_slice(&s.as_bytes()[..n]);
    u128::from_be_bytes(b)
}

fn rows_of<'a>(source: u8, src: &Source<'a>) -> Vec<SortRow<'a>> {
    src.items
        .iter()
        .zip(src.keys.iter())
        .enumerate()
        .map(|(i, (m, k))| SortRow { r: RowRef { source, idx: i as u32 }, name16: prefix16(k.name_lc()), m, k })
        .collect()
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

/// The sort column, then the name, then id, region and position: a total order, so every way of
/// reaching it (one sort, or sorted runs merged) gives the same rows in the same order.
fn compare(sort: Sort, a: &SortRow, b: &SortRow) -> Ordering {
    let (ma, ka, mb, kb) = (a.m, a.k, b.m, b.k);
    let primary = match sort.column {
        Column::Region => a.r.source.cmp(&b.r.source),
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
    primary
        .then_with(|| {
            let by_name = a.name16.cmp(&b.name16).then_with(|| ka.name_lc().cmp(kb.name_lc()));
            if sort.descending && sort.column == Column::Name {
                by_name.reverse()
            } else {
                by_name
            }
        })
        .then_with(|| ma.id.cmp(&mb.id))
        .then(a.r.source.cmp(&b.r.source))
        .then(a.r.idx.cmp(&b.r.idx))
}

/// Every row of every source, sorted in one go.
pub fn sorted(sources: &[Source], sort: Sort) -> Vec<RowRef> {
    let mut rows: Vec<SortRow> = sources.iter().enumerate().flat_map(|(s, src)| rows_of(s as u8, src)).collect();
    // Unstable is enough: the order is total, and it sorts in place.
    rows.sort_unstable_by(|a, b| compare(sort, a, b));
    rows.into_iter().map(|r| r.r).collect()
}

/// One list's rows in order: positions in the list.
struct Run {
    revision: Option<u64>,
    sort: Sort,
    order: Vec<u32>,
}

/// Each list's sorted run, kept between calls (see the module's comment).
#[derive(Default)]
pub struct SortCache {
    runs: Vec<Option<Run>>,
    /// How many lists the last call sorted (the rest were reused): for the tests.
    resorted: usize,
}

impl SortCache {
    /// The same rows in the same order as [`sorted`]; `lists` are the revisions of `sources`.
    pub fn sorted(&mut self, sources: &[Source], lists: &[u64], sort: Sort) -> Vec<RowRef> {
        let rows: Vec<Vec<SortRow>> = sources.iter().enumerate().map(|(s, src)| rows_of(s as u8, src)).collect();
        self.runs.resize_with(sources.len(), || None);
        self.resorted = 0;
        for (s, (run, rows)) in self.runs.iter_mut().zip(&rows).enumerate() {
            // A list without a revision is sorted every time: its run could not be told apart.
            let revision = lists.get(s).copied();
            let fresh = revision.is_some() && run.as_ref().is_some_and(|run| run.revision == revision && run.sort == sort && run.order.len() == rows.len());
            if !fresh {
                let mut order: Vec<u32> = (0..rows.len() as u32).collect();
                order.sort_unstable_by(|&a, &b| compare(sort, &rows[a as usize], &rows[b as usize]));
                *run = Some(Run { revision, sort, order });
                self.resorted += 1;
            }
        }
        let orders: Vec<&[u32]> = self.runs.iter().map(|r| r.as_ref().map_or(&[][..], |r| &r.order[..])).collect();
        merge(&rows, &orders, sort)
    }

    #[cfg(test)]
    fn resorted(&self) -> usize {
        self.resorted
    }
}

/// Merges each list's run: a handful of lists, so the smallest head is found by looking at each.
fn merge(rows: &[Vec<SortRow>], orders: &[&[u32]], sort: Sort) -> Vec<RowRef> {
    let mut at = vec![0usize; orders.len()];
    let mut out = Vec::with_capacity(orders.iter().map(|o| o.len()).sum());
    loop {
        let mut best: Option<(usize, &SortRow)> = None;
        for (s, order) in orders.iter().enumerate() {
            let Some(row) = order.get(at[s]).and_then(|&i| rows[s].get(i as usize)) else { continue };
            if best.is_none_or(|(_, b)| compare(sort, row, b) == Ordering::Less) {
                best = Some((s, row));
            }
        }
        let Some((s, row)) = best else { return out };
        out.push(row.r);
        at[s] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::secret_list::SecretList;
    use crate::model::secrets_filter::tests::secret;

    /// Names that share long prefixes, end where another goes on, differ only past 16 bytes or
    /// in case, hold a NUL or non-ASCII letters; dates, states and labels repeat.
    fn list(region: usize, n: usize) -> SecretList {
        let stems = ["checkout-event-streams-creds", "checkout-event-streams-creds-prod", "checkout", "Checkout-A", "a", "a\u{0}b", "été-cert", "zz"];
        SecretList::from_vec(
            (0..n)
                .map(|i| {
                    let name = format!("{}{}", stems[i % stems.len()], if i % 3 == 0 { String::new() } else { format!("-{}", i % 7) });
                    let mut m = secret(&format!("{region}-{i:03}"), &name, ["arbitrary", "kv", "imported_cert"][i % 3]);
                    m.labels = if i % 4 == 0 { vec![] } else { vec![format!("team-{}", i % 5)] };
                    m.secret_group_id = format!("g{}", i % 3);
                    m.state = Some([1, 3][i % 2]);
                    m.expiration_date = (i % 5 != 0).then(|| format!("2026-0{}-01T00:00:00Z", 1 + i % 9));
                    m
                })
                .collect(),
        )
    }

    fn every_sort() -> Vec<Sort> {
        Column::ALL.iter().flat_map(|&column| [false, true].map(|descending| Sort { column, descending })).collect()
    }

    #[test]
    fn name_order_is_the_names_own_order() {
        // By hand: whole lower-case names compared as strings, then id, then region.
        let lists = [list(0, 60), list(1, 45)];
        let src: Vec<Source> = lists.iter().map(SecretList::source).collect();
        let mut want: Vec<(String, String, u8, u32)> = Vec::new();
        for (s, l) in lists.iter().enumerate() {
            for (i, m) in l.iter().enumerate() {
                want.push((m.name.to_lowercase(), m.id.to_string(), s as u8, i as u32));
            }
        }
        want.sort();
        let up: Vec<RowRef> = want.iter().map(|w| RowRef { source: w.2, idx: w.3 }).collect();
        assert_eq!(sorted(&src, Sort::default()), up);
        // Descending turns the names round only: tied names keep id order.
        want.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let down: Vec<RowRef> = want.iter().map(|w| RowRef { source: w.2, idx: w.3 }).collect();
        assert_eq!(sorted(&src, Sort { column: Column::Name, descending: true }), down);
        assert!(up.len() == 105 && up != down.iter().rev().copied().collect::<Vec<_>>(), "the fixture has tied names");
    }

    #[test]
    fn merged_runs_are_one_sort_of_every_row() {
        let lists = [list(0, 90), list(1, 70), list(2, 0)];
        let src: Vec<Source> = lists.iter().map(SecretList::source).collect();
        let revs: Vec<u64> = lists.iter().map(SecretList::revision).collect();
        let mut cache = SortCache::default();
        for sort in every_sort() {
            assert_eq!(cache.sorted(&src, &revs, sort), sorted(&src, sort), "{sort:?}");
            assert_eq!(cache.resorted(), 3, "a new sort sorts every list");
        }
    }

    #[test]
    fn only_a_changed_list_is_sorted_again() {
        let mut lists = [list(0, 80), list(1, 80)];
        let mut cache = SortCache::default();
        let sort = Sort { column: Column::Expiration, descending: false };
        let call = |cache: &mut SortCache, lists: &[SecretList]| {
            let src: Vec<Source> = lists.iter().map(SecretList::source).collect();
            let revs: Vec<u64> = lists.iter().map(SecretList::revision).collect();
            let got = cache.sorted(&src, &revs, sort);
            assert_eq!(got, sorted(&src, sort));
            cache.resorted()
        };
        assert_eq!(call(&mut cache, &lists), 2);
        assert_eq!(call(&mut cache, &lists), 0, "nothing changed");
        lists[1].upsert(secret("1-new", "aaa-first", "kv"));
        assert_eq!(call(&mut cache, &lists), 1, "only Frankfurt's list changed");
        // A secret renamed in place: the same number of rows, a new revision.
        lists[0].upsert(secret("0-010", "000-renamed", "kv"));
        assert_eq!(call(&mut cache, &lists), 1);
        assert!(lists[0].remove("0-004"));
        assert_eq!(call(&mut cache, &lists), 1);
        // The same lists in another place: each run belongs to its list, not to its position.
        lists.swap(0, 1);
        assert_eq!(call(&mut cache, &lists), 2);
        assert_eq!(call(&mut cache, &lists[..1]), 0, "a view of fewer lists keeps the first's run");
    }

    #[test]
    fn a_list_without_a_revision_is_sorted_every_time() {
        let lists = [list(0, 20), list(1, 20)];
        let src: Vec<Source> = lists.iter().map(SecretList::source).collect();
        let mut cache = SortCache::default();
        let revs = [lists[0].revision()];
        for _ in 0..2 {
            assert_eq!(cache.sorted(&src, &revs, Sort::default()), sorted(&src, Sort::default()));
        }
        assert_eq!(cache.resorted(), 1, "the list without a revision, every time");
    }
}
