//! The control API on `--control`: inject and clear faults. Faults never touch this listener.
//!
//! It has no auth (it is a developer's loopback tool), so it must not be drivable by a web page
//! the developer happens to visit: every call that changes something needs the `X-Emulator-Control`
//! header, which a cross-origin page can only send after a CORS preflight, and this listener refuses
//! every preflight; a `Host` that is a DNS name other than `localhost` (DNS rebinding) is refused too.
//! A call is answered only once its effect holds (for `down`: new connections are refused).

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put, MethodRouter};
use axum::{Json, Router};
use serde::Deserialize;
use sm_contract::HealthStatus;

use crate::api::json_body;
use crate::error::ApiError;
use crate::faults::{DataFaults, RegionMode};
use crate::state::SharedApp;

/// Every control route, one row per operation (checked against `openapi.json` like the data routes).
pub fn routes() -> Vec<(Method, &'static str, MethodRouter<SharedApp>)> {
    vec![
        (Method::GET, "/emulator/v1/state", get(state)),
        (Method::PUT, "/emulator/v1/region", put(region)),
        (Method::PUT, "/emulator/v1/zones/{zone}", put(zone)),
        (Method::PUT, "/emulator/v1/faults", put(set_faults)),
        (Method::DELETE, "/emulator/v1/faults", delete(clear)),
        (Method::GET, "/emulator/v1/hostile", get(hostile)),
        (Method::POST, "/emulator/v1/seed", post(seed)),
        (Method::POST, "/emulator/v1/backup", post(backup)),
    ]
}

/// The header every state-changing control call must carry (any value).
pub const CONTROL_HEADER: &str = "x-emulator-control";

/// How long a mode change may take to reach the data listener before the call reports it.
const SETTLE_TIMEOUT: Duration = Duration::from_secs(10);

pub fn router(app: SharedApp) -> Router {
    crate::api::from_table(routes())
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such control endpoint") })
        .method_not_allowed_fallback(|| async { ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed") })
        .layer(from_fn(guard))
        .with_state(app)
}

/// Whether `Host` names this machine the way a browser on a rebinding attack cannot: `localhost`
/// or an IP literal. An absent `Host` (HTTP/1.0, or HTTP/2 without one) is no browser's.
fn host_is_local(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST) else { return true };
    let Ok(host) = host.to_str() else { return false };
    let name = match host.strip_prefix('[') {
        Some(v6) => return v6.split(']').next().is_some_and(|a| a.parse::<std::net::Ipv6Addr>().is_ok()),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::Ipv4Addr>().is_ok()
}

async fn guard(req: Request, next: Next) -> Response {
    if !host_is_local(req.headers()) {
        return ApiError::new(StatusCode::FORBIDDEN, "forbidden_host", "The control API answers only to localhost or an IP address in Host").into_response();
    }
    if req.method() == Method::OPTIONS {
        // No CORS headers: the browser then blocks the call the preflight was asking about.
        return ApiError::new(StatusCode::FORBIDDEN, "cors_refused", "The control API does not answer cross-origin requests").into_response();
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) && !req.headers().contains_key(CONTROL_HEADER) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "control_header_required",
            "Control calls that change something need the header X-Emulator-Control: 1 (a web page cannot send it)",
        )
        .into_response();
    }
    next.run(req).await
}

/// Applies a change of region mode and answers only once the data listener has followed it: closed
/// (connections refused, every open connection dropped) for `down`, accepting again otherwise.
async fn change_mode(app: &SharedApp, f: impl FnOnce(&mut crate::state::FaultState)) -> Result<(), ApiError> {
    let _one_at_a_time = app.mode_ops.lock().await;
    app.change(f).await?;
    let want_open = *app.mode.borrow() != RegionMode::Down;
    let mut listening = app.listening.subscribe();
    let settled = tokio::time::timeout(SETTLE_TIMEOUT, async { listening.wait_for(|open| *open == want_open).await.map(|_| ()) }).await;
    match settled {
        Ok(Ok(())) => Ok(()),
        Ok(Err(_)) => Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "shutting_down", "The emulator is shutting down")),
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "listener_not_ready",
            if want_open {
                format!("The region is up, but its data listener could not reopen {} yet (is the port taken?); it keeps retrying", app.cfg.listen)
            } else {
                "The region is down, but its data listener has not closed yet".to_string()
            },
        )),
    }
}

