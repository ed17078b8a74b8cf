//! Secrets: list, create, read, metadata, update, delete.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use sm_contract::time::format_rfc3339;
use sm_contract::{state_name, Href, Rotation, SecretMetadata, SecretType, SecretsPage, VersionMetadata};

use super::{json_body, merge_patch_body, origin_of, Params};
use crate::db::secrets::{ListQuery, SortKey, StoredSecret, StoredVersion};
use crate::db::{self, in_tx};
use crate::error::ApiError;
use crate::rng::{new_uuid, password, SplitMix};
use crate::state::{now_s, SharedApp};
use crate::validate;

pub const CREATED_BY: &str = "iam-ServiceId-5b7ec1b9-4a6f-4c2e-9a0e-emulator0000";

/// A JSON response from an already-serialized body.
pub fn json_response(status: StatusCode, body: String) -> Response {
    let mut res = (status, body).into_response();
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

fn parse_query(p: &Params) -> Result<ListQuery, ApiError> {
    let offset = match p.get("offset") {
        None => 0,
        Some(v) => v.parse::<u64>().map_err(|_| ApiError::bad_param("offset", "offset must be a non-negative integer"))?,
    };
    let limit = match p.get("limit") {
        None => 200,
        Some(v) => match v.parse::<i64>() {
            Ok(n) if (1..=1000).contains(&n) => n as u64,
            _ => return Err(ApiError::bad_param("limit", "limit must be an integer between 1 and 1000")),
        },
    };
    let (sort, descending) = match p.get("sort") {
        None => (SortKey::CreatedAt, false),
        Some(s) => {
            let (key, desc) = match s.strip_prefix('-') {
                Some(k) => (k, true),
                None => (s, false),
            };
            let key = SortKey::parse(key).ok_or_else(|| {
                ApiError::bad_param(
                    "sort",
                    "sort must be one of id, created_at, updated_at, retrieved_at, expiration_date, secret_type, name (prefix '-' for descending)",
                )
            })?;
            (key, desc)
        }
    };
    let search = match p.get("search") {
        None => None,
        Some(s) => {
            let n = s.chars().count();
            if !(2..=128).contains(&n) {
                return Err(ApiError::bad_param("search", "search must be 2 to 128 characters long"));
            }
            Some(s.to_string())
        }
    };
    let secret_types = p.list("secret_types");
    if let Some(bad) = secret_types.iter().find(|t| matches!(SecretType::parse(t), SecretType::Other(_))) {
        return Err(ApiError::bad_param("secret_types", format!("unknown secret type {bad:?}")));
    }
    Ok(ListQuery { offset, limit, sort, descending, search, groups: p.list("groups"), secret_types, labels: p.list("match_all_labels") })
}

/// Page links keep every filter of the request, so following `next` lists the same result set.
fn href(base: &str, p: &Params, offset: Option<u64>, limit: u64) -> Href {
    let mut s = form_urlencoded::Serializer::new(String::new());
    if let Some(o) = offset {
        s.append_pair("offset", &o.to_string());
    }
    s.append_pair("limit", &limit.to_string());
    for key in ["sort", "search", "groups", "secret_types", "match_all_labels"] {
        if let Some(v) = p.get(key) {
            s.append_pair(key, v);
        }
    }
    Href { href: format!("{base}?{}", s.finish()) }
}

pub fn page_envelope(total: u64, q: &ListQuery, base: &str, p: &Params) -> SecretsPage {
    let (offset, limit) = (q.offset, q.limit);
    let last = if total == 0 { 0 } else { (total - 1) / limit * limit };
    SecretsPage {
        total_count: Some(total),
        limit: Some(limit),
        offset: Some(offset),
        first: Some(href(base, p, None, limit)),
        previous: (offset > 0).then(|| href(base, p, Some(offset.saturating_sub(limit)), limit)),
        next: (offset.saturating_add(limit) < total).then(|| href(base, p, Some(offset + limit), limit)),
        last: Some(href(base, p, Some(last), limit)),
        secrets: Vec::new().into(),
    }
}

/// Serializes the page envelope with the shared type, then splices in the stored documents as they
/// are: re-parsing 1,000 secrets per page would cost more than the query.
pub fn page_json(page: &SecretsPage, docs: &[String]) -> Result<String, ApiError> {
    let envelope = serde_json::to_string(page).map_err(|e| ApiError::internal(e.to_string()))?;
    let Some(head) = envelope.strip_suffix("[]}") else {
        return Err(ApiError::internal("page envelope does not end with the secrets list"));
    };
    let mut out = String::with_capacity(head.len() + docs.iter().map(|d| d.len() + 1).sum::<usize>() + 3);
    out.push_str(head);
    out.push('[');
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(d);
    }
    out.push_str("]}");
    Ok(out)
}

