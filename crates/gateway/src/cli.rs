//! Command line, as specified in `shared/contract/gateway.md`.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::error::StartupError;
use crate::upstream::{origin_string, parse_origin};

#[derive(Debug, Parser)]
#[command(name = "sm-gateway", version, about = "Puts the Regional Console in front of one region's IBM Secrets Manager instance")]
pub struct Cli {
    /// Region id such as `us-south`; its zones are `<id>-1..3`.
    #[arg(long, value_parser = parse_region)]
    pub region: String,
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,
    /// The instance's endpoint, `https://{instance_id}.{region}.secrets-manager.appdomain.cloud`
    /// (or its `.private.` form); `http://` only for a loopback host.
    #[arg(long, value_name = "URL")]
    pub upstream: String,
    /// Directory of the SQLite probe record (the uptime history).
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    #[arg(long, value_name = "URL", default_value = "https://iam.cloud.ibm.com")]
    pub iam_url: String,
    /// Origin allowed to call the gateway from a browser (repeatable); default: loopback origins.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// File holding a service ID's API key (Reader role) used to authenticate the probes.
    #[arg(long, value_name = "FILE")]
    pub probe_api_key_file: Option<PathBuf>,
    #[arg(long, value_name = "MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub probe_every_ms: u64,
    /// IBM Cloud's status RSS (URL) or a copy of it (URL or file path).
    #[arg(long, value_name = "URL|FILE")]
    pub status_feed: Option<String>,
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub status_feed_every_s: u64,
    /// Extra PEM root certificates for the instance (a private CA); the Mozilla roots stay trusted.
    #[arg(long, value_name = "FILE")]
    pub upstream_ca: Option<PathBuf>,
    /// Most requests per second sent to the instance.
    #[arg(long, value_name = "N", default_value_t = NonZeroU32::new(20).expect("20 is not zero"))]
    pub upstream_rps: NonZeroU32,
}

/// A credential read from a file; `Debug` never shows it.
#[derive(Clone)]
pub struct ApiKey(pub String);

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(…)")
    }
}

#[derive(Debug, Clone)]
pub enum FeedSource {
    Url(String),
    File(PathBuf),
}

/// Everything the gateway needs, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub region: String,
    pub listen: SocketAddr,
    pub upstream: url::Url,
    pub data_dir: PathBuf,
    pub iam_origin: String,
    pub allow_origins: Vec<String>,
    pub probe_key: Option<ApiKey>,
    pub probe_every: Duration,
    pub feed: Option<(FeedSource, Duration)>,
    pub upstream_ca_pem: Option<Vec<u8>>,
    pub upstream_rps: NonZeroU32,
}

fn read(what: &'static str, path: &std::path::Path) -> Result<Vec<u8>, StartupError> {
    std::fs::read(path).map_err(|e| StartupError::File { what, path: path.display().to_string(), reason: e.to_string() })
}

impl Cli {
    pub fn into_config(self) -> Result<Config, StartupError> {
        let upstream = parse_origin(&self.upstream).map_err(|e| StartupError::Config(format!("--upstream {e}")))?;
        let iam = parse_origin(&self.iam_url).map_err(|e| StartupError::Config(format!("--iam-url {e}")))?;
        let probe_key = match &self.probe_api_key_file {
            Some(p) => {
                let raw = read("the probe API key file", p)?;
                let key = String::from_utf8(raw).map_err(|_| StartupError::Config(format!("{} does not hold a text API key", p.display())))?;
                let key = key.trim().to_string();
                if key.is_empty() || key.contains(char::is_whitespace) {
                    return Err(StartupError::Config(format!("{} must hold exactly one API key", p.display())));
                }
                Some(ApiKey(key))
            }
            None => None,
        };
        let upstream_ca_pem = match &self.upstream_ca {
            Some(p) => Some(read("the upstream CA file", p)?),
            None => None,
        };
        let feed = self.status_feed.as_deref().map(|f| {
            let src = if f.starts_with("https://") || f.starts_with("http://") { FeedSource::Url(f.to_string()) } else { FeedSource::File(PathBuf::from(f)) };
            (src, Duration::from_secs(self.status_feed_every_s))
        });
        if let Some((FeedSource::Url(u), _)) = &feed {
            let parsed = url::Url::parse(u).map_err(|_| StartupError::Config(format!("--status-feed {u:?} is not a URL")))?;
            if parsed.scheme() == "http" && !parsed.host_str().is_some_and(crate::upstream::is_loopback) {
                return Err(StartupError::Config(format!("--status-feed {u:?} must be https:// (http:// only for a loopback host)")));
            }
        }
        if let Some((FeedSource::File(p), _)) = &feed {
            read("the status feed", p)?;
        }
        for o in &self.allow_origin {
            if o != "*" && url::Url::parse(o).map(|u| u.origin().ascii_serialization() != o.trim_end_matches('/')).unwrap_or(true) {
                return Err(StartupError::Config(format!("--allow-origin {o:?} is not an origin such as https://console.example.com")));
            }
        }
        Ok(Config {
            region: self.region,
            listen: self.listen,
            upstream,
            data_dir: self.data_dir,
            iam_origin: origin_string(&iam),
            allow_origins: self.allow_origin.into_iter().map(|o| o.trim_end_matches('/').to_string()).collect(),
            probe_key,
            probe_every: Duration::from_millis(self.probe_every_ms),
            feed,
            upstream_ca_pem,
            upstream_rps: self.upstream_rps,
        })
    }
}

