//! Command line, as specified in `shared/contract/emulator.md`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "sm-emulator", version, about = "One region of Secrets Manager v2 plus its health API, locally")]
#[command(subcommand_negates_reqs = true, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Rebuild a region's data directory from a backup snapshot.
    Restore {
        #[arg(long, value_name = "SNAPSHOT")]
        from: PathBuf,
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
    },
    /// Run an emulated IBM Cloud IAM (API-key exchange) instead of a region.
    Iam(IamArgs),
}

#[derive(Args)]
pub struct IamArgs {
    /// Token endpoint listener (`POST /identity/token`).
    #[arg(long, value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Optional control listener: `PUT /emulator/v1/iam` makes IAM down, slow or rate limited.
    #[arg(long, value_name = "ADDR")]
    pub control: Option<SocketAddr>,
    /// An API key IAM accepts, optionally with its service ID's name (repeatable).
    #[arg(long = "api-key", value_name = "KEY[:NAME]", required = true, value_parser = crate::iam::parse_api_key)]
    pub api_key: Vec<(String, String)>,
    /// Lifetime of issued access tokens.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub token_ttl_s: u64,
    /// Secret the tokens are signed with; regions started with the same `--iam-signing-secret` accept them.
    #[arg(long, value_name = "S", value_parser = parse_secret)]
    pub signing_secret: crate::iam::jwt::SigningSecret,
}

impl std::fmt::Debug for IamArgs {
    // API keys are credentials: never in Debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IamArgs").field("listen", &self.listen).field("control", &self.control).field("api_keys", &self.api_key.len()).finish_non_exhaustive()
    }
}

impl IamArgs {
    pub fn into_config(self) -> crate::iam::IamConfig {
        crate::iam::IamConfig {
            listen: self.listen,
            control: self.control,
            keys: self.api_key,
            ttl: Duration::from_secs(self.token_ttl_s),
            secret: self.signing_secret,
        }
    }
}

fn parse_secret(s: &str) -> Result<crate::iam::jwt::SigningSecret, String> {
    crate::iam::jwt::SigningSecret::new(s.to_string()).ok_or_else(|| "the signing secret must not be empty".to_string())
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Region id such as `us-south`; zones are `<id>-1..3`.
    #[arg(long, required = true, value_parser = parse_region)]
    pub region: Option<String>,
    /// Data listener (secrets + health API).
    #[arg(long, required = true, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Control listener; faults never touch it.
    #[arg(long, required = true, value_name = "ADDR")]
    pub control: Option<SocketAddr>,
    #[arg(long, required = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Create N secrets when the database is empty.
    #[arg(long, value_name = "N")]
    pub seed: Option<u32>,
    /// Days of synthesized uptime history written at first start.
    #[arg(long, value_name = "D", default_value_t = 90, value_parser = clap::value_parser!(u32).range(0..=3650))]
    pub history_days: u32,
    /// Require `Authorization: Bearer TOKEN` on /api/*.
    #[arg(long, value_name = "TOKEN", conflicts_with = "iam_signing_secret")]
    pub token: Option<String>,
    /// Accept on /api/* only unexpired access tokens issued by `sm-emulator iam --signing-secret S`.
    #[arg(long, value_name = "S", value_parser = parse_secret)]
    pub iam_signing_secret: Option<crate::iam::jwt::SigningSecret>,
    /// Extra allowed CORS origin (repeatable); `*` allows any origin.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origin: Vec<String>,
    /// How long a downed zone keeps receiving its share of requests (answered 503).
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub zone_failover_ms: u64,
    /// Serve only the secrets API, as a real instance reached without the health gateway does:
    /// `/api/health/*` answers 404 (health-v1.md, "When a region has no health API").
    #[arg(long)]
    pub no_health_api: bool,
    /// Directory for periodic consistent snapshots of the database.
    #[arg(long, value_name = "DIR", requires = "backup_every")]
    pub backup_to: Option<PathBuf>,
    #[arg(long, value_name = "SECONDS", requires = "backup_to", value_parser = clap::value_parser!(u64).range(1..))]
    pub backup_every: Option<u64>,
}

/// Everything the server needs, with the required flags resolved.
#[derive(Debug, Clone)]
pub struct Config {
    pub region: String,
    pub listen: SocketAddr,
    pub control: SocketAddr,
    pub data_dir: PathBuf,
    pub seed: Option<u32>,
    pub history_days: u32,
    pub token: Option<String>,
    pub iam_secret: Option<crate::iam::jwt::SigningSecret>,
    pub allow_origins: Vec<String>,
    pub zone_failover: Duration,
    pub health_api: bool,
    pub backup: Option<(PathBuf, Duration)>,
}

impl RunArgs {
    /// clap enforces the required flags; this only turns its guarantee into types.
    pub fn into_config(self) -> Result<Config, String> {
        let missing = |f: &str| format!("the argument --{f} is required");
        Ok(Config {
            region: self.region.ok_or_else(|| missing("region"))?,
            listen: self.listen.ok_or_else(|| missing("listen"))?,
            control: self.control.ok_or_else(|| missing("control"))?,
            data_dir: self.data_dir.ok_or_else(|| missing("data-dir"))?,
            seed: self.seed,
            history_days: self.history_days,
            token: self.token.filter(|t| !t.is_empty()),
            iam_secret: self.iam_signing_secret,
            allow_origins: self.allow_origin,
            zone_failover: Duration::from_millis(self.zone_failover_ms),
            health_api: !self.no_health_api,
            backup: match (self.backup_to, self.backup_every) {
                (Some(dir), Some(s)) => Some((dir, Duration::from_secs(s))),
                _ => None,
            },
        })
    }
}

/// `xx-name`: two lowercase letters, a dash, then lowercase letters/digits (dashes allowed inside).
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
        "eu-de" => "Frankfurt",
        other => other,
    }
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_ids() {
        for ok in ["us-south", "eu-de", "jp-tok", "xx-name-2"] {
            assert!(parse_region(ok).is_ok(), "{ok}");
        }
        for bad in ["", "us", "us-", "US-south", "u-south", "us_south", "us--x", "us-south-", "usa-east"] {
            assert!(parse_region(bad).is_err(), "{bad}");
        }
        assert_eq!(display_name("us-south"), "Dallas");
        assert_eq!(display_name("eu-de"), "Frankfurt");
        assert_eq!(display_name("zz-test"), "zz-test");
    }
}
