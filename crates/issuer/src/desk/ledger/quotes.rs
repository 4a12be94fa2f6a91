//! The quotes table: saved price offers, and the order made from each.

use rusqlite::{OptionalExtension as _, params};

use super::fields::{Fields, Text};
use super::{Db, Result, Tx};
use crate::Timestamp;
use crate::desk::Quote;
use facelic_invoice::dates::{Date, TimeZone};
use facelic_invoice::pricing::LinePrice;

/// The quote with this number (exact); its date is its creation's day in
/// `zone`.
pub(crate) fn by_number(db: &Db, number: &str, zone: TimeZone) -> Result<Option<Quote>> {
    Ok(db
        .conn
        .query_row(
            "SELECT q.number, q.customer_id, c.name AS customer_name, q.product, q.kind, q.devices,
                    q.price, q.price_version, q.created_at, q.valid_until,
                    (SELECT id FROM orders WHERE quote_number = q.number) AS used_by
             FROM quotes q JOIN customers c ON c.id = q.customer_id WHERE q.number = ?1",
            [number],
            |r| {
                let f = Fields::new(r, "quotes", "number")?;
                let created_at: Timestamp = f.get("created_at")?;
                Ok(Quote {
                    number: f.plain("number")?,
                    customer_id: f.plain("customer_id")?,
                    customer_name: f.plain("customer_name")?,
                    product: f.plain("product")?,
                    kind: f.plain("kind")?,
                    devices: f.opt_count("devices")?,
                    price: super::orders::price_from(&f, "price", "price_version")?,
                    created_at,
                    date: zone.date(created_at),
                    valid_until: f.get("valid_until")?,
                    order: f.plain("used_by")?,
                })
            },
        )
        .optional()?)
}

/// Every quote's number, oldest first.
pub(crate) fn numbers(db: &Db) -> Result<Vec<String>> {
    let numbers = db
        .conn
        .prepare("SELECT number FROM quotes ORDER BY seq")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(numbers)
}

/// A quote as it is saved.
pub(crate) struct NewRow<'a> {
    /// Its number in the year's sequence.
    pub(crate) seq: i64,
    /// Its number, `Q-2026-000001`.
    pub(crate) number: &'a str,
    /// Customer id.
    pub(crate) customer: &'a str,
    /// Product id.
    pub(crate) product: &'a str,
    /// Devices (a device quote) or none (a platform quote).
    pub(crate) devices: Option<u64>,
    /// The price offered.
    pub(crate) price: &'a LinePrice,
    /// Last day it may be accepted.
    pub(crate) valid_until: Date,
}

/// Saves a quote, made now.
pub(crate) fn insert(tx: &Tx<'_>, q: &NewRow<'_>) -> Result<()> {
    let price = serde_json::to_string(q.price)?;
    tx.tx.execute(
        "INSERT INTO quotes (seq, number, customer_id, product, kind, devices, price, created_at,
                             valid_until, price_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            q.seq,
            q.number,
            q.customer,
            q.product,
            if q.devices.is_some() {
                "device"
            } else {
                "platform"
            },
            q.devices.map(|d| d as i64),
            price,
            Text(&tx.now()),
            Text(&q.valid_until),
            super::orders::PRICE_VERSION,
        ],
    )?;
    Ok(())
}
