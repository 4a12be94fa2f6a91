//! The licenses table: recording signed licenses, looking them up, and
//! marking them revoked or replaced.

use rusqlite::{OptionalExtension as _, Row, params};

use super::fields::{Fields, Text, scalar};
use super::{Db, Result, Tx};
use crate::desk::{LicenseRecord, LicenseStatus};
use crate::{DeviceCode, Serial, Timestamp};

/// The columns [`from_row`] reads.
const COLUMNS: &str =
    "serial, order_id, customer_id, product, kind, device, package, key_id, issued_at,
                       not_before, not_after, revoked_at, revoke_reason, replaced_by, file_name";

/// Reads one license row; its status as of `now`.
fn from_row(r: &Row<'_>, now: Timestamp) -> rusqlite::Result<LicenseRecord> {
    let f = Fields::new(r, "licenses", "serial")?;
    let not_before = f.get("not_before")?;
    let not_after = f.opt("not_after")?;
    let revoked_at = f.opt("revoked_at")?;
    let replaced_by = f.opt("replaced_by")?;
    Ok(LicenseRecord {
        serial: f.get("serial")?,
        status: LicenseStatus::of(
            revoked_at.is_some(),
            replaced_by.is_some(),
            not_before,
            not_after,
            now,
        ),
        order_id: f.plain("order_id")?,
        customer_id: f.plain("customer_id")?,
        product: f.plain("product")?,
        kind: f.get("kind")?,
        device: f.opt("device")?,
        package: f.plain("package")?,
        key_id: f.plain("key_id")?,
        issued_at: f.get("issued_at")?,
        not_before,
        not_after,
        revoked_at,
        revoke_reason: f.plain("revoke_reason")?,
        replaced_by,
        file_name: f.plain("file_name")?,
        text: None,
    })
}

/// The license with this serial (canonical spelling), with its text.
pub(crate) fn by_serial(db: &Db, serial: &str, now: Timestamp) -> Result<Option<LicenseRecord>> {
    Ok(db
        .conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, text FROM licenses WHERE serial = ?1"
        ))?
        .query_row([serial], |r| {
            let mut rec = from_row(r, now)?;
            rec.text = Some(Fields::new(r, "licenses", "serial")?.plain("text")?);
            Ok(rec)
        })
        .optional()?)
}

/// Which licenses [`matching`] lists (every field given narrows it).
#[derive(Debug, Default)]
pub(crate) struct Selection<'a> {
    /// Only this customer's (id).
    pub(crate) customer: Option<&'a str>,
    /// Only this product's.
    pub(crate) product: Option<&'a str>,
    /// Only this order's.
    pub(crate) order: Option<&'a str>,
    /// Only live licenses whose `not_after` is in `(from, until]`.
    pub(crate) expiring: Option<(Timestamp, Timestamp)>,
    /// At most this many.
    pub(crate) limit: Option<usize>,
}

/// The licenses of `selection`, newest first; their status as of `now`.
pub(crate) fn matching(
    db: &Db,
    selection: &Selection<'_>,
    now: Timestamp,
) -> Result<Vec<LicenseRecord>> {
    // Only the filters given go into the WHERE clause, so SQLite can use
    // the matching index (customer, order, product, or not_after).
    let mut clauses: Vec<&str> = Vec::new();
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(c) = selection.customer {
        clauses.push("customer_id = ?");
        values.push(c.to_owned().into());
    }
    if let Some(p) = selection.product {
        clauses.push("product = ?");
        values.push(p.to_owned().into());
    }
    if let Some(o) = selection.order {
        clauses.push("order_id = ?");
        values.push(o.to_owned().into());
    }
    if let Some((from, until)) = selection.expiring {
        clauses.push(
            "not_after IS NOT NULL AND revoked_at IS NULL AND not_after > ? AND not_after <= ?",
        );
        values.push(from.to_string().into());
        values.push(until.to_string().into());
    }
    let condition = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let limit = selection
        .limit
        .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
    values.push(limit.into());
    let sql = format!(
        "SELECT {COLUMNS} FROM licenses {condition} ORDER BY issued_at DESC, rowid DESC LIMIT ?"
    );
    let mut stmt = db.conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| from_row(r, now))?;
    Ok(rows.collect::<Result<_, _>>()?)
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

/// Whether any device license of `order` was revoked.
pub(crate) fn any_device_revoked(db: &Db, order: &str) -> Result<bool> {
    Ok(db
        .conn
        .query_row(ANY_REVOKED_DEVICE_SQL, [order], |r| r.get(0))?)
}