pub async fn list(State(app): State<SharedApp>, headers: HeaderMap, uri: Uri, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    let p = Params::parse(q.as_deref());
    let query = parse_query(&p)?;
    let q2 = query.clone();
    let (total, docs) = app.db.read(move |conn| db::secrets::list(conn, &q2)).await?;
    let base = format!("{}/api/v2/secrets", origin_of(&headers, &uri));
    let page = page_envelope(total, &query, &base, &p);
    Ok(json_response(StatusCode::OK, page_json(&page, &docs)?))
}

fn with_data(s: &StoredSecret, data: &Map<String, Value>) -> Result<Value, ApiError> {
    let mut m = s.served()?;
    for (k, v) in data {
        m.insert(k.clone(), v.clone());
    }
    Ok(Value::Object(m))
}

fn respond(status: StatusCode, v: &Value) -> Response {
    json_response(status, v.to_string())
}

pub async fn metadata(State(app): State<SharedApp>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let s = app.db.read(move |conn| db::secrets::get(conn, &id)).await?.ok_or_else(|| ApiError::not_found("Secret"))?;
    Ok(respond(StatusCode::OK, &Value::Object(s.served()?)))
}

fn reuses_api_key(s: &StoredSecret) -> bool {
    s.extra.get("reuse_api_key").and_then(Value::as_bool).unwrap_or(false)
}

pub fn new_version(secret_id: &str, data: Map<String, Value>, auto_rotated: bool, expiration: Option<String>) -> StoredVersion {
    StoredVersion {
        meta: VersionMetadata {
            id: new_uuid(),
            secret_id: Some(secret_id.to_string()),
            created_at: Some(format_rfc3339(now_s())),
            created_by: Some(CREATED_BY.into()),
            auto_rotated: Some(auto_rotated),
            downloaded: Some(false),
            payload_available: Some(true),
            alias: None,
            expiration_date: expiration,
        },
        data,
    }
}

/// Reads a secret with its current data inside a write transaction: marks it retrieved, and an IAM
/// credential without `reuse_api_key` gets a fresh API key on every read, as the real service does.
fn read_with_data(tx: &rusqlite::Transaction, id: &str, now: i64) -> Result<Result<(StoredSecret, Map<String, Value>), ApiError>, db::DbError> {
    let Some(mut s) = db::secrets::get(tx, id)? else { return Ok(Err(ApiError::not_found("Secret"))) };
    let mut versions = db::secrets::versions(tx, id)?;
    if s.meta.secret_type == SecretType::IamCredentials && !reuses_api_key(&s) {
        let mut data = Map::new();
        data.insert("api_key".into(), json!(SplitMix::from_entropy().alnum(44)));
        let v = new_version(id, data, false, None);
        s.meta.versions_total = Some(db::secrets::add_version(tx, id, &v)?);
        s.meta.updated_at = Some(format_rfc3339(now));
        versions.insert(0, v);
    }
    s.meta.retrieved_at = Some(format_rfc3339(now));
    s.meta.downloaded = Some(true);
    db::secrets::update(tx, &s)?;
    let data = match versions.first_mut() {
        Some(v) => {
            v.meta.downloaded = Some(true);
            db::secrets::update_version_meta(tx, id, &v.meta)?;
            v.data.clone()
        }
        None => Map::new(),
    };
    Ok(Ok((s, data)))
}

/// `GET /api/v2/secrets/{id}`: the secret with its data.
pub async fn get_with_data(State(app): State<SharedApp>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let now = now_s();
    let (s, data) = app.db.write(move |conn| in_tx(conn, |tx| read_with_data(tx, &id, now))).await??;
    Ok(respond(StatusCode::OK, &with_data(&s, &data)?))
}

