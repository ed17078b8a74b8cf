//! IBM's locks API: list a secret's (or a version's) locks, add locks in bulk, remove them in bulk.
//! The refusals a lock causes (delete, rotation) name the locks, so a person knows whom to ask.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use rusqlite::Connection;
use serde_json::{json, Map, Value};

use super::secrets::{json_response, opt_obj, opt_str, req_str, CREATED_BY};
use super::{json_body, origin_of, Params};
use crate::db::locks::StoredLock;
use crate::db::secrets::{StoredSecret, StoredVersion};
use crate::db::{self, in_tx, DbError};
use crate::error::ApiError;
use crate::state::{now_s, SharedApp};
use crate::validate;

/// IBM attaches at most this many locks to one version.
pub const MAX_LOCKS_PER_VERSION: usize = 1000;

/// The 412 a lock causes: which action it blocks and the names of the locks in the way.
pub fn locked(action: &str, locks: &[StoredLock]) -> ApiError {
    let mut names: Vec<&str> = locks.iter().map(|l| l.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let list = names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
    ApiError::new(
        StatusCode::PRECONDITION_FAILED,
        "secret_locked",
        format!("The secret cannot be {action} because of its lock(s) {list}; remove the lock(s) first"),
    )
}

/// The aliases IBM gives the two newest versions.
fn alias_of(versions: &[StoredVersion], version_id: &str) -> Option<&'static str> {
    match versions.iter().position(|v| v.meta.id == version_id) {
        Some(0) => Some("current"),
        Some(1) => Some("previous"),
        _ => None,
    }
}

/// `current`, `previous` or a version id, to the version's id.
fn resolve_version(versions: &[StoredVersion], key: &str) -> Option<String> {
    match key {
        "current" => versions.first(),
        "previous" => versions.get(1),
        id => versions.iter().find(|v| v.meta.id == id),
    }
    .map(|v| v.meta.id.clone())
}

/// The version a per-version call names (`None`: every version), or 404 when it names none.
fn only_version(versions: &[StoredVersion], key: Option<&str>) -> Result<Option<String>, ApiError> {
    match key {
        None => Ok(None),
        Some(k) => resolve_version(versions, k).map(Some).ok_or_else(|| ApiError::not_found("Secret version")),
    }
}

struct Loaded {
    secret: StoredSecret,
    versions: Vec<StoredVersion>,
}

fn load(tx: &Connection, id: &str) -> Result<Result<Loaded, ApiError>, DbError> {
    let Some(secret) = db::secrets::get(tx, id)? else { return Ok(Err(ApiError::not_found("Secret"))) };
    let versions = db::secrets::versions(tx, id)?;
    Ok(Ok(Loaded { secret, versions }))
}

/// IBM's `SecretLocks` answer of a bulk change: each version that has locks, with their names.
fn summary(l: &Loaded, locks: &[StoredLock]) -> Value {
    let versions: Vec<Value> = l
        .versions
        .iter()
        .filter_map(|v| {
            let names: Vec<&str> = locks.iter().filter(|k| k.version_id == v.meta.id).map(|k| k.name.as_str()).collect();
            (!names.is_empty()).then(|| {
                json!({
                    "version_id": v.meta.id,
                    "version_alias": alias_of(&l.versions, &v.meta.id),
                    "locks": names,
                    "payload_available": v.meta.payload_available.unwrap_or(true),
                })
            })
        })
        .collect();
    json!({
        "secret_id": l.secret.meta.id,
        "secret_group_id": l.secret.meta.secret_group_id,
        "secret_type": l.secret.meta.secret_type.as_str(),
        "secret_name": l.secret.meta.name,
        "versions": versions,
    })
}

/// Keeps the secret's `locks_total` equal to the rows, so lists and metadata never disagree.
fn sync_total(tx: &Connection, l: &mut Loaded) -> Result<Vec<StoredLock>, DbError> {
    let locks = db::locks::of_secret(tx, &l.secret.meta.id)?;
    l.secret.meta.locks_total = Some(locks.len() as u64);
    db::secrets::update(tx, &l.secret)?;
    Ok(locks)
}

