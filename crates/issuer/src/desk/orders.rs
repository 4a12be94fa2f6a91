//! Orders: per-device purchases, device trials, platform terms and platform trials.

use rusqlite::{Connection, OptionalExtension as _, params};
use serde::Serialize;

use super::fields::{Fields, display, display_opt};
use super::time::{add_days, add_months};
use super::{Desk, DeskError, Result, audit};
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
}

impl Desk {
    /// Creates an order after checking it against the catalog's rules.
    pub fn create_order(&mut self, new: &NewOrder) -> Result<Order> {
        let customer = self.customer(&new.customer)?;
        let product = self.catalog.product(&new.product).ok_or_else(|| {
            DeskError::Input(format!(
                "unknown product {:?}; the catalog has: {}",
                new.product,
                self.catalog.product_ids()
            ))
        })?;
        let rules = self.catalog.rules.clone();
        let now = self.now();
        match (new.kind.is_device_bound(), &new.devices, &new.package) {
            (true, Some(_), None) | (false, None, Some(_)) => {}
            (true, _, _) => {
                return Err(DeskError::Input(
                    "a device order needs a device count and no package".into(),
                ));
            }
            (false, _, _) => {
                return Err(DeskError::Input(
                    "a platform order needs a package name and no device count".into(),
                ));
            }
        }
        if new.kind.is_device_bound() && new.start.is_some() {
            return Err(DeskError::Input(
                "a start date applies to platform orders only".into(),
            ));
        }
        if new.kind.is_device_bound() && new.cert_sha256.is_some() {
            return Err(DeskError::Input(
                "a signing certificate is pinned by platform orders only".into(),
            ));
        }
        let devices = new.devices;
        if devices.is_some_and(|n| n > MAX_DEVICES) {
            return Err(DeskError::Input(format!(
                "at most {MAX_DEVICES} devices per order"
            )));
        }
        match (new.kind, devices) {
            (Kind::Device, Some(n)) if n < rules.device_min_quantity => {
                return Err(DeskError::Refused(format!(
                    "a per-device purchase is at least {} devices; this order has {n}",
                    rules.device_min_quantity
                )));
            }
            (Kind::DeviceTrial, Some(n)) if n == 0 || n > rules.device_trial_max_devices => {
                return Err(DeskError::Refused(format!(
                    "a device trial binds 1 to {} devices; this order has {n}",
                    rules.device_trial_max_devices
                )));
            }
            _ => {}
        }
        if let Some(package) = &new.package
            && !facelic_verifier::is_valid_package_name(package)
        {
            return Err(DeskError::Input(format!(
                "{package:?} is not an Android application id (e.g. com.acme.gate: two or more dot-separated segments of letters, digits and _, each starting with a letter)"
            )));
        }
        if let Some(start) = new.start {
            check_start(start, now, new.kind, rules.platform_max_backdate_days)?;
        }
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
        let id = self.write(|tx, s| {
            if new.kind.is_trial() {
                let earlier: Option<(String, String)> = tx
                    .query_row(
                        "SELECT id, created_at FROM orders WHERE customer_id = ?1 AND product = ?2 AND kind = ?3",
                        params![customer.id, product_id, new.kind.as_str()],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                if let Some((order, at)) = earlier {
                    return Err(DeskError::Refused(format!(
                        "{} ({}) already had a {} of {product_id}: order {order} of {at}; one trial per customer and product",
                        customer.name,
                        customer.id,
                        new.kind
                    )));
                }
            }
            let seq: i64 = tx.query_row("SELECT IFNULL(MAX(seq), 0) + 1 FROM orders", [], |r| r.get(0))?;
            let id = format!("O-{seq:06}");
            tx.execute(
                "INSERT INTO orders (seq, id, customer_id, product, kind, devices, package, created_at, cert_sha256)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    seq,
                    id,
                    customer.id,
                    product_id,
                    new.kind.as_str(),
                    devices.map(|n| n as i64),
                    new.package,
                    s.now().to_string(),
                    new.cert_sha256.as_ref().map(super::fields::Text),
                ],
            )?;
            if let Some((start, end)) = term {
                tx.execute(
                    "INSERT INTO terms (order_id, seq, starts_at, ends_at, created_at) VALUES (?1, 1, ?2, ?3, ?4)",
                    params![id, start.to_string(), end.to_string(), s.now().to_string()],
                )?;
            }
            let detail = serde_json::json!({
                "customer": customer.id, "product": product_id, "kind": new.kind.as_str(),
                "devices": devices, "package": new.package,
                "cert_sha256": new.cert_sha256.as_ref().map(super::fields::LedgerText::to_ledger),
                "term": term.map(|(a, b)| [a.to_string(), b.to_string()]),
            });
            audit::record(tx, s, "order.new", &id, &detail)?;
            Ok(id)
        })?;
        self.order(&id)
    }

    /// The order with this id, with its seat accounting and terms.
    pub fn order(&self, id: &str) -> Result<Order> {
        load_order(self.read(), id)
    }

    /// Orders, oldest first; only one customer's when `customer` is given.
    pub fn orders(&self, customer: Option<&str>) -> Result<Vec<Order>> {
        let customer_id = customer
            .map(|c| self.customer(c))
            .transpose()?
            .map(|c| c.id);
        let mut stmt = self
            .read()
            .prepare("SELECT id FROM orders WHERE ?1 IS NULL OR customer_id = ?1 ORDER BY seq")?;
        let ids: Vec<String> = stmt
            .query_map([customer_id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        ids.iter().map(|id| self.order(id)).collect()
    }
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
        return Err(DeskError::Refused(format!(
            "start {start} is before {earliest}: {rule}"
        )));
    }
    Ok(())
}

/// Loads an order inside or outside a transaction.
pub(crate) fn load_order(conn: &Connection, id: &str) -> Result<Order> {
    let order = conn
        .query_row(
            "SELECT o.id, o.customer_id, c.name AS customer_name, o.product, o.kind, o.devices,
                    o.package, o.cert_sha256, o.trial_ends_at, o.created_at
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
                })
            },
        )
        .optional()?
        .ok_or_else(|| DeskError::NotFound(format!("no order {id:?}")))?;
    let used: i64 = conn.query_row(
        "SELECT COUNT(*) FROM licenses WHERE order_id = ?1 AND replaced_by IS NULL",
        [&order.id],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT order_id || ' term ' || seq AS key, seq, starts_at, ends_at, created_at
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
