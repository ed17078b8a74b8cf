//! The shared state of one region process.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde::Serialize;
use sm_contract::time::format_rfc3339;
use sm_contract::{roll_up, HealthStatus, ZoneEvent};
use tokio::sync::{broadcast, watch};

use crate::cli::Config;
use crate::db::{self, Db};
use crate::error::ApiError;
use crate::faults::{DataFaults, RegionMode};
use crate::zones::{self, Pick, ZoneState};

pub type SharedApp = Arc<App>;

#[derive(Debug, Clone)]
pub struct RegionInfo {
    pub id: String,
    pub display_name: String,
    pub zones: Vec<String>,
    pub account: String,
    pub instance: String,
}

impl RegionInfo {
    pub fn crn(&self, secret_id: &str) -> String {
        format!(
            "crn:v1:bluemix:public:secrets-manager:{}:a/{}:{}:secret:{}",
            self.id, self.account, self.instance, secret_id
        )
    }
}

#[derive(Debug, Clone)]
pub struct FaultState {
    pub mode: RegionMode,
    pub zones: Vec<ZoneState>,
    pub data: DataFaults,
}

/// The health every observer should see right now, derived from the faults in one place.
#[derive(Debug, Clone, PartialEq)]
pub struct Effective {
    pub region: HealthStatus,
    pub zones: Vec<(String, HealthStatus, Option<String>)>,
}

impl Effective {
    /// What the history records: the roll-up and the zones that are not operational.
    pub fn history_key(&self) -> (HealthStatus, Vec<String>) {
        let zones = self.zones.iter().filter(|z| z.1 != HealthStatus::Operational).map(|z| z.0.clone()).collect();
        (self.region, zones)
    }
}

impl FaultState {
    pub fn effective(&self) -> Effective {
        let implied = self.data.implied();
        let zones: Vec<(String, HealthStatus, Option<String>)> = self
            .zones
            .iter()
            .map(|z| match &implied {
                Some((s, why)) if *s > z.status => (z.id.clone(), *s, Some(why.clone())),
                _ => (z.id.clone(), z.status, z.reason.clone()),
            })
            .collect();
        let region = if self.mode == RegionMode::Up {
            roll_up(&zones.iter().map(|z| z.1).collect::<Vec<_>>())
        } else {
            HealthStatus::MajorOutage
        };
        let zones = if self.mode == RegionMode::Up {
            zones
        } else {
            let why = format!("region {}", if self.mode == RegionMode::Down { "down" } else { "not answering" });
            zones.into_iter().map(|z| (z.0, HealthStatus::MajorOutage, Some(why.clone()))).collect()
        };
        Effective { region, zones }
    }
}

/// One SSE event, already serialized once for every subscriber.
#[derive(Debug, Clone)]
pub struct StreamEvent {
    pub name: &'static str,
    pub data: String,
}

pub struct App {
    pub region: RegionInfo,
    pub cfg: Config,
    pub db: Db,
    faults: Mutex<FaultState>,
    /// Serializes fault changes so history intervals and events are recorded in order.
    change: tokio::sync::Mutex<()>,
    pub mode: watch::Sender<RegionMode>,
    /// Whether the data listener is open, as the listener task last reported it (not as requested).
    pub listening: watch::Sender<bool>,
    /// Held across a mode change and the wait for the listener to follow it, so two concurrent
    /// calls cannot interleave and leave one of them waiting for a state that was overtaken.
    pub mode_ops: tokio::sync::Mutex<()>,
    pub events: broadcast::Sender<StreamEvent>,
    rr: AtomicUsize,
    rate: Mutex<(u64, u32)>,
}

#[derive(Debug, Serialize)]
pub struct StateView {
    pub region: String,
    pub mode: RegionMode,
    pub status: HealthStatus,
    pub zones: Vec<ZoneView>,
    #[serde(flatten)]
    pub faults: DataFaults,
}

#[derive(Debug, Serialize)]
pub struct ZoneView {
    pub id: String,
    pub status: HealthStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub in_rotation: bool,
}