/// `xx-name`, as the emulator takes it.
pub fn parse_region(s: &str) -> Result<String, String> {
    let ok = s.len() <= 32
        && s.as_bytes().get(..3).is_some_and(|p| p[0].is_ascii_lowercase() && p[1].is_ascii_lowercase() && p[2] == b'-')
        && s[3..].split('-').all(|part| !part.is_empty() && part.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
    if ok {
        Ok(s.to_string())
    } else {
        Err(format!("invalid region id {s:?}: expected the form xx-name, e.g. us-south"))
    }
}

pub fn display_name(region: &str) -> String {
    match region {
        "us-south" => "Dallas",
        "us-east" => "Washington DC",
        "eu-de" => "Frankfurt",
        "eu-gb" => "London",
        "eu-es" => "Madrid",
        "jp-tok" => "Tokyo",
        "jp-osa" => "Osaka",
        "au-syd" => "Sydney",
        "ca-tor" => "Toronto",
        "br-sao" => "São Paulo",
        other => other,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(extra: &[&str]) -> Result<Config, String> {
        let mut args = vec!["sm-gateway", "--region", "us-south", "--listen", "127.0.0.1:0", "--data-dir", "/tmp/x"];
        args.extend_from_slice(extra);
        Cli::try_parse_from(args).map_err(|e| e.to_string()).and_then(|c| c.into_config().map_err(|e| e.to_string()))
    }

    #[test]
    fn upstream_rules() {
        assert!(cli(&["--upstream", "https://abc.us-south.secrets-manager.appdomain.cloud"]).is_ok());
        assert!(cli(&["--upstream", "http://127.0.0.1:8101"]).is_ok());
        let e = cli(&["--upstream", "http://abc.us-south.secrets-manager.appdomain.cloud"]).expect_err("plain http refused");
        assert!(e.contains("must be https://"), "{e}");
        let e = cli(&["--upstream", "http://127.0.0.1:1", "--iam-url", "http://iam.example"]).expect_err("plain http IAM refused");
        assert!(e.contains("--iam-url"), "{e}");
    }

    #[test]
    fn files_and_origins() {
        let e = cli(&["--upstream", "http://127.0.0.1:1", "--probe-api-key-file", "/nonexistent/key"]).expect_err("unreadable");
        assert!(e.contains("cannot read the probe API key file /nonexistent/key"), "{e}");
        let e = cli(&["--upstream", "http://127.0.0.1:1", "--allow-origin", "https://x.example/path"]).expect_err("not an origin");
        assert!(e.contains("--allow-origin"), "{e}");
        let c = cli(&["--upstream", "http://127.0.0.1:1", "--allow-origin", "https://x.example/"]).expect("origin");
        assert_eq!(c.allow_origins, ["https://x.example"]);
        assert!(cli(&["--upstream", "http://127.0.0.1:1", "--probe-every-ms", "10"]).is_err());
    }

    #[test]
    fn api_key_debug_is_redacted() {
        assert_eq!(format!("{:?}", ApiKey("k-123".into())), "ApiKey(…)");
    }
}
