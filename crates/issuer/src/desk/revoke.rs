//! Revocation, device replacement, and the signed revocation list.

use std::path::Path;

use rusqlite::params;

use super::fields::{Fields, Text};
use super::issue::{IssueReport, issue_devices_in};
use super::query::{LicenseRecord, load_license};
use super::{Desk, DeskError, Result, audit};
use crate::{DeviceCode, Serial};

impl Desk {
    /// Revokes a license. Its seat stays taken (an offline device may keep
    /// using it until it sees the revocation list); use [`Desk::replace`] to
    /// move a seat to another device.
    pub fn revoke(&mut self, serial: &str, reason: &str) -> Result<LicenseRecord> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(DeskError::Input("a revocation needs a reason".into()));
        }
        if reason.chars().any(char::is_control) || reason.len() > 500 {
            return Err(DeskError::Input(
                "a revocation reason is at most 500 bytes on one line, without control characters"
                    .into(),
            ));
        }
        self.write(|tx, s| {
            let record = load_license(tx, serial, s.now())?;
            if let Some(at) = &record.revoked_at {
                return Err(DeskError::Refused(format!(
                    "license {} was already revoked at {at}",
                    record.serial
                )));
            }
            tx.execute(
                "UPDATE licenses SET revoked_at = ?1, revoke_reason = ?2 WHERE serial = ?3",
                params![Text(&s.now()), reason, Text(&record.serial)],
            )?;
            audit::record(
                tx,
                s,
                "license.revoke",
                &record.serial.to_string(),
                &serde_json::json!({ "reason": reason, "order": record.order_id }),
            )?;
            load_license(tx, &record.serial.to_string(), s.now())
        })
    }

    /// Moves a device license's seat to a replacement device: the old license
    /// is revoked, a new one (same order, same end) is issued for `new_device`
    /// into `out`, and the order's seat count is unchanged.
    pub fn replace(
        &mut self,
        serial: &str,
        new_device: DeviceCode,
        out: &Path,
    ) -> Result<IssueReport> {
        let old = self.license(serial)?;
        if old.device.is_none() {
            return Err(DeskError::Refused(format!(
                "license {} is a {} license: only device licenses are replaced",
                old.serial, old.kind
            )));
        }
        if let Some(at) = &old.revoked_at {
            return Err(DeskError::Refused(format!(
                "license {} was already revoked at {at}",
                old.serial
            )));
        }
        if old.device == Some(new_device) {
            return Err(DeskError::Input(
                "the replacement device is the same device".into(),
            ));
        }
        let batch = self.batch(&old.order_id, out)?;
        let issued = self.write(|tx, s| {
            // Mark the old license revoked and its seat released (replaced_by
            // points at itself until the new serial is known), issue the
            // replacement through the ordinary path, then link the two: one
            // transaction, so the seat count never changes.
            tx.execute(
                "UPDATE licenses SET revoked_at = ?1, revoke_reason = 'replacement', replaced_by = serial WHERE serial = ?2",
                params![Text(&s.now()), Text(&old.serial)],
            )?;
            let (report, files) =
                issue_devices_in(tx, s, &batch, &old.order_id, &[new_device], &mut |_, _| {})?;
            let Some(new) = report.issued.first() else {
                return Err(DeskError::Refused(format!(
                    "device {new_device} already has a license on order {}",
                    old.order_id
                )));
            };
            tx.execute(
                "UPDATE licenses SET replaced_by = ?1, revoke_reason = ?2 WHERE serial = ?3",
                params![Text(&new.serial), format!("replaced by {}", new.serial), Text(&old.serial)],
            )?;
            let detail = serde_json::json!({
                "new_serial": new.serial.to_string(),
                "old_device": old.device.map(|d| d.to_string()),
                "new_device": new_device.to_string(),
            });
            audit::record(tx, s, "license.replace", &old.serial.to_string(), &detail)?;
            Ok((report, files))
        })?;
        self.publish(issued, out)
    }

    /// Writes the signed revocation list of every revoked license to `out`
    /// (a new file, or replacing one with `force`) and returns how many
    /// serials it lists. The list is complete or not written: a revoked row
    /// whose serial cannot be read fails the export.
    pub fn export_revocation_list(&mut self, out: &Path, force: bool) -> Result<usize> {
        let key = self.signing_key()?;
        let mut stmt = self
            .read()
            .prepare("SELECT serial FROM licenses WHERE revoked_at IS NOT NULL ORDER BY serial")?;
        let serials: Vec<Serial> = stmt
            .query_map([], |r| Fields::new(r, "licenses", "serial")?.get("serial"))?
            .collect::<Result<_, _>>()?;
        drop(stmt);
        let now = self.now();
        let text = facelic_verifier::RevocationList::encode(now, &serials, key.key_id(), |m| {
            key.sign_bytes(m)
        });
        super::write_output(out, text.as_bytes(), force)?;
        let count = serials.len();
        self.write(|tx, s| {
            audit::record(
                tx,
                s,
                "crl.export",
                &out.display().to_string(),
                &serde_json::json!({ "revoked": count, "key_id": key.key_id().to_string() }),
            )
        })?;
        Ok(count)
    }
}
