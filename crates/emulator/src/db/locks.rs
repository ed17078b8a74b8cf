//! Secret locks (IBM's locks API). A lock is attached to one version of a secret, its name is unique
//! per version, and while a secret has any lock it cannot be deleted; while its `previous` version
//! has one it cannot be rotated (rotating would discard that version's data).

use rusqlite::{params, Connection};
use serde_json::{Map, Value};
use sm_contract::time::format_rfc3339;

use super::DbError;

#[derive(Debug, Clone, PartialEq)]
pub struct StoredLock {
    pub secret_id: String,
    pub version_id: String,
    pub name: String,
    pub description: Option<String>,
    pub attributes: Option<Map<String, Value>>,
    pub created_at: i64,
    pub updated_at: i64,
    pub created_by: String,
}

impl StoredLock {
    /// IBM's `SecretLock` document; `alias` is the version's alias (`current`/`previous`) when it has one.
    pub fn served(&self, group_id: &str, alias: Option<&str>) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), Value::String(self.name.clone()));
        if let Some(d) = &self.description {
            m.insert("description".into(), Value::String(d.clone()));
        }
        if let Some(a) = &self.attributes {
            m.insert("attributes".into(), Value::Object(a.clone()));
        }
        m.insert("created_at".into(), Value::String(format_rfc3339(self.created_at)));
        m.insert("updated_at".into(), Value::String(format_rfc3339(self.updated_at)));
        m.insert("created_by".into(), Value::String(self.created_by.clone()));
        m.insert("secret_group_id".into(), Value::String(group_id.to_string()));
        m.insert("secret_id".into(), Value::String(self.secret_id.clone()));
        m.insert("secret_version_id".into(), Value::String(self.version_id.clone()));
        if let Some(a) = alias {
            m.insert("secret_version_alias".into(), Value::String(a.to_string()));
        }
        Value::Object(m)
    }
}

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<(StoredLock, Option<String>)> {
    Ok((
        StoredLock {
            secret_id: r.get(0)?,
            version_id: r.get(1)?,
            name: r.get(2)?,
            description: r.get(3)?,
            attributes: None,
            created_at: r.get(5)?,
            updated_at: r.get(6)?,
            created_by: r.get(7)?,
        },
        r.get(4)?,
    ))
}

/// Every lock of a secret, oldest first (then by name, so pages are stable).
pub fn of_secret(conn: &Connection, secret_id: &str) -> Result<Vec<StoredLock>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT secret_id, version_id, name, description, attributes, created_at, updated_at, created_by
         FROM locks WHERE secret_id = ?1 ORDER BY created_at, name, version_id",
    )?;
    let rows = stmt.query_map([secret_id], from_row)?;
    let mut out = Vec::new();
    for row in rows {
        let (mut lock, attributes) = row?;
        lock.attributes = match attributes {
            Some(a) => Some(serde_json::from_str(&a)?),
            None => None,
        };
        out.push(lock);
    }
    Ok(out)
}

/// Adds a lock, or replaces the one of the same name on the same version (as IBM does).
pub fn put(conn: &Connection, l: &StoredLock) -> Result<(), DbError> {
    let attributes = match &l.attributes {
        Some(a) => Some(Value::Object(a.clone()).to_string()),
        None => None,
    };
    conn.prepare_cached(
        "INSERT INTO locks (secret_id, version_id, name, description, attributes, created_at, updated_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(secret_id, version_id, name) DO UPDATE SET description = excluded.description,
             attributes = excluded.attributes, updated_at = excluded.updated_at",
    )?
    .execute(params![l.secret_id, l.version_id, l.name, l.description, attributes, l.created_at, l.updated_at, l.created_by])?;
    Ok(())
}

/// Removes the named locks (all when `names` is empty) of a secret, of one version or of all of them;
/// returns how many were removed.
pub fn remove(conn: &Connection, secret_id: &str, version_id: Option<&str>, names: &[String]) -> Result<usize, DbError> {
    let mut removed = 0;
    let all = of_secret(conn, secret_id)?;
    for l in all.iter().filter(|l| version_id.is_none_or(|v| v == l.version_id) && (names.is_empty() || names.contains(&l.name))) {
        removed += conn
            .prepare_cached("DELETE FROM locks WHERE secret_id = ?1 AND version_id = ?2 AND name = ?3")?
            .execute(params![l.secret_id, l.version_id, l.name])?;
    }
    Ok(removed)
}
