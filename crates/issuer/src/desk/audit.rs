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

/// What [`Desk::rewind_clock`] did.
#[derive(Debug, Clone, Serialize)]
pub struct ClockRewind {
    /// The latest time the ledger had recorded (the wrong jump).
    #[serde(serialize_with = "super::fields::display")]
    pub from: Timestamp,
    /// The desk's clock, now the latest time recorded.
    #[serde(serialize_with = "super::fields::display")]
    pub to: Timestamp,
    /// Audit rows recorded after `to`, at the wrong time: their records
    /// keep their dates (see them in the audit log; revoke licenses
    /// issued then and issue them again).
    pub recorded_later: i64,
}

impl Desk {
    /// Undoes a wrong clock jump that was recorded: sets the ledger's
    /// latest time back to the desk's clock (which must be behind it), so
    /// writes at the right time are accepted again. Audited as
    /// `desk.clock-rewind` with both times, the operator and `reason`.
    pub fn rewind_clock(&mut self, reason: &str) -> Result<ClockRewind> {
        let reason = reason.trim();
        if reason.is_empty() || reason.len() > 500 || reason.chars().any(char::is_control) {
            return Err(super::ClockError::BadReason.into());
        }
        self.write_rewinding(|tx, s, latest| {
            let to = s.now();
            if to >= latest {
                return Err(super::ClockError::NotBehind { now: to, latest }.into());
            }
            let recorded_later: i64 = tx.query_row(
                "SELECT COUNT(*) FROM audit WHERE at > ?1",
                [to.to_string()],
                |r| r.get(0),
            )?;
            super::ledger::rewind_clock(tx, to)?;
            let rewind = ClockRewind {
                from: latest,
                to,
                recorded_later,
            };
            let detail = serde_json::json!({
                "from": latest.to_string(),
                "to": to.to_string(),
                "recorded_later": recorded_later,
                "reason": reason,
            });
            record(tx, s, "desk.clock-rewind", "desk_clock", &detail)?;
            Ok(rewind)
        })
    }
}