fn page(p: &Params, uri: &Uri, headers: &HeaderMap, l: &Loaded, locks: Vec<StoredLock>) -> Result<Value, ApiError> {
    let offset = match p.get("offset") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| ApiError::bad_param("offset", "offset must be a non-negative integer"))?,
    };
    let limit = match p.get("limit") {
        None => 25,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => return Err(ApiError::bad_param("limit", "limit must be an integer between 1 and 1000")),
        },
    };
    let search = p.get("search").map(str::to_lowercase);
    let matching: Vec<StoredLock> =
        locks.into_iter().filter(|k| search.as_deref().is_none_or(|s| k.name.to_lowercase().contains(s))).collect();
    let total = matching.len();
    let base = format!("{}{}", origin_of(headers, uri), uri.path());
    let link = |o: usize| json!({"href": format!("{base}?offset={o}&limit={limit}")});
    let last = if total == 0 { 0 } else { (total - 1) / limit * limit };
    let served: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|k| k.served(&l.secret.meta.secret_group_id, alias_of(&l.versions, &k.version_id)))
        .collect();
    let mut out = Map::new();
    out.insert("total_count".into(), json!(total));
    out.insert("limit".into(), json!(limit));
    out.insert("offset".into(), json!(offset));
    out.insert("first".into(), json!({"href": format!("{base}?limit={limit}")}));
    if offset > 0 {
        out.insert("previous".into(), link(offset.saturating_sub(limit)));
    }
    if offset.saturating_add(limit) < total {
        out.insert("next".into(), link(offset + limit));
    }
    out.insert("last".into(), link(last));
    out.insert("locks".into(), Value::Array(served));
    Ok(Value::Object(out))
}

async fn list_locks(app: SharedApp, id: String, version: Option<String>, p: Params, uri: Uri, headers: HeaderMap) -> Result<Response, ApiError> {
    let (l, locks) = app
        .db
        .read(move |conn| {
            let l = match load(conn, &id)? {
                Ok(l) => l,
                Err(e) => return Ok(Err(e)),
            };
            let only = match only_version(&l.versions, version.as_deref()) {
                Ok(v) => v,
                Err(e) => return Ok(Err(e)),
            };
            let locks = db::locks::of_secret(conn, &id)?.into_iter().filter(|k| only.as_ref().is_none_or(|v| *v == k.version_id)).collect();
            Ok(Ok((l, locks)))
        })
        .await??;
    Ok(json_response(StatusCode::OK, page(&p, &uri, &headers, &l, locks)?.to_string()))
}

/// `GET /api/v2/secrets/{id}/locks`
pub async fn list(State(app): State<SharedApp>, Path(id): Path<String>, headers: HeaderMap, uri: Uri, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    list_locks(app, id, None, Params::parse(q.as_deref()), uri, headers).await
}

/// `GET /api/v2/secrets/{id}/versions/{version_id}/locks`
pub async fn list_of_version(
    State(app): State<SharedApp>,
    Path((id, version)): Path<(String, String)>,
    headers: HeaderMap,
    uri: Uri,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    list_locks(app, id, Some(version), Params::parse(q.as_deref()), uri, headers).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Keep,
    RemovePrevious,
    RemovePreviousAndDelete,
}

struct Prototype {
    name: String,
    description: Option<String>,
    attributes: Option<Map<String, Value>>,
}

fn prototypes(body: Map<String, Value>) -> Result<Vec<Prototype>, ApiError> {
    let Some(Value::Array(items)) = body.get("locks") else {
        return Err(ApiError::bad_field("locks", "locks must be a list of {name, description?, attributes?}"));
    };
    if items.is_empty() || items.len() > MAX_LOCKS_PER_VERSION {
        return Err(ApiError::bad_field("locks", format!("locks must hold 1 to {MAX_LOCKS_PER_VERSION} locks")));
    }
    items
        .iter()
        .map(|item| {
            let Value::Object(m) = item else { return Err(ApiError::bad_field("locks", "each lock must be an object")) };
            let name = req_str(m, "name")?;
            validate::name("name", &name, 64)?;
            let description = opt_str(m, "description")?;
            if let Some(d) = &description {
                validate::description(d)?;
            }
            Ok(Prototype { name, description, attributes: opt_obj(m, "attributes")? })
        })
        .collect()
}

fn mode_of(p: &Params) -> Result<Mode, ApiError> {
    match p.get("mode") {
        None => Ok(Mode::Keep),
        Some("remove_previous") => Ok(Mode::RemovePrevious),
        Some("remove_previous_and_delete") => Ok(Mode::RemovePreviousAndDelete),
        Some(_) => Err(ApiError::bad_param("mode", "mode must be remove_previous or remove_previous_and_delete")),
    }
}

