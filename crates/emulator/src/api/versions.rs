//! Secret versions: list, read (by id or the `current` / `previous` alias), rotate.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Map, Value};
use sm_contract::time::format_rfc3339;
use sm_contract::{SecretType, VersionMetadata, VersionsList};

use super::json_body;
use super::secrets::{data_from_body, json_response, new_version as version_record};
use crate::db::secrets::StoredVersion;
use crate::db::{self, in_tx};
use crate::error::ApiError;
use crate::seed::version_data;
use crate::rng::SplitMix;
use crate::state::{now_s, SharedApp};

/// Newest first: the first is `current`, the second `previous`.
fn with_aliases(mut vs: Vec<StoredVersion>) -> Vec<StoredVersion> {
    for (i, v) in vs.iter_mut().enumerate() {
        v.meta.alias = match i {
            0 => Some("current".into()),
            1 => Some("previous".into()),
            _ => None,
        };
    }
    vs
}

fn find(vs: Vec<StoredVersion>, key: &str) -> Option<StoredVersion> {
    let vs = with_aliases(vs);
    match key {
        "current" => vs.into_iter().next(),
        "previous" => vs.into_iter().nth(1),
        id => vs.into_iter().find(|v| v.meta.id == id),
    }
}

async fn load(app: &SharedApp, id: String) -> Result<Vec<StoredVersion>, ApiError> {
    app.db
        .read(move |conn| {
            if db::secrets::get(conn, &id)?.is_none() {
                return Ok(Err(ApiError::not_found("Secret")));
            }
            Ok(Ok(db::secrets::versions(conn, &id)?))
        })
        .await?
}

pub async fn list(State(app): State<SharedApp>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let vs = with_aliases(load(&app, id).await?);
    let metas: Vec<VersionMetadata> = vs.into_iter().map(|v| v.meta).collect();
    let body = VersionsList { total_count: Some(metas.len() as u64), versions: metas.into() };
    Ok(json_response(StatusCode::OK, serde_json::to_string(&body).map_err(|e| ApiError::internal(e.to_string()))?))
}

fn meta_value(v: &StoredVersion, with_data: bool) -> Result<Value, ApiError> {
    let mut m = match serde_json::to_value(&v.meta).map_err(|e| ApiError::internal(e.to_string()))? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    if with_data {
        for (k, val) in &v.data {
            m.insert(k.clone(), val.clone());
        }
    }
    Ok(Value::Object(m))
}

pub async fn get_with_data(State(app): State<SharedApp>, Path((id, version)): Path<(String, String)>) -> Result<Response, ApiError> {
    let v = find(load(&app, id).await?, &version).ok_or_else(|| ApiError::not_found("Secret version"))?;
    Ok(json_response(StatusCode::OK, meta_value(&v, true)?.to_string()))
}

pub async fn metadata(State(app): State<SharedApp>, Path((id, version)): Path<(String, String)>) -> Result<Response, ApiError> {
    let v = find(load(&app, id).await?, &version).ok_or_else(|| ApiError::not_found("Secret version"))?;
    Ok(json_response(StatusCode::OK, meta_value(&v, false)?.to_string()))
}

/// `POST …/versions`: a new version becomes `current`; beyond 50 the oldest is dropped.
pub async fn create(State(app): State<SharedApp>, Path(id): Path<String>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let m: Map<String, Value> = json_body(&headers, body)?;
    let now = now_s();
    let v = app
        .db
        .write(move |conn| {
            in_tx(conn, |tx| {
                let Some(mut s) = db::secrets::get(tx, &id)? else { return Ok(Err(ApiError::not_found("Secret"))) };
                let versions = db::secrets::versions(tx, &id)?;
                // A new version pushes `previous` out of the two whose data is kept: IBM refuses
                // that while `previous` is locked.
                if let Some(previous) = versions.get(1) {
                    let in_the_way: Vec<_> = db::locks::of_secret(tx, &id)?.into_iter().filter(|l| l.version_id == previous.meta.id).collect();
                    if !in_the_way.is_empty() {
                        return Ok(Err(super::locks::locked("rotated", &in_the_way)));
                    }
                }
                let username = versions
                    .first()
                    .and_then(|v| v.data.get("username").and_then(Value::as_str).map(String::from));
                let data = match &s.meta.secret_type {
                    t @ (SecretType::Arbitrary | SecretType::UsernamePassword | SecretType::Kv | SecretType::ImportedCert | SecretType::IamCredentials) => {
                        match data_from_body(t, &m, false, username) {
                            Ok(d) => d,
                            Err(e) => return Ok(Err(e)),
                        }
                    }
                    // Types whose data the service generates: rotate to fresh generated data.
                    other => version_data(&mut SplitMix::from_entropy(), other, s.meta.name.split('-').next().unwrap_or("app")),
                };
                let mut v = version_record(&id, data, false, s.meta.expiration_date.clone());
                s.meta.versions_total = Some(db::secrets::add_version(tx, &id, &v)?);
                s.meta.updated_at = Some(format_rfc3339(now));
                db::secrets::update(tx, &s)?;
                v.meta.alias = Some("current".into());
                Ok(Ok(v))
            })
        })
        .await??;
    Ok(json_response(StatusCode::CREATED, meta_value(&v, true)?.to_string()))
}
