//! Non-operational intervals of the region (the uptime history).

use rusqlite::{params, Connection};
use sm_contract::time::format_rfc3339;
use sm_contract::{HealthStatus, Interval};

use super::DbError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Synthesized,
    Fault,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::Synthesized => "synthesized",
            Source::Fault => "fault",
        }
    }
}

pub fn insert(conn: &Connection, status: HealthStatus, zones: &[String], start: i64, end: Option<i64>, source: Source) -> Result<(), DbError> {
    conn.prepare_cached("INSERT INTO history (status, zones, start, end, source) VALUES (?1, ?2, ?3, ?4, ?5)")?.execute(params![
        status.as_str(),
        serde_json::to_string(zones)?,
        start,
        end,
        source.as_str()
    ])?;
    Ok(())
}

/// Closes every open interval at `at`; used on each change and at startup (a previous process that
/// died mid-fault left its interval open).
pub fn close_open(conn: &Connection, at: i64) -> Result<usize, DbError> {
    Ok(conn.execute("UPDATE history SET end = max(start, ?1) WHERE end IS NULL", [at])?)
}

/// Intervals that overlap `[since, ∞)`, oldest first.
pub fn since(conn: &Connection, since: i64) -> Result<Vec<Interval>, DbError> {
    let mut stmt =
        conn.prepare_cached("SELECT status, zones, start, end FROM history WHERE end IS NULL OR end >= ?1 ORDER BY start, id")?;
    let rows = stmt.query_map([since], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<i64>>(3)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (status, zones, start, end) = row?;
        out.push(Interval {
            status: HealthStatus::parse(&status).unwrap_or(HealthStatus::Unknown),
            zones: serde_json::from_str(&zones)?,
            start: format_rfc3339(start),
            end: end.map(format_rfc3339),
        });
    }
    Ok(out)
}
