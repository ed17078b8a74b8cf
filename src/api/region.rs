//! Typed calls to one region. Every URL is built from that region's own configured origin: there
//! is deliberately no way to aim a call at "whichever region is up" (no automatic failover).

use sm_contract::{RegionHealth, SecretsPage};

use super::auth::{Auth, Token, TokenPrompt};
use super::error::ApiError;
use super::http::{get_json, Request};

/// Short timeouts for the calls that judge liveness; a page of 1000 secrets gets longer.
/// A probe confirming a suspicion (heartbeats already silent) is short, so a hung region greys out
/// about two seconds after its last heartbeat; a routine probe allows for a slow link.
pub const CONFIRM_PROBE_TIMEOUT_MS: u32 = 500;
pub const ROUTINE_PROBE_TIMEOUT_MS: u32 = 2_000;
pub const HEALTH_TIMEOUT_MS: u32 = 3_000;
pub const PAGE_TIMEOUT_MS: u32 = 15_000;
pub const STREAM_CONNECT_TIMEOUT_MS: u32 = 3_000;

#[derive(Debug, Clone, PartialEq)]
pub struct RegionApi {
    base: String,
    auth: Option<Auth>,
}

impl RegionApi {
    /// A client that sends no token (component tests, `auth.mode` none).
    pub fn new(base: &str) -> Self {
        RegionApi { base: base.trim_end_matches('/').to_string(), auth: None }
    }

    pub fn with_auth(base: &str, auth: Auth) -> Self {
        RegionApi { auth: Some(auth), ..RegionApi::new(base) }
    }

    /// The tab's token (pasted in bearer mode, or handed over by the embedding parent), read at
    /// the moment of each request so a refreshed token is used at once.
    pub fn token(&self) -> Option<Token> {
        self.auth.and_then(|a| a.token())
    }

    /// A request sent now would surely be refused for want of a token (see `Auth::waits_for_token`).
    pub fn waits_for_token(&self) -> bool {
        self.auth.is_some_and(|a| a.waits_for_token())
    }

    /// Where this region's 401s are reported.
    pub fn prompt(&self) -> TokenPrompt {
        self.auth.map(|a| a.prompt).unwrap_or_else(TokenPrompt::get)
    }

    pub(super) fn get(&self, path_and_query: &str, timeout_ms: u32) -> Request {
        let mut r = Request::get(format!("{}{}", self.base, path_and_query), timeout_ms);
        r.token = self.token();
        r
    }

    pub fn events_url(&self) -> String {
        format!("{}/api/health/v1/events", self.base)
    }

    pub async fn health(&self) -> Result<RegionHealth, ApiError> {
        Ok(get_json(&self.get("/api/health/v1/region", HEALTH_TIMEOUT_MS)).await?.0)
    }

    /// The lightest request the secrets API answers; used to confirm a region is alive.
    pub async fn probe(&self, timeout_ms: u32) -> Result<(), ApiError> {
        super::http::send(&self.get("/api/v2/secrets?limit=1", timeout_ms)).await.map(|_| ())
    }

    pub async fn secrets_page(&self, offset: u64, limit: u32) -> Result<SecretsPage, ApiError> {
        let q = format!("/api/v2/secrets?offset={offset}&limit={limit}");
        Ok(get_json(&self.get(&q, PAGE_TIMEOUT_MS)).await?.0)
    }
}
