//! The control API on `--control`: inject and clear faults. Faults never touch this listener.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
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

pub fn router(app: SharedApp) -> Router {
    crate::api::from_table(routes())
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "No such control endpoint") })
        .method_not_allowed_fallback(|| async { ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "Method not allowed") })
        .with_state(app)
}

async fn state(State(app): State<SharedApp>) -> Response {
    Json(app.view()).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModeBody {
    mode: RegionMode,
}

async fn region(State(app): State<SharedApp>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let b: ModeBody = json_body(body).map_err(|e| ApiError { message: format!("{} (expected {{\"mode\":\"up\"|\"down\"|\"hang\"}})", e.message), ..e })?;
    app.change(|st| st.mode = b.mode).await?;
    Ok(Json(app.view()).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ZoneBody {
    status: String,
    #[serde(default)]
    reason: Option<String>,
}

async fn zone(State(app): State<SharedApp>, Path(zone): Path<String>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    if !app.region.zones.contains(&zone) {
        return Err(ApiError::new(StatusCode::NOT_FOUND, "zone_not_found", format!("No zone {zone:?}; zones are {}", app.region.zones.join(", "))));
    }
    let b: ZoneBody = json_body(body)?;
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

async fn set_faults(State(app): State<SharedApp>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let f: DataFaults = json_body(body)?;
    f.validate().map_err(|m| ApiError::new(StatusCode::BAD_REQUEST, "invalid_fault", m))?;
    app.change(|st| st.data = f).await?;
    Ok(Json(app.view()).into_response())
}

async fn clear(State(app): State<SharedApp>) -> Result<Response, ApiError> {
    let now = Instant::now();
    app.change(|st| {
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

async fn seed(State(app): State<SharedApp>, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let b: SeedBody = json_body(body)?;
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
