//! `GET /api/health/v1/events`: the region's health as Server-Sent Events.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use sm_contract::time::format_rfc3339;
use sm_contract::Heartbeat;
use tokio::sync::broadcast;
use tokio::time::{interval_at, Instant, Interval, MissedTickBehavior};

use crate::state::{now_s, SharedApp, StreamEvent};

struct Feed {
    app: SharedApp,
    rx: broadcast::Receiver<StreamEvent>,
    tick: Interval,
    first: Option<Event>,
}

pub async fn events(State(app): State<SharedApp>) -> Response {
    // Subscribe before building the first document so no change between the two is lost.
    let rx = app.events.subscribe();
    let doc = match crate::api::health::region_doc(&app, false).await {
        Ok(doc) => doc,
        Err(e) => return e.into_response(),
    };
    let first = Event::default().event("region").json_data(&doc).unwrap_or_else(|_| Event::default().event("region").data("{}"));
    let mut tick = interval_at(Instant::now() + Duration::from_secs(1), Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let feed = Feed { app, rx, tick, first: Some(first) };
    // No keep-alive comments: a hung region must go silent, and heartbeats already keep it busy.
    Sse::new(stream_of(feed)).into_response()
}

fn stream_of(feed: Feed) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(feed, |mut f| async move {
        if let Some(first) = f.first.take() {
            return Some((Ok(first), f));
        }
        loop {
            tokio::select! {
                msg = f.rx.recv() => match msg {
                    Ok(ev) => {
                        if f.app.is_hanging() {
                            continue;
                        }
                        return Some((Ok(Event::default().event(ev.name).data(ev.data)), f));
                    }
                    // A slow client missed events; the next region event brings it up to date.
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = f.tick.tick() => {
                    if f.app.is_hanging() {
                        continue;
                    }
                    let hb = Heartbeat { at: format_rfc3339(now_s()) };
                    let data = serde_json::to_string(&hb).unwrap_or_else(|_| "{}".into());
                    return Some((Ok(Event::default().event("heartbeat").data(data)), f));
                }
            }
        }
    })
}
