//! Revocation, device replacement, re-issue after a signing key was
//! revoked, and the signed revocation list.

use std::path::Path;

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::path::PathBuf;

use serde::Serialize;

use super::issue::{IssueReport, issue_devices_in};
use super::ledger::licenses::Live;
use super::orders::{Order, load_order};
use super::query::{LicenseRecord, load_license};
use super::signing::{Recorder, Signer};
use super::staging::LicenseFile;
use super::{Desk, DeskError, Result, RevokeError, Tx, ledger, staging};
use crate::{Binding, DeviceCode, FeatureSet, Serial, Timestamp};

/// What [`Desk::reissue`] did.
#[derive(Debug, Clone, Serialize)]
pub struct ReissueReport {
    /// The key whose licenses were re-issued.
    pub signed_by: String,
    /// The key that signed the new licenses.
    pub key_id: String,
    /// Each live license of `signed_by`, now revoked, and its replacement.
    pub reissued: Vec<Reissued>,
    /// Licenses an earlier run re-issued already (their replacements still
    /// live): their files are written again, as `issue` does for devices
    /// it licensed before.
    pub existing: Vec<Reissued>,
    /// Files written: one per new license, or the one zip archive.
    pub files: Vec<PathBuf>,
}

/// One license re-issued.
#[derive(Debug, Clone, Serialize)]
pub struct Reissued {
    /// The serial of the license that was replaced (now revoked).
    #[serde(serialize_with = "super::fields::display")]
    pub old: Serial,
    /// The new license: same order, binding and validity, a new serial.
    pub new: LicenseRecord,
}

