//! The shared state of one gateway process: plain data and the handles the routes and tasks share.

use std::sync::{Arc, RwLock};

use sm_contract::{HealthStatus, Incident};
use tokio::sync::{mpsc, watch};

use crate::cli::Config;
use crate::iam::IamClient;
use crate::store::Store;
use crate::upstream::Limiter;

pub type SharedApp = Arc<App>;

pub fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// What the probes currently say; every change is pushed to the event streams.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Live {
    pub status: HealthStatus,
    pub reason: Option<String>,
    pub last_at: Option<i64>,
    pub last_ms: Option<u64>,
    pub authenticated: bool,
}

pub struct App {
    pub cfg: Config,
    pub display_name: String,
    pub zones: Vec<String>,
    pub http: reqwest::Client,
    /// `scheme://host[:port]` of the instance, as its absolute links begin.
    pub upstream_origin: String,
    pub limiter: Arc<Limiter>,
    pub iam: IamClient,
    pub store: Store,
    pub live: watch::Sender<Live>,
    pub incidents: RwLock<Vec<Incident>>,
    /// Forwarded requests that got no answer: the probe loop counts them as failed probes.
    pub failures: mpsc::Sender<String>,
}

impl App {
    pub fn live(&self) -> Live {
        self.live.borrow().clone()
    }

    pub fn incidents(&self) -> Vec<Incident> {
        self.incidents.read().map(|v| v.clone()).unwrap_or_default()
    }

    /// Never blocks a request: when the probe loop is already told, a full queue drops the report.
    pub fn report_unreachable(&self, reason: String) {
        let _ = self.failures.try_send(reason);
    }
}
