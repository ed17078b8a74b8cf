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

#[cfg(test)]
mod tests {
    use super::*;

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
