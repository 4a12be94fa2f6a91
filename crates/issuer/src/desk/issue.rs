//! Issuing licenses: device orders (one or thousands of devices at once),
//! platform orders, and platform renewals.
//!
//! A batch is one transaction. Signing threads (one per core) run ahead of
//! the thread that records licenses in the ledger; the signed texts stay in
//! memory until the ledger has committed, and only then are their files
//! written (see [`super::staging`]). So no signed license reaches the disk
//! before the ledger knows it: a crash leaves either no license of the batch
//! anywhere, or all of them in the ledger (and re-running the same command,
//! which is idempotent, writes any file the crash left out).
//!
//! What was revoked stays revoked: a device whose license on an order was
//! revoked is never licensed on that order again, and a platform license
//! never covers time a revoked license of its order covered.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rusqlite::{OptionalExtension as _, Transaction, params};
use serde::Serialize;

use super::fields::{LedgerText as _, Text, scalar};
use super::orders::{Order, Reprice, Term, load_order};
use super::query::{LicenseRecord, LicenseStatus, load_license};
use super::staging::{self, LicenseFile};
use super::time::{add_days, add_months};
use super::{Desk, DeskError, Result, Session, audit};
use crate::{Binding, DeviceCode, IssuerKey, Kind, License, Timestamp, new_serial};
use facelic_invoice::Decimal;

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
    Ok(dedup(codes))
}

/// `codes` without repeats, in first-seen order.
fn dedup(mut codes: Vec<DeviceCode>) -> Vec<DeviceCode> {
    let mut seen = std::collections::HashSet::new();
    codes.retain(|c| seen.insert(*c));
    codes
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
/// signing threads, so it holds no ledger handle.
struct Signer<'a> {
    key: &'a IssuerKey,
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
struct Signed {
    /// The license as the ledger will list it.
    record: LicenseRecord,
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

impl Signer<'_> {
    /// A new license of the order, signed and prepared for the ledger.
    fn sign(
        &self,
        binding: Binding,
        not_before: Timestamp,
        not_after: Option<Timestamp>,
    ) -> Result<Signed> {
        let order = self.order;
        let license = License {
            serial: new_serial(),
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
        let (device, package) = match license.binding {
            Binding::Device(code) => (Some(code), None),
            Binding::Package { name, .. } => (None, Some(name)),
        };
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
struct Recorder<'a> {
    tx: &'a Transaction<'a>,
    session: &'a Session,
}

impl Recorder<'_> {
    /// Records one signed license (row and audit entry) and returns its
    /// record and its file (written after the commit).
    fn record(
        &self,
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
        self.tx
            .prepare_cached(
                "INSERT INTO licenses (serial, order_id, customer_id, product, kind, device, package, term_seq,
                                       key_id, issued_at, not_before, not_after, file_name, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?
            .execute(params![
                serial,
                record.order_id,
                record.customer_id,
                record.product,
                Text(&record.kind),
                device,
                record.package,
                term_seq,
                record.key_id,
                Text(&record.issued_at),
                not_before,
                not_after,
                record.file_name,
                text,
            ])?;
        audit::record_json(self.tx, self.session, "license.issue", &serial, &detail)?;
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
        }
        Ok(())
    })
}

/// What a transaction of issuing produced: the report, and the files to
/// write once it has committed.
pub(crate) type Issued = (IssueReport, Vec<LicenseFile>);

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
        let issued =
            self.write(|tx, s| issue_devices_in(tx, s, &batch, order_id, codes, progress))?;
        self.publish(issued, out)
    }

    /// Writes the files of a committed batch and completes its report.
    pub(crate) fn publish(&self, (report, files): Issued, out: &Path) -> Result<IssueReport> {
        Ok(IssueReport {
            files: staging::publish(out, self.now(), &files)?,
            ..report
        })
    }

    /// What every issue on `order_id` needs: the active key, the product's
    /// features, an output that can be written. Checked before anything is
    /// recorded.
    pub(crate) fn batch(&self, order_id: &str, out: &Path) -> Result<Batch> {
        let product = load_order(self.read(), order_id)?.product;
        staging::check_output(out)?;
        Ok(Batch {
            key: self.signing_key()?,
            features: self.features_of(&product)?,
            trial_days: self.catalog.rules.device_trial_days,
            platform_fee: self.product(&product)?.platform_fee,
        })
    }

    /// Issues the license of a platform order's current term (or returns the
    /// one already issued for it).
    pub fn issue_platform(&mut self, order_id: &str, out: &Path) -> Result<IssueReport> {
        self.platform_license(order_id, out, None)
    }

    /// Renews a platform order by one term and issues its license. Renewed
    /// before the current term ends, the new term starts exactly where it
    /// ends; renewed after it lapsed, the new term starts now. The license
    /// covers the unbroken run of terms that ends with the new one, except
    /// any time a revoked license of the order covered.
    ///
    /// The new term carries the previous term's agreed fee and discount
    /// unless `reprice` names new ones (audited as a re-pricing).
    pub fn renew(&mut self, order_id: &str, out: &Path, reprice: &Reprice) -> Result<IssueReport> {
        if reprice.fee.is_some_and(|f| f < Decimal::ZERO) {
            return Err(DeskError::Input("a platform fee cannot be negative".into()));
        }
        self.platform_license(order_id, out, Some(reprice))
    }

    fn platform_license(
        &mut self,
        order_id: &str,
        out: &Path,
        renew: Option<&Reprice>,
    ) -> Result<IssueReport> {
        let batch = self.batch(order_id, out)?;
        let months = self.catalog.rules.platform_term_months;
        let issued = self.write(|tx, s| {
            let renewal = renew.map(|reprice| Renewal { months, reprice });
            platform_license_in(tx, s, &batch, order_id, renewal)
        })?;
        self.publish(issued, out)
    }
}

