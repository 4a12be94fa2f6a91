//! The signing pipeline of every issue: signing threads (one per core) sign
//! licenses in chunks and run ahead of the one thread that records them in
//! the ledger, in order, through bounded channels. Signed texts stay in
//! memory; the caller writes their files after the commit.

use std::sync::mpsc;

use serde::Serialize;

use super::fields::LedgerText as _;
use super::keys::DeskSigner;
use super::orders::Order;
use super::query::{LicenseRecord, LicenseStatus};
use super::staging::LicenseFile;
use super::{DeskError, Result, Tx, ledger};
use crate::{Binding, License, Timestamp, new_serial};
use facelic_invoice::Decimal;

/// The file name an operator looks for: order and device, or order, package and end date.
fn file_name(order: &str, binding: &Binding, not_after: Option<Timestamp>) -> String {
    if let Some(code) = binding.device() {
        return format!("{order}_{code}.lic");
    }
    let name = binding.package().unwrap_or_default();
    let until = not_after.map(|t| t.to_string()).unwrap_or_default();
    format!(
        "{order}_{name}_until-{}.lic",
        until.get(..10).unwrap_or("perpetual")
    )
}

/// Everything needed to sign licenses of one order; shared with the
/// signing threads, so it holds no ledger handle.
pub(super) struct Signer<'a> {
    key: &'a DeskSigner,
    order: &'a Order,
    features: crate::FeatureSet,
    now: Timestamp,
    /// `now` as the ledger writes it, formatted once per batch.
    now_text: String,
    /// The signing key's id as text.
    key_id: String,
}

/// A license signed and prepared for the ledger on a signing thread: the
/// thread that records it only binds these values.
pub(super) struct Signed {
    /// The license as the ledger will list it.
    pub(super) record: LicenseRecord,
    /// The signed text.
    text: String,
    /// Ledger forms of the row's values.
    serial: String,
    device: Option<String>,
    not_before: String,
    not_after: Option<String>,
    /// The audit row's detail, as JSON.
    detail: String,
}

impl<'a> Signer<'a> {
    /// Signs licenses of `order` granting `features`, issued at `now`, with `key`.
    pub(super) fn new(
        key: &'a DeskSigner,
        order: &'a Order,
        features: crate::FeatureSet,
        now: Timestamp,
    ) -> Self {
        Signer {
            key,
            order,
            features,
            now,
            now_text: now.to_ledger(),
            key_id: key.key_id().to_string(),
        }
    }

    /// A new license of the order, signed and prepared for the ledger.
    pub(super) fn sign(
        &self,
        binding: Binding,
        not_before: Timestamp,
        not_after: Option<Timestamp>,
    ) -> Result<Signed> {
        let order = self.order;
        let license = License {
            serial: new_serial()?,
            kind: order.kind,
            product: order.product.clone(),
            features: self.features,
            customer_id: order.customer_id.clone(),
            customer_name: order.customer_name.clone(),
            order_id: order.id.clone(),
            issued_at: self.now,
            not_before,
            not_after,
            binding,
        };
        let text = self.key.sign(&license)?;
        let file_name = file_name(&order.id, &license.binding, not_after);
        let device = license.device().copied();
        let package = license.package().map(str::to_owned);
        let device_text = device.map(|d| d.to_ledger());
        let not_before_text = if not_before == self.now {
            self.now_text.clone()
        } else {
            not_before.to_ledger()
        };
        let not_after_text = not_after.map(|t| t.to_ledger());
        let detail = serde_json::to_string(&IssueDetail {
            order: &order.id,
            device: device_text.as_deref(),
            package: package.as_deref(),
            not_before: &not_before_text,
            not_after: not_after_text.as_deref(),
            key_id: &self.key_id,
        })
        .map_err(|_| DeskError::Internal("an audit detail could not be written as JSON"))?;
        let record = LicenseRecord {
            serial: license.serial,
            status: LicenseStatus::of(false, false, not_before, not_after, self.now),
            order_id: order.id.clone(),
            customer_id: order.customer_id.clone(),
            product: order.product.clone(),
            kind: order.kind,
            device,
            package,
            key_id: self.key_id.clone(),
            issued_at: self.now,
            not_before,
            not_after,
            revoked_at: None,
            revoke_reason: None,
            replaced_by: None,
            file_name,
            text: None,
        };
        Ok(Signed {
            serial: license.serial.to_ledger(),
            record,
            text,
            device: device_text,
            not_before: not_before_text,
            not_after: not_after_text,
            detail,
        })
    }
}