impl Desk {
    /// Revokes a license. Its seat stays taken (an offline device may keep
    /// using it until it sees the revocation list); use [`Desk::replace`] to
    /// move a seat to another device.
    pub fn revoke(&mut self, serial: &str, reason: &str) -> Result<LicenseRecord> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RevokeError::NoReason.into());
        }
        if reason.chars().any(char::is_control) || reason.len() > 500 {
            return Err(RevokeError::BadReason.into());
        }
        self.ledger.write(|tx| {
            let record = load_license(tx, serial, tx.now())?;
            if let Some(at) = &record.revoked_at {
                return Err(RevokeError::AlreadyRevoked {
                    serial: record.serial,
                    at: *at,
                }
                .into());
            }
            ledger::licenses::revoke(tx, &record.serial, reason)?;
            tx.audit(
                "license.revoke",
                &record.serial.to_string(),
                &serde_json::json!({ "reason": reason, "order": record.order_id }),
            )?;
            load_license(tx, &record.serial.to_string(), tx.now())
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
            return Err(RevokeError::NotReplaceable {
                serial: old.serial,
                kind: old.kind,
            }
            .into());
        }
        if let Some(at) = &old.revoked_at {
            return Err(RevokeError::AlreadyRevoked {
                serial: old.serial,
                at: *at,
            }
            .into());
        }
        if old.device == Some(new_device) {
            return Err(RevokeError::SameDevice.into());
        }
        let batch = self.batch(&old.order_id, out)?;
        let issued = self.ledger.write(|tx| {
            // Mark the old license revoked and its seat released (replaced_by
            // points at itself until the new serial is known), issue the
            // replacement through the ordinary path, then link the two: one
            // transaction, so the seat count never changes.
            ledger::licenses::release(tx, &old.serial, "replacement")?;
            let (report, files) =
                issue_devices_in(tx, &batch, &old.order_id, &[new_device], &mut |_, _| {})?;
            let Some(new) = report.issued.first() else {
                return Err(RevokeError::DeviceLicensed {
                    device: new_device.to_string(),
                    order: old.order_id.clone(),
                }
                .into());
            };
            let reason = format!("replaced by {}", new.serial);
            ledger::licenses::link_replacement(tx, &old.serial, &new.serial, Some(&reason))?;
            let detail = serde_json::json!({
                "new_serial": new.serial.to_string(),
                "old_device": old.device.map(|d| d.to_string()),
                "new_device": new_device.to_string(),
            });
            tx.audit("license.replace", &old.serial.to_string(), &detail)?;
            Ok((report, files))
        })?;
        self.publish(issued, out)
    }

    /// Re-issues every live license (not revoked, not expired) that the key
    /// `signed_by` signed, with the active signing key: the same order,
    /// binding and validity, a new serial; the old license is revoked and
    /// points at its replacement, so seat counts do not change. One
    /// transaction (all or nothing), audited per license
    /// (`license.reissue`); files are written to `out` after the commit.
    /// This is how a leaked signing key is contained: a root revokes it,
    /// the desk certifies a new key and re-issues.
    pub fn reissue(&mut self, signed_by: &str, out: &Path) -> Result<ReissueReport> {
        let old_key = self.key(signed_by)?;
        let signer = self.signing_key()?;
        if signer.key_id().to_string() == old_key.key_id {
            return Err(RevokeError::ActiveKey(signed_by.to_owned()).into());
        }
        staging::check_output(out)?;
        let mut features: BTreeMap<String, FeatureSet> = BTreeMap::new();
        for product in self.products_signed_by(&old_key.key_id)? {
            signer.check_may_issue(&product, self.session().clock.now()?)?;
            features.insert(product.clone(), self.features_of(&product)?);
        }
        let reason = format!("reissued: signing key {} replaced", old_key.key_id);
        let (reissued, files) = self.ledger.write(|tx| {
            signer.check_still_trusted(tx)?;
            let live = live_licenses_of(tx, &old_key.key_id, tx.now())?;
            let mut recorder = Recorder::new(tx)?;
            let mut reissued = Vec::with_capacity(live.len());
            let mut files = Vec::with_capacity(live.len());
            // A key's licenses share few orders: each is read once.
            let mut orders: BTreeMap<String, Order> = BTreeMap::new();
            for old in live {
                let order = match orders.entry(old.order_id) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => {
                        let order = load_order(tx, e.key())?;
                        e.insert(order)
                    }
                };
                let granted = *features.get(&order.product).ok_or(DeskError::Internal(
                    "a license's product changed during the reissue",
                ))?;
                let binding = match old.device {
                    Some(code) => Binding::Device(code),
                    None => order.package_binding()?,
                };
                ledger::licenses::release(tx, &old.serial, &reason)?;
                let signed = Signer::new(&signer, order, granted, tx.now()).sign(
                    binding,
                    old.not_before,
                    old.not_after,
                )?;
                let (record, file) = recorder.record(signed, old.term_seq)?;
                ledger::licenses::link_replacement(tx, &old.serial, &record.serial, None)?;
                let detail = serde_json::json!({
                    "new_serial": record.serial.to_string(),
                    "signed_by": old_key.key_id,
                    "key_id": signer.key_id().to_string(),
                });
                tx.audit("license.reissue", &old.serial.to_string(), &detail)?;
                reissued.push(Reissued {
                    old: old.serial,
                    new: record,
                });
                files.push(file);
            }
            // A run whose files could not be written (a full or read-only
            // disk) re-issued its licenses already: this run writes theirs.
            let mut existing = Vec::new();
            for (old, new) in ledger::licenses::reissued_by(tx, &old_key.key_id, &reason)? {
                let mut record = load_license(tx, &new.to_string(), tx.now())?;
                if record.revoked_at.is_some() || reissued.iter().any(|r| r.old == old) {
                    continue;
                }
                files.push(LicenseFile {
                    name: record.file_name.clone(),
                    text: record.text.take().unwrap_or_default(),
                });
                existing.push(Reissued { old, new: record });
            }
            Ok(((reissued, existing), files))
        })?;
        let (reissued, existing) = reissued;
        Ok(ReissueReport {
            signed_by: old_key.key_id,
            key_id: signer.key_id().to_string(),
            reissued,
            existing,
            files: self.publish_files(&files, out)?,
        })
    }

    /// The products of the live licenses `key_id` signed.
    fn products_signed_by(&self, key_id: &str) -> Result<Vec<String>> {
        ledger::licenses::products_signed_by(self.db(), key_id)
    }

    /// Writes the signed revocation list of every revoked license to `out`
    /// (a new file, or replacing one with `force`) and returns how many
    /// serials it lists. The list is complete or not written: a revoked row
    /// whose serial cannot be read fails the export.
    pub fn export_revocation_list(&mut self, out: &Path, force: bool) -> Result<usize> {
        let now = self.now();
        let signers = self.list_signers(now)?;
        // The root-signed lists of revoked signing keys travel with the
        // desk's own lists; each of the desk's lists names all the others,
        // so an app refuses a text that lost one (docs/license-format.md §9).
        let roots = self.roots()?;
        let root_lists = self.key_revocation_lists()?;
        let mut root_names = Vec::new();
        for text in &root_lists {
            let list = crate::RevocationList::parse(text, &roots).map_err(|e| {
                DeskError::Corrupt(super::error::CorruptValue {
                    table: "key_revocation_lists",
                    row: String::new(),
                    column: "text".into(),
                    value: format!("(refused: {e})"),
                    expected: "a revocation list that verifies against the desk's roots",
                })
            })?;
            root_names.extend_from_slice(list.lists());
        }
        self.ledger.write(|tx| {
            let serials = ledger::licenses::revoked_serials(tx)?;
            let sequence = tx.next_number("revocation-list")?;
            let sequence = u64::try_from(sequence)
                .map_err(|_| DeskError::Internal("revocation-list sequence below zero"))?;
            let names: Vec<_> = signers.iter().map(|k| k.list_name(sequence)).collect();
            let mut text = String::new();
            for (at, signer) in signers.iter().enumerate() {
                let others: Vec<_> = names
                    .iter()
                    .enumerate()
                    .filter(|(other, _)| *other != at)
                    .map(|(_, name)| *name)
                    .chain(root_names.iter().copied())
                    .collect();
                text.push_str(&signer.revocation_list(tx.now(), sequence, &others, &serials)?);
            }
            text.push_str(&root_lists.concat());
            super::write_output(out, text.as_bytes(), force)?;
            let key_ids: Vec<String> = signers.iter().map(|k| k.key_id().to_string()).collect();
            tx.audit(
                "crl.export",
                &out.display().to_string(),
                &serde_json::json!({
                    "revoked": serials.len(),
                    "sequence": sequence,
                    "key_ids": key_ids,
                }),
            )?;
            Ok(serials.len())
        })
    }
}

/// The live licenses (not revoked, not expired at `now`) `key_id` signed,
/// in the order they were issued.
fn live_licenses_of(tx: &Tx<'_>, key_id: &str, now: Timestamp) -> Result<Vec<Live>> {
    let mut live = ledger::licenses::unrevoked_signed_by(tx, key_id)?;
    live.retain(|l| l.not_after.is_none_or(|end| end > now));
    Ok(live)
}