async fn state(State(app): State<SharedApp>) -> Response {
    Json(app.view()).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeBody {
    mode: RegionMode,
}

async fn region(State(app): State<SharedApp>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let b: ModeBody =
        json_body(&headers, body).map_err(|e| ApiError { message: format!("{} (expected {{\"mode\":\"up\"|\"down\"|\"hang\"}})", e.message), ..e })?;
    change_mode(&app, |st| st.mode = b.mode).await?;
    Ok(Json(app.view()).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneBody {
    status: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn zone(State(app): State<SharedApp>, Path(zone): Path<String>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    if !app.region.zones.contains(&zone) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "zone_not_found", format!("No zone {zone:?}; zones are {}", app.region.zones.join(", "))));
    }
    let b: ZoneBody = json_body(&headers, body)?;
    let status = HealthStatus::parse(&b.status).ok_or_else(|| {
        ApiError::bad_field("status", "status must be one of operational, degraded_performance, under_maintenance, partial_outage, major_outage")
    })?;
    let reason = b.reason.or_else(|| match status {
        HealthStatus::Operational => None,
        HealthStatus::MajorOutage => Some("zone node not answering".into()),
        HealthStatus::PartialOutage => Some("zone node failing some requests".into()),
        HealthStatus::DegradedPerformance => Some("zone node responding slowly".into()),
        HealthStatus::UnderMaintenance => Some("zone under scheduled maintenance".into()),
        HealthStatus::Unknown => None,
    });
    let now = Instant::now();
    app.change(|st| {
        if let Some(z) = st.zones.iter_mut().find(|z| z.id == zone) {
            z.set(status, reason, now);
        }
    })
    .await?;
    Ok(Json(app.view()).into_response())
}

async fn set_faults(State(app): State<SharedApp>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let f: DataFaults = json_body(&headers, body)?;
    f.validate().map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, "invalid_fault", m))?;
    app.change(|st| st.data = f).await?;
    Ok(Json(app.view()).into_response())
}

async fn clear(State(app): State<SharedApp>) -> Result<Response, ApiError> {
    let now = Instant::now();
    change_mode(&app, |st| {
        st.mode = RegionMode::Up;
        st.data = DataFaults::default();
        for z in st.zones.iter_mut() {
            z.set(HealthStatus::Operational, None, now);
        }
    })
    .await?;
    Ok(Json(app.view()).into_response())
}

async fn hostile() -> Response {
    Json(crate::hostile::catalogue()).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedBody {
    count: u32,
}

async fn seed(State(app): State<SharedApp>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let b: SeedBody = json_body(&headers, body)?;
    if b.count > 200_000 {
        return Err(ApiError::bad_field("count", "count must be at most 200000"));
    }
    let region = app.region.clone();
    let now = crate::state::now_s();
    let (added, total) = app
        .db
        .write(move |conn| {
            let added = crate::seed::seed(conn, &region, b.count, now)?;
            Ok((added, crate::db::secrets::count(conn)?))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"added": added, "total_count": total}))).into_response())
}

async fn backup(State(app): State<SharedApp>) -> Result<Response, ApiError> {
    let Some((dir, _)) = app.cfg.backup.clone() else {
        return Err(ApiError::new(StatusCode::CONFLICT, "backup_not_configured", "Start the emulator with --backup-to DIR to take backups"));
    };
    let path = crate::backup::snapshot(&app.db, &dir).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({"snapshot": path.display().to_string()}))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_host(h: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::HOST, h.parse().expect("header value"));
        m
    }

    #[test]
    fn only_local_hosts_pass() {
        for ok in ["localhost:9101", "LOCALHOST", "127.0.0.1:9101", "127.0.0.1", "[::1]:9101", "10.0.0.5:80"] {
            assert!(host_is_local(&with_host(ok)), "{ok}");
        }
        for bad in ["evil.example:9101", "localhost.evil.example", "127.0.0.1.nip.io:9101", "[evil]:80", "attacker"] {
            assert!(!host_is_local(&with_host(bad)), "{bad}");
        }
        assert!(host_is_local(&HeaderMap::new()));
    }
}
