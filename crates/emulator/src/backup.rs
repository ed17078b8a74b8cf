//! Consistent, atomic snapshots of the database, and restoring a data directory from one.

use std::fs;
use std::path::{Path, PathBuf};

use crate::db::{self, Db, DbError};

/// Snapshots kept in the backup directory; older ones are removed.
const KEEP: usize = 10;

fn sync_dir(dir: &Path) {
    // Makes the rename itself durable; best effort on filesystems that refuse to fsync a directory.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// `VACUUM INTO` a temporary file on the writer thread (so the copy is one transaction-consistent
/// state), fsync it, then rename: a reader of the directory never sees a half-written snapshot.
pub async fn snapshot(db: &Db, dir: &Path) -> Result<PathBuf, DbError> {
    fs::create_dir_all(dir).map_err(|e| DbError::Io(format!("cannot create {}: {e}", dir.display())))?;
    let dir = dir.to_path_buf();
    db.write(move |conn| {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        let stamp = sm_contract::time::format_rfc3339((now / 1000) as i64).replace([':', '-'], "");
        let final_path = dir.join(format!("snapshot-{stamp}-{:03}.db", now % 1000));
        let tmp = dir.join(format!(".tmp-snapshot-{now}.db"));
        let _ = fs::remove_file(&tmp);
        let tmp_str = tmp.to_str().ok_or_else(|| DbError::Io("backup path is not UTF-8".into()))?;
        conn.execute("VACUUM INTO ?1", [tmp_str])?;
        fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(|e| DbError::Io(e.to_string()))?;
        fs::rename(&tmp, &final_path).map_err(|e| DbError::Io(e.to_string()))?;
        sync_dir(&dir);
        prune(&dir);
        Ok(final_path)
    })
    .await
}

fn prune(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    let mut snaps: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("snapshot-") && n.ends_with(".db")))
        .collect();
    snaps.sort();
    let excess = snaps.len().saturating_sub(KEEP);
    for old in snaps.into_iter().take(excess) {
        let _ = fs::remove_file(old);
    }
}

/// Checks the snapshot, then installs it as the data directory's database (atomically, by rename).
/// Refused while a region runs on `data_dir`.
pub fn restore(from: &Path, data_dir: &Path) -> Result<u64, String> {
    let conn = rusqlite::Connection::open_with_flags(from, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| format!("cannot open snapshot {}: {e}", from.display()))?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| format!("{} is not a usable SQLite database: {e}", from.display()))?;
    if check != "ok" {
        return Err(format!("snapshot {} is corrupt: {check}", from.display()));
    }
    let count = db::secrets::count(&conn).map_err(|e| format!("{} is not an emulator snapshot: {e}", from.display()))?;
    drop(conn);
    fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    // Held until the new database is in place: refuses while the region runs on `data_dir`, and
    // keeps a region from starting on a half-restored directory.
    let _lock = db::lock::acquire(data_dir).map_err(|e| match e {
        DbError::InUse(lock) => format!("{} is in use by a running region (it holds {lock}): stop it first, then restore", data_dir.display()),
        other => format!("cannot lock {}: {other}", data_dir.display()),
    })?;
    let target = data_dir.join(db::DB_FILE);
    let tmp = data_dir.join(format!("{}.restoring", db::DB_FILE));
    fs::copy(from, &tmp).map_err(|e| format!("cannot copy snapshot: {e}"))?;
    fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(|e| format!("cannot sync restored file: {e}"))?;
    // The old WAL belongs to the old database; replaying it onto the snapshot would corrupt it.
    for suffix in ["-wal", "-shm"] {
        let p = data_dir.join(format!("{}{suffix}", db::DB_FILE));
        if p.exists() {
            fs::remove_file(&p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
        }
    }
    fs::rename(&tmp, &target).map_err(|e| format!("cannot install restored database: {e}"))?;
    sync_dir(data_dir);
    Ok(count)
}
