//! A list view's filter and sort as they travel in the hash (`route::ViewQuery`) and back.

use super::route::ViewQuery;
use super::secrets_filter::{Column, ExpiringFilter, Filter, Sort};

pub fn column_key(c: Column) -> String {
    c.title().to_ascii_lowercase()
}

fn expiring_key(e: ExpiringFilter) -> &'static str {
    match e {
        ExpiringFilter::Any => "",
        ExpiringFilter::Expired => "expired",
        ExpiringFilter::Soon => "soon",
        ExpiringFilter::Attention => "attention",
    }
}

/// The filter and sort a link asks for; anything unknown falls back to the default.
pub fn from_query(q: &ViewQuery) -> (Filter, Sort) {
    let mut f = Filter::default();
    f.set_text(&q.text);
    f.secret_type = q.secret_type.clone();
    f.group = q.group.clone();
    f.state = q.state.clone();
    f.label = q.label.clone();
    f.expiring = ExpiringFilter::parse(&q.expiring);
    let sort = match Column::ALL.into_iter().find(|c| column_key(*c) == q.sort) {
        Some(column) => Sort { column, descending: q.descending },
        None => Sort::default(),
    };
    (f, sort)
}

pub fn to_query(f: &Filter, s: Sort, server: Option<&str>) -> ViewQuery {
    let default = s == Sort::default();
    ViewQuery {
        text: f.raw_text().trim().to_string(),
        secret_type: f.secret_type.clone(),
        group: f.group.clone(),
        state: f.state.clone(),
        label: f.label.clone(),
        expiring: expiring_key(f.expiring).to_string(),
        sort: if default { String::new() } else { column_key(s.column) },
        descending: !default && s.descending,
        server: server.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_and_sort_survive_the_hash() {
        let mut f = Filter::default();
        f.set_text("Payments Prod");
        f.secret_type = Some("kv".into());
        f.expiring = ExpiringFilter::Attention;
        let s = Sort { column: Column::Expiration, descending: true };
        let q = to_query(&f, s, Some("payments"));
        let link = super::super::route::view_href("eu-de", &q);
        let back = ViewQuery::parse(&link);
        assert_eq!(back.server.as_deref(), Some("payments"));
        let (f2, s2) = from_query(&back);
        assert_eq!(f2, f, "the text keeps its case for the input, and filters the same");
        assert_eq!(s2, s);
        assert_eq!(to_query(&Filter::default(), Sort::default(), None), ViewQuery::default());
        assert_eq!(from_query(&ViewQuery { sort: "nonsense".into(), ..Default::default() }).1, Sort::default());
    }
}