/// What issuing on one order needs besides the transaction.
pub(crate) struct Batch {
    key: IssuerKey,
    features: crate::FeatureSet,
    trial_days: u32,
    /// The catalog's platform fee of the order's product: a renewal's fee
    /// for orders made before agreements were recorded.
    platform_fee: Decimal,
}

impl Batch {
    /// Signs licenses of `order` issued at `now`.
    fn signer<'a>(&'a self, order: &'a Order, now: Timestamp) -> Signer<'a> {
        Signer {
            key: &self.key,
            order,
            features: self.features,
            now,
            now_text: now.to_ledger(),
            key_id: self.key.key_id().to_string(),
        }
    }
}

/// Refuses renewing anything but a platform order, and issuing a device
/// order without devices.
fn check_platform_order(order: &Order, renew: bool) -> Result<()> {
    let kind = order.kind;
    if renew && kind != Kind::Platform {
        let why = match kind {
            Kind::Device => "device licenses are perpetual and are not renewed",
            Kind::DeviceTrial | Kind::PlatformTrial => {
                "trials cannot be renewed; create a platform order"
            }
            Kind::Platform => "",
        };
        return Err(DeskError::Refused(format!(
            "order {} is a {kind} order: {why}",
            order.id
        )));
    }
    if kind.is_device_bound() {
        return Err(DeskError::PerDevice {
            order: order.id.clone(),
            kind,
        });
    }
    Ok(())
}

/// The start of the unbroken run of terms that ends with the last one.
fn unbroken_start(terms: &[Term]) -> Option<Timestamp> {
    let mut iter = terms.iter().rev();
    let mut start = iter.next()?.starts_at;
    for term in iter {
        if term.ends_at != start {
            break;
        }
        start = term.starts_at;
    }
    Some(start)
}

/// The latest end of a revoked license of `order` (`None` when none was revoked).
fn revoked_until(tx: &Transaction<'_>, order: &str) -> Result<Option<Timestamp>> {
    scalar(
        tx,
        "SELECT MAX(not_after) FROM licenses WHERE order_id = ?1 AND revoked_at IS NOT NULL",
        [order],
        ("licenses", &format!("of order {order}"), "not_after"),
    )
}

/// A renewal: the term's length and price.
struct Renewal<'a> {
    months: u32,
    reprice: &'a Reprice,
}

