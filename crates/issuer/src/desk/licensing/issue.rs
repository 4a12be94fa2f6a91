//! Issuing licenses on device orders: one or thousands of devices at once,
//! each batch one transaction (platform orders are in [`super::platform`];
//! the signing pipeline both use is [`super::signing`]).
//!
//! The signed texts stay in memory until the ledger has committed, and only
//! then are their files written (see [`super::staging`]). So no signed
//! license reaches the disk before the ledger knows it: a crash leaves
//! either no license of the batch anywhere, or all of them in the ledger
//! (and re-running the same command, which is idempotent, writes any file
//! the crash left out).
//!
//! What was revoked stays revoked: a device whose license on an order was
//! revoked is never licensed on that order again.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::orders::{Order, load_order};
use super::query::{LicenseRecord, load_license};
use super::signing::{Batch, Recorder, sign_ahead};
use super::staging::{self, LicenseFile};
use super::time::add_days;
use super::{Desk, IssueError, Result, Tx, ledger};
use crate::{Binding, DeviceCode, Kind, Timestamp};

/// What an issue (or renew, or replace) did.
#[derive(Debug, Clone, Serialize)]
pub struct IssueReport {
    /// The order.
    pub order_id: String,
    /// Licenses newly issued.
    pub issued: Vec<LicenseRecord>,
    /// Licenses that already existed for the requested devices (or term) and
    /// were returned again without taking a seat.
    pub existing: Vec<LicenseRecord>,
    /// Files written: one per license above, or the one zip archive
    /// holding them when the output is a `.zip` file.
    pub files: Vec<PathBuf>,
}

/// Most bad lines a refusal lists by number.
const MAX_LISTED: usize = 20;

/// Reads a devices file: one device code per line; blank lines and `#`
/// comments are skipped; a UTF-8 byte-order mark is ignored; duplicates
/// count once. Any invalid line (a bad code, or bytes that are not UTF-8)
/// refuses the whole file, naming every bad line.
pub fn parse_devices_file(bytes: &[u8]) -> Result<Vec<DeviceCode>> {
    let bytes = bytes.strip_prefix("\u{FEFF}".as_bytes()).unwrap_or(bytes);
    let mut codes = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let Ok(line) = std::str::from_utf8(line) else {
            bad.push(format!("line {}: not UTF-8 text", n + 1));
            continue;
        };
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() {
            continue;
        }
        match line.parse::<DeviceCode>() {
            Ok(code) => codes.push(code),
            Err(e) => bad.push(format!("line {} {line:?}: {e}", n + 1)),
        }
    }
    if !bad.is_empty() {
        let count = bad.len();
        bad.truncate(MAX_LISTED);
        return Err(IssueError::BadCodes { count, lines: bad }.into());
    }
    if codes.is_empty() {
        return Err(IssueError::NoCodes.into());
    }
    Ok(dedup(codes))
}

/// `codes` without repeats, in first-seen order.
fn dedup(mut codes: Vec<DeviceCode>) -> Vec<DeviceCode> {
    let mut seen = std::collections::HashSet::new();
    codes.retain(|c| seen.insert(*c));
    codes
}

/// What a transaction of issuing produced: the report, and the files to
/// write once it has committed.
pub(crate) type Issued = (IssueReport, Vec<LicenseFile>);

