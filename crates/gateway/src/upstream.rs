//! The instance behind the gateway: its origin (with the `http://`-only-on-loopback rule), the HTTP
//! client (rustls, Mozilla roots plus `--upstream-ca`, always verified, no redirects) and the rate
//! limit the gateway keeps towards it.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// How long a request may wait for the rate limiter before it is answered 429.
pub const RATE_WAIT: Duration = Duration::from_millis(1_000);

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum UrlError {
    #[error("{0:?} is not a URL")]
    Invalid(String),
    #[error("{0:?} must be https:// (http:// is accepted only for a loopback host such as 127.0.0.1)")]
    PlainHttp(String),
    #[error("{0:?} must be an origin (scheme, host, optional port) with no path, query or credentials")]
    NotOrigin(String),
}

/// Checks an upstream or IAM origin and returns it without a trailing slash.
pub fn parse_origin(s: &str) -> Result<url::Url, UrlError> {
    let u = url::Url::parse(s).map_err(|_| UrlError::Invalid(s.into()))?;
    let host = u.host_str().ok_or_else(|| UrlError::Invalid(s.into()))?;
    if !u.username().is_empty() || u.password().is_some() || u.query().is_some() || u.fragment().is_some() || !matches!(u.path(), "" | "/") {
        return Err(UrlError::NotOrigin(s.into()));
    }
    match u.scheme() {
        "https" => Ok(u),
        "http" if is_loopback(host) => Ok(u),
        "http" => Err(UrlError::PlainHttp(s.into())),
        _ => Err(UrlError::Invalid(s.into())),
    }
}

pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `scheme://host[:port]` as it appears at the start of the instance's own absolute links.
pub fn origin_string(u: &url::Url) -> String {
    u.origin().ascii_serialization()
}

/// The client for the instance and IAM. TLS is verified against the Mozilla roots and any extra
/// roots given; there is deliberately no switch to turn verification off.
pub fn client(extra_roots_pem: Option<&[u8]>) -> Result<reqwest::Client, String> {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(5))
        .pool_idle_timeout(Duration::from_secs(60))
        .tcp_nodelay(true)
        .user_agent(concat!("sm-gateway/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = extra_roots_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| format!("not a PEM certificate bundle: {e}"))?;
        if certs.is_empty() {
            return Err("no certificate in the PEM file".into());
        }
        for c in certs {
            b = b.add_root_certificate(c);
        }
    }
    b.build().map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Words a person can act on for a request that got no answer: the innermost causes joined, with a
/// hint for the two a deployer most often meets (an untrusted certificate, a refused connection).
pub fn transport_reason(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut src: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !parts.iter().any(|p: &String| p.contains(&t)) {
            parts.push(t);
        }
        src = s.source();
    }
    let chain = if parts.is_empty() { e.to_string() } else { parts.join(": ") };
    let lower = chain.to_ascii_lowercase();
    if e.is_timeout() {
        format!("no answer in time ({chain})")
    } else if lower.contains("certificate") || lower.contains("unknownissuer") || lower.contains("tls") {
        format!("TLS verification failed ({chain}); if the instance uses a private CA, pass it with --upstream-ca")
    } else if lower.contains("connection refused") {
        format!("connection refused ({chain})")
    } else if lower.contains("dns") || lower.contains("failed to lookup") {
        format!("the host name does not resolve ({chain}); a private endpoint resolves only inside IBM Cloud's private network")
    } else {
        chain
    }
}

pub struct Limiter(DefaultDirectRateLimiter);

impl Limiter {
    pub fn new(rps: NonZeroU32) -> Arc<Limiter> {
        Arc::new(Limiter(RateLimiter::direct(Quota::per_second(rps))))
    }

    /// Waits up to [`RATE_WAIT`] for a slot; false when the request should be answered 429.
    pub async fn acquire(&self) -> bool {
        self.acquire_within(RATE_WAIT).await
    }

    pub async fn acquire_within(&self, wait: Duration) -> bool {
        tokio::time::timeout(wait, self.0.until_ready()).await.is_ok()
    }

    /// For probes: waits as long as it takes, since a probe must count towards the same budget.
    pub async fn acquire_patiently(&self) {
        self.0.until_ready().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert!(parse_origin("https://abc.us-south.secrets-manager.appdomain.cloud").is_ok());
        assert!(parse_origin("https://abc.private.us-south.secrets-manager.appdomain.cloud/").is_ok());
        assert!(parse_origin("http://127.0.0.1:8101").is_ok());
        assert!(parse_origin("http://localhost:8101").is_ok());
        assert!(parse_origin("http://[::1]:8101").is_ok());
        assert_eq!(parse_origin("http://example.com"), Err(UrlError::PlainHttp("http://example.com".into())));
        assert_eq!(parse_origin("http://127.0.0.1.example.com"), Err(UrlError::PlainHttp("http://127.0.0.1.example.com".into())));
        assert!(matches!(parse_origin("https://x.example/api"), Err(UrlError::NotOrigin(_))));
        assert!(matches!(parse_origin("https://u:p@x.example"), Err(UrlError::NotOrigin(_))));
        assert!(matches!(parse_origin("ftp://x.example"), Err(UrlError::Invalid(_))));
        assert!(matches!(parse_origin("not a url"), Err(UrlError::Invalid(_))));
        let u = parse_origin("https://abc.example:8443/").expect("ok");
        assert_eq!(origin_string(&u), "https://abc.example:8443");
        assert_eq!(origin_string(&parse_origin("https://abc.example:443").expect("ok")), "https://abc.example");
    }

    #[tokio::test]
    async fn limiter_answers_false_when_the_budget_is_spent() {
        let l = Limiter::new(NonZeroU32::new(1).expect("non-zero"));
        assert!(l.acquire().await);
        // The next slot is a second away: a short wait gives up (429), a long one gets it.
        assert!(!l.acquire_within(Duration::from_millis(100)).await);
        assert!(l.acquire_within(Duration::from_millis(1_500)).await);
    }
}