/// Issues (or renews, with `renewal`) a platform
/// order's license inside `tx`; its file is written after the commit.
fn platform_license_in(
    tx: &Transaction<'_>,
    s: &Session,
    batch: &Batch,
    order_id: &str,
    renewal: Option<Renewal<'_>>,
) -> Result<Issued> {
    let now = s.now();
    let mut order = load_order(tx, order_id)?;
    check_platform_order(&order, renewal.is_some())?;
    let Some(last) = order.terms.last().cloned() else {
        return Err(DeskError::Refused(format!(
            "order {} has no term",
            order.id
        )));
    };
    if let Some(renewal) = renewal {
        let start = now.max(last.ends_at);
        let end = add_months(start, renewal.months)?;
        let fee = renewal
            .reprice
            .fee
            .or(last.fee)
            .unwrap_or(batch.platform_fee);
        let discount_pct = match renewal.reprice.discount_pct {
            Some(d) => super::orders::discount(Some(d)),
            None => last.discount_pct,
        };
        tx.execute(
            "INSERT INTO terms (order_id, seq, starts_at, ends_at, created_at, fee, discount_pct) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![order.id, last.seq + 1, Text(&start), Text(&end), Text(&now), Text(&fee), discount_pct.as_ref().map(Text)],
        )?;
        let detail = serde_json::json!({
            "term": last.seq + 1, "starts_at": start.to_ledger(), "ends_at": end.to_ledger(),
            "lapsed": now >= last.ends_at,
            "fee": fee.to_ledger(), "discount_pct": discount_pct.map(|d| d.to_string()),
            "repriced": *renewal.reprice != Reprice::default(),
        });
        audit::record(tx, s, "order.renew", &order.id, &detail)?;
        order = load_order(tx, order_id)?;
    }
    let Some(term) = order.terms.last().cloned() else {
        return Err(DeskError::Refused(format!(
            "order {} has no term",
            order.id
        )));
    };
    if now >= term.ends_at {
        return Err(DeskError::TermEnded {
            order: order.id.clone(),
            trial: order.kind.is_trial(),
            ended: term.ends_at,
        });
    }
    let issued: Option<String> = tx
        .query_row(
            "SELECT serial FROM licenses WHERE order_id = ?1 AND term_seq = ?2 ORDER BY revoked_at IS NULL DESC LIMIT 1",
            params![order.id, term.seq],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(serial) = issued {
        let mut record = load_license(tx, &serial, now)?;
        if record.revoked_at.is_some() {
            return Err(DeskError::Refused(format!(
                "the license {serial} of this term was revoked; nothing issued"
            )));
        }
        let file = LicenseFile {
            name: record.file_name.clone(),
            text: record.text.take().unwrap_or_default(),
        };
        let report = IssueReport {
            order_id: order.id.clone(),
            issued: vec![],
            existing: vec![record],
            files: vec![],
        };
        return Ok((report, vec![file]));
    }
    // The license covers the unbroken run of terms that ends with this one,
    // but never time that a revoked license of the order covered.
    let chain_start = unbroken_start(&order.terms).unwrap_or(term.starts_at);
    let start = match revoked_until(tx, &order.id)? {
        Some(until) if until > chain_start => until,
        _ => chain_start,
    };
    if start >= term.ends_at {
        return Err(DeskError::Refused(format!(
            "a revoked license of order {} covers term {} to its end; nothing issued",
            order.id, term.seq
        )));
    }
    let package = order.package.clone().unwrap_or_default();
    let binding = Binding::Package {
        name: package,
        cert_sha256: order.cert_sha256,
    };
    let signed = batch
        .signer(&order, now)
        .sign(binding, start, Some(term.ends_at))?;
    let (record, file) = Recorder { tx, session: s }.record(signed, Some(term.seq))?;
    let report = IssueReport {
        order_id: order.id.clone(),
        issued: vec![record],
        existing: vec![],
        files: vec![],
    };
    Ok((report, vec![file]))
}

/// The license a device holds or held on an order: its serial, and whether
/// it is live (not revoked). Two indexed lookups, whatever the order's size:
/// the live license (unique per device and order), else a revoked one.
fn device_license(
    tx: &Transaction<'_>,
    order: &str,
    code: &DeviceCode,
    any_revoked: bool,
) -> Result<Option<(String, bool)>> {
    let lookups: &[(&str, bool)] = if any_revoked {
        &[(LIVE_DEVICE_SQL, true), (REVOKED_DEVICE_SQL, false)]
    } else {
        &[(LIVE_DEVICE_SQL, true)]
    };
    for &(sql, live) in lookups {
        let serial: Option<String> = tx
            .prepare_cached(sql)?
            .query_row(params![order, Text(code)], |r| r.get(0))
            .optional()?;
        if let Some(serial) = serial {
            return Ok(Some((serial, live)));
        }
    }
    Ok(None)
}

/// A device's live license on an order (index `licenses_one_live_per_device`).
const LIVE_DEVICE_SQL: &str = "SELECT serial FROM licenses
     WHERE order_id = ?1 AND device = ?2 AND device IS NOT NULL AND revoked_at IS NULL";
/// Whether an order has any revoked device license (index `licenses_revoked_device`).
const ANY_REVOKED_DEVICE_SQL: &str = "SELECT EXISTS (SELECT 1 FROM licenses
     WHERE order_id = ?1 AND device IS NOT NULL AND revoked_at IS NOT NULL)";
