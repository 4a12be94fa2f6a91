//! The orders and terms tables: an order with its seat accounting (from
//! the licenses table) and its platform terms.

use rusqlite::{OptionalExtension as _, params};

use super::fields::{Fields, Text};
use super::{Db, Result, Tx};
use crate::Kind;
use crate::desk::{Order, Term};
use facelic_invoice::pricing::LinePrice;

/// The shape of stored prices (`orders.agreed`, `quotes.price`: a
/// [`LinePrice`] as JSON) this build reads and writes; the version is
/// stored beside each (`agreed_version`, `price_version`).
pub(crate) const PRICE_VERSION: i64 = 1;

/// Reads the stored price in `column`, of the version in `version`.
pub(crate) fn price_from(
    f: &Fields<'_, '_>,
    column: &str,
    version: &str,
) -> rusqlite::Result<LinePrice> {
    match f.plain::<i64>(version)? {
        PRICE_VERSION => f.json(column),
        _ => Err(f.corrupt_text(version, "a price version this facelic reads (1)")),
    }
}

/// An order as it is first recorded.
pub(crate) struct NewRow<'a> {
    /// Customer id.
    pub(crate) customer: &'a str,
    /// Product id.
    pub(crate) product: &'a str,
    /// License kind.
    pub(crate) kind: Kind,
    /// Seats (device orders).
    pub(crate) devices: Option<u64>,
    /// Android package (platform orders).
    pub(crate) package: Option<&'a str>,
    /// Signing-certificate digest the package is pinned to.
    pub(crate) cert_sha256: Option<&'a [u8; 32]>,
    /// The agreed price, as JSON.
    pub(crate) agreed: Option<&'a str>,
    /// The quote the order was made from.
    pub(crate) quote: Option<&'a str>,
}

/// The earlier order of `kind` for this customer and product, if any (its
/// id and when it was made): a trial is taken once.
pub(crate) fn first_of_kind(
    db: &Db,
    customer: &str,
    product: &str,
    kind: Kind,
) -> Result<Option<(String, String)>> {
    Ok(db
        .conn
        .query_row(
            "SELECT id, created_at FROM orders WHERE customer_id = ?1 AND product = ?2 AND kind = ?3",
            params![customer, product, kind.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Records a new order, numbered next (`O-000001`, …); returns its id.
pub(crate) fn insert(tx: &Tx<'_>, row: &NewRow<'_>) -> Result<String> {
    let seq: i64 = tx
        .tx
        .query_row("SELECT IFNULL(MAX(seq), 0) + 1 FROM orders", [], |r| {
            r.get(0)
        })?;
    let id = format!("O-{seq:06}");
    tx.tx.execute(
        "INSERT INTO orders (seq, id, customer_id, product, kind, devices, package, created_at,
                             cert_sha256, agreed, quote_number, agreed_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        params![
            seq,
            id,
            row.customer,
            row.product,
            row.kind.as_str(),
            row.devices.map(|n| n as i64),
            row.package,
            tx.now().to_string(),
            row.cert_sha256.map(Text),
            row.agreed,
            row.quote,
            PRICE_VERSION,
        ],
    )?;
    Ok(id)
}

/// Records a platform term of `order`.
pub(crate) fn insert_term(tx: &Tx<'_>, order: &str, term: &Term) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO terms (order_id, seq, starts_at, ends_at, created_at, fee, discount_pct)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            order,
            term.seq,
            Text(&term.starts_at),
            Text(&term.ends_at),
            Text(&term.created_at),
            term.fee.as_ref().map(Text),
            term.discount_pct.as_ref().map(Text),
        ],
    )?;
    Ok(())
}

/// The ids of the orders, oldest first; only one customer's when given.
pub(crate) fn ids(db: &Db, customer: Option<&str>) -> Result<Vec<String>> {
    let mut stmt = db
        .conn
        .prepare("SELECT id FROM orders WHERE ?1 IS NULL OR customer_id = ?1 ORDER BY seq")?;
    let ids = stmt
        .query_map([customer], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// The order with this id (exact), with its seats used and its terms.
pub(crate) fn by_id(db: &Db, id: &str) -> Result<Option<Order>> {
    let Some(order) = db
        .conn
        .query_row(
            "SELECT o.id, o.customer_id, c.name AS customer_name, o.product, o.kind, o.devices,
                    o.package, o.cert_sha256, o.trial_ends_at, o.created_at
                    , o.agreed, o.agreed_version, o.quote_number
             FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
            [id],
            |r| {
                let f = Fields::new(r, "orders", "id")?;
                Ok(Order {
                    id: f.plain("id")?,
                    customer_id: f.plain("customer_id")?,
                    customer_name: f.plain("customer_name")?,
                    product: f.plain("product")?,
                    kind: f.get("kind")?,
                    devices: f.opt_count("devices")?,
                    package: f.plain("package")?,
                    cert_sha256: f.opt("cert_sha256")?,
                    trial_ends_at: f.opt("trial_ends_at")?,
                    created_at: f.get("created_at")?,
                    seats_used: 0,
                    seats_free: None,
                    terms: Vec::new(),
                    agreed: match f.plain::<Option<String>>("agreed")? {
                        None => None,
                        Some(_) => Some(price_from(&f, "agreed", "agreed_version")?),
                    },
                    quote: f.plain("quote_number")?,
                })
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    let used: i64 = db.conn.query_row(
        "SELECT COUNT(*) FROM licenses WHERE order_id = ?1 AND replaced_by IS NULL",
        [&order.id],
        |r| r.get(0),
    )?;
    let mut stmt = db.conn.prepare_cached(
        "SELECT order_id || ' term ' || seq AS key, seq, starts_at, ends_at, created_at, fee,
                discount_pct
         FROM terms WHERE order_id = ?1 ORDER BY seq",
    )?;
    let terms = stmt
        .query_map([&order.id], |r| {
            let f = Fields::new(r, "terms", "key")?;
            Ok(Term {
                seq: f.plain("seq")?,
                starts_at: f.get("starts_at")?,
                ends_at: f.get("ends_at")?,
                created_at: f.get("created_at")?,
                fee: f.opt("fee")?,
                discount_pct: facelic_invoice::pricing::discount(f.opt("discount_pct")?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let seats_used = u64::try_from(used).unwrap_or(0);
    Ok(Some(Order {
        seats_used,
        seats_free: order.devices.map(|n| n.saturating_sub(seats_used)),
        terms,
        ..order
    }))
}
