//! The status-feed task: fetches IBM's RSS (or a copy) now and then and keeps this region's
//! incidents. A malformed or unreachable feed is logged and the last good incidents stay.

use tokio_util::sync::CancellationToken;

use crate::cli::FeedSource;
use crate::state::SharedApp;

const MAX_FEED_BYTES: usize = 8 * 1024 * 1024;

async fn fetch(app: &SharedApp, src: &FeedSource) -> Result<String, String> {
    match src {
        FeedSource::File(p) => tokio::fs::read_to_string(p).await.map_err(|e| format!("cannot read {}: {e}", p.display())),
        FeedSource::Url(u) => {
            let res = app.http.get(u).timeout(std::time::Duration::from_secs(20)).send().await.map_err(|e| crate::upstream::transport_reason(&e))?;
            if !res.status().is_success() {
                return Err(format!("HTTP {}", res.status().as_u16()));
            }
            let body = res.bytes().await.map_err(|e| crate::upstream::transport_reason(&e))?;
            if body.len() > MAX_FEED_BYTES {
                return Err(format!("the feed is larger than {MAX_FEED_BYTES} bytes"));
            }
            String::from_utf8(body.to_vec()).map_err(|_| "the feed is not UTF-8".to_string())
        }
    }
}

pub async fn run(app: SharedApp, src: FeedSource, every: std::time::Duration, shutdown: CancellationToken) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = shutdown.cancelled() => return,
        }
        let parsed = fetch(&app, &src).await.and_then(|xml| crate::feed::incidents(&xml, &app.cfg.region).map_err(|e| e.to_string()));
        match parsed {
            Ok(incidents) => {
                tracing::debug!(count = incidents.len(), "status feed read");
                if let Ok(mut w) = app.incidents.write() {
                    *w = incidents;
                }
            }
            Err(e) => tracing::warn!(error = %e, "status feed ignored; keeping the last incidents"),
        }
    }
}