/// Records signed licenses of one order in the ledger.
pub(super) struct Recorder<'a> {
    recording: ledger::licenses::Recording<'a>,
}

impl<'a> Recorder<'a> {
    /// A recorder of licenses signed in `tx`.
    pub(super) fn new(tx: &'a Tx<'a>) -> Result<Self> {
        Ok(Recorder {
            recording: ledger::licenses::Recording::start(tx)?,
        })
    }

    /// Records one signed license (row and audit entry) and returns its
    /// record and its file (written after the commit).
    pub(super) fn record(
        &mut self,
        signed: Signed,
        term_seq: Option<i64>,
    ) -> Result<(LicenseRecord, LicenseFile)> {
        let Signed {
            record,
            text,
            serial,
            device,
            not_before,
            not_after,
            detail,
        } = signed;
        self.recording.insert(
            &ledger::licenses::NewLicense {
                record: &record,
                serial: &serial,
                device: device.as_deref(),
                term_seq,
                not_before: &not_before,
                not_after: not_after.as_deref(),
                text: &text,
            },
            &detail,
        )?;
        let file = LicenseFile {
            name: record.file_name.clone(),
            text,
        };
        Ok((record, file))
    }
}

/// The audit detail of one issued license (a struct: cheaper than a JSON map
/// for every license of a large batch).
#[derive(Serialize)]
struct IssueDetail<'a> {
    order: &'a str,
    device: Option<&'a str>,
    package: Option<&'a str>,
    not_before: &'a str,
    not_after: Option<&'a str>,
    key_id: &'a str,
}

/// Licenses signed and recorded per hand-over between threads.
const CHUNK: usize = 256;

/// Chunks each signing thread may run ahead of the recording thread: enough
/// to keep signing while the recording thread looks the batch's devices up.
const AHEAD: usize = 4;

/// Most threads that sign a batch.
const MAX_SIGNERS: usize = 8;

/// Applies `sign` to `items` in chunks of [`CHUNK`] on one thread per core
/// (chunk `k` on thread `k mod n`), and hands the results to `consume` on
/// this thread, in order, while the signing threads run ahead. Stops at the
/// first error of either.
pub(super) fn sign_ahead<T: Sync, R: Send>(
    items: &[T],
    sign: impl Fn(&T) -> Result<R> + Sync,
    mut consume: impl FnMut(Vec<R>) -> Result<()>,
) -> Result<()> {
    let chunks: Vec<&[T]> = items.chunks(CHUNK).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_SIGNERS)
        .min(chunks.len().max(1));
    std::thread::scope(|scope| {
        let signed: Vec<mpsc::Receiver<Result<Vec<R>>>> = (0..threads)
            .map(|first| {
                let (to_ledger, from_signer) = mpsc::sync_channel(AHEAD);
                let (sign, chunks) = (&sign, &chunks);
                scope.spawn(move || {
                    for chunk in chunks.iter().skip(first).step_by(threads) {
                        let results = chunk.iter().map(sign).collect();
                        if to_ledger.send(results).is_err() {
                            break; // the ledger side stopped on an error
                        }
                    }
                });
                from_signer
            })
            .collect();
        for k in 0..chunks.len() {
            let chunk = signed
                .get(k % threads)
                .and_then(|from_signer| from_signer.recv().ok())
                .ok_or(DeskError::Internal("a signing thread stopped"))??;
            consume(chunk)?;
            super::pause::at(super::pause::Point::ChunkRecorded(k + 1));
        }
        Ok(())
    })
}

/// What issuing on one order needs besides the transaction.
pub(crate) struct Batch {
    pub(super) key: DeskSigner,
    pub(super) features: crate::FeatureSet,
    pub(super) trial_days: u32,
    /// The catalog's platform fee of the order's product: a renewal's fee
    /// for orders made before agreements were recorded.
    pub(super) platform_fee: Decimal,
}

impl Batch {
    /// Signs licenses of `order` issued at `now`.
    pub(super) fn signer<'a>(&'a self, order: &'a Order, now: Timestamp) -> Signer<'a> {
        Signer::new(&self.key, order, self.features, now)
    }
}