/// `GET /api/v2/secret_groups/{group_name}/secret_types/{type}/secrets/{name}`: IBM's lookup by name,
/// the same answer as a read by id (and the same side effects). Group *names* are what differ least
/// between two instances, so this is how one region's secret is found in the other.
pub async fn get_by_name(
    State(app): State<SharedApp>,
    Path((group_name, type_str, name)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    if matches!(SecretType::parse(&type_str), SecretType::Other(_)) {
        return Err(ApiError::bad_param("secret_type", format!("unknown secret type {type_str:?}")));
    }
    let now = now_s();
    let (s, data) = app
        .db
        .write(move |conn| {
            in_tx(conn, |tx| {
                let group = if group_name == db::groups::DEFAULT_ID { Some(group_name.clone()) } else { db::groups::id_by_name(tx, &group_name)? };
                let Some(group) = group else { return Ok(Err(ApiError::not_found("Secret group"))) };
                let Some(id) = db::secrets::id_by_name(tx, &group, &name, &type_str)? else { return Ok(Err(ApiError::not_found("Secret"))) };
                read_with_data(tx, &id, now)
            })
        })
        .await??;
    Ok(respond(StatusCode::OK, &with_data(&s, &data)?))
}

pub async fn delete(State(app): State<SharedApp>, Path(id): Path<String>) -> Result<Response, ApiError> {
    app.db
        .write(move |conn| {
            in_tx(conn, |tx| {
                let Some(_) = db::secrets::get(tx, &id)? else { return Ok(Err(ApiError::not_found("Secret"))) };
                let locks = db::locks::of_secret(tx, &id)?;
                if !locks.is_empty() {
                    return Ok(Err(super::locks::locked("deleted", &locks)));
                }
                db::secrets::delete(tx, &id)?;
                Ok(Ok(()))
            })
        })
        .await??;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- request field helpers: wrong types are 400s naming the field ----

pub fn opt_str(m: &Map<String, Value>, k: &str) -> Result<Option<String>, ApiError> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(ApiError::bad_field(k, format!("{k} must be a string"))),
    }
}

pub fn req_str(m: &Map<String, Value>, k: &str) -> Result<String, ApiError> {
    opt_str(m, k)?.ok_or_else(|| ApiError::bad_field(k, format!("{k} is required")))
}

pub fn opt_obj(m: &Map<String, Value>, k: &str) -> Result<Option<Map<String, Value>>, ApiError> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(o)) => Ok(Some(o.clone())),
        Some(_) => Err(ApiError::bad_field(k, format!("{k} must be an object"))),
    }
}

fn opt_str_list(m: &Map<String, Value>, k: &str) -> Result<Option<Vec<String>>, ApiError> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.as_str().map(String::from).ok_or_else(|| ApiError::bad_field(k, format!("{k} must be a list of strings"))))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(ApiError::bad_field(k, format!("{k} must be a list of strings"))),
    }
}

fn opt_bool(m: &Map<String, Value>, k: &str) -> Result<Option<bool>, ApiError> {
    match m.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ApiError::bad_field(k, format!("{k} must be a boolean"))),
    }
}

fn rotation(m: &Map<String, Value>) -> Result<Option<Rotation>, ApiError> {
    let Some(o) = opt_obj(m, "rotation")? else { return Ok(None) };
    let auto_rotate = opt_bool(&o, "auto_rotate").map_err(|_| ApiError::bad_field("rotation", "rotation.auto_rotate must be a boolean"))?;
    let interval = match o.get("interval") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n >= 1 => Some(n),
            _ => return Err(ApiError::bad_field("rotation", "rotation.interval must be a positive integer")),
        },
    };
    let unit = opt_str(&o, "unit").map_err(|_| ApiError::bad_field("rotation", "rotation.unit must be day, hour or month"))?;
    if let Some(u) = &unit {
        if !matches!(u.as_str(), "day" | "hour" | "month") {
            return Err(ApiError::bad_field("rotation", "rotation.unit must be day, hour or month"));
        }
    }
    Ok(Some(Rotation { auto_rotate: auto_rotate.unwrap_or(false), interval, unit }))
}

fn check_cert(m: &Map<String, Value>) -> Result<String, ApiError> {
    let cert = req_str(m, "certificate")?;
    if !cert.trim_start().starts_with("-----BEGIN") || cert.len() > validate::MAX_PAYLOAD {
        return Err(ApiError::bad_field("certificate", "certificate must be a PEM-encoded certificate of at most 1 MB"));
    }
    Ok(cert)
}

