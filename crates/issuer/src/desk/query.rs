//! Looking licenses up.

use rusqlite::{Connection, OptionalExtension as _, Row};
use serde::Serialize;

use super::{Desk, DeskError, Result};
use crate::Timestamp;

/// A license as the ledger records it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LicenseRecord {
    /// Serial (UUID).
    pub serial: String,
    /// `active`, `not-yet-valid`, `expired`, `revoked` or `replaced` (as of the desk's now).
    pub status: String,
    /// Order id.
    pub order_id: String,
    /// Customer id.
    pub customer_id: String,
    /// Product id.
    pub product: String,
    /// Kind of license.
    pub kind: String,
    /// Bound device code (device kinds).
    pub device: Option<String>,
    /// Bound package name (platform kinds).
    pub package: Option<String>,
    /// Id of the key that signed it.
    pub key_id: String,
    /// When it was issued.
    pub issued_at: String,
    /// Start of validity.
    pub not_before: String,
    /// End of validity (exclusive); `None` for perpetual.
    pub not_after: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
    /// Why it was revoked.
    pub revoke_reason: Option<String>,
    /// Serial of the license that took over its seat.
    pub replaced_by: Option<String>,
    /// File name it is written under.
    pub file_name: String,
    /// The license text (only when one license is looked up).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

const COLUMNS: &str =
    "serial, order_id, customer_id, product, kind, device, package, key_id, issued_at,
                       not_before, not_after, revoked_at, revoke_reason, replaced_by, file_name";

fn from_row(r: &Row<'_>, now: Timestamp) -> rusqlite::Result<LicenseRecord> {
    let not_before: String = r.get(9)?;
    let not_after: Option<String> = r.get(10)?;
    let revoked_at: Option<String> = r.get(11)?;
    let replaced_by: Option<String> = r.get(13)?;
    let now = now.to_string();
    let status = if replaced_by.is_some() {
        "replaced"
    } else if revoked_at.is_some() {
        "revoked"
    } else if not_after.as_deref().is_some_and(|end| end <= now.as_str()) {
        "expired"
    } else if not_before.as_str() > now.as_str() {
        "not-yet-valid"
    } else {
        "active"
    };
    Ok(LicenseRecord {
        serial: r.get(0)?,
        status: status.to_owned(),
        order_id: r.get(1)?,
        customer_id: r.get(2)?,
        product: r.get(3)?,
        kind: r.get(4)?,
        device: r.get(5)?,
        package: r.get(6)?,
        key_id: r.get(7)?,
        issued_at: r.get(8)?,
        not_before,
        not_after,
        revoked_at,
        revoke_reason: r.get(12)?,
        replaced_by,
        file_name: r.get(14)?,
        text: None,
    })
}

/// Loads one license with its text.
pub(crate) fn load_license(
    conn: &Connection,
    serial: &str,
    now: Timestamp,
) -> Result<LicenseRecord> {
    let serial = serial.trim().to_ascii_lowercase();
    let found = conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS}, text FROM licenses WHERE serial = ?1"
        ))?
        .query_row([&serial], |r| {
            let mut rec = from_row(r, now)?;
            rec.text = Some(r.get(15)?);
            Ok(rec)
        })
        .optional()?;
    found.ok_or_else(|| DeskError::NotFound(format!("no license {serial:?}")))
}

/// Which licenses to list.
#[derive(Debug, Clone, Default)]
pub struct LicenseFilter {
    /// Only this customer's (id or exact name).
    pub customer: Option<String>,
    /// Only this product's.
    pub product: Option<String>,
    /// Only this order's.
    pub order: Option<String>,
    /// Only live licenses whose `not-after` falls within this many seconds from now.
    pub expiring_within_secs: Option<i64>,
    /// At most this many (newest first); `None` for all.
    pub limit: Option<usize>,
}

impl Desk {
    /// One license, with its text.
    pub fn license(&self, serial: &str) -> Result<LicenseRecord> {
        load_license(self.read(), serial, self.now())
    }

    /// Licenses matching `filter`, newest first.
    pub fn licenses(&self, filter: &LicenseFilter) -> Result<Vec<LicenseRecord>> {
        let customer = filter
            .customer
            .as_deref()
            .map(|c| self.customer(c))
            .transpose()?
            .map(|c| c.id);
        let now = self.now();
        let (from, until) = match filter.expiring_within_secs {
            Some(secs) => (
                Some(now.to_string()),
                Some(now.saturating_add(secs).to_string()),
            ),
            None => (None, None),
        };
        let limit = filter
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        // Only the filters given go into the WHERE clause, so SQLite can use
        // the matching index (customer, order, product, or not_after).
        let mut clauses: Vec<&str> = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(c) = customer {
            clauses.push("customer_id = ?");
            values.push(c.into());
        }
        if let Some(p) = &filter.product {
            clauses.push("product = ?");
            values.push(p.clone().into());
        }
        if let Some(o) = &filter.order {
            clauses.push("order_id = ?");
            values.push(o.trim().to_owned().into());
        }
        if let (Some(from), Some(until)) = (from, until) {
            clauses.push(
                "not_after IS NOT NULL AND revoked_at IS NULL AND not_after > ? AND not_after <= ?",
            );
            values.push(from.into());
            values.push(until.into());
        }
        let condition = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        values.push(limit.into());
        let sql = format!(
            "SELECT {COLUMNS} FROM licenses {condition} ORDER BY issued_at DESC, rowid DESC LIMIT ?"
        );
        let mut stmt = self.read().prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), |r| from_row(r, now))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
