//! Secret groups. `default` always exists and cannot be changed or deleted.

use rusqlite::{params, Connection, OptionalExtension};
use sm_contract::time::{format_rfc3339, parse_rfc3339};
use sm_contract::SecretGroup;

use super::DbError;

pub const DEFAULT_ID: &str = "default";

fn from_row(r: &rusqlite::Row) -> rusqlite::Result<SecretGroup> {
    Ok(SecretGroup {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        created_at: Some(format_rfc3339(r.get(3)?)),
        updated_at: Some(format_rfc3339(r.get(4)?)),
    })
}

pub fn ensure_default(conn: &Connection, now: i64) -> Result<(), DbError> {
    conn.execute(
        "INSERT OR IGNORE INTO secret_groups (id, name, description, created_at, updated_at) VALUES (?1, ?1, ?2, ?3, ?3)",
        params![DEFAULT_ID, "The default secret group of this instance.", now],
    )?;
    Ok(())
}

pub fn list(conn: &Connection) -> Result<Vec<SecretGroup>, DbError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, description, created_at, updated_at FROM secret_groups ORDER BY id != 'default', created_at, id",
    )?;
    let rows = stmt.query_map([], from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn get(conn: &Connection, id: &str) -> Result<Option<SecretGroup>, DbError> {
    Ok(conn
        .prepare_cached("SELECT id, name, description, created_at, updated_at FROM secret_groups WHERE id = ?1")?
        .query_row([id], from_row)
        .optional()?)
}

pub fn name_taken(conn: &Connection, name: &str, except_id: Option<&str>) -> Result<bool, DbError> {
    Ok(id_by_name(conn, name)?.is_some_and(|id| Some(id.as_str()) != except_id))
}

pub fn id_by_name(conn: &Connection, name: &str) -> Result<Option<String>, DbError> {
    Ok(conn.prepare_cached("SELECT id FROM secret_groups WHERE name = ?1")?.query_row([name], |r| r.get(0)).optional()?)
}

pub fn upsert(conn: &Connection, g: &SecretGroup) -> Result<(), DbError> {
    let t = |s: &Option<String>| s.as_deref().and_then(parse_rfc3339).unwrap_or(0);
    conn.prepare_cached(
        "INSERT INTO secret_groups (id, name, description, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description, updated_at = excluded.updated_at",
    )?
    .execute(params![g.id, g.name, g.description, t(&g.created_at), t(&g.updated_at)])?;
    Ok(())
}

pub fn delete(conn: &Connection, id: &str) -> Result<bool, DbError> {
    Ok(conn.execute("DELETE FROM secret_groups WHERE id = ?1", [id])? > 0)
}

pub fn ids(conn: &Connection) -> Result<Vec<String>, DbError> {
    let mut stmt = conn.prepare("SELECT id FROM secret_groups ORDER BY created_at, id")?;
    let rows = stmt.query_map([], |r| r.get(0))?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}
