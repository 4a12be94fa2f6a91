//! Issuing licenses: device orders (one or thousands of devices at once),
//! platform orders, and platform renewals.
//!
//! A batch is one transaction. Signing threads (one per core) run ahead of
//! the thread that records licenses in the ledger, and a writer thread
//! stages their files (see [`super::staging`]): files are published only
//! after the ledger commit, so a crash leaves either no license of the batch
//! in the ledger, or all of them (and re-running the same command, which is
//! idempotent, writes any file the crash left out).

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rusqlite::{OptionalExtension as _, Transaction, params};
use serde::Serialize;

use super::orders::{Order, load_order};
use super::query::{LicenseRecord, load_license};
use super::staging::Staging;
use super::time::{add_days, add_months};
use super::{Desk, DeskError, Result, Session, audit};
use crate::{Binding, DeviceCode, IssuerKey, Kind, License, Timestamp, new_serial};

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
/// comments are skipped; duplicates count once. Any invalid line refuses the
/// whole file, naming every bad line.
pub fn parse_devices_file(text: &str) -> Result<Vec<DeviceCode>> {
    let mut codes = Vec::new();
    let mut bad = Vec::new();
    for (n, line) in text.lines().enumerate() {
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
        let more = count.saturating_sub(MAX_LISTED);
        bad.truncate(MAX_LISTED);
        let tail = if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        };
        return Err(DeskError::Input(format!(
            "{count} invalid device code(s), nothing issued: {}{tail}",
            bad.join("; ")
        )));
    }
    if codes.is_empty() {
        return Err(DeskError::Input("no device codes given".into()));
    }
    let mut seen = std::collections::HashSet::new();
    codes.retain(|c| seen.insert(*c));
    Ok(codes)
}

/// The file name an operator looks for: order and device, or order, package and end date.
fn file_name(order: &str, binding: &Binding, not_after: Option<Timestamp>) -> String {
    match binding {
        Binding::Device(code) => format!("{order}_{code}.lic"),
        Binding::Package { name, .. } => {
            let until = not_after.map(|t| t.to_string()).unwrap_or_default();
            format!(
                "{order}_{name}_until-{}.lic",
                until.get(..10).unwrap_or("perpetual")
            )
        }
    }
}

/// Everything needed to sign licenses of one order; shared with the
/// signing thread, so it holds no ledger handle.
struct Signer<'a> {
    key: &'a IssuerKey,
    order: &'a Order,
    features: crate::FeatureSet,
    now: Timestamp,
}

impl Signer<'_> {
    /// A new license of the order, signed: the license and its text.
    fn sign(
        &self,
        binding: Binding,
        not_before: Timestamp,
        not_after: Option<Timestamp>,
    ) -> Result<(License, String)> {
        let license = License {
            serial: new_serial(),
            kind: self.order.kind(),
            product: self.order.product.clone(),
            features: self.features,
            customer_id: self.order.customer_id.clone(),
            customer_name: self.order.customer_name.clone(),
            order_id: self.order.id.clone(),
            issued_at: self.now,
            not_before,
            not_after,
            binding,
        };
        let text = self.key.sign(&license)?;
        Ok((license, text))
    }
}

/// Records signed licenses of one order in the ledger.
struct Recorder<'a> {
    tx: &'a Transaction<'a>,
    session: &'a Session,
    order: &'a Order,
    /// `session.now` as text, formatted once per batch.
    now_text: String,
    /// The signing key's id as text.
    key_id: String,
}

impl<'a> Recorder<'a> {
    fn new(
        tx: &'a Transaction<'a>,
        session: &'a Session,
        key: &IssuerKey,
        order: &'a Order,
    ) -> Self {
        Recorder {
            tx,
            session,
            order,
            now_text: session.now.to_string(),
            key_id: key.key_id().to_string(),
        }
    }

