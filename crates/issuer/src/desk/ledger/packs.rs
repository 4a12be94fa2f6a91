//! The packs, pack_uses and pack_expiries tables: prepaid packs of
//! metered calls and what consumed or expired them.

use rusqlite::{OptionalExtension as _, params};

use super::fields::{Fields, LedgerText as _};
use super::{Db, Result, Tx};
use crate::desk::{InputError, PackOrigin, PackRecord, PackStatus};
use facelic_invoice::dates::Date;
use facelic_invoice::usage::PackBalance;
use facelic_invoice::{Decimal, PriceSource};

const COLUMNS: &str =
    "p.id, p.customer_id, p.product, p.calls, p.price, p.price_list, p.bought_on, p.last_day,
     p.origin, p.invoice, p.refund_note,
     (SELECT IFNULL(SUM(u.calls), 0) FROM pack_uses u WHERE u.pack_id = p.id) AS used,
     (SELECT unused FROM pack_expiries e WHERE e.pack_id = p.id) AS expired";

fn pack_from(r: &rusqlite::Row<'_>, today: Date) -> rusqlite::Result<PackRecord> {
    let f = Fields::new(r, "packs", "id")?;
    let calls = f.count("calls")?;
    let used = f.count("used")?;
    let last_day: Date = f.get("last_day")?;
    let refund_note: Option<String> = f.plain("refund_note")?;
    let origin = match f.plain::<String>("origin")?.as_str() {
        "sale" => PackOrigin::Sale,
        "trial" => PackOrigin::Trial,
        _ => return Err(f.corrupt_text("origin", "sale or trial")),
    };
    let left = calls.saturating_sub(used);
    let status = if refund_note.is_some() {
        PackStatus::Refunded
    } else if left == 0 {
        PackStatus::Exhausted
    } else if today > last_day {
        PackStatus::Expired
    } else {
        PackStatus::Active
    };
    let recorded_expiry = f.opt_count("expired")?;
    Ok(PackRecord {
        id: f.plain("id")?,
        customer_id: f.plain("customer_id")?,
        product: f.plain("product")?,
        calls,
        used,
        remaining: if status == PackStatus::Active {
            left
        } else {
            0
        },
        price: f.get("price")?,
        price_list: PriceSource::parse(&f.plain::<String>("price_list")?),
        bought_on: f.get("bought_on")?,
        last_day,
        origin,
        invoice: f.plain("invoice")?,
        status,
        expired_unused: match status {
            PackStatus::Expired => recorded_expiry.unwrap_or(left),
            _ => 0,
        },
        refund_note,
        low: false,
    })
}

/// A customer's packs of the products in `products` that can still cover
/// calls on or after `from`, with their balances (for a usage run).
pub(crate) fn balances(
    db: &Db,
    customer_id: &str,
    products: &[&str],
    from: Date,
) -> Result<Vec<PackBalance>> {
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, (SELECT IFNULL(SUM(u.calls), 0) FROM pack_uses u \
            WHERE u.pack_id = p.id AND u.last_day < ?2) AS used_before \
            FROM packs p WHERE p.customer_id = ?1 AND p.refund_note IS NULL AND \
            p.last_day >= ?2 ORDER BY p.seq"
    ))?;
    // Uses on or after `from` (days of this month a daily run billed
    // already) are billed again by the month's computation, and skipped.
    let rows = stmt
        .query_map(params![customer_id, from.to_ledger()], |r| {
            let used_before = Fields::new(r, "packs", "id")?.count("used_before")?;
            Ok((pack_from(r, from)?, used_before))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows
        .into_iter()
        .filter(|(p, _)| products.contains(&p.product.as_str()))
        .map(|(p, used_before)| PackBalance {
            remaining: p.calls.saturating_sub(used_before),
            id: p.id,
            product: p.product,
            bought_on: p.bought_on,
            last_day: p.last_day,
        })
        .collect())
}

/// A pack as it is recorded.
pub(crate) struct NewRow<'a> {
    /// Customer id.
    pub(crate) customer_id: &'a str,
    /// Product id.
    pub(crate) product: &'a str,
    /// Calls it holds.
    pub(crate) calls: u64,
    /// Its price.
    pub(crate) price: Decimal,
    /// The price list the price came from.
    pub(crate) price_list: &'a PriceSource,
    /// Purchase day.
    pub(crate) bought_on: Date,
    /// Last day its calls may be used.
    pub(crate) last_day: Date,
    /// The statement it was sold on (none: a trial pack).
    pub(crate) invoice: Option<&'a str>,
}

/// The sequence number and id (`PK-000001`) the next pack recorded gets.
pub(crate) fn next_id(db: &Db) -> Result<(i64, String)> {
    let seq: i64 = db
        .conn
        .query_row("SELECT IFNULL(MAX(seq), 0) + 1 FROM packs", [], |r| {
            r.get(0)
        })?;
    Ok((seq, format!("PK-{seq:06}")))
}

/// Records a pack under the next id ([`next_id`]); returns the id.
pub(crate) fn insert(tx: &Tx<'_>, p: &NewRow<'_>) -> Result<String> {
    let (seq, id) = next_id(tx)?;
    let calls = i64::try_from(p.calls).map_err(|_| InputError::TooMany(p.calls))?;
    tx.tx.execute(
        "INSERT INTO packs (seq, id, customer_id, product, calls, price, price_list, bought_on, \
            last_day, origin, invoice, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            seq,
            id,
            p.customer_id,
            p.product,
            calls,
            p.price.to_ledger(),
            p.price_list.as_str(),
            p.bought_on.to_ledger(),
            p.last_day.to_ledger(),
            if p.invoice.is_some() { "sale" } else { "trial" },
            p.invoice,
            tx.now().to_ledger()
        ],
    )?;
    Ok(id)
}

/// One pack by id (exact), its status as of `today`.
pub(crate) fn by_id(db: &Db, id: &str, today: Date) -> Result<Option<PackRecord>> {
    Ok(db
        .conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM packs p WHERE p.id = ?1"),
            [id],
            |r| pack_from(r, today),
        )
        .optional()?)
}

/// The packs, oldest first (only `customer`'s when given), their status
/// as of `today`.
pub(crate) fn of_customer(db: &Db, customer: Option<&str>, today: Date) -> Result<Vec<PackRecord>> {
    let mut stmt = db.conn.prepare(&format!(
        "SELECT {COLUMNS} FROM packs p WHERE ?1 IS NULL OR p.customer_id = ?1 ORDER BY p.seq"
    ))?;
    let packs = stmt
        .query_map([customer], |r| pack_from(r, today))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(packs)
}

/// Marks pack `id` refunded by credit note `note`, now.
pub(crate) fn set_refunded(tx: &Tx<'_>, id: &str, note: &str) -> Result<()> {
    tx.tx.execute(
        "UPDATE packs SET refunded_at = ?1, refund_note = ?2 WHERE id = ?3",
        params![tx.now().to_ledger(), note, id],
    )?;
    Ok(())
}
