//! `GET /api/health/v1/region` and `GET /api/health/v1/events`, from the gateway's own probes.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::{self, Stream};
use sm_contract::time::format_rfc3339;
use sm_contract::{Heartbeat, RegionHealth};
use tokio::sync::watch;
use tokio::time::{interval_at, Instant, Interval, MissedTickBehavior};

use crate::error::ApiError;
use crate::health::{document, window_start, Inputs};
use crate::state::{now_s, App, Live, SharedApp};

async fn doc(app: &App, live: &Live, with_history: bool) -> Result<RegionHealth, ApiError> {
    let now = now_s();
    let history = if with_history {
        let first = app.store.first_probe_at().await.map_err(storage)?;
        let recorded = app.store.since(window_start(first, now)).await.map_err(storage)?;
        Some((first, recorded))
    } else {
        None
    };
    Ok(document(
        Inputs {
            region: &app.cfg.region,
            display_name: &app.display_name,
            zones: &app.zones,
            every_ms: app.cfg.probe_every.as_millis() as u64,
            live,
            incidents: app.incidents(),
            history,
        },
        now,
    ))
}

fn storage(e: crate::store::StoreError) -> ApiError {
    tracing::error!(error = %e, "cannot read the probe record");
    ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "storage_error", "The gateway could not read its uptime record")
}

pub async fn region(State(app): State<SharedApp>) -> Response {
    let live = app.live();
    match doc(&app, &live, true).await {
        Ok(d) => Json(d).into_response(),
        Err(e) => e.into_response(),
    }
}

struct Feed {
    app: SharedApp,
    rx: watch::Receiver<Live>,
    last_status: sm_contract::HealthStatus,
    tick: Interval,
    first: Option<Event>,
}

fn region_event(d: &RegionHealth) -> Event {
    Event::default().event("region").json_data(d).unwrap_or_else(|_| Event::default().event("region").data("{}"))
}

pub async fn events(State(app): State<SharedApp>) -> Response {
    let rx = app.live.subscribe();
    let live = rx.borrow().clone();
    let first = match doc(&app, &live, false).await {
        Ok(d) => region_event(&d),
        Err(e) => return e.into_response(),
    };
    let mut tick = interval_at(Instant::now() + Duration::from_secs(1), Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let feed = Feed { app, rx, last_status: live.status, tick, first: Some(first) };
    // No keep-alive comments: heartbeats every second already are the liveness signal.
    Sse::new(stream_of(feed)).into_response()
}

fn stream_of(feed: Feed) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(feed, |mut f| async move {
        if let Some(first) = f.first.take() {
            return Some((Ok(first), f));
        }
        loop {
            tokio::select! {
                changed = f.rx.changed() => {
                    if changed.is_err() {
                        return None;
                    }
                    let live = f.rx.borrow_and_update().clone();
                    // Probe timings change every probe; only a status change is news for the console.
                    if live.status == f.last_status {
                        continue;
                    }
                    f.last_status = live.status;
                    match doc(&f.app, &live, false).await {
                        Ok(d) => return Some((Ok(region_event(&d)), f)),
                        Err(_) => continue,
                    }
                }
                _ = f.tick.tick() => {
                    let hb = Heartbeat { at: format_rfc3339(now_s()) };
                    let data = serde_json::to_string(&hb).unwrap_or_else(|_| "{}".into());
                    return Some((Ok(Event::default().event("heartbeat").data(data)), f));
                }
            }
        }
    })
}