pub fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl App {
    pub fn new(region: RegionInfo, cfg: Config, db: Db) -> Arc<App> {
        let zones = region.zones.iter().cloned().map(ZoneState::new).collect();
        let (mode, _) = watch::channel(RegionMode::Up);
        let (events, _) = broadcast::channel(256);
        // `main` binds the data listener before building the app: it is listening from the start.
        let (listening, _) = watch::channel(true);
        Arc::new(App {
            region,
            cfg,
            db,
            faults: Mutex::new(FaultState { mode: RegionMode::Up, zones, data: DataFaults::default() }),
            change: tokio::sync::Mutex::new(()),
            mode,
            listening,
            mode_ops: tokio::sync::Mutex::new(()),
            events,
            rr: AtomicUsize::new(0),
            rate: Mutex::new((0, 0)),
        })
    }

    fn lock(&self) -> MutexGuard<'_, FaultState> {
        // A poisoned lock only means a panic elsewhere mid-update; the state is plain data, keep going.
        self.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn snapshot(&self) -> FaultState {
        self.lock().clone()
    }

    pub fn data_faults(&self) -> DataFaults {
        self.lock().data.clone()
    }

    pub fn view(&self) -> StateView {
        let st = self.lock();
        let eff = st.effective();
        let now = Instant::now();
        StateView {
            region: self.region.id.clone(),
            mode: st.mode,
            status: eff.region,
            zones: st
                .zones
                .iter()
                .map(|z| ZoneView {
                    id: z.id.clone(),
                    status: z.status,
                    reason: z.reason.clone(),
                    in_rotation: !z.status.is_outage()
                        || z.down_since.is_some_and(|t| now.saturating_duration_since(t) < self.cfg.zone_failover),
                })
                .collect(),
            faults: st.data.clone(),
        }
    }

    pub fn pick_zone(&self, gateway: bool) -> Pick {
        let n = self.rr.fetch_add(1, Ordering::Relaxed);
        let st = self.lock();
        if gateway {
            let healthy: Vec<&ZoneState> = st.zones.iter().filter(|z| !z.status.is_outage()).collect();
            let id = if healthy.is_empty() { st.zones[n % st.zones.len()].id.clone() } else { healthy[n % healthy.len()].id.clone() };
            return Pick { zone: id, failing: false, regional_outage: false };
        }
        zones::pick(&st.zones, n, self.cfg.zone_failover, Instant::now())
    }

    /// Fixed one-second windows: simple, and what a client sees from a real limiter is the same 429.
    pub fn rate_allow(&self, rps: u32) -> bool {
        let sec = now_s().max(0) as u64;
        let mut w = self.rate.lock().unwrap_or_else(|p| p.into_inner());
        if w.0 != sec {
            *w = (sec, 0);
        }
        w.1 += 1;
        w.1 <= rps
    }

    pub async fn wait_while_hanging(&self) {
        let mut rx = self.mode.subscribe();
        // `wait_for` only errs when the sender is gone, i.e. the process is shutting down.
        let _ = rx.wait_for(|m| *m != RegionMode::Hang).await;
    }

    pub fn is_hanging(&self) -> bool {
        *self.mode.borrow() == RegionMode::Hang
    }

    /// Applies a fault change, records the history interval it opens or closes, and tells every
    /// stream about it. The 2xx of the control call is sent only after the history is committed.
    pub async fn change(self: &Arc<Self>, f: impl FnOnce(&mut FaultState)) -> Result<(), ApiError> {
        let _serial = self.change.lock().await;
        let (before, after, mode) = {
            let mut st = self.lock();
            let before = st.effective();
            f(&mut st);
            (before, st.effective(), st.mode)
        };
        if before.history_key() != after.history_key() {
            let (status, zones) = after.history_key();
            let now = now_s();
            self.db
                .write(move |conn| {
                    db::in_tx(conn, |tx| {
                        db::history::close_open(tx, now)?;
                        if status != HealthStatus::Operational {
                            db::history::insert(tx, status, &zones, now, None, db::history::Source::Fault)?;
                        }
                        Ok(())
                    })
                })
                .await?;
        }
        self.mode.send_if_modified(|m| {
            let changed = *m != mode;
            *m = mode;
            changed
        });
        if before != after {
            let at = format_rfc3339(now_s());
            for (old, new) in before.zones.iter().zip(after.zones.iter()) {
                if old != new {
                    let ev = ZoneEvent { zone: new.0.clone(), status: new.1, at: at.clone(), reason: new.2.clone() };
                    if let Ok(data) = serde_json::to_string(&ev) {
                        let _ = self.events.send(StreamEvent { name: "zone", data });
                    }
                }
            }
            let doc = crate::api::health::region_doc(self, false).await?;
            if let Ok(data) = serde_json::to_string(&doc) {
                let _ = self.events.send(StreamEvent { name: "region", data });
            }
        }
        Ok(())
    }
}
