//! The audit trail as the desk shows it, and the rewind of a wrong clock
//! jump (rows are written by [`Tx::audit`](super::ledger::Tx::audit)).

use serde::Serialize;

use super::{Desk, Result, ledger};
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

impl Desk {
    /// The newest `limit` audit rows, newest first.
    pub fn audit_log(&self, limit: usize) -> Result<Vec<AuditEntry>> {
        ledger::audit::newest(self.db(), limit)
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
        self.ledger.write_rewinding(|tx, latest| {
            let to = tx.now();
            if to >= latest {
                return Err(super::ClockError::NotBehind { now: to, latest }.into());
            }
            let recorded_later = ledger::audit::count_after(tx, to)?;
            ledger::file::rewind_clock(tx, to)?;
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
            tx.audit("desk.clock-rewind", "desk_clock", &detail)?;
            Ok(rewind)
        })
    }
}
