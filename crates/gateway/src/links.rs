//! Page links of list responses. IBM writes `first`, `previous`, `next` and `last` as absolute URLs on
//! the instance's host; behind the gateway those would send the console (or anyone following them)
//! around the gateway, so links on the upstream's origin become the gateway's own paths.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde_json::value::RawValue;

const LINK_KEYS: [&str; 4] = ["first", "previous", "next", "last"];

/// A JSON object kept in its original key order, with every value untouched (raw), so rewriting a
/// few links never re-encodes (or reorders) a 1,000-secret page.
struct RawObject(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawObject;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawObject, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Box<RawValue>>()? {
                    out.push((k, v));
                }
                Ok(RawObject(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl serde::Serialize for RawObject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// `href` made relative to the gateway when it points at the instance (`upstream_origin` is
/// `scheme://host[:port]`); `None` when it points elsewhere, which is then left as it was. Only the
/// host and port are compared: a server behind a TLS front may write `http://` links to itself.
pub fn gateway_path(href: &str, upstream_origin: &str) -> Option<String> {
    let authority = upstream_origin.split_once("://").map_or(upstream_origin, |(_, a)| a);
    let after_scheme = href.strip_prefix("https://").or_else(|| href.strip_prefix("http://"))?;
    let rest = after_scheme.strip_prefix(authority)?;
    if rest.is_empty() {
        return Some("/".into());
    }
    // `https://host.evil` must not match `https://host`: the origin ends where the path begins.
    rest.starts_with(['/', '?']).then(|| if rest.starts_with('?') { format!("/{rest}") } else { rest.to_string() })
}

/// Rewrites the page links of a list body. Returns `None` when nothing changed (not an object, no
/// links, links elsewhere), so the caller sends the original bytes.
pub fn rewrite_page_links(body: &[u8], upstream_origin: &str) -> Option<Vec<u8>> {
    let mut obj: RawObject = serde_json::from_slice(body).ok()?;
    let mut changed = false;
    for (k, v) in obj.0.iter_mut() {
        if !LINK_KEYS.contains(&k.as_str()) {
            continue;
        }
        let Ok(mut link) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(v.get()) else { continue };
        let Some(path) = link.get("href").and_then(|h| h.as_str()).and_then(|h| gateway_path(h, upstream_origin)) else { continue };
        link.insert("href".into(), serde_json::Value::String(path));
        if let Ok(raw) = serde_json::value::to_raw_value(&link) {
            *v = raw;
            changed = true;
        }
    }
    if !changed {
        return None;
    }
    serde_json::to_vec(&obj).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const UP: &str = "https://abc.us-south.secrets-manager.appdomain.cloud";

    #[test]
    fn paths_only_for_the_upstream_origin() {
        assert_eq!(gateway_path(&format!("{UP}/api/v2/secrets?offset=50&limit=50"), UP).as_deref(), Some("/api/v2/secrets?offset=50&limit=50"));
        assert_eq!(gateway_path(&format!("{UP}?limit=1"), UP).as_deref(), Some("/?limit=1"));
        assert_eq!(gateway_path("https://abc.us-south.secrets-manager.appdomain.cloud.evil.com/api/v2/secrets", UP), None);
        assert_eq!(gateway_path("https://other.example/api/v2/secrets", UP), None);
        assert_eq!(gateway_path("/api/v2/secrets", UP), None);
        assert_eq!(gateway_path("http://abc.us-south.secrets-manager.appdomain.cloud/x", UP).as_deref(), Some("/x"));
        assert_eq!(gateway_path("https://abc.us-south.secrets-manager.appdomain.cloud:8443/x", UP), None, "another port is another server");
    }

    #[test]
    fn rewrites_the_four_links_and_keeps_everything_else() {
        let body = format!(
            r#"{{"total_count":232,"limit":50,"offset":100,"first":{{"href":"{UP}/api/v2/secrets?limit=50"}},"previous":{{"href":"{UP}/api/v2/secrets?offset=50&limit=50"}},"next":{{"href":"{UP}/api/v2/secrets?offset=150&limit=50"}},"last":{{"href":"https://elsewhere.example/x"}},"secrets":[{{"id":"s1","next":{{"href":"{UP}/keep"}}}}]}}"#
        );
        let out = rewrite_page_links(body.as_bytes(), UP).expect("changed");
        let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(v["first"]["href"], "/api/v2/secrets?limit=50");
        assert_eq!(v["previous"]["href"], "/api/v2/secrets?offset=50&limit=50");
        assert_eq!(v["next"]["href"], "/api/v2/secrets?offset=150&limit=50");
        assert_eq!(v["last"]["href"], "https://elsewhere.example/x", "a link elsewhere is not ours to rewrite");
        assert_eq!(v["secrets"][0]["next"]["href"], format!("{UP}/keep"), "only top-level page links");
        assert_eq!(v["total_count"], 232);
        let text = String::from_utf8(out).expect("utf8");
        assert!(text.find("total_count") < text.find("\"secrets\""), "key order kept: {text}");
    }

    #[test]
    fn leaves_other_bodies_alone() {
        assert_eq!(rewrite_page_links(b"[1,2]", UP), None);
        assert_eq!(rewrite_page_links(b"{\"secrets\":[]}", UP), None);
        assert_eq!(rewrite_page_links(b"<html>", UP), None);
        assert_eq!(rewrite_page_links(b"{\"next\":\"not-an-object\"}", UP), None);
    }
}
