//! IBM Cloud's status feed (RSS 2.0) as the health document's `incidents`: only items about
//! Secrets Manager in this gateway's region. Parsing is pure and tested; fetching is in `feed_task`.

use sm_contract::time::{days_from_civil, format_rfc3339};
use sm_contract::{Incident, IncidentUpdate};

/// Most incidents kept: the console shows recent ones, and a feed may hold years.
pub const MAX_INCIDENTS: usize = 20;
const MAX_BODY_CHARS: usize = 1_000;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FeedError {
    #[error("the status feed is not XML: {0}")]
    NotXml(String),
    #[error("the status feed is not RSS (no <rss><channel>)")]
    NotRss,
}

/// IBM's region ids with the names the status page also uses for them.
fn region_names(region: &str) -> Vec<String> {
    let name = match region {
        "us-south" => Some("dallas"),
        "us-east" => Some("washington"),
        "eu-de" => Some("frankfurt"),
        "eu-gb" => Some("london"),
        "eu-es" => Some("madrid"),
        "jp-tok" => Some("tokyo"),
        "jp-osa" => Some("osaka"),
        "au-syd" => Some("sydney"),
        "ca-tor" => Some("toronto"),
        "br-sao" => Some("sao paulo"),
        _ => None,
    };
    std::iter::once(region.to_string()).chain(name.map(String::from)).collect()
}

/// Whether `text` names `word` as a whole word: `us-south` matches `us-south` and its zone
/// `us-south-2`, not `us-south-east`; `eu-de` does not match `eu-dev`.
fn mentions(text: &str, word: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    text.match_indices(word).any(|(i, _)| {
        let before_ok = !text[..i].chars().next_back().is_some_and(is_word);
        let rest = &text[i + word.len()..];
        let after_ok = match rest.chars().next() {
            None => true,
            Some('-') => rest[1..].chars().next().is_some_and(|c| c.is_ascii_digit()),
            Some(c) => !is_word(c),
        };
        before_ok && after_ok
    })
}

/// An item is ours when it is about Secrets Manager and names this region (by id or city).
pub fn is_ours(text: &str, region: &str) -> bool {
    let t = text.to_lowercase();
    let service = t.contains("secrets manager") || t.contains("secrets-manager");
    service && region_names(region).iter().any(|n| mentions(&t, n))
}

/// Plain text of an HTML fragment (the feed's descriptions are HTML): tags dropped, the common
/// entities decoded, whitespace collapsed, clipped.
pub fn plain_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    let collapsed = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(MAX_BODY_CHARS) {
        Some((i, _)) => format!("{}…", &collapsed[..i]),
        None => collapsed,
    }
}

/// RFC 822/2822 dates as RSS writes them (`Tue, 01 Dec 2026 10:00:00 GMT`, or `+0000`). Hand-written
/// because the workspace keeps no date crate (see `sm_contract::time`) and this is the only format.
pub fn parse_rfc2822(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.split_once(',').map_or(s, |(_, rest)| rest).trim();
    let mut it = s.split_whitespace();
    let day: u32 = it.next()?.parse().ok()?;
    let mon = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        .iter()
        .position(|m| it.clone().next().is_some_and(|x| x.to_ascii_lowercase().starts_with(m)))? as u32
        + 1;
    it.next();
    let year: i64 = it.next()?.parse().ok()?;
    let year = if year < 100 { year + 2000 } else { year };
    let hms: Vec<i64> = it.next()?.split(':').map(|p| p.parse().ok()).collect::<Option<Vec<_>>>()?;
    let (h, mi, se) = match hms.as_slice() {
        [h, m] => (*h, *m, 0),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    if day == 0 || day > sm_contract::time::days_in_month(year, mon) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let offset = match it.next().unwrap_or("GMT") {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        "EST" => -5 * 3600,
        "EDT" => -4 * 3600,
        "CST" => -6 * 3600,
        "CDT" => -5 * 3600,
        "PST" => -8 * 3600,
        "PDT" => -7 * 3600,
        z if z.len() == 5 && (z.starts_with('+') || z.starts_with('-')) => {
            let hh: i64 = z[1..3].parse().ok()?;
            let mm: i64 = z[3..5].parse().ok()?;
            let o = hh * 3600 + mm * 60;
            if z.starts_with('-') { -o } else { o }
        }
        _ => return None,
    };
    Some(days_from_civil(year, mon, day) * 86_400 + h * 3600 + mi * 60 + se.min(59) - offset)
}

fn impact_of(text: &str) -> &'static str {
    let t = text.to_lowercase();
    if t.contains("maintenance") {
        "maintenance"
    } else if t.contains("outage") || t.contains("unavailable") || t.contains("down") {
        "major"
    } else if t.contains("degrad") || t.contains("slow") || t.contains("latency") || t.contains("error") || t.contains("intermittent") {
        "minor"
    } else {
        "none"
    }
}

fn status_of(text: &str) -> &'static str {
    let t = text.to_lowercase();
    if t.contains("resolved") || t.contains("completed") {
        "resolved"
    } else if t.contains("monitoring") {
        "monitoring"
    } else if t.contains("identified") {
        "identified"
    } else {
        "investigating"
    }
}

fn stable_id(s: &str) -> String {
    // FNV-1a: a short stable id for the item from its guid, not a security property.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("ibm-status-{h:016x}")
}

