//! The audit table: one row per change, written in the change's
//! transaction, read newest first.

use rusqlite::params;
use serde::Serialize;

use super::fields::Fields;
use super::{Db, Result, Tx};
use crate::Timestamp;
use crate::desk::AuditEntry;

/// Records one change; `detail` is stored as JSON.
pub(crate) fn record(
    tx: &Tx<'_>,
    action: &str,
    subject: &str,
    detail: &impl Serialize,
) -> Result<()> {
    let detail = serde_json::to_string(detail)
        .map_err(|_| super::DeskError::Internal("an audit detail could not be written as JSON"))?;
    record_json(tx, action, subject, &detail)
}

/// The statement that records one audit row.
pub(crate) const INSERT: &str =
    "INSERT INTO audit (at, operator, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)";

/// Records one change whose detail is already JSON.
pub(crate) fn record_json(tx: &Tx<'_>, action: &str, subject: &str, detail: &str) -> Result<()> {
    let session = tx.session();
    tx.tx.prepare_cached(INSERT)?.execute(params![
        session.now().to_string(),
        session.operator(),
        action,
        subject,
        detail
    ])?;
    Ok(())
}

/// The newest `limit` audit rows, newest first.
pub(crate) fn newest(db: &Db, limit: usize) -> Result<Vec<AuditEntry>> {
    let mut stmt = db.conn.prepare(
        "SELECT id, at, operator, action, subject, detail FROM audit ORDER BY id DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        let f = Fields::new(r, "audit", "id")?;
        Ok(AuditEntry {
            id: f.plain("id")?,
            at: f.get("at")?,
            operator: f.plain("operator")?,
            action: f.plain("action")?,
            subject: f.plain("subject")?,
            detail: f.json("detail")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// How many audit rows were recorded after `time`.
pub(crate) fn count_after(db: &Db, time: Timestamp) -> Result<i64> {
    Ok(db.conn.query_row(
        "SELECT COUNT(*) FROM audit WHERE at > ?1",
        [time.to_string()],
        |r| r.get(0),
    )?)
}

/// The detail (JSON text) of the newest audit row of `action`.
pub(crate) fn latest_detail(db: &Db, action: &str) -> Result<Option<String>> {
    use rusqlite::OptionalExtension as _;
    Ok(db
        .conn
        .query_row(
            "SELECT detail FROM audit WHERE action = ?1 ORDER BY id DESC LIMIT 1",
            [action],
            |r| r.get(0),
        )
        .optional()?)
}