    /// Records one signed license (row and audit entry) and returns its
    /// record and the file to write.
    fn record(
        &self,
        license: &License,
        text: String,
        term_seq: Option<i64>,
    ) -> Result<(LicenseRecord, FileToWrite)> {
        let now = self.session.now;
        let (not_before, not_after) = (license.not_before, license.not_after);
        let name = file_name(&self.order.id, &license.binding, not_after);
        let (device, package) = match &license.binding {
            Binding::Device(code) => (Some(code.to_string()), None),
            Binding::Package { name, .. } => (None, Some(name.clone())),
        };
        let serial = license.serial.to_string();
        let now_text = &self.now_text;
        let not_before_text = if not_before == now {
            now_text.clone()
        } else {
            not_before.to_string()
        };
        let not_after_text = not_after.map(|t| t.to_string());
        self.tx
            .prepare_cached(
                "INSERT INTO licenses (serial, order_id, customer_id, product, kind, device, package, term_seq,
                                       key_id, issued_at, not_before, not_after, file_name, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                serial,
                self.order.id,
                self.order.customer_id,
                self.order.product,
                license.kind.as_str(),
                device,
                package,
                term_seq,
                self.key_id,
                now_text,
                not_before_text,
                not_after_text,
                name,
                text,
            ])?;
        let detail = serde_json::json!({
            "order": self.order.id, "device": device, "package": package,
            "not_before": not_before_text, "not_after": not_after_text,
            "key_id": self.key_id,
        });
        audit::record(self.tx, self.session, "license.issue", &serial, &detail)?;
        let status = if not_before > now {
            "not-yet-valid"
        } else {
            "active"
        };
        let record = LicenseRecord {
            serial,
            status: status.to_owned(),
            order_id: self.order.id.clone(),
            customer_id: self.order.customer_id.clone(),
            product: self.order.product.clone(),
            kind: license.kind.as_str().to_owned(),
            device,
            package,
            key_id: self.key_id.clone(),
            issued_at: now_text.clone(),
            not_before: not_before_text,
            not_after: not_after_text,
            revoked_at: None,
            revoke_reason: None,
            replaced_by: None,
            file_name: name.clone(),
            text: None,
        };
        Ok((record, FileToWrite { name, text }))
    }
}

/// A license file to write: its name in the output directory and its text.
pub(crate) struct FileToWrite {
    name: String,
    text: String,
}

/// The writer thread's end of the channel: files travel in chunks, so the
/// threads hand over work hundreds of licenses at a time.
pub(crate) type FileSink = mpsc::SyncSender<Vec<FileToWrite>>;

/// Licenses signed, recorded and written per hand-over between threads.
const CHUNK: usize = 256;

/// Runs `f` with a channel to a writer thread that stages license files
/// while `f` signs and records licenses, so file I/O overlaps the rest.
/// Returns `f`'s value and the staged files (not yet published); if `f` or
/// any write fails, nothing stays on disk.
pub(crate) fn with_file_writer<T>(
    out: &Path,
    now: Timestamp,
    f: impl FnOnce(&FileSink) -> Result<T>,
) -> Result<(T, Staging)> {
    let mut staging = Staging::new(out, now)?;
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<Vec<FileToWrite>>(8);
        let writer = scope.spawn(move || -> Result<Staging> {
            for chunk in receiver {
                for file in chunk {
                    staging.write(&file.name, &file.text)?;
                }
            }
            staging.sealed()
        });
        let value = f(&sender);
        drop(sender);
        let staging = writer.join().unwrap_or_else(|_| {
            Err(DeskError::Io {
                path: out.to_owned(),
                source: std::io::Error::other("license file writer failed"),
            })
        });
        // A failed write is the real cause when `f` stopped on a closed channel.
        let staging = staging?;
        Ok((value?, staging))
    })
}

/// Most threads that sign a batch.
const MAX_SIGNERS: usize = 8;

