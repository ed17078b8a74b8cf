//! Secret groups.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use sm_contract::time::format_rfc3339;
use sm_contract::{SecretGroup, SecretGroupsPage};

use super::{json_body, merge_patch_body};
use super::secrets::{json_response, opt_str, req_str};
use crate::db::groups::DEFAULT_ID;
use crate::db::{self, in_tx};
use crate::error::ApiError;
use crate::rng::new_uuid;
use crate::state::{now_s, SharedApp};
use crate::validate;

fn to_json<T: serde::Serialize>(status: StatusCode, v: &T) -> Result<Response, ApiError> {
    Ok(json_response(status, serde_json::to_string(v).map_err(|e| ApiError::internal(e.to_string()))?))
}

pub async fn list(State(app): State<SharedApp>) -> Result<Response, ApiError> {
    let groups = app.db.read(|conn| db::groups::list(conn)).await?;
    to_json(StatusCode::OK, &SecretGroupsPage { total_count: Some(groups.len() as u64), secret_groups: groups.into() })
}

pub async fn get_one(State(app): State<SharedApp>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let g = app.db.read(move |conn| db::groups::get(conn, &id)).await?.ok_or_else(|| ApiError::not_found("Secret group"))?;
    to_json(StatusCode::OK, &g)
}

fn group_fields(m: &Map<String, Value>, creating: bool) -> Result<(Option<String>, Option<String>), ApiError> {
    let allowed = ["name", "description"];
    if let Some(bad) = m.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(ApiError::bad_field(bad, format!("{bad} is not a secret group field")));
    }
    let name = if creating { Some(req_str(m, "name")?) } else { opt_str(m, "name")? };
    if let Some(n) = &name {
        validate::name("name", n, 64)?;
    }
    let description = opt_str(m, "description")?;
    if let Some(d) = &description {
        validate::description(d)?;
    }
    Ok((name, description))
}

fn name_conflict(name: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "secret_group_already_exists", format!("A secret group named {name:?} already exists")).target("field", "name")
}

pub async fn create(State(app): State<SharedApp>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let m: Map<String, Value> = json_body(&headers, body)?;
    let (name, description) = group_fields(&m, true)?;
    let name = name.unwrap_or_default();
    let now = format_rfc3339(now_s());
    let g = SecretGroup { id: new_uuid(), name, description, created_at: Some(now.clone()), updated_at: Some(now) };
    let stored = g.clone();
    app.db
        .write(move |conn| {
            in_tx(conn, |tx| {
                if db::groups::name_taken(tx, &stored.name, None)? {
                    return Ok(Err(name_conflict(&stored.name)));
                }
                db::groups::upsert(tx, &stored)?;
                Ok(Ok(()))
            })
        })
        .await??;
    to_json(StatusCode::CREATED, &g)
}

pub async fn patch(State(app): State<SharedApp>, Path(id): Path<String>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let m: Map<String, Value> = merge_patch_body(&headers, body)?;
    let (name, description) = group_fields(&m, false)?;
    if id == DEFAULT_ID {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "default_group_immutable", "The default secret group cannot be changed"));
    }
    let now = format_rfc3339(now_s());
    let g = app
        .db
        .write(move |conn| {
            in_tx(conn, |tx| {
                let Some(mut g) = db::groups::get(tx, &id)? else { return Ok(Err(ApiError::not_found("Secret group"))) };
                if let Some(n) = name {
                    if db::groups::name_taken(tx, &n, Some(&id))? {
                        return Ok(Err(name_conflict(&n)));
                    }
                    g.name = n;
                }
                if m.contains_key("description") {
                    g.description = description;
                }
                g.updated_at = Some(now);
                db::groups::upsert(tx, &g)?;
                Ok(Ok(g))
            })
        })
        .await??;
    to_json(StatusCode::OK, &g)
}

/// Only an empty group can be deleted; the default group never.
pub async fn delete(State(app): State<SharedApp>, Path(id): Path<String>) -> Result<Response, ApiError> {
    if id == DEFAULT_ID {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "default_group_immutable", "The default secret group cannot be deleted"));
    }
    app.db
        .write(move |conn| {
            in_tx(conn, |tx| {
                if db::groups::get(tx, &id)?.is_none() {
                    return Ok(Err(ApiError::not_found("Secret group")));
                }
                let n = db::secrets::count_in_group(tx, &id)?;
                if n > 0 {
                    return Ok(Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "secret_group_not_empty",
                        format!("The secret group still contains {n} secret(s); move or delete them first"),
                    )));
                }
                db::groups::delete(tx, &id)?;
                Ok(Ok(()))
            })
        })
        .await??;
    Ok(StatusCode::NO_CONTENT.into_response())
}