/// The incidents for `region` in an RSS document, newest first.
pub fn incidents(xml: &str, region: &str) -> Result<Vec<Incident>, FeedError> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| FeedError::NotXml(e.to_string()))?;
    let channel = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name("channel"))
        .filter(|_| doc.root_element().has_tag_name("rss"))
        .ok_or(FeedError::NotRss)?;
    let mut out: Vec<(i64, Incident)> = Vec::new();
    for item in channel.children().filter(|n| n.has_tag_name("item")) {
        let child = |name: &str| item.children().find(|n| n.has_tag_name(name)).and_then(|n| n.text()).unwrap_or("").trim().to_string();
        let categories: Vec<String> = item.children().filter(|n| n.has_tag_name("category")).filter_map(|n| n.text()).map(String::from).collect();
        let title = child("title");
        let body = plain_text(&child("description"));
        let all = format!("{title} {body} {}", categories.join(" "));
        if !is_ours(&all, region) {
            continue;
        }
        let at = parse_rfc2822(&child("pubDate"));
        let key = [child("guid"), child("link"), title.clone()].into_iter().find(|s| !s.is_empty()).unwrap_or_default();
        let status = status_of(&format!("{title} {body}"));
        let at_s = at.map(format_rfc3339);
        out.push((
            at.unwrap_or(i64::MIN),
            Incident {
                id: stable_id(&key),
                title: if title.is_empty() { "IBM Cloud status notice".into() } else { title.clone() },
                impact: impact_of(&all).into(),
                status: status.into(),
                started_at: at_s.clone(),
                resolved_at: (status == "resolved").then(|| at_s.clone()).flatten(),
                updates: at_s.map(|at| vec![IncidentUpdate { at, status: status.into(), body }]).unwrap_or_default().into(),
            },
        ));
    }
    out.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(out.into_iter().take(MAX_INCIDENTS).map(|(_, i)| i).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>IBM Cloud status</title>
<item><title>Secrets Manager - Dallas (us-south): Degraded performance</title>
  <description>&lt;p&gt;Users may see &lt;b&gt;elevated latency&lt;/b&gt; on secret reads.&lt;/p&gt;</description>
  <pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate><guid>inc-1</guid></item>
<item><title>Secrets Manager - Frankfurt (eu-de): Outage</title><description>x</description>
  <pubDate>Tue, 01 Dec 2026 11:00:00 GMT</pubDate><guid>inc-2</guid></item>
<item><title>Key Protect - Dallas: Outage</title><description>x</description>
  <pubDate>Tue, 01 Dec 2026 12:00:00 GMT</pubDate><guid>inc-3</guid></item>
<item><title>Resolved: Secrets Manager unavailable</title><description>In us-south the service was unavailable.</description>
  <category>us-south</category><pubDate>Wed, 02 Dec 2026 09:30:00 +0100</pubDate><guid>inc-4</guid></item>
</channel></rss>"#;

    #[test]
    fn keeps_secrets_manager_items_of_this_region_only() {
        let inc = incidents(FEED, "us-south").expect("parses");
        let titles: Vec<&str> = inc.iter().map(|i| i.title.as_str()).collect();
        assert_eq!(titles, ["Resolved: Secrets Manager unavailable", "Secrets Manager - Dallas (us-south): Degraded performance"]);
        assert_eq!(inc[0].status, "resolved");
        assert_eq!(inc[0].impact, "major");
        assert_eq!(inc[0].started_at.as_deref(), Some("2026-12-02T08:30:00Z"));
        assert_eq!(inc[0].resolved_at.as_deref(), Some("2026-12-02T08:30:00Z"));
        assert_eq!(inc[1].impact, "minor");
        assert_eq!(inc[1].status, "investigating");
        assert_eq!(inc[1].updates.items[0].body, "Users may see elevated latency on secret reads.");
        let fra = incidents(FEED, "eu-de").expect("parses");
        assert_eq!(fra.len(), 1);
        assert_eq!(fra[0].id, incidents(FEED, "eu-de").expect("parses")[0].id, "ids are stable");
    }

    #[test]
    fn region_names_are_whole_words() {
        assert!(is_ours("Secrets Manager in eu-de", "eu-de"));
        assert!(!is_ours("Secrets Manager in eu-dev", "eu-de"));
        assert!(!is_ours("Secrets Manager in us-south-east", "us-south"));
        assert!(is_ours("Secrets Manager: zone us-south-2 degraded", "us-south"));
        assert!(is_ours("Secrets Manager (Dallas)", "us-south"));
        assert!(!is_ours("Secrets Manager in us-east", "us-south"));
        assert!(!is_ours("Key Protect in us-south", "us-south"));
    }

    #[test]
    fn malformed_feeds_are_errors() {
        assert!(matches!(incidents("<rss><channel>", "us-south"), Err(FeedError::NotXml(_))));
        assert_eq!(incidents("<html><body/></html>", "us-south"), Err(FeedError::NotRss));
        assert_eq!(incidents("<rss version=\"2.0\"><channel/></rss>", "us-south"), Ok(vec![]));
    }

    #[test]
    fn rfc2822_dates() {
        assert_eq!(parse_rfc2822("Tue, 01 Dec 2026 10:00:00 GMT").map(format_rfc3339).as_deref(), Some("2026-12-01T10:00:00Z"));
        assert_eq!(parse_rfc2822("1 Dec 2026 10:00 -0500").map(format_rfc3339).as_deref(), Some("2026-12-01T15:00:00Z"));
        assert_eq!(parse_rfc2822("Tue, 31 Feb 2026 10:00:00 GMT"), None);
        assert_eq!(parse_rfc2822("yesterday"), None);
        assert_eq!(parse_rfc2822("Tue, 01 Dec 2026 10:00:00 XYZ"), None);
    }

    #[test]
    fn plain_text_of_html() {
        assert_eq!(plain_text("<p>a &amp; b</p>\n<ul><li>c</li></ul>"), "a & b c");
        assert!(plain_text(&"x".repeat(5000)).chars().count() <= MAX_BODY_CHARS + 1);
    }
}
