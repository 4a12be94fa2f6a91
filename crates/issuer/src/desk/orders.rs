//! Orders: per-device purchases, device trials, platform terms and platform trials.

use facelic_invoice::Decimal;
use facelic_invoice::pricing::{LinePrice, price_devices, price_platform, price_platform_at};
use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

use super::fields::{Fields, LedgerText as _, Text, display, display_opt};
use super::time::{add_days, add_months};
use super::{Desk, DeskError, NotFound, OrderError, Result};
use crate::{Kind, Timestamp};

/// Most devices one order may have (a guard against typos).
pub const MAX_DEVICES: u64 = 10_000_000;

/// What to order. Build one with the constructor for its kind.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// Customer id or exact name.
    pub customer: String,
    /// Product id from the catalog.
    pub product: String,
    /// Kind of license the order is for.
    pub kind: Kind,
    /// Devices bought (device kinds).
    pub devices: Option<u64>,
    /// Android package name (platform kinds).
    pub package: Option<String>,
    /// Start of the first platform term (default: now).
    pub start: Option<Timestamp>,
    /// SHA-256 of the app signing certificate every license of a platform
    /// order pins (the Play App Signing certificate); `None`: not pinned.
    pub cert_sha256: Option<[u8; 32]>,
    /// Percentage discount agreed (none: list price).
    pub discount_pct: Option<Decimal>,
    /// A saved quote the order takes its product, quantity and prices from.
    pub quote: Option<String>,
}

impl NewOrder {
    /// An order of `kind` of `product` for `customer`, with nothing else
    /// set (no devices, package, start, pin, discount or quote).
    pub fn new(customer: impl Into<String>, product: impl Into<String>, kind: Kind) -> Self {
        NewOrder {
            customer: customer.into(),
            product: product.into(),
            kind,
            devices: None,
            package: None,
            start: None,
            cert_sha256: None,
            discount_pct: None,
            quote: None,
        }
    }
}

/// A renewal's price: the previous term's agreed fee and discount unless
/// the operator re-prices explicitly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reprice {
    /// New platform fee per term.
    pub fee: Option<Decimal>,
    /// New discount in percent (0: none).
    pub discount_pct: Option<Decimal>,
}

/// One platform term of an order.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Term {
    /// 1 for the first term, then one more per renewal.
    pub seq: i64,
    /// Start (inclusive).
    #[serde(serialize_with = "display")]
    pub starts_at: Timestamp,
    /// End (exclusive).
    #[serde(serialize_with = "display")]
    pub ends_at: Timestamp,
    /// When the term was ordered or renewed.
    #[serde(serialize_with = "display")]
    pub created_at: Timestamp,
    /// The platform fee agreed for this term (`None`: ordered before the
    /// desk recorded agreements; invoiced at the catalog's fee).
    #[serde(with = "facelic_invoice::money::opt_unit_price")]
    pub fee: Option<Decimal>,
    /// The discount agreed for this term, in percent.
    pub discount_pct: Option<Decimal>,
}

/// An order with its seat accounting.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Order {
    /// Desk id, e.g. `O-000001`.
    pub id: String,
    /// Customer id.
    pub customer_id: String,
    /// Customer name.
    pub customer_name: String,
    /// Product id.
    pub product: String,
    /// `device`, `device-trial`, `platform` or `platform-trial`.
    #[serde(serialize_with = "display")]
    pub kind: Kind,
    /// Devices bought (device kinds).
    pub devices: Option<u64>,
    /// Bound package name (platform kinds).
    pub package: Option<String>,
    /// The app signing certificate its licenses pin (platform kinds), if any.
    #[serde(serialize_with = "super::fields::hex_opt")]
    pub cert_sha256: Option<[u8; 32]>,
    /// When a device trial ends (set by its first license).
    #[serde(serialize_with = "display_opt")]
    pub trial_ends_at: Option<Timestamp>,
    /// When the order was created.
    #[serde(serialize_with = "display")]
    pub created_at: Timestamp,
    /// Seats taken: licenses on the order, except those whose seat moved to a replacement.
    pub seats_used: u64,
    /// Seats left (device kinds).
    pub seats_free: Option<u64>,
    /// Platform terms, oldest first.
    pub terms: Vec<Term>,
    /// The price agreed when the order was made: the devices at their tier
    /// (device orders) or one term (platform orders), with the discount.
    /// `None` for trials and for orders made before the desk recorded
    /// agreements.
    pub agreed: Option<LinePrice>,
    /// The saved quote the order was made from.
    pub quote: Option<String>,
}

