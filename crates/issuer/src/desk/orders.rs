//! Orders: per-device purchases, device trials, platform terms and platform trials.

use facelic_invoice::Decimal;
use facelic_invoice::pricing::{LinePrice, price_devices, price_platform, price_platform_at};
use serde::Serialize;

use super::fields::{LedgerText as _, display, display_opt};
use super::time::{add_days, add_months};
use super::{Db, Desk, DeskError, NotFound, OrderError, Result, ledger};
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
        let discount_pct = facelic_invoice::pricing::discount(new.discount_pct);
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
                super::billing::quotes::load_quote(tx, &q.number, zone)?
                    .check_usable(zone.date(tx.now()))?;
            }
            if new.kind.is_trial()
                && let Some((order, at)) =
                    ledger::orders::first_of_kind(tx, &customer.id, &product_id, new.kind)?
            {
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
            let id = ledger::orders::insert(
                tx,
                &ledger::orders::NewRow {
                    customer: &customer.id,
                    product: &product_id,
                    kind: new.kind,
                    devices,
                    package: new.package.as_deref(),
                    cert_sha256: new.cert_sha256.as_ref(),
                    agreed: agreed_json.as_deref(),
                    quote: quote.as_ref().map(|q| q.number.as_str()),
                },
            )?;
            if let Some((start, end)) = term {
                let fee = agreed.as_ref().filter(|_| new.kind == Kind::Platform);
                ledger::orders::insert_term(
                    tx,
                    &id,
                    &Term {
                        seq: 1,
                        starts_at: start,
                        ends_at: end,
                        created_at: tx.now(),
                        fee: fee.map(|a| a.unit_price),
                        discount_pct: fee.and_then(|a| a.discount_pct),
                    },
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
        let ids = ledger::orders::ids(self.db(), customer_id.as_deref())?;
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
pub(crate) fn load_order(db: &Db, id: &str) -> Result<Order> {
    let id = id.trim().to_ascii_uppercase();
    ledger::orders::by_id(db, &id)?.ok_or_else(|| NotFound::Order(id).into())
}
