//! Secrets and their versions.

use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use serde_json::{Map, Value};
use sm_contract::time::parse_rfc3339;
use sm_contract::{SecretMetadata, VersionMetadata};

use super::DbError;

/// At most this many versions of a secret are kept; older ones are dropped, as IBM does.
pub const MAX_VERSIONS: i64 = 50;

/// A secret as stored: the typed metadata, plus type-specific metadata the shared type does not
/// model (`reuse_api_key`, `access_groups`, …), served merged.
#[derive(Debug, Clone)]
pub struct StoredSecret {
    pub meta: SecretMetadata,
    pub extra: Map<String, Value>,
}

impl StoredSecret {
    pub fn served(&self) -> Result<Map<String, Value>, DbError> {
        let mut m = match serde_json::to_value(&self.meta)? {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        for (k, v) in &self.extra {
            m.entry(k.clone()).or_insert_with(|| v.clone());
        }
        Ok(m)
    }
}

#[derive(Debug, Clone)]
pub struct StoredVersion {
    pub meta: VersionMetadata,
    /// The secret data of this version: `payload`, `password`, `data`, `api_key`, `certificate`, …
    pub data: Map<String, Value>,
}

fn ts(s: &Option<String>) -> Option<i64> {
    s.as_deref().and_then(parse_rfc3339)
}

fn search_text(m: &SecretMetadata) -> String {
    let mut s = String::new();
    for part in [m.id.as_str(), m.name.as_str(), m.description.as_deref().unwrap_or(""), m.secret_type.as_str()] {
        s.push_str(part);
        s.push('\n');
    }
    for l in &m.labels {
        s.push_str(l);
        s.push('\n');
    }
    s.to_lowercase()
}

pub fn insert(conn: &Connection, s: &StoredSecret) -> Result<(), DbError> {
    write(conn, s, "INSERT INTO secrets (id, name, secret_type, group_id, labels, search, created_at, updated_at,
                              retrieved_at, expiration_date, doc, extra)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")
}

/// Rewrites every column from `s`, so the columns can never disagree with the served document.
pub fn update(conn: &Connection, s: &StoredSecret) -> Result<(), DbError> {
    write(conn, s, "UPDATE secrets SET name = ?2, secret_type = ?3, group_id = ?4, labels = ?5, search = ?6,
                created_at = ?7, updated_at = ?8, retrieved_at = ?9, expiration_date = ?10, doc = ?11, extra = ?12
         WHERE id = ?1")
}

/// Run an insert or update whose parameters are, in order, every column derived from `s`.
fn write(conn: &Connection, s: &StoredSecret, sql: &str) -> Result<(), DbError> {
    let m = &s.meta;
    let doc = Value::Object(s.served()?).to_string();
    conn.prepare_cached(sql)?.execute(params![
        m.id,
        m.name,
        m.secret_type.as_str(),
        m.secret_group_id,
        serde_json::to_string(&m.labels)?,
        search_text(m),
        ts(&m.created_at).unwrap_or(0),
        ts(&m.updated_at).unwrap_or(0),
        ts(&m.retrieved_at),
        ts(&m.expiration_date),
        doc,
        Value::Object(s.extra.clone()).to_string(),
    ])?;
    Ok(())
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<StoredSecret>, DbError> {
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT doc, extra FROM secrets WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((doc, extra)) = row else { return Ok(None) };
    Ok(Some(StoredSecret { meta: serde_json::from_str(&doc)?, extra: serde_json::from_str(&extra)? }))
}

pub fn delete(conn: &Connection, id: &str) -> Result<bool, DbError> {
    conn.execute("DELETE FROM locks WHERE secret_id = ?1", [id])?;
    conn.execute("DELETE FROM versions WHERE secret_id = ?1", [id])?;
    Ok(conn.execute("DELETE FROM secrets WHERE id = ?1", [id])? > 0)
}

pub fn count(conn: &Connection) -> Result<u64, DbError> {
    Ok(conn.query_row("SELECT count(*) FROM secrets", [], |r| r.get::<_, i64>(0))?.max(0) as u64)
}

pub fn count_in_group(conn: &Connection, group: &str) -> Result<u64, DbError> {
    Ok(conn.query_row("SELECT count(*) FROM secrets WHERE group_id = ?1", [group], |r| r.get::<_, i64>(0))?.max(0) as u64)
}

/// Whether another secret already uses this name for this type.
pub fn name_taken(conn: &Connection, name: &str, secret_type: &str, except_id: Option<&str>) -> Result<bool, DbError> {
    let id: Option<String> = conn
        .prepare_cached("SELECT id FROM secrets WHERE name = ?1 AND secret_type = ?2")?
        .query_row([name, secret_type], |r| r.get(0))
        .optional()?;
    Ok(id.is_some_and(|id| Some(id.as_str()) != except_id))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Id,
    CreatedAt,
    UpdatedAt,
    RetrievedAt,
    ExpirationDate,
    SecretType,
    Name,
}

impl SortKey {
    pub fn parse(s: &str) -> Option<SortKey> {
        Some(match s {
            "id" => SortKey::Id,
            "created_at" => SortKey::CreatedAt,
            "updated_at" => SortKey::UpdatedAt,
            "retrieved_at" => SortKey::RetrievedAt,
            "expiration_date" => SortKey::ExpirationDate,
            "secret_type" => SortKey::SecretType,
            "name" => SortKey::Name,
            _ => return None,
        })
    }

    fn column(self) -> &'static str {
        match self {
            SortKey::Id => "id",
            SortKey::CreatedAt => "created_at",
            SortKey::UpdatedAt => "updated_at",
            SortKey::RetrievedAt => "retrieved_at",
            SortKey::ExpirationDate => "expiration_date",
            SortKey::SecretType => "secret_type",
            SortKey::Name => "name",
        }
    }
}

#[derive(Debug, Clone)]
pub struct ListQuery {
    pub offset: u64,
    pub limit: u64,
    pub sort: SortKey,
    pub descending: bool,
    pub search: Option<String>,
    pub groups: Vec<String>,
    pub secret_types: Vec<String>,
    pub labels: Vec<String>,
}

/// The total matching and the served documents of one page, in order.
pub fn list(conn: &Connection, q: &ListQuery) -> Result<(u64, Vec<String>), DbError> {
    let mut clauses: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    if let Some(s) = &q.search {
        args.push(s.to_lowercase());
        clauses.push(format!("instr(search, ?{}) > 0", args.len()));
    }
    let any_of = |col: &str, values: &[String], clauses: &mut Vec<String>, args: &mut Vec<String>| {
        if values.is_empty() {
            return;
        }
        let marks: Vec<String> = values
            .iter()
            .map(|v| {
                args.push(v.clone());
                format!("?{}", args.len())
            })
            .collect();
        clauses.push(format!("{col} IN ({})", marks.join(",")));
    };
    any_of("group_id", &q.groups, &mut clauses, &mut args);
    any_of("secret_type", &q.secret_types, &mut clauses, &mut args);
    for l in &q.labels {
        args.push(l.clone());
        clauses.push(format!("EXISTS (SELECT 1 FROM json_each(secrets.labels) WHERE value = ?{})", args.len()));
    }
    let where_sql = if clauses.is_empty() { String::new() } else { format!("WHERE {}", clauses.join(" AND ")) };

    let total: i64 =
        conn.prepare_cached(&format!("SELECT count(*) FROM secrets {where_sql}"))?.query_row(params_from_iter(args.iter()), |r| r.get(0))?;

    let dir = if q.descending { "DESC" } else { "ASC" };
    let sql = format!(
        "SELECT doc FROM secrets {where_sql} ORDER BY {col} {dir}, id {dir} LIMIT {limit} OFFSET {offset}",
        col = q.sort.column(),
        limit = q.limit.min(i64::MAX as u64),
        offset = q.offset.min(i64::MAX as u64),
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let docs = stmt.query_map(params_from_iter(args.iter()), |r| r.get::<_, String>(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok((total.max(0) as u64, docs))
}

/// Versions of a secret, newest first.
pub fn versions(conn: &Connection, secret_id: &str) -> Result<Vec<StoredVersion>, DbError> {
    let mut stmt = conn.prepare_cached("SELECT doc, data FROM versions WHERE secret_id = ?1 ORDER BY seq DESC")?;
    let rows = stmt.query_map([secret_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (doc, data) = row?;
        out.push(StoredVersion { meta: serde_json::from_str(&doc)?, data: serde_json::from_str(&data)? });
    }
    Ok(out)
}

/// Appends a version and drops the oldest beyond [`MAX_VERSIONS`]; returns how many remain.
pub fn add_version(conn: &Connection, secret_id: &str, v: &StoredVersion) -> Result<u64, DbError> {
    let next: i64 =
        conn.prepare_cached("SELECT coalesce(max(seq), 0) + 1 FROM versions WHERE secret_id = ?1")?.query_row([secret_id], |r| r.get(0))?;
    let mut meta = v.meta.clone();
    meta.alias = None;
    conn.prepare_cached("INSERT INTO versions (secret_id, seq, id, doc, data) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
        secret_id,
        next,
        meta.id,
        serde_json::to_string(&meta)?,
        Value::Object(v.data.clone()).to_string(),
    ])?;
    conn.prepare_cached("DELETE FROM versions WHERE secret_id = ?1 AND seq <= ?2")?.execute(params![secret_id, next - MAX_VERSIONS])?;
    // IBM keeps the data of the current and the previous version only: older ones keep their
    // metadata, with `payload_available: false`.
    conn.prepare_cached(
        "UPDATE versions SET data = '{}', doc = json_set(doc, '$.payload_available', json('false'))
         WHERE secret_id = ?1 AND seq <= ?2 AND data != '{}'",
    )?
    .execute(params![secret_id, next - 2])?;
    let kept: i64 = conn.prepare_cached("SELECT count(*) FROM versions WHERE secret_id = ?1")?.query_row([secret_id], |r| r.get(0))?;
    Ok(kept.max(0) as u64)
}

/// Rewrites a version's metadata (e.g. `downloaded`) in place.
pub fn update_version_meta(conn: &Connection, secret_id: &str, meta: &VersionMetadata) -> Result<(), DbError> {
    let mut meta = meta.clone();
    meta.alias = None;
    conn.prepare_cached("UPDATE versions SET doc = ?3 WHERE secret_id = ?1 AND id = ?2")?.execute(params![
        secret_id,
        meta.id,
        serde_json::to_string(&meta)?
    ])?;
    Ok(())
}

/// The id of the secret with this name and type, if it is in this group.
pub fn id_by_name(conn: &Connection, group_id: &str, name: &str, secret_type: &str) -> Result<Option<String>, DbError> {
    Ok(conn
        .prepare_cached("SELECT id FROM secrets WHERE name = ?1 AND secret_type = ?2 AND group_id = ?3")?
        .query_row([name, secret_type, group_id], |r| r.get(0))
        .optional()?)
}

/// Drops the data of one version (a lock mode's "delete"), keeping its metadata.
pub fn drop_version_data(conn: &Connection, secret_id: &str, version_id: &str) -> Result<(), DbError> {
    conn.prepare_cached(
        "UPDATE versions SET data = '{}', doc = json_set(doc, '$.payload_available', json('false'))
         WHERE secret_id = ?1 AND id = ?2",
    )?
    .execute(params![secret_id, version_id])?;
    Ok(())
}

/// Every (name, type) in use, for generating names that do not collide.
pub fn all_names(conn: &Connection) -> Result<Vec<(String, String)>, DbError> {
    let mut stmt = conn.prepare("SELECT name, secret_type FROM secrets")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