impl Order {
    /// What a platform license of this order is bound to: its package and,
    /// when pinned, the app's signing certificate. An order without a
    /// package has no platform binding (a damaged ledger: platform orders
    /// are made with one).
    pub(crate) fn package_binding(&self) -> Result<crate::Binding> {
        let name = self.package.clone().ok_or(DeskError::Internal(
            "a platform license's order has no package",
        ))?;
        Ok(crate::Binding::Package {
            name,
            cert_sha256: self.cert_sha256,
        })
    }
}

/// Normalises a percentage discount: 0 is no discount.
pub(crate) fn discount(pct: Option<Decimal>) -> Option<Decimal> {
    pct.map(|p| p.normalize()).filter(|p| !p.is_zero())
}

impl Desk {
    /// Creates an order after checking it against the catalog's rules.
    ///
    /// The order records the price agreed now (see [`Order::agreed`]): from
    /// `new.quote` when given (which must be this customer's, for this
    /// product and quantity, unused and not expired), else from the catalog
    /// with `new.discount_pct`. Later catalog edits do not change it.
    pub fn create_order(&mut self, new: &NewOrder) -> Result<Order> {
        let customer = self.customer(&new.customer)?;
        let product = self.product(&new.product)?.clone();
        let quote = new.quote.as_deref().map(|q| self.quote(q)).transpose()?;
        if let Some(q) = &quote {
            check_quote_fits(q, new, &customer.id, &customer.name)?;
        }
        let rules = self.catalog.rules.clone();
        let now = self.now();
        match (new.kind.is_device_bound(), &new.devices, &new.package) {
            (true, Some(_), None) | (false, None, Some(_)) => {}
            (true, _, _) => {
                return Err(OrderError::DeviceShape.into());
            }
            (false, _, _) => {
                return Err(OrderError::PlatformShape.into());
            }
        }
        if new.kind.is_device_bound() && new.start.is_some() {
            return Err(OrderError::StartOnDeviceOrder.into());
        }
        if new.kind.is_device_bound() && new.cert_sha256.is_some() {
            return Err(OrderError::CertificateOnDeviceOrder.into());
        }
        let devices = new.devices;
        if devices.is_some_and(|n| n > MAX_DEVICES) {
            return Err(OrderError::TooManyDevices { max: MAX_DEVICES }.into());
        }
        match (new.kind, devices) {
            (Kind::Device, Some(n)) if n < rules.device_min_quantity => {
                return Err(OrderError::BelowMinimum {
                    minimum: rules.device_min_quantity,
                    devices: n,
                }
                .into());
            }
            (Kind::DeviceTrial, Some(n)) if n == 0 || n > rules.device_trial_max_devices => {
                return Err(OrderError::TrialDevices {
                    max: rules.device_trial_max_devices,
                    devices: n,
                }
                .into());
            }
            _ => {}
        }
        if let Some(package) = &new.package
            && !facelic_verifier::is_valid_package_name(package)
        {
            return Err(OrderError::Package(package.clone()).into());
        }
        if let Some(start) = new.start {
            check_start(start, now, new.kind, rules.platform_max_backdate_days)?;
        }
        let discount_pct = discount(new.discount_pct);
        if new.kind.is_trial() && discount_pct.is_some() {
            return Err(OrderError::TrialDiscount.into());
        }
        if quote.is_some() && discount_pct.is_some() {
            return Err(OrderError::QuoteDiscount.into());
        }
        let agreed: Option<LinePrice> = match (new.kind, &quote) {
            (Kind::Device, Some(q)) => Some(q.price.clone()),
            (Kind::Platform, Some(q)) => Some(price_platform_at(
                q.price.unit_price,
                1,
                q.price.discount_pct,
            )?),
            (Kind::Device, None) => Some(price_devices(
                &product,
                rules.device_min_quantity,
                devices.unwrap_or(0),
                discount_pct,
            )?),
            (Kind::Platform, None) => Some(price_platform(&product, 1, discount_pct)?),
            _ => None,
        };
        let agreed_json = agreed.as_ref().map(serde_json::to_string).transpose()?;
        let zone = self.catalog.invoicing.time_zone;
        let term = match new.kind {
            Kind::Platform => {
                let start = new.start.unwrap_or(now);
                Some((start, add_months(start, rules.platform_term_months)?))
            }
            Kind::PlatformTrial => {
                let start = new.start.unwrap_or(now);
                Some((start, add_days(start, rules.platform_trial_days)))
            }
            _ => None,
        };
        let product_id = product.id.clone();
        let id = self.ledger.write(|tx| {
            if let Some(q) = &quote {
                // Again under the writers' lock: another desk may have used it.
                super::billing::quotes::load_quote(tx, &q.number, zone)?.check_usable(zone.date(tx.now()))?;
            }
            if new.kind.is_trial() {
                let earlier: Option<(String, String)> = tx
                    .query_row(
                        "SELECT id, created_at FROM orders WHERE customer_id = ?1 AND product = ?2 AND kind = ?3",
                        params![customer.id, product_id, new.kind.as_str()],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((order, at)) = earlier {
                    return Err(OrderError::TrialTaken {
                        customer_name: customer.name.clone(),
                        customer: customer.id.clone(),
                        kind: new.kind,
                        product: product_id.to_string(),
                        order,
                        at,
                    }
                    .into());
                }
            }
            let seq: i64 = tx.query_row("SELECT IFNULL(MAX(seq), 0) + 1 FROM orders", [], |r| r.get(0))?;
            let id = format!("O-{seq:06}");
            tx.execute(
                "INSERT INTO orders (seq, id, customer_id, product, kind, devices, package, created_at, cert_sha256, agreed, quote_number)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![
                    seq,
                    id,
                    customer.id,
                    product_id,
                    new.kind.as_str(),
                    devices.map(|n| n as i64),
                    new.package,
                    tx.now().to_string(),
                    new.cert_sha256.as_ref().map(super::fields::Text),
                    agreed_json,
                    quote.as_ref().map(|q| &q.number),
                ],
            )?;
            if let Some((start, end)) = term {
                let fee = agreed.as_ref().filter(|_| new.kind == Kind::Platform);
                tx.execute(
                    "INSERT INTO terms (order_id, seq, starts_at, ends_at, created_at, fee, discount_pct) VALUES (?1, 1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        id,
                        start.to_string(),
                        end.to_string(),
                        tx.now().to_string(),
                        fee.map(|a| Text(&a.unit_price)),
                        fee.and_then(|a| a.discount_pct.as_ref()).map(Text),
                    ],
                )?;
            }
            let detail = serde_json::json!({
                "customer": customer.id, "product": product_id, "kind": new.kind.as_str(),
                "devices": devices, "package": new.package,
                "cert_sha256": new.cert_sha256.as_ref().map(super::fields::LedgerText::to_ledger),
                "term": term.map(|(a, b)| [a.to_string(), b.to_string()]),
                "agreed_amount": agreed.as_ref().map(|a| a.amount.to_ledger()),
                "discount_pct": agreed.as_ref().and_then(|a| a.discount_pct).map(|d| d.to_string()),
                "quote": quote.as_ref().map(|q| &q.number),
            });
            tx.audit("order.new", &id, &detail)?;
            Ok(id)
        })?;
        self.order(&id)
    }

    /// The order with this id, with its seat accounting and terms.
    pub fn order(&self, id: &str) -> Result<Order> {
        load_order(self.db(), id)
    }

    /// Orders, oldest first; only one customer's when `customer` is given.
    pub fn orders(&self, customer: Option<&str>) -> Result<Vec<Order>> {
        let customer_id = customer
            .map(|c| self.customer(c))
            .transpose()?
            .map(|c| c.id);
        let mut stmt = self
            .db()
            .prepare("SELECT id FROM orders WHERE ?1 IS NULL OR customer_id = ?1 ORDER BY seq")?;
        let ids: Vec<String> = stmt
            .query_map([customer_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter().map(|id| self.order(id)).collect()
    }
}

/// Refuses an order that is not what `quote` offered.
fn check_quote_fits(
    q: &super::billing::quotes::Quote,
    new: &NewOrder,
    customer_id: &str,
    customer: &str,
) -> Result<()> {
    if q.customer_id != customer_id {
        return Err(OrderError::QuoteForAnotherCustomer {
            quote: q.number.clone(),
            quote_customer_name: q.customer_name.clone(),
            quote_customer: q.customer_id.clone(),
            customer_name: customer.to_owned(),
            customer: customer_id.to_owned(),
        }
        .into());
    }
    if q.product != new.product.trim() {
        return Err(OrderError::QuoteForAnotherProduct {
            quote: q.number.clone(),
            quoted: q.product.clone(),
            product: new.product.clone(),
        }
        .into());
    }
    let fits = match new.kind {
        Kind::Device => q.devices.is_some() && q.devices == new.devices,
        Kind::Platform => q.devices.is_none(),
        // Trials are never quoted (nor any kind a later format adds).
        _ => false,
    };
    if !fits {
        return Err(OrderError::QuoteMismatch {
            quote: q.number.clone(),
            quoted_devices: q.devices,
            quoted_years: q.price.quantity,
            kind: new.kind,
            devices: new.devices,
        }
        .into());
    }
    Ok(())
}

/// Refuses a platform start that bills time that never was: a term may
/// start at most `max_backdate_days` before now (a contract signed shortly
/// before the desk records it), a trial not before now (a trial in the past
/// would use up the customer's one trial for nothing).
fn check_start(start: Timestamp, now: Timestamp, kind: Kind, max_backdate_days: u32) -> Result<()> {
    let earliest = if kind.is_trial() {
        now
    } else {
        now.saturating_add(-i64::from(max_backdate_days) * super::time::DAY)
    };
    if start < earliest {
        let rule = if kind.is_trial() {
            "a trial starts now or later".to_owned()
        } else {
            format!(
                "a platform term starts at most {max_backdate_days} days before its order (platform_max_backdate_days)"
            )
        };
        return Err(OrderError::StartTooEarly {
            start,
            earliest,
            rule,
        }
        .into());
    }
    Ok(())
}

/// Loads an order inside or outside a transaction.
pub(crate) fn load_order(conn: &Connection, id: &str) -> Result<Order> {
    let order = conn
        .query_row(
            "SELECT o.id, o.customer_id, c.name AS customer_name, o.product, o.kind, o.devices,
                    o.package, o.cert_sha256, o.trial_ends_at, o.created_at
                    , o.agreed, o.quote_number
             FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.id = ?1",
            [id.trim().to_ascii_uppercase()],
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
                    agreed: f.opt_json("agreed")?,
                    quote: f.plain("quote_number")?,
                })
            },
        )
        .optional()?
        .ok_or_else(|| NotFound::Order(id.to_owned()))?;
    let used: i64 = conn.query_row(
        "SELECT COUNT(*) FROM licenses WHERE order_id = ?1 AND replaced_by IS NULL",
        [&order.id],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT order_id || ' term ' || seq AS key, seq, starts_at, ends_at, created_at, fee, discount_pct
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
                discount_pct: discount(f.opt("discount_pct")?),
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let seats_used = u64::try_from(used).unwrap_or(0);
    Ok(Order {
        seats_used,
        seats_free: order.devices.map(|n| n.saturating_sub(seats_used)),
        terms,
        ..order
    })
}