/// The license a device holds or held on an order: its serial, and whether
/// it is live (not revoked). Two indexed lookups, whatever the order's size:
/// the live license (unique per device and order), else a revoked one
/// (only looked for when `any_revoked`).
pub(crate) fn of_device(
    db: &Db,
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
        let serial: Option<String> = db
            .conn
            .prepare_cached(sql)?
            .query_row(params![order, Text(code)], |r| r.get(0))
            .optional()?;
        if let Some(serial) = serial {
            return Ok(Some((serial, live)));
        }
    }
    Ok(None)
}

/// The earliest start of a license of `order`.
pub(crate) fn first_start(db: &Db, order: &str) -> Result<Option<Timestamp>> {
    scalar(
        db,
        "SELECT MIN(not_before) FROM licenses WHERE order_id = ?1",
        [order],
        ("licenses", &format!("of order {order}"), "not_before"),
    )
}

/// The latest end of a revoked (not replaced) license of `order`.
pub(crate) fn revoked_until(db: &Db, order: &str) -> Result<Option<Timestamp>> {
    scalar(
        db,
        "SELECT MAX(not_after) FROM licenses WHERE order_id = ?1 AND revoked_at IS NOT NULL AND replaced_by IS NULL",
        [order],
        ("licenses", &format!("of order {order}"), "not_after"),
    )
}

/// The license of term `term` of a platform order, a live one first.
pub(crate) fn of_term(db: &Db, order: &str, term: i64) -> Result<Option<String>> {
    Ok(db
        .conn
        .query_row(
            "SELECT serial FROM licenses WHERE order_id = ?1 AND term_seq = ?2 ORDER BY \
                revoked_at IS NULL DESC LIMIT 1",
            params![order, term],
            |r| r.get(0),
        )
        .optional()?)
}

/// Sets the end of a device trial (its first license sets it).
pub(crate) fn set_trial_end(tx: &Tx<'_>, order: &str, end: Timestamp) -> Result<()> {
    tx.tx.execute(
        "UPDATE orders SET trial_ends_at = ?1 WHERE id = ?2",
        params![Text(&end), order],
    )?;
    Ok(())
}

/// A signed license as it is recorded: the record, and the stored forms
/// its signing thread already wrote.
pub(crate) struct NewLicense<'a> {
    /// What the desk shows of it.
    pub(crate) record: &'a LicenseRecord,
    /// Its serial, stored form.
    pub(crate) serial: &'a str,
    /// Its device code, stored form.
    pub(crate) device: Option<&'a str>,
    /// The platform term it covers.
    pub(crate) term_seq: Option<i64>,
    /// Start, stored form.
    pub(crate) not_before: &'a str,
    /// End, stored form.
    pub(crate) not_after: Option<&'a str>,
    /// The license text.
    pub(crate) text: &'a str,
}

/// Records the signed licenses of one batch: the license row and its
/// `license.issue` audit row each, through statements prepared once.
pub(crate) struct Recording<'t> {
    tx: &'t Tx<'t>,
    license: rusqlite::CachedStatement<'t>,
    audit: rusqlite::CachedStatement<'t>,
    at: String,
}

