//! One process per data directory: a running region holds an exclusive SQLite lock on
//! `DIR/running.lock` for its whole life, and `restore` takes the same lock before it touches the
//! directory, so a snapshot never overwrites a live database (and a region cannot start mid-restore).
//!
//! SQLite's own file locking (POSIX advisory locks) rather than a hand-written lock file: the
//! kernel releases it when the process dies, even by SIGKILL, so a crash never leaves a stale lock.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, ErrorCode};

use super::DbError;

pub const LOCK_FILE: &str = "running.lock";

/// Held while alive; dropping it (closing the connection) releases the lock. The mutex only makes
/// it shareable across threads (a connection is not `Sync`); nothing ever locks it.
pub struct DirLock {
    _conn: std::sync::Mutex<Connection>,
}

impl std::fmt::Debug for DirLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DirLock")
    }
}

/// Takes the data directory's lock, or says that another process holds it.
pub fn acquire(dir: &Path) -> Result<DirLock, DbError> {
    let path: PathBuf = dir.join(LOCK_FILE);
    let conn = Connection::open(&path)?;
    // No waiting: the holder keeps the lock for as long as it runs.
    conn.busy_timeout(std::time::Duration::ZERO)?;
    let held = conn.execute_batch(
        "PRAGMA locking_mode = EXCLUSIVE;
         PRAGMA journal_mode = DELETE;
         BEGIN EXCLUSIVE;
         CREATE TABLE IF NOT EXISTS holder (since INTEGER NOT NULL);
         DELETE FROM holder;
         INSERT INTO holder (since) VALUES (strftime('%s', 'now'));
         COMMIT;",
    );
    match held {
        // In EXCLUSIVE locking mode the write lock stays taken after COMMIT until the connection closes.
        Ok(()) => Ok(DirLock { _conn: std::sync::Mutex::new(conn) }),
        Err(rusqlite::Error::SqliteFailure(e, _)) if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            Err(DbError::InUse(path.display().to_string()))
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_until_the_first_lets_go() {
        let dir = std::env::temp_dir().join(format!("sm-emu-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        let first = acquire(&dir).expect("first");
        // A second connection in this process contends like another process would: SQLite's
        // exclusive lock is per connection.
        let second = acquire(&dir);
        assert!(matches!(second, Err(DbError::InUse(_))), "{second:?}");
        drop(first);
        assert!(acquire(&dir).is_ok(), "free again once the holder is gone");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