impl Desk {
    /// Issues licenses on a device order for `codes` (repeats count once),
    /// writing one file per license into `out` after the ledger committed.
    /// Devices already bound on the order get their existing license back
    /// and take no seat. The batch is refused as a whole if it needs more
    /// seats than are free, the trial has ended, or a device's license on
    /// the order was revoked. `progress(done, total)` is called as licenses
    /// are recorded.
    pub fn issue_devices(
        &mut self,
        order_id: &str,
        codes: &[DeviceCode],
        out: &Path,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<IssueReport> {
        let batch = self.batch(order_id, out)?;
        let issued = self
            .ledger
            .write(|tx| issue_devices_in(tx, &batch, order_id, codes, progress))?;
        self.publish(issued, out)
    }

    /// Writes the files of a committed batch and completes its report.
    pub(crate) fn publish(&self, (report, files): Issued, out: &Path) -> Result<IssueReport> {
        Ok(IssueReport {
            files: self.publish_files(&files, out)?,
            ..report
        })
    }

    /// Writes the files of licenses the ledger has just committed into
    /// `out` (after the crash tests' `committed` pause point).
    pub(crate) fn publish_files(&self, files: &[LicenseFile], out: &Path) -> Result<Vec<PathBuf>> {
        super::pause::at(super::pause::Point::Committed);
        staging::publish(out, self.now(), files)
    }

    /// What every issue on `order_id` needs: the active key, the product's
    /// features, an output that can be written. Checked before anything is
    /// recorded.
    pub(crate) fn batch(&self, order_id: &str, out: &Path) -> Result<Batch> {
        let product = load_order(self.db(), order_id)?.product;
        staging::check_output(out)?;
        let key = self.signing_key()?;
        key.check_may_issue(&product, self.session().clock.now()?)?;
        super::pause::at(super::pause::Point::KeyLoaded);
        Ok(Batch {
            key,
            features: self.features_of(&product)?,
            trial_days: self.catalog.rules.device_trial_days,
            platform_fee: self.product(&product)?.platform_fee,
        })
    }
}

/// Issues device licenses inside `tx` (see [`Desk::issue_devices`]); the
/// returned files are written by the caller after the commit.
///
/// Signing starts at once for every device while this thread looks the
/// devices up and checks the seats (signing is what takes the time);
/// licenses signed for devices that turn out to be licensed already are
/// dropped unrecorded — they never leave memory.
pub(crate) fn issue_devices_in(
    tx: &Tx<'_>,
    batch: &Batch,
    order_id: &str,
    codes: &[DeviceCode],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Issued> {
    let now = tx.now();
    batch.key.check_still_trusted(tx)?;
    let order = load_order(tx, order_id)?;
    let kind = order.kind;
    if !kind.is_device_bound() {
        return Err(IssueError::NotDeviceBound {
            order: order.id,
            kind,
        }
        .into());
    }
    let codes = dedup(codes.to_vec());
    let (not_before, not_after) = if kind == Kind::DeviceTrial {
        trial_window(tx, batch, &order, now)?
    } else {
        (now, None)
    };
    let signer = batch.signer(&order, now);
    let mut recorder = Recorder::new(tx)?;
    // An ended trial signs nothing: the check refuses new devices, and the
    // devices it already licensed get their licenses back.
    let ended = not_after.is_some_and(|end| now >= end);
    let mut checked = match ended {
        true => Some(check_devices(tx, &order, &codes, not_after, now)?),
        false => None,
    };
    let mut issued = Vec::new();
    let mut files = Vec::new();
    sign_ahead(
        if ended { &[] } else { &codes },
        |code| signer.sign(Binding::Device(*code), not_before, not_after),
        |chunk| {
            let checked = match &mut checked {
                Some(c) => c,
                None => checked.insert(check_devices(tx, &order, &codes, not_after, now)?),
            };
            for signed in chunk {
                if signed
                    .record
                    .device
                    .is_some_and(|d| checked.licensed.contains(&d))
                {
                    continue; // the device has its license already
                }
                let (record, file) = recorder.record(signed, None)?;
                issued.push(record);
                files.push(file);
            }
            progress(issued.len() as u64, checked.new);
            Ok(())
        },
    )?;
    let mut existing = checked.map(|c| c.existing).unwrap_or_default();
    for record in &mut existing {
        files.push(LicenseFile {
            name: record.file_name.clone(),
            text: record.text.take().unwrap_or_default(),
        });
    }
    let report = IssueReport {
        order_id: order.id.clone(),
        issued,
        existing,
        files: Vec::new(),
    };
    Ok((report, files))
}

/// What looking a batch's devices up found.
struct Checked {
    /// Licenses the devices already hold on the order.
    existing: Vec<LicenseRecord>,
    /// Their devices.
    licensed: std::collections::HashSet<DeviceCode>,
    /// How many new licenses the batch issues.
    new: u64,
}

/// Looks every device up on the order and checks the batch against the
/// rules: no device whose license was revoked, enough free seats, a trial
/// that has not ended (whose end the first license sets).
fn check_devices(
    tx: &Tx<'_>,
    order: &Order,
    codes: &[DeviceCode],
    trial_end: Option<Timestamp>,
    now: Timestamp,
) -> Result<Checked> {
    let mut existing = Vec::new();
    let mut licensed = std::collections::HashSet::new();
    let any_revoked = ledger::licenses::any_device_revoked(tx, &order.id)?;
    for code in codes {
        match ledger::licenses::of_device(tx, &order.id, code, any_revoked)? {
            Some((serial, true)) => {
                existing.push(load_license(tx, &serial, now)?);
                licensed.insert(*code);
            }
            Some((serial, false)) => {
                return Err(IssueError::DeviceRevoked {
                    device: code.to_string(),
                    serial,
                    order: order.id.clone(),
                }
                .into());
            }
            None => {}
        }
    }
    let new = (codes.len() - existing.len()) as u64;
    let free = order.seats_free.unwrap_or(0);
    if new > free {
        return Err(IssueError::SeatsExhausted {
            order: order.id.clone(),
            seats: order.devices.unwrap_or(0),
            free,
            new,
            issued: existing.len(),
        }
        .into());
    }
    if let (Some(end), true) = (trial_end, new > 0) {
        if now >= end {
            return Err(IssueError::TrialEnded {
                order: order.id.clone(),
                ended: end,
            }
            .into());
        }
        if order.trial_ends_at.is_none() {
            ledger::licenses::set_trial_end(tx, &order.id, end)?;
        }
    }
    Ok(Checked {
        existing,
        licensed,
        new,
    })
}

/// The validity of a device trial's new licenses: from now (never before
/// the trial's first license) to the trial's end, which the first license
/// sets (see [`check_devices`]).
fn trial_window(
    tx: &Tx<'_>,
    batch: &Batch,
    order: &Order,
    now: Timestamp,
) -> Result<(Timestamp, Option<Timestamp>)> {
    let first = ledger::licenses::first_start(tx, &order.id)?;
    let end = order
        .trial_ends_at
        .unwrap_or_else(|| add_days(now, batch.trial_days));
    Ok((first.map_or(now, |start| start.max(now)), Some(end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_files_name_every_bad_line() {
        let good = DeviceCode::derive(&[("android-id", "1")])
            .unwrap()
            .to_string();
        let text = format!("\u{FEFF}{good}\n# comment\n\n{good}\n");
        assert_eq!(parse_devices_file(text.as_bytes()).unwrap().len(), 1);
        let mut bytes = format!("{good}\nnot-a-code\n").into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\n");
        let err = parse_devices_file(&bytes).unwrap_err().to_string();
        assert!(err.contains("line 2 \"not-a-code\""), "{err}");
        assert!(err.contains("line 3: not UTF-8 text"), "{err}");
    }
}