impl<'t> Recording<'t> {
    /// Prepares the batch's statements.
    pub(crate) fn start(tx: &'t Tx<'t>) -> Result<Self> {
        Ok(Recording {
            tx,
            license: tx.tx.prepare_cached(
                "INSERT INTO licenses (serial, order_id, customer_id, product, kind, device, package,
                                       term_seq, key_id, issued_at, not_before, not_after, file_name, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?,
            audit: tx.tx.prepare_cached(super::audit::INSERT)?,
            at: tx.now().to_string(),
        })
    }

    /// Records one signed license and its audit row (`detail`, JSON).
    pub(crate) fn insert(&mut self, l: &NewLicense<'_>, detail: &str) -> Result<()> {
        self.license.execute(params![
            l.serial,
            l.record.order_id,
            l.record.customer_id,
            l.record.product,
            Text(&l.record.kind),
            l.device,
            l.record.package,
            l.term_seq,
            l.record.key_id,
            Text(&l.record.issued_at),
            l.not_before,
            l.not_after,
            l.record.file_name,
            l.text,
        ])?;
        self.audit.execute(params![
            self.at,
            self.tx.session().operator(),
            "license.issue",
            l.serial,
            detail
        ])?;
        Ok(())
    }
}

/// Marks `serial` revoked at the write's now, for `reason`.
pub(crate) fn revoke(tx: &Tx<'_>, serial: &Serial, reason: &str) -> Result<()> {
    tx.tx.execute(
        "UPDATE licenses SET revoked_at = ?1, revoke_reason = ?2 WHERE serial = ?3",
        params![Text(&tx.now()), reason, Text(serial)],
    )?;
    Ok(())
}

/// Marks `serial` revoked for `reason` with its seat released: it points
/// at itself until [`link_replacement`] names the license that took over.
pub(crate) fn release(tx: &Tx<'_>, serial: &Serial, reason: &str) -> Result<()> {
    tx.tx.execute(
        "UPDATE licenses SET revoked_at = ?1, revoke_reason = ?2, replaced_by = serial WHERE serial = ?3",
        params![Text(&tx.now()), reason, Text(serial)],
    )?;
    Ok(())
}

/// Links a released license to its replacement (and, given, a new reason).
pub(crate) fn link_replacement(
    tx: &Tx<'_>,
    old: &Serial,
    new: &Serial,
    reason: Option<&str>,
) -> Result<()> {
    tx.tx.execute(
        "UPDATE licenses SET replaced_by = ?1, revoke_reason = IFNULL(?2, revoke_reason)
         WHERE serial = ?3",
        params![Text(new), reason, Text(old)],
    )?;
    Ok(())
}

/// The products of the live licenses `key_id` signed.
pub(crate) fn products_signed_by(db: &Db, key_id: &str) -> Result<Vec<String>> {
    let mut stmt = db.conn.prepare(
        "SELECT DISTINCT product FROM licenses WHERE key_id = ?1 AND revoked_at IS NULL",
    )?;
    let products = stmt
        .query_map([key_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(products)
}

/// Every revoked serial, in order.
pub(crate) fn revoked_serials(db: &Db) -> Result<Vec<Serial>> {
    let mut stmt = db
        .conn
        .prepare("SELECT serial FROM licenses WHERE revoked_at IS NOT NULL ORDER BY serial")?;
    let serials = stmt
        .query_map([], |r| Fields::new(r, "licenses", "serial")?.get("serial"))?
        .collect::<Result<_, _>>()?;
    Ok(serials)
}

/// The licenses of `key_id` that a reissue (revoke `reason`) replaced, and
/// their replacements, in the order they were issued.
pub(crate) fn reissued_by(db: &Db, key_id: &str, reason: &str) -> Result<Vec<(Serial, Serial)>> {
    let mut stmt = db.conn.prepare(
        "SELECT serial, replaced_by FROM licenses
         WHERE key_id = ?1 AND revoke_reason = ?2 AND replaced_by IS NOT NULL
           AND replaced_by != serial ORDER BY rowid",
    )?;
    let rows = stmt.query_map(params![key_id, reason], |r| {
        let f = Fields::new(r, "licenses", "serial")?;
        Ok((f.get("serial")?, f.get("replaced_by")?))
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
}

/// A license that a reissue signs again.
pub(crate) struct Live {
    /// Its serial.
    pub(crate) serial: Serial,
    /// Its order.
    pub(crate) order_id: String,
    /// Its device (device orders).
    pub(crate) device: Option<DeviceCode>,
    /// The platform term it covers.
    pub(crate) term_seq: Option<i64>,
    /// Start.
    pub(crate) not_before: Timestamp,
    /// End.
    pub(crate) not_after: Option<Timestamp>,
}

/// The unrevoked licenses `key_id` signed, in the order they were issued.
pub(crate) fn unrevoked_signed_by(db: &Db, key_id: &str) -> Result<Vec<Live>> {
    let mut stmt = db.conn.prepare(
        "SELECT serial, order_id, device, term_seq, not_before, not_after FROM licenses
         WHERE key_id = ?1 AND revoked_at IS NULL ORDER BY rowid",
    )?;
    let rows = stmt.query_map([key_id], |r| {
        let f = Fields::new(r, "licenses", "serial")?;
        Ok(Live {
            serial: f.get("serial")?,
            order_id: f.plain("order_id")?,
            device: f.opt("device")?,
            term_seq: f.plain("term_seq")?,
            not_before: f.get("not_before")?,
            not_after: f.opt("not_after")?,
        })
    })?;
    Ok(rows.collect::<std::result::Result<_, _>>()?)
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
}