/// Secret data of a new secret or version, from the request body, per type.
pub fn data_from_body(t: &SecretType, m: &Map<String, Value>, creating: bool, username: Option<String>) -> Result<Map<String, Value>, ApiError> {
    let mut d = Map::new();
    match t {
        SecretType::Arbitrary => {
            let p = req_str(m, "payload")?;
            validate::payload(&p)?;
            d.insert("payload".into(), json!(p));
        }
        SecretType::UsernamePassword => {
            let user = if creating { Some(req_str(m, "username")?) } else { username };
            if let Some(u) = user {
                if !(1..=64).contains(&u.chars().count()) {
                    return Err(ApiError::bad_field("username", "username must be 1 to 64 characters long"));
                }
                d.insert("username".into(), json!(u));
            }
            let pw = match opt_str(m, "password")? {
                Some(p) if p.is_empty() || p.len() > 256 => {
                    return Err(ApiError::bad_field("password", "password must be 1 to 256 characters long"))
                }
                Some(p) => p,
                None => password(32),
            };
            d.insert("password".into(), json!(pw));
        }
        SecretType::Kv => {
            let data = opt_obj(m, "data")?.ok_or_else(|| ApiError::bad_field("data", "data is required"))?;
            validate::kv(&data)?;
            d.insert("data".into(), Value::Object(data));
        }
        SecretType::ImportedCert => {
            d.insert("certificate".into(), json!(check_cert(m)?));
            for k in ["private_key", "intermediate"] {
                if let Some(v) = opt_str(m, k)? {
                    if v.len() > validate::MAX_PAYLOAD {
                        return Err(ApiError::bad_field(k, format!("{k} must be at most 1 MB")));
                    }
                    d.insert(k.into(), json!(v));
                }
            }
        }
        SecretType::IamCredentials => {
            d.insert("api_key".into(), json!(SplitMix::from_entropy().alnum(44)));
        }
        other => {
            return Err(ApiError::bad_field(
                "secret_type",
                format!("creating {} secrets is not supported by the emulator", other.as_str()),
            ))
        }
    }
    Ok(d)
}

pub const CREATABLE: [SecretType; 5] =
    [SecretType::Arbitrary, SecretType::UsernamePassword, SecretType::Kv, SecretType::ImportedCert, SecretType::IamCredentials];

