//! Tables. Served documents are stored as JSON next to the columns we filter and sort on, so a list
//! page is read without reassembling each secret field by field.

use rusqlite::Connection;

use super::DbError;

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS secret_groups (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    secret_type     TEXT NOT NULL,
    group_id        TEXT NOT NULL,
    labels          TEXT NOT NULL,
    search          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    retrieved_at    INTEGER,
    expiration_date INTEGER,
    doc             TEXT NOT NULL,
    extra           TEXT NOT NULL,
    UNIQUE (name, secret_type)
);
CREATE INDEX IF NOT EXISTS secrets_group ON secrets(group_id);
CREATE INDEX IF NOT EXISTS secrets_created ON secrets(created_at, id);
CREATE INDEX IF NOT EXISTS secrets_updated ON secrets(updated_at, id);
CREATE INDEX IF NOT EXISTS secrets_name ON secrets(name, id);
CREATE INDEX IF NOT EXISTS secrets_expiration ON secrets(expiration_date, id);
CREATE TABLE IF NOT EXISTS versions (
    secret_id TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    seq       INTEGER NOT NULL,
    id        TEXT NOT NULL,
    doc       TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (secret_id, seq)
);
CREATE INDEX IF NOT EXISTS versions_id ON versions(id);
CREATE TABLE IF NOT EXISTS locks (
    secret_id   TEXT NOT NULL REFERENCES secrets(id) ON DELETE CASCADE,
    version_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    attributes  TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    created_by  TEXT NOT NULL,
    PRIMARY KEY (secret_id, version_id, name)
);
CREATE TABLE IF NOT EXISTS history (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    status TEXT NOT NULL,
    zones  TEXT NOT NULL,
    start  INTEGER NOT NULL,
    end    INTEGER,
    source TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS history_start ON history(start);
"#;

pub fn apply(conn: &mut Connection) -> Result<(), DbError> {
    conn.execute_batch(SCHEMA)?;
    Ok(())
}
