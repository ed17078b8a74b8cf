//! `sm-emulator iam`: a stand-in for IBM Cloud IAM's API-key exchange (`POST /identity/token`),
//! so the gateway's whole topology runs on loopback. IAM is global, not regional, hence its own
//! process. See `shared/contract/emulator.md`, "IAM".

pub mod jwt;
mod routes;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;

use crate::error::StartupError;
use jwt::SigningSecret;

/// One API key IAM knows, with the service ID it belongs to.
pub struct ApiKey {
    pub key: String,
    pub name: String,
    pub service_id: String,
}

/// Faults of the emulated IAM, set on its control listener.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum IamMode {
    #[default]
    Up,
    /// Answers 503, as IAM's front end does during an outage.
    Down,
    /// Answers after `delay_ms`.
    Slow,
    /// Answers 429 with `Retry-After`.
    RateLimited,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamFault {
    #[serde(default)]
    pub mode: IamMode,
    #[serde(default = "default_delay_ms")]
    pub delay_ms: u64,
}

fn default_delay_ms() -> u64 {
    10_000
}

impl Default for IamFault {
    fn default() -> Self {
        IamFault { mode: IamMode::Up, delay_ms: default_delay_ms() }
    }
}

pub struct Iam {
    pub keys: Vec<ApiKey>,
    pub ttl_s: i64,
    pub secret: SigningSecret,
    pub fault: Mutex<IamFault>,
}

impl Iam {
    pub fn fault(&self) -> IamFault {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_fault(&self, f: IamFault) {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner()) = f;
    }
}

pub struct IamConfig {
    pub listen: SocketAddr,
    pub control: Option<SocketAddr>,
    pub keys: Vec<(String, String)>,
    pub ttl: Duration,
    pub secret: SigningSecret,
}

/// `KEY[:NAME]`; the name defaults to a stable one derived from the key's position.
pub fn parse_api_key(s: &str) -> Result<(String, String), String> {
    let (key, name) = match s.split_once(':') {
        Some((k, n)) => (k, n),
        None => (s, ""),
    };
    if key.len() < 8 || !key.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
        return Err("an API key must be at least 8 characters of A-Z, a-z, 0-9, '-' or '_'".into());
    }
    Ok((key.to_string(), name.to_string()))
}

fn service_id(key: &str) -> String {
    let mut r = crate::rng::SplitMix::from_str_seed(&format!("service-id:{key}"));
    format!("ServiceId-{}", r.uuid())
}

pub async fn serve(cfg: IamConfig) -> Result<(), StartupError> {
    let bind = |addr: SocketAddr| async move { TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source }) };
    let listener = bind(cfg.listen).await?;
    let addr = listener.local_addr().map_err(|source| StartupError::Bind { addr: cfg.listen, source })?;
    let control = match cfg.control {
        Some(c) => Some(bind(c).await?),
        None => None,
    };
    let keys = cfg
        .keys
        .into_iter()
        .enumerate()
        .map(|(i, (key, name))| {
            let name = if name.is_empty() { format!("service-id-{}", i + 1) } else { name };
            ApiKey { service_id: service_id(&key), key, name }
        })
        .collect();
    let iam = Arc::new(Iam {
        keys,
        ttl_s: i64::try_from(cfg.ttl.as_secs()).unwrap_or(3600),
        secret: cfg.secret,
        fault: Mutex::new(IamFault::default()),
    });
    let shutdown = tokio_util::sync::CancellationToken::new();
    let mut line = format!("listening iam url=http://{addr}");
    let mut tasks = vec![tokio::spawn(serve_router(listener, routes::router(iam.clone()), shutdown.clone()))];
    if let Some(c) = control {
        let caddr = c.local_addr().map_err(|source| StartupError::Bind { addr: addr, source })?;
        line.push_str(&format!(" control=http://{caddr}"));
        tasks.push(tokio::spawn(serve_router(c, routes::control_router(iam), shutdown.clone())));
    }
    let signals = crate::Signals::install()?;
    println!("{line}");
    let _ = std::io::stdout().flush();
    signals.wait().await;
    shutdown.cancel();
    for t in tasks {
        let _ = t.await;
    }
    Ok(())
}

async fn serve_router(listener: TcpListener, router: axum::Router, stop: tokio_util::sync::CancellationToken) {
    if let Err(e) = axum::serve(listener, router).with_graceful_shutdown(async move { stop.cancelled().await }).await {
        tracing::error!(error = %e, "IAM listener failed");
    }
}

#[cfg(test)]
mod tests {
    use super::parse_api_key;

    #[test]
    fn api_key_flags() {
        assert_eq!(parse_api_key("abcdefgh"), Ok(("abcdefgh".into(), "".into())));
        assert_eq!(parse_api_key("abc-DEF_123:probe"), Ok(("abc-DEF_123".into(), "probe".into())));
        assert!(parse_api_key("short").is_err());
        assert!(parse_api_key("has space in it").is_err());
    }
}