/// A device's revoked license on an order (index `licenses_revoked_device`).
const REVOKED_DEVICE_SQL: &str = "SELECT serial FROM licenses
     WHERE order_id = ?1 AND device = ?2 AND device IS NOT NULL AND revoked_at IS NOT NULL LIMIT 1";

/// Issues device licenses inside `tx` (see [`Desk::issue_devices`]); the
/// returned files are written by the caller after the commit.
///
/// Signing starts at once for every device while this thread looks the
/// devices up and checks the seats (signing is what takes the time);
/// licenses signed for devices that turn out to be licensed already are
/// dropped unrecorded — they never leave memory.
pub(crate) fn issue_devices_in(
    tx: &Transaction<'_>,
    s: &Session,
    batch: &Batch,
    order_id: &str,
    codes: &[DeviceCode],
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Issued> {
    let now = s.now();
    let order = load_order(tx, order_id)?;
    let kind = order.kind;
    if !kind.is_device_bound() {
        return Err(DeskError::Refused(format!(
            "order {} is a {kind} order: it is issued without devices",
            order.id
        )));
    }
    let codes = dedup(codes.to_vec());
    let (not_before, not_after) = if kind == Kind::DeviceTrial {
        trial_window(tx, batch, &order, now)?
    } else {
        (now, None)
    };
    let signer = batch.signer(&order, now);
    let recorder = Recorder { tx, session: s };
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
    tx: &Transaction<'_>,
    order: &Order,
    codes: &[DeviceCode],
    trial_end: Option<Timestamp>,
    now: Timestamp,
) -> Result<Checked> {
    let mut existing = Vec::new();
    let mut licensed = std::collections::HashSet::new();
    let any_revoked: bool = tx.query_row(ANY_REVOKED_DEVICE_SQL, [&order.id], |r| r.get(0))?;
    for code in codes {
        match device_license(tx, &order.id, code, any_revoked)? {
            Some((serial, true)) => {
                existing.push(load_license(tx, &serial, now)?);
                licensed.insert(*code);
            }
            Some((serial, false)) => {
                return Err(DeskError::Refused(format!(
                    "device {code} had license {serial} on order {} and it was revoked; nothing issued",
                    order.id
                )));
            }
            None => {}
        }
    }
    let new = (codes.len() - existing.len()) as u64;
    let free = order.seats_free.unwrap_or(0);
    if new > free {
        return Err(DeskError::Refused(format!(
            "order {} has {free} free seat(s) of {}; this needs {new} new (and {} already issued); nothing issued",
            order.id,
            order.devices.unwrap_or(0),
            existing.len()
        )));
    }
    if let (Some(end), true) = (trial_end, new > 0) {
        if now >= end {
            return Err(DeskError::Refused(format!(
                "the trial on order {} ended at {end}; nothing issued",
                order.id
            )));
        }
        if order.trial_ends_at.is_none() {
            tx.execute(
                "UPDATE orders SET trial_ends_at = ?1 WHERE id = ?2",
                params![Text(&end), order.id],
            )?;
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
    tx: &Transaction<'_>,
    batch: &Batch,
    order: &Order,
    now: Timestamp,
) -> Result<(Timestamp, Option<Timestamp>)> {
    let first: Option<Timestamp> = scalar(
        tx,
        "SELECT MIN(not_before) FROM licenses WHERE order_id = ?1",
        [&order.id],
        ("licenses", &format!("of order {}", order.id), "not_before"),
    )?;
    let end = order
        .trial_ends_at
        .unwrap_or_else(|| add_days(now, batch.trial_days));
    Ok((first.map_or(now, |start| start.max(now)), Some(end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_device_lookups_use_indexes_not_a_scan_of_the_order() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        super::super::schema::migrate(&mut conn).unwrap();
        for (sql, index) in [
            (LIVE_DEVICE_SQL, "licenses_one_live_per_device"),
            (REVOKED_DEVICE_SQL, "licenses_revoked_device"),
            (ANY_REVOKED_DEVICE_SQL, "licenses_revoked_device"),
        ] {
            let plan: Vec<String> = conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap()
                .query_map(
                    rusqlite::params_from_iter(
                        ["O-000001", "QMAF-H018-2RQD-2S2M"]
                            .iter()
                            .take(sql.matches('?').count()),
                    ),
                    |r| r.get(3),
                )
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let plan = plan.join("; ");
            assert!(
                plan.contains(&format!("INDEX {index} (order_id=?")),
                "{plan}"
            );
            assert!(!plan.contains("SCAN licenses"), "{plan}");
        }
    }

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