pub async fn create(State(app): State<SharedApp>, headers: HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Response, ApiError> {
    let m: Map<String, Value> = json_body(&headers, body)?;
    let type_str = req_str(&m, "secret_type")?;
    let t = SecretType::parse(&type_str);
    if !CREATABLE.contains(&t) {
        return Err(ApiError::bad_field("secret_type", format!("secret_type {type_str:?} cannot be created here; use one of arbitrary, username_password, kv, imported_cert, iam_credentials")));
    }
    let name = req_str(&m, "name")?;
    validate::name("name", &name, 256)?;
    let description = opt_str(&m, "description")?;
    if let Some(d) = &description {
        validate::description(d)?;
    }
    let labels = opt_str_list(&m, "labels")?.unwrap_or_default();
    validate::labels(&labels)?;
    let custom_metadata = opt_obj(&m, "custom_metadata")?;
    if let Some(c) = &custom_metadata {
        validate::custom_metadata(c)?;
    }
    let group = opt_str(&m, "secret_group_id")?.unwrap_or_else(|| "default".into());
    let expiration = match opt_str(&m, "expiration_date")? {
        Some(e) if matches!(t, SecretType::Arbitrary | SecretType::UsernamePassword) => {
            validate::timestamp("expiration_date", &e)?;
            Some(e)
        }
        Some(_) => return Err(ApiError::bad_field("expiration_date", "expiration_date is not supported for this secret type")),
        None => None,
    };
    let rotation = rotation(&m)?;
    let data = data_from_body(&t, &m, true, None)?;

    let id = new_uuid();
    let now = format_rfc3339(now_s());
    let mut extra = Map::new();
    let mut ttl = None;
    if t == SecretType::IamCredentials {
        ttl = Some(opt_str(&m, "ttl")?.unwrap_or_else(|| "24h".into()));
        extra.insert("reuse_api_key".into(), json!(opt_bool(&m, "reuse_api_key")?.unwrap_or(false)));
        extra.insert("access_groups".into(), json!(opt_str_list(&m, "access_groups")?.unwrap_or_default()));
        if let Some(sid) = opt_str(&m, "service_id")? {
            extra.insert("service_id".into(), json!(sid));
        }
    }
    let meta = SecretMetadata {
        id: id.clone(),
        name,
        secret_type: t.clone(),
        secret_group_id: group,
        state: Some(1),
        state_description: Some(state_name(1).into()),
        crn: Some(app.region.crn(&id)),
        labels,
        description,
        created_at: Some(now.clone()),
        created_by: Some(CREATED_BY.into()),
        updated_at: Some(now),
        retrieved_at: None,
        expiration_date: expiration.clone(),
        downloaded: Some(false),
        locks_total: Some(0),
        versions_total: Some(1),
        custom_metadata,
        rotation,
        next_rotation_date: None,
        ttl,
        common_name: None,
        alt_names: None,
        issuer: None,
        serial_number: None,
        validity: None,
        key_algorithm: None,
        service_id: None,
        access_groups: None,
        reuse_api_key: None,
    };
    let secret = StoredSecret { meta, extra };
    let version = new_version(&id, data.clone(), false, expiration);
    let stored = secret.clone();
    app.db
        .write(move |conn| {
            in_tx(conn, |tx| {
                if stored.meta.secret_group_id != "default" && db::groups::get(tx, &stored.meta.secret_group_id)?.is_none() {
                    return Ok(Err(ApiError::bad_field("secret_group_id", "the secret group does not exist")));
                }
                if db::secrets::name_taken(tx, &stored.meta.name, stored.meta.secret_type.as_str(), None)? {
                    return Ok(Err(ApiError::new(
                        StatusCode::CONFLICT,
                        "secret_already_exists",
                        format!("A {} secret named {:?} already exists", stored.meta.secret_type.as_str(), stored.meta.name),
                    )
                    .target("field", "name")));
                }
                db::secrets::insert(tx, &stored)?;
                db::secrets::add_version(tx, &stored.meta.id, &version)?;
                Ok(Ok(()))
            })
        })
        .await??;
    Ok(respond(StatusCode::CREATED, &with_data(&secret, &data)?))
}

const PATCHABLE: [&str; 7] = ["name", "description", "labels", "custom_metadata", "expiration_date", "rotation", "ttl"];

/// JSON merge-patch (RFC 7396) of the updatable metadata fields.
pub async fn patch_metadata(
    State(app): State<SharedApp>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let m: Map<String, Value> = merge_patch_body(&headers, body)?;
    if let Some(bad) = m.keys().find(|k| !PATCHABLE.contains(&k.as_str())) {
        return Err(ApiError::bad_field(bad, format!("{bad} cannot be updated")));
    }
    let name = match m.get("name") {
        Some(Value::Null) => return Err(ApiError::bad_field("name", "name cannot be removed")),
        _ => opt_str(&m, "name")?,
    };
    if let Some(n) = &name {
        validate::name("name", n, 256)?;
    }
    let description = opt_str(&m, "description")?;
    if let Some(d) = &description {
        validate::description(d)?;
    }
    let labels = opt_str_list(&m, "labels")?;
    if let Some(l) = &labels {
        validate::labels(l)?;
    }
    let custom = opt_obj(&m, "custom_metadata")?;
    if let Some(c) = &custom {
        validate::custom_metadata(c)?;
    }
    let expiration = opt_str(&m, "expiration_date")?;
    if let Some(e) = &expiration {
        validate::timestamp("expiration_date", e)?;
    }
    let rot = rotation(&m)?;
    let ttl = opt_str(&m, "ttl")?;
    let now = format_rfc3339(now_s());
    let s = app
        .db
        .write(move |conn| {
            in_tx(conn, |tx| {
                let Some(mut s) = db::secrets::get(tx, &id)? else { return Ok(Err(ApiError::not_found("Secret"))) };
                if let Some(n) = name {
                    if db::secrets::name_taken(tx, &n, s.meta.secret_type.as_str(), Some(&id))? {
                        return Ok(Err(ApiError::new(StatusCode::CONFLICT, "secret_already_exists", format!("A secret named {n:?} already exists"))
                            .target("field", "name")));
                    }
                    s.meta.name = n;
                }
                if m.contains_key("description") {
                    s.meta.description = description;
                }
                if m.contains_key("labels") {
                    s.meta.labels = labels.unwrap_or_default();
                }
                if m.contains_key("custom_metadata") {
                    s.meta.custom_metadata = custom;
                }
                if m.contains_key("expiration_date") {
                    s.meta.expiration_date = expiration;
                }
                if m.contains_key("rotation") {
                    s.meta.rotation = rot;
                }
                if m.contains_key("ttl") {
                    s.meta.ttl = ttl;
                }
                s.meta.updated_at = Some(now);
                db::secrets::update(tx, &s)?;
                Ok(Ok(s))
            })
        })
        .await??;
    Ok(respond(StatusCode::OK, &Value::Object(s.served()?)))
}

