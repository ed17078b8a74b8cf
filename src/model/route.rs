//! Hash routes, so a deep link works on a static host with no rewrite rules and under any
//! sub-path: `#/region/us-south/secret/<id>`, `#/secrets/<region|all|cross>`. Only the hash is
//! read; nothing here can change which API the console talks to.

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Route {
    #[default]
    Home,
    /// A secrets view: one region's id, `all` (both regions) or `cross` (cross-region).
    Secrets(String),
    Secret { region: String, id: String },
}

/// Ids in a link are plain tokens; anything else is not a link the console made.
fn token(s: &str) -> Option<String> {
    let ok = !s.is_empty() && s.len() <= 128 && s.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    ok.then(|| s.to_string())
}

pub fn parse(hash: &str) -> Route {
    let path = hash.trim_start_matches('#').trim_start_matches('/');
    // A list view's state (filters, sort, search) follows a `?`; it never changes the route.
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    match parts.as_slice() {
        ["region", r, "secret", id] => match (token(r), token(id)) {
            (Some(region), Some(id)) => Route::Secret { region, id },
            _ => Route::Home,
        },
        ["secrets", v] => token(v).map(Route::Secrets).unwrap_or_default(),
        _ => Route::Home,
    }
}

pub fn href(route: &Route) -> String {
    match route {
        Route::Home => "#/".into(),
        Route::Secrets(v) => format!("#/secrets/{v}"),
        Route::Secret { region, id } => format!("#/region/{region}/secret/{id}"),
    }
}

/// What a list view shows besides its rows: the filter text, the menus, the sort and a server
/// search. Kept in the hash (`#/secrets/us-south?q=payments+prod&sort=expiration&desc=1`) so a
/// link or a reload brings the same view back. Values are the user's own text: plain strings,
/// percent-encoded, never interpreted as anything but filter input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewQuery {
    pub text: String,
    pub secret_type: Option<String>,
    pub group: Option<String>,
    pub state: Option<String>,
    pub label: Option<String>,
    /// `expired`, `soon` or `attention`; empty for any.
    pub expiring: String,
    /// A column title, lower-case (`name`, `expiration`…); empty for the default.
    pub sort: String,
    pub descending: bool,
    /// The text of the server search whose results are shown, if any.
    pub server: Option<String>,
}

/// At most this much of each value is kept from a link: a filter, not a payload.
const MAX_VALUE: usize = 256;

impl ViewQuery {
    pub fn parse(hash: &str) -> ViewQuery {
        let mut q = ViewQuery::default();
        let Some((_, query)) = hash.split_once('?') else { return q };
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v: String = v.chars().filter(|c| !c.is_control()).take(MAX_VALUE).collect();
            let opt = || (!v.is_empty()).then(|| v.clone());
            match k.as_ref() {
                "q" => q.text = v.clone(),
                "type" => q.secret_type = opt(),
                "group" => q.group = opt(),
                "state" => q.state = opt(),
                "label" => q.label = opt(),
                "exp" => q.expiring = v.clone(),
                "sort" => q.sort = v.clone(),
                "desc" => q.descending = v == "1",
                "server" => q.server = opt(),
                _ => {}
            }
        }
        q
    }

    /// `?…` for the hash, or nothing when the view is in its default state.
    pub fn to_query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        let mut add = |k: &str, v: &str| {
            if !v.is_empty() {
                out.append_pair(k, v);
            }
        };
        add("q", &self.text);
        add("type", self.secret_type.as_deref().unwrap_or(""));
        add("group", self.group.as_deref().unwrap_or(""));
        add("state", self.state.as_deref().unwrap_or(""));
        add("label", self.label.as_deref().unwrap_or(""));
        add("exp", &self.expiring);
        add("sort", &self.sort);
        add("desc", if self.descending { "1" } else { "" });
        add("server", self.server.as_deref().unwrap_or(""));
        let s = out.finish();
        if s.is_empty() { s } else { format!("?{s}") }
    }
}

/// A list view's link with its state.
pub fn view_href(view: &str, q: &ViewQuery) -> String {
    format!("{}{}", href(&Route::Secrets(view.to_string())), q.to_query())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_state_round_trips_through_the_hash() {
        let q = ViewQuery {
            text: "payments prod & co/€".into(),
            secret_type: Some("kv".into()),
            group: Some("g-1".into()),
            state: None,
            label: Some("team a".into()),
            expiring: "soon".into(),
            sort: "expiration".into(),
            descending: true,
            server: Some("payments".into()),
        };
        let link = view_href("us-south", &q);
        assert!(link.starts_with("#/secrets/us-south?q=payments+prod"), "{link}");
        assert_eq!(parse(&link), Route::Secrets("us-south".into()), "the state never changes the route");
        assert_eq!(ViewQuery::parse(&link), q);
        assert_eq!(view_href("all", &ViewQuery::default()), "#/secrets/all", "default state: no query");
        assert_eq!(ViewQuery::parse("#/secrets/all"), ViewQuery::default());
        let junk = ViewQuery::parse(&format!("#/secrets/all?q={}&desc=yes&zzz=1&type=", "x".repeat(5000)));
        assert_eq!(junk.text.len(), MAX_VALUE);
        assert!(!junk.descending && junk.secret_type.is_none());
    }

    #[test]
    fn round_trips_and_rejects_junk() {
        for r in [
            Route::Home,
            Route::Secrets("all".into()),
            Route::Secret { region: "us-south".into(), id: "a931192f-b6a9-43d6-a59a-834f3003af7b".into() },
        ] {
            assert_eq!(parse(&href(&r)), r);
        }
        assert_eq!(parse(""), Route::Home);
        assert_eq!(parse("#/region/us-south/secret/<img>"), Route::Home);
        assert_eq!(parse("#/region/x/secret"), Route::Home);
        assert_eq!(parse("#//secrets//cross/"), Route::Secrets("cross".into()));
    }
}
