//! The probe task: `GET /api/v2/secrets?limit=1` against the instance at the pace the state machine
//! asks for, plus the failures of forwarded requests, recorded and pushed to the event streams.

use std::time::{Duration, Instant};

use sm_contract::HealthStatus;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::cli::ApiKey;
use crate::iam::{renew_after, Token};
use crate::probe::{classify, Machine, Outcome, CONFIRM_EVERY, TIMEOUT};
use crate::state::{now_s, SharedApp};

/// A forwarded failure this soon after the last observation adds nothing: four requests failing
/// together are one observation, so it still takes three, spread out, to declare an outage.
const MIN_GAP: Duration = Duration::from_millis(400);

struct ProbeToken {
    token: Token,
    renew_at: Instant,
}

async fn token(app: &SharedApp, key: &ApiKey, current: &mut Option<ProbeToken>) -> Option<String> {
    if current.as_ref().is_none_or(|t| Instant::now() >= t.renew_at) {
        match app.iam.exchange(&key.0).await {
            Ok(t) => *current = Some(ProbeToken { renew_at: Instant::now() + renew_after(t.expires_in), token: t }),
            Err(e) => {
                // IAM's message names the problem, never the key.
                tracing::warn!(code = %e.code, status = e.status.as_u16(), message = %e.message, "probe token exchange failed; probing unauthenticated");
                // Keep an unexpired token if there is one; retry the exchange at the next probe.
                if current.as_ref().is_some_and(|t| t.token.expiration <= now_s()) {
                    *current = None;
                }
            }
        }
    }
    current.as_ref().map(|t| t.token.access_token.clone())
}

async fn probe_once(app: &SharedApp, bearer: Option<&str>) -> Outcome {
    app.limiter.acquire_patiently().await;
    let start = Instant::now();
    let mut req = app.http.get(format!("{}/api/v2/secrets?limit=1", app.upstream_origin)).timeout(TIMEOUT).header("Accept", "application/json");
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    match req.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            // Drain the small body so the connection goes back to the pool.
            let _ = res.bytes().await;
            if bearer.is_some() && (status == 401 || status == 403) {
                tracing::warn!(status, "the instance refused the probe token: check the service ID's Reader role");
            }
            classify(status, bearer.is_some(), start.elapsed())
        }
        Err(e) => Outcome::Failed { reason: crate::upstream::transport_reason(&e) },
    }
}

/// Applies one observation: the event streams hear of it first, then it is recorded (an fsync must
/// not delay a grey-out). `alive` is written at most once a second: the restart gap's start needs
/// no finer grain.
async fn apply(app: &SharedApp, m: &mut Machine, outcome: &Outcome, authenticated: bool, last_alive: &mut Option<Instant>) {
    let now = now_s();
    let before = m.status();
    let changed = m.observe(outcome);
    let last_ms = match outcome {
        Outcome::Up { elapsed } => Some(elapsed.as_millis() as u64),
        _ => None,
    };
    let reason = m.reason().map(String::from);
    let status = m.status();
    app.live.send_if_modified(|l| {
        let next = crate::state::Live { status, reason, last_at: Some(now), last_ms, authenticated };
        let modified = *l != next;
        *l = next;
        modified
    });
    if let Some(status) = changed {
        match status {
            HealthStatus::Operational => tracing::info!(region = %app.cfg.region, from = before.as_str(), "region operational"),
            _ => tracing::warn!(region = %app.cfg.region, status = status.as_str(), reason = m.reason().unwrap_or(""), "region status changed"),
        }
        if let Err(e) = app.store.record_change(status, now).await {
            tracing::error!(error = %e, "cannot record the status change");
        }
    }
    let due = last_alive.is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
    if !matches!(outcome, Outcome::RateLimited) && due {
        *last_alive = Some(Instant::now());
        if let Err(e) = app.store.alive(now).await {
            tracing::error!(error = %e, "cannot record the probe");
        }
    }
}

pub async fn run(app: SharedApp, mut failures: mpsc::Receiver<String>, shutdown: CancellationToken) {
    let every = app.cfg.probe_every;
    let key = app.cfg.probe_key.clone();
    let mut m = Machine::default();
    let mut tok: Option<ProbeToken> = None;
    let mut last_observed = Instant::now();
    let mut last_alive = None;
    loop {
        // The pace is kept from each probe's start, so slow storage or a slow answer never stretches it.
        let started = tokio::time::Instant::now();
        let bearer = match &key {
            Some(k) => token(&app, k, &mut tok).await,
            None => None,
        };
        let outcome = tokio::select! {
            o = probe_once(&app, bearer.as_deref()) => o,
            _ = shutdown.cancelled() => return,
        };
        apply(&app, &mut m, &outcome, bearer.is_some(), &mut last_alive).await;
        last_observed = Instant::now().max(last_observed);
        let mut due = started + m.next_delay(every);
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(due) => break,
                Some(reason) = failures.recv() => {
                    if last_observed.elapsed() < MIN_GAP {
                        continue;
                    }
                    let o = Outcome::Failed { reason };
                    apply(&app, &mut m, &o, bearer.is_some(), &mut last_alive).await;
                    last_observed = Instant::now();
                    due = tokio::time::Instant::now() + CONFIRM_EVERY.min(m.next_delay(every));
                }
                _ = shutdown.cancelled() => return,
            }
        }
    }
}
