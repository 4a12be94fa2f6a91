//! The audit trail: one row per change, written in the change's transaction.

use rusqlite::{Transaction, params};
use serde::Serialize;

use super::fields::Fields;
use super::{Desk, Result, Session};
use crate::Timestamp;

/// One audit row.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    /// Row id, ascending with time.
    pub id: i64,
    /// When (desk clock).
    #[serde(serialize_with = "super::fields::display")]
    pub at: Timestamp,
    /// Who (operator).
    pub operator: String,
    /// What kind of change, e.g. `license.issue`.
    pub action: String,
    /// What it changed: a serial, order id, customer id or key id.
    pub subject: String,
    /// Details as JSON.
    pub detail: serde_json::Value,
}

/// Records one change; `detail` is stored as JSON.
pub(crate) fn record(
    tx: &Transaction<'_>,
    session: &Session,
    action: &str,
    subject: &str,
    detail: &impl Serialize,
) -> Result<()> {
    let detail = serde_json::to_string(detail)
        .map_err(|_| super::DeskError::Internal("an audit detail could not be written as JSON"))?;
    record_json(tx, session, action, subject, &detail)
}

/// Records one change whose detail is already JSON.
pub(crate) fn record_json(
    tx: &Transaction<'_>,
    session: &Session,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit (at, operator, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        session.now().to_string(),
        session.operator(),
        action,
        subject,
        detail
    ])?;
    Ok(())
}

impl Desk {
    /// The newest `limit` audit rows, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.read().prepare(
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
}