async fn create_locks(app: SharedApp, id: String, version: String, p: Params, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let mode = mode_of(&p)?;
    let wanted = prototypes(json_body(&headers, body)?)?;
    let now = now_s();
    let out = app
        .db
        .write(move |conn| {
            in_tx(conn, |tx| {
                let mut l = match load(tx, &id)? {
                    Ok(l) => l,
                    Err(e) => return Ok(Err(e)),
                };
                let Some(target) = resolve_version(&l.versions, &version) else { return Ok(Err(ApiError::not_found("Secret version"))) };
                if alias_of(&l.versions, &target).is_none() {
                    return Ok(Err(ApiError::bad_param("version_id", "only the current and the previous version can be locked")));
                }
                for w in &wanted {
                    db::locks::put(
                        tx,
                        &StoredLock {
                            secret_id: id.clone(),
                            version_id: target.clone(),
                            name: w.name.clone(),
                            description: w.description.clone(),
                            attributes: w.attributes.clone(),
                            created_at: now,
                            updated_at: now,
                            created_by: CREATED_BY.into(),
                        },
                    )?;
                }
                if mode != Mode::Keep {
                    if let Some(previous) = l.versions.get(1).map(|v| v.meta.id.clone()).filter(|p| *p != target) {
                        let names: Vec<String> = wanted.iter().map(|w| w.name.clone()).collect();
                        db::locks::remove(tx, &id, Some(&previous), &names)?;
                        let still_locked = db::locks::of_secret(tx, &id)?.iter().any(|k| k.version_id == previous);
                        if mode == Mode::RemovePreviousAndDelete && !still_locked {
                            db::secrets::drop_version_data(tx, &id, &previous)?;
                            l.versions = db::secrets::versions(tx, &id)?;
                        }
                    }
                }
                let locks = sync_total(tx, &mut l)?;
                Ok(Ok(summary(&l, &locks)))
            })
        })
        .await??;
    Ok(json_response(StatusCode::CREATED, out.to_string()))
}

/// `POST /api/v2/secrets/{id}/locks_bulk`: locks on the current version.
pub async fn create(
    State(app): State<SharedApp>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    create_locks(app, id, "current".into(), Params::parse(q.as_deref()), headers, body).await
}

/// `POST /api/v2/secrets/{id}/versions/{version_id}/locks_bulk`
pub async fn create_on_version(
    State(app): State<SharedApp>,
    Path((id, version)): Path<(String, String)>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    create_locks(app, id, version, Params::parse(q.as_deref()), headers, body).await
}

async fn delete_locks(app: SharedApp, id: String, version: Option<String>, p: Params) -> Result<Response, ApiError> {
    let names = p.list("name");
    let out = app
        .db
        .write(move |conn| {
            in_tx(conn, |tx| {
                let mut l = match load(tx, &id)? {
                    Ok(l) => l,
                    Err(e) => return Ok(Err(e)),
                };
                let only = match only_version(&l.versions, version.as_deref()) {
                Ok(v) => v,
                Err(e) => return Ok(Err(e)),
            };
                db::locks::remove(tx, &id, only.as_deref(), &names)?;
                let locks = sync_total(tx, &mut l)?;
                Ok(Ok(summary(&l, &locks)))
            })
        })
        .await??;
    Ok(json_response(StatusCode::OK, out.to_string()))
}

/// `DELETE /api/v2/secrets/{id}/locks_bulk?name=a,b`: the named locks (all without `name`) of every version.
pub async fn delete(State(app): State<SharedApp>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    delete_locks(app, id, None, Params::parse(q.as_deref())).await
}

/// `DELETE /api/v2/secrets/{id}/versions/{version_id}/locks_bulk?name=a,b`
pub async fn delete_on_version(State(app): State<SharedApp>, Path((id, version)): Path<(String, String)>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    delete_locks(app, id, Some(version), Params::parse(q.as_deref())).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lock(name: &str) -> StoredLock {
        StoredLock {
            secret_id: "s".into(),
            version_id: "v".into(),
            name: name.into(),
            description: None,
            attributes: None,
            created_at: 0,
            updated_at: 0,
            created_by: "me".into(),
        }
    }

    #[test]
    fn a_refusal_names_each_lock_once_in_order() {
        let e = locked("rotated", &[lock("b-lock"), lock("a-lock"), lock("b-lock")]);
        assert_eq!(e.status, StatusCode::PRECONDITION_FAILED);
        assert_eq!(e.message, "The secret cannot be rotated because of its lock(s) \"a-lock\", \"b-lock\"; remove the lock(s) first");
    }
}
