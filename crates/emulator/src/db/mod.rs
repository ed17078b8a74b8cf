//! SQLite storage on dedicated threads.
//!
//! One writer thread owns the only connection that writes, so every write is serialized and answered
//! only after its transaction committed (WAL, `synchronous=FULL`). A few reader threads serve queries
//! concurrently from WAL snapshots. Async handlers hand closures to these threads and await the reply.

pub mod groups;
pub mod history;
pub mod lock;
pub mod locks;
pub mod schema;
pub mod secrets;

use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::oneshot;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("stored JSON is invalid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("storage thread has stopped")]
    Closed,
    #[error("{0}")]
    Io(String),
    /// The path of the lock file another process holds.
    #[error("a running sm-emulator holds {0}; stop that process first")]
    InUse(String),
}

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

#[derive(Clone)]
pub struct Db {
    writer: mpsc::Sender<Job>,
    readers: mpsc::Sender<Job>,
    /// The data directory's lock, held for as long as any handle to the database lives.
    _lock: Arc<lock::DirLock>,
}

const READERS: usize = 2;
pub const DB_FILE: &str = "secrets.db";

pub fn open_connection(path: &Path) -> Result<Connection, DbError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

impl Db {
    /// Opens (creating if needed) the database in `dir`, applies the schema and starts the threads.
    pub fn open(dir: &Path) -> Result<Db, DbError> {
        std::fs::create_dir_all(dir).map_err(|e| DbError::Io(e.to_string()))?;
        let dir_lock = Arc::new(lock::acquire(dir)?);
        let path = dir.join(DB_FILE);
        let mut writer_conn = open_connection(&path)?;
        schema::apply(&mut writer_conn)?;
        // Fail now, not on the first write, when the directory is read-only.
        writer_conn.execute_batch("BEGIN IMMEDIATE; INSERT OR REPLACE INTO meta(key, value) VALUES ('opened', 'yes'); COMMIT;")?;

        let (wtx, wrx) = mpsc::channel::<Job>();
        spawn_worker("db-writer", writer_conn, Arc::new(Mutex::new(wrx)));

        let (rtx, rrx) = mpsc::channel::<Job>();
        let rrx = Arc::new(Mutex::new(rrx));
        for i in 0..READERS {
            let conn = open_connection(&path)?;
            conn.pragma_update(None, "query_only", "ON")?;
            spawn_worker(&format!("db-reader-{i}"), conn, rrx.clone());
        }
        Ok(Db { writer: wtx, readers: rtx, _lock: dir_lock })
    }

    /// Runs `f` on the writer connection. `f` is responsible for its transaction.
    pub async fn write<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, DbError> + Send + 'static,
    {
        Self::run(&self.writer, f).await
    }

    /// Runs `f` on a read-only connection.
    pub async fn read<R, F>(&self, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, DbError> + Send + 'static,
    {
        Self::run(&self.readers, f).await
    }

    async fn run<R, F>(queue: &mpsc::Sender<Job>, f: F) -> Result<R, DbError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, DbError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(f(conn));
        });
        queue.send(job).map_err(|_| DbError::Closed)?;
        rx.await.map_err(|_| DbError::Closed)?
    }
}

fn spawn_worker(name: &str, mut conn: Connection, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let spawned = std::thread::Builder::new().name(name.to_string()).spawn(move || loop {
        let job = {
            let Ok(rx) = jobs.lock() else { return };
            match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        // A panicking job must not kill the thread that every later request depends on.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut conn))).is_err() {
            tracing::error!("a storage job panicked");
        }
    });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start storage thread");
    }
}

/// Runs `f` inside one IMMEDIATE transaction, committing only if it succeeds.
pub fn in_tx<R>(conn: &mut Connection, f: impl FnOnce(&rusqlite::Transaction) -> Result<R, DbError>) -> Result<R, DbError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let r = f(&tx)?;
    tx.commit()?;
    Ok(r)
}

pub fn get_meta(conn: &Connection, key: &str) -> Result<Option<String>, DbError> {
    use rusqlite::OptionalExtension;
    Ok(conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
}

pub fn set_meta(conn: &Connection, key: &str, value: &str) -> Result<(), DbError> {
    conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", [key, value])?;
    Ok(())
}
