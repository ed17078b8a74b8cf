//! The gateway's probe record in SQLite (WAL, `synchronous=FULL`): the non-operational intervals it
//! observed, when it first probed, and when it was last known alive, so the time it was not running
//! becomes an `unknown` interval at the next start.

use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension};
use sm_contract::HealthStatus;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("gateway.db is corrupt ({0}); move it away to start a new record")]
    Corrupt(String),
    #[error("the storage task stopped")]
    Gone,
}

/// One recorded interval; `end` is `None` while it is still open.
#[derive(Debug, Clone, PartialEq)]
pub struct Recorded {
    pub status: HealthStatus,
    pub start: i64,
    pub end: Option<i64>,
}

#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS intervals (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER
);
CREATE INDEX IF NOT EXISTS intervals_end ON intervals(end);
";

fn get_meta(c: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    c.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()
}

fn set_meta(c: &Connection, key: &str, v: i64) -> rusqlite::Result<()> {
    c.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", params![key, v])?;
    Ok(())
}

impl Store {
    /// Opens (creating) `DIR/gateway.db` and proves it is sound and writable before the gateway
    /// starts: a corrupt file or a read-only directory must stop it with a message, not lose records.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir)?;
        Self::open_db(dir).map_err(|e| match e {
            StoreError::Sql(rusqlite::Error::SqliteFailure(f, m))
                if matches!(f.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt) =>
            {
                StoreError::Corrupt(m.unwrap_or_else(|| f.to_string()))
            }
            other => other,
        })
    }

    fn open_db(dir: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(dir.join("gateway.db"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt(format!("cannot switch to WAL (journal_mode is {mode})")));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt(check));
        }
        conn.execute_batch(SCHEMA)?;
        // A write now, so an unwritable database fails here rather than at the first probe.
        set_meta(&conn, "opened_at", crate::state::now_s())?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)) })
    }

    async fn with<T: Send + 'static>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static) -> Result<T, StoreError> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut c).map_err(StoreError::from)
        })
        .await
        .map_err(|_| StoreError::Gone)?
    }

    /// At start: closes what the previous run left open at the moment it was last alive, and records
    /// the time since then as `unknown`.
    pub async fn start_run(&self, now: i64) -> Result<Option<(i64, i64)>, StoreError> {
        self.with(move |c| {
            let tx = c.transaction()?;
            let alive = get_meta(&tx, "alive_at")?;
            let close_at = alive.unwrap_or(now).min(now);
            tx.execute("UPDATE intervals SET end = MAX(start, ?1) WHERE end IS NULL", [close_at])?;
            let gap = crate::probe::restart_gap(alive, now);
            if let Some((s, e)) = gap {
                tx.execute("INSERT INTO intervals (status, start, end) VALUES (?1, ?2, ?3)", params![HealthStatus::Unknown.as_str(), s, e])?;
            }
            set_meta(&tx, "alive_at", now)?;
            tx.commit()?;
            Ok(gap)
        })
        .await
    }

    /// A status change at `at`: the open interval ends, and a non-operational status opens one.
    pub async fn record_change(&self, status: HealthStatus, at: i64) -> Result<(), StoreError> {
        self.with(move |c| {
            let tx = c.transaction()?;
            tx.execute("UPDATE intervals SET end = MAX(start, ?1) WHERE end IS NULL", [at])?;
            if status != HealthStatus::Operational && status != HealthStatus::Unknown {
                tx.execute("INSERT INTO intervals (status, start, end) VALUES (?1, ?2, NULL)", params![status.as_str(), at])?;
            }
            set_meta(&tx, "alive_at", at)?;
            tx.commit()
        })
        .await
    }

    /// After each probe: the gateway is alive now (and has probed since `first_probe_at`).
    pub async fn alive(&self, now: i64) -> Result<(), StoreError> {
        self.with(move |c| {
            let tx = c.transaction()?;
            set_meta(&tx, "alive_at", now)?;
            if get_meta(&tx, "first_probe_at")?.is_none() {
                set_meta(&tx, "first_probe_at", now)?;
            }
            tx.commit()
        })
        .await
    }

    pub async fn first_probe_at(&self) -> Result<Option<i64>, StoreError> {
        self.with(|c| get_meta(c, "first_probe_at")).await
    }

    /// Intervals that overlap `[since, now]`, oldest first.
    pub async fn since(&self, since: i64) -> Result<Vec<Recorded>, StoreError> {
        self.with(move |c| {
            let mut st = c.prepare_cached("SELECT status, start, end FROM intervals WHERE end IS NULL OR end >= ?1 ORDER BY start, id")?;
            let rows = st.query_map([since], |r| {
                let s: String = r.get(0)?;
                Ok(Recorded { status: HealthStatus::parse(&s).unwrap_or(HealthStatus::Unknown), start: r.get(1)?, end: r.get(2)? })
            })?;
            let out: rusqlite::Result<Vec<Recorded>> = rows.collect();
            out
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HealthStatus::*;

    fn dir(tag: &str) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("sm-gw-store-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        p
    }

    #[tokio::test]
    async fn records_outages_and_restart_gaps() {
        let d = dir("gaps");
        let s = Store::open(&d).expect("opens");
        assert_eq!(s.start_run(1_000).await.expect("start"), None, "first run: no gap");
        s.alive(1_001).await.expect("alive");
        s.record_change(Operational, 1_001).await.expect("change");
        s.record_change(MajorOutage, 1_010).await.expect("change");
        s.alive(1_020).await.expect("alive");
        drop(s);
        // Killed at 1_020 while down; started again at 1_100.
        let s = Store::open(&d).expect("reopens");
        assert_eq!(s.start_run(1_100).await.expect("start"), Some((1_020, 1_100)));
        let rec = s.since(0).await.expect("reads");
        assert_eq!(
            rec,
            vec![Recorded { status: MajorOutage, start: 1_010, end: Some(1_020) }, Recorded { status: Unknown, start: 1_020, end: Some(1_100) }]
        );
        assert_eq!(s.first_probe_at().await.expect("reads"), Some(1_001));
        assert_eq!(s.since(1_050).await.expect("reads").len(), 1, "only intervals overlapping the window");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn refuses_a_corrupt_file() {
        let d = dir("corrupt");
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("gateway.db"), vec![0x5a; 8192]).expect("write");
        assert!(Store::open(&d).is_err());
        let _ = std::fs::remove_dir_all(&d);
    }
}