/// Applies `sign` to `items` in chunks of [`CHUNK`] on one thread per core
/// (chunk `k` on thread `k mod n`), and hands the results to `consume` on
/// this thread, in order, while the signing threads run ahead. Stops at the
/// first error of either.
fn sign_ahead<T: Sync, R: Send>(
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
                let (to_ledger, from_signer) = mpsc::sync_channel(2);
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
        }
        Ok(())
    })
}

/// Sends files to the writer thread; a writer that stopped (a failed write)
/// is reported when it is joined.
fn send(sink: &FileSink, files: Vec<FileToWrite>, out: &Path) -> Result<()> {
    sink.send(files).map_err(|_| DeskError::Io {
        path: out.to_owned(),
        source: std::io::Error::other("license file writer stopped"),
    })
}

impl Desk {
    fn features_of(&self, product: &str) -> Result<crate::FeatureSet> {
        self.catalog
            .product(product)
            .map(|p| p.features)
            .ok_or_else(|| {
                DeskError::Refused(format!(
                    "product {product:?} is no longer in the desk catalog"
                ))
            })
    }

    /// Issues licenses on a device order for `codes`, writing one file per
    /// license into `out`. Devices already bound on the order get their
    /// existing license back and take no seat. The batch is refused as a whole
    /// if it needs more seats than are free, or the trial has ended.
    /// `progress(done, total)` is called after each new license.
    pub fn issue_devices(
        &mut self,
        order_id: &str,
        codes: &[DeviceCode],
        out: &Path,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<IssueReport> {
        let batch = self.batch(order_id, out)?;
        let (report, staging) = self.write(|tx, s| {
            let out = batch.out.clone();
            with_file_writer(&out, s.now, |sink| {
                issue_devices_in(tx, s, &batch, order_id, codes, progress, sink)
            })
        })?;
        Ok(IssueReport {
            files: staging.publish()?,
            ..report
        })
    }

    /// What every issue on `order_id` needs: the active key, the product's features, the output directory.
    pub(crate) fn batch(&self, order_id: &str, out: &Path) -> Result<Batch> {
        let product = load_order(self.read(), order_id)?.product;
        Ok(Batch {
            key: self.signing_key()?,
            features: self.features_of(&product)?,
            out: out.to_owned(),
            trial_days: self.catalog.rules.device_trial_days,
        })
    }

    /// Issues the license of a platform order's current term (or returns the
    /// one already issued for it).
    pub fn issue_platform(&mut self, order_id: &str, out: &Path) -> Result<IssueReport> {
        self.platform_license(order_id, out, false)
    }

    /// Renews a platform order by one term and issues its license. Renewed
    /// before the current term ends, the new term starts exactly where it
    /// ends; renewed after it lapsed, the new term starts now.
    pub fn renew(&mut self, order_id: &str, out: &Path) -> Result<IssueReport> {
        self.platform_license(order_id, out, true)
    }

    fn platform_license(&mut self, order_id: &str, out: &Path, renew: bool) -> Result<IssueReport> {
        let batch = self.batch(order_id, out)?;
        let months = self.catalog.rules.platform_term_months;
        let (report, staging) = self.write(|tx, s| {
            let mut order = load_order(tx, order_id)?;
            let kind = order.kind();
            if renew && kind != Kind::Platform {
                let why = match kind {
                    Kind::Device => "device licenses are perpetual and are not renewed",
                    Kind::DeviceTrial | Kind::PlatformTrial => "trials cannot be renewed; create a platform order",
                    Kind::Platform => "",
                };
                return Err(DeskError::Refused(format!("order {} is a {} order: {why}", order.id, order.kind)));
            }
            if kind.is_device_bound() {
                return Err(DeskError::Refused(format!(
                    "order {} is a {} order: issue it with --device or --devices-file",
                    order.id, order.kind
                )));
            }
            let terms = parse_terms(&order)?;
            let Some(&(last_seq, _, last_end)) = terms.last() else {
                return Err(DeskError::Refused(format!("order {} has no term", order.id)));
            };
            if renew {
                let start = if s.now < last_end { last_end } else { s.now };
                let end = add_months(start, months)?;
                tx.execute(
                    "INSERT INTO terms (order_id, seq, starts_at, ends_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![order.id, last_seq + 1, start.to_string(), end.to_string(), s.now.to_string()],
                )?;
                let detail = serde_json::json!({ "term": last_seq + 1, "starts_at": start.to_string(), "ends_at": end.to_string(), "lapsed": s.now >= last_end });
                audit::record(tx, s, "order.renew", &order.id, &detail)?;
                order = load_order(tx, order_id)?;
            }
            let terms = parse_terms(&order)?;
            let Some(&(seq, _, end)) = terms.last() else {
                return Err(DeskError::Refused(format!("order {} has no term", order.id)));
            };
            if s.now >= end {
                let what = if kind.is_trial() { "trial" } else { "term" };
                let hint = if kind.is_trial() { "" } else { "; renew it with `facelic renew`" };
                return Err(DeskError::Refused(format!("the {what} of order {} ended at {end}{hint}", order.id)));
            }
            let live: Option<String> = tx
                .query_row(
                    "SELECT serial FROM licenses WHERE order_id = ?1 AND term_seq = ?2 ORDER BY revoked_at IS NULL DESC LIMIT 1",
                    params![order.id, seq],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(serial) = live {
                let record = load_license(tx, &serial, s.now)?;
                if record.revoked_at.is_some() {
                    return Err(DeskError::Refused(format!(
                        "the license {serial} of this term was revoked; nothing issued"
                    )));
                }
                let staging = Staging::single(out, s.now, &record.file_name, record.text.as_deref().unwrap_or_default())?;
                let record = LicenseRecord { text: None, ..record };
                return Ok((IssueReport { order_id: order.id.clone(), issued: vec![], existing: vec![record], files: vec![] }, staging));
            }
            // The license covers the unbroken run of terms that ends with this one.
            let mut chain_start = end;
            for &(_, start, term_end) in terms.iter().rev() {
                if term_end != chain_start && chain_start != end {
                    break;
                }
                chain_start = start;
            }
            let package = order.package.clone().unwrap_or_default();
            let binding = Binding::Package { name: package, cert_sha256: None };
            let (license, text) = batch.signer(&order, s.now).sign(binding, chain_start, Some(end))?;
            let (record, file) = Recorder::new(tx, s, &batch.key, &order).record(&license, text, Some(seq))?;
            let staging = Staging::single(out, s.now, &file.name, &file.text)?;
            Ok((IssueReport { order_id: order.id.clone(), issued: vec![record], existing: vec![], files: vec![] }, staging))
        })?;
        Ok(IssueReport {
            files: staging.publish()?,
            ..report
        })
    }
}

/// What issuing on one order needs besides the transaction.
pub(crate) struct Batch {
    key: IssuerKey,
    features: crate::FeatureSet,
    pub(crate) out: PathBuf,
    trial_days: u32,
}

impl Batch {
    /// Signs licenses of `order` issued at `now`.
    fn signer<'a>(&'a self, order: &'a Order, now: Timestamp) -> Signer<'a> {
        Signer {
            key: &self.key,
            order,
            features: self.features,
            now,
        }
    }
}

/// Issues device licenses inside `tx` (see [`Desk::issue_devices`]); the
/// returned files are published by the caller after the commit.
pub(crate) fn issue_devices_in(
    tx: &Transaction<'_>,
    s: &Session,
    batch: &Batch,
    order_id: &str,
    codes: &[DeviceCode],
    progress: &mut dyn FnMut(u64, u64),
    sink: &FileSink,
) -> Result<IssueReport> {
    let order = load_order(tx, order_id)?;
    let kind = order.kind();
    if !kind.is_device_bound() {
        return Err(DeskError::Refused(format!(
            "order {} is a {} order: issue it with `facelic issue --order {}` (no devices)",
            order.id, order.kind, order.id
        )));
    }
    let mut existing = Vec::new();
    let mut new_codes = Vec::new();
    for code in codes {
        let live: Option<String> = tx
                .prepare_cached(
                    "SELECT serial FROM licenses WHERE order_id = ?1 AND device = ?2 AND revoked_at IS NULL",
                )?
                .query_row(params![order.id, code.to_string()], |r| r.get(0))
                .optional()?;
        match live {
            Some(serial) => existing.push(load_license(tx, &serial, s.now)?),
            None => {
                let revoked: Option<String> = tx
                    .prepare_cached(
                        "SELECT serial FROM licenses WHERE order_id = ?1 AND device = ?2 LIMIT 1",
                    )?
                    .query_row(params![order.id, code.to_string()], |r| r.get(0))
                    .optional()?;
                if let Some(serial) = revoked {
                    return Err(DeskError::Refused(format!(
                        "device {code} had license {serial} on order {} and it was revoked; nothing issued",
                        order.id
                    )));
                }
                new_codes.push(*code);
            }
        }
    }
    let free = order.seats_free.unwrap_or(0);
    if new_codes.len() as u64 > free {
        return Err(DeskError::Refused(format!(
            "order {} has {free} free seat(s) of {}; this needs {} new (and {} already issued); nothing issued",
            order.id,
            order.devices.unwrap_or(0),
            new_codes.len(),
            existing.len()
        )));
    }
    let not_after = if kind == Kind::DeviceTrial {
        let end = match &order.trial_ends_at {
            Some(end) => Timestamp::parse(end).ok_or_else(|| {
                DeskError::Refused(format!("order {} has a corrupt trial end", order.id))
            })?,
            None => add_days(s.now, batch.trial_days),
        };
        if !new_codes.is_empty() {
            if s.now >= end {
                return Err(DeskError::Refused(format!(
                    "the trial on order {} ended at {end}; nothing issued",
                    order.id
                )));
            }
            if order.trial_ends_at.is_none() {
                tx.execute(
                    "UPDATE orders SET trial_ends_at = ?1 WHERE id = ?2",
                    params![end.to_string(), order.id],
                )?;
            }
        }
        Some(end)
    } else {
        None
    };
    let out = batch.out.as_path();
    let signer = batch.signer(&order, s.now);
    let recorder = Recorder::new(tx, s, &batch.key, &order);
    let total = new_codes.len() as u64;
    let mut issued = Vec::with_capacity(new_codes.len());
    // Signing threads run ahead while this thread records the signed
    // licenses and the writer thread writes their files.
    sign_ahead(
        &new_codes,
        |code| signer.sign(Binding::Device(*code), s.now, not_after),
        |chunk| {
            let mut files = Vec::with_capacity(chunk.len());
            for (license, text) in chunk {
                let (record, file) = recorder.record(&license, text, None)?;
                issued.push(record);
                files.push(file);
            }
            send(sink, files, out)?;
            progress(issued.len() as u64, total);
            Ok(())
        },
    )?;
    for chunk in existing.chunks(CHUNK) {
        let files = chunk
            .iter()
            .map(|record| FileToWrite {
                name: record.file_name.clone(),
                text: record.text.clone().unwrap_or_default(),
            })
            .collect();
        send(sink, files, out)?;
    }
    Ok(IssueReport {
        order_id: order.id.clone(),
        issued,
        existing,
        files: Vec::new(),
    })
}

/// The order's terms as (seq, start, end).
fn parse_terms(order: &Order) -> Result<Vec<(i64, Timestamp, Timestamp)>> {
    order
        .terms
        .iter()
        .map(
            |t| match (Timestamp::parse(&t.starts_at), Timestamp::parse(&t.ends_at)) {
                (Some(a), Some(b)) => Ok((t.seq, a, b)),
                _ => Err(DeskError::Refused(format!(
                    "order {} has a corrupt term",
                    order.id
                ))),
            },
        )
        .collect()
}
