//! Our own accept loops (instead of `axum::serve`) so that taking a region down can close its
//! listening socket and drop every open connection — SSE streams included — at once.
//!
//! The data listener reports what it has actually done on `App::listening`, and the control API
//! answers a mode change only once the listener has caught up: a `down` answered while the socket
//! was still open let a client's next connection complete its handshake into the accept backlog
//! and then be reset when the socket closed (`ConnectionReset` instead of a refused connection).

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::faults::RegionMode;
use crate::state::SharedApp;

/// Accepts until `stop`; each connection lives until it ends or `conns` is cancelled.
pub async fn accept_loop(listener: TcpListener, router: Router, conns: CancellationToken, stop: CancellationToken) {
    accept_tracked(listener, router, conns, stop, TaskTracker::new()).await
}

/// `accept_loop` whose connection tasks are spawned on `tracker`, so a caller can wait until every
/// connection is really closed. The listener is dropped (the socket closed) when this returns.
async fn accept_tracked(listener: TcpListener, router: Router, conns: CancellationToken, stop: CancellationToken, tracker: TaskTracker) {
    loop {
        tokio::select! {
            biased;
            _ = stop.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tracker.spawn(serve_one(stream, router.clone(), conns.clone()));
                }
                Err(e) => {
                    // Usually EMFILE; back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

async fn serve_one(stream: TcpStream, router: Router, token: CancellationToken) {
    let _ = stream.set_nodelay(true);
    let svc = TowerToHyperService::new(router);
    let builder = Builder::new(TokioExecutor::new());
    let conn = builder.serve_connection_with_upgrades(TokioIo::new(stream), svc);
    tokio::select! {
        _ = conn => {}
        // Dropping the connection future closes the socket mid-response: what a dead region does.
        _ = token.cancelled() => {}
    }
}

/// Serves the data listener, closing it while the region is `down` and rebinding the same address
/// when it comes back. Publishes `true` on `app.listening` once it accepts, `false` once the socket
/// is closed and every connection it accepted is gone.
pub async fn run_data(app: SharedApp, router: Router, first: TcpListener, shutdown: CancellationToken) {
    let addr = match first.local_addr() {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "data listener has no address");
            return;
        }
    };
    let mut listener = Some(first);
    let mut mode = app.mode.subscribe();
    loop {
        let l = match listener.take() {
            Some(l) => l,
            None => match rebind(addr, &shutdown).await {
                Some(l) => l,
                None => return,
            },
        };
        let conns = shutdown.child_token();
        let stop = CancellationToken::new();
        let tracker = TaskTracker::new();
        let accept = tokio::spawn(accept_tracked(l, router.clone(), conns.clone(), stop.clone(), tracker.clone()));
        // The socket is already listening (bound and `listen`ed); the loop only takes from it.
        app.listening.send_replace(true);
        let went_down = tokio::select! {
            r = mode.wait_for(|m| *m == RegionMode::Down) => r.is_ok(),
            _ = shutdown.cancelled() => false,
        };
        stop.cancel();
        // The accept task owns the listener: once it has returned, the socket is closed and new
        // connections are refused by the kernel.
        let _ = accept.await;
        conns.cancel();
        tracker.close();
        tracker.wait().await;
        app.listening.send_replace(false);
        if !went_down {
            return;
        }
        let came_back = tokio::select! {
            r = mode.wait_for(|m| *m != RegionMode::Down) => r.is_ok(),
            _ = shutdown.cancelled() => false,
        };
        if !came_back {
            return;
        }
    }
}

async fn rebind(addr: SocketAddr, shutdown: &CancellationToken) -> Option<TcpListener> {
    loop {
        match TcpListener::bind(addr).await {
            Ok(l) => return Some(l),
            Err(e) => tracing::warn!(error = %e, %addr, "cannot rebind the data listener yet"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            _ = shutdown.cancelled() => return None,
        }
    }
}
