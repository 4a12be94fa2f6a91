//! Prepaid packs of metered calls: bought (and invoiced) or given as a
//! new customer's trial, consumed by usage runs, refunded under the
//! product family's rule, expired one year after purchase.

use serde::Serialize;

use facelic_invoice::dates::Date;
use facelic_invoice::usage::{consumption_order, last_day_of_pack, pack_line};
use facelic_invoice::{Decimal, PriceSource};

use super::activations::{check_account, cycle_of, refuse_billed};
use super::{Db, Desk, NotFound, Result, Tx, UsageError, ledger};

/// Where a pack came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackOrigin {
    /// Sold, with a statement.
    Sale,
    /// A new customer's free trial (no statement).
    Trial,
}

/// Where a pack stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackStatus {
    /// Calls left, not expired.
    Active,
    /// Every call used.
    Exhausted,
    /// Past its last day; what was left is lost.
    Expired,
    /// Refunded by a credit note.
    Refunded,
}

impl PackStatus {
    /// `active`, `exhausted`, `expired` or `refunded`.
    pub fn as_str(self) -> &'static str {
        match self {
            PackStatus::Active => "active",
            PackStatus::Exhausted => "exhausted",
            PackStatus::Expired => "expired",
            PackStatus::Refunded => "refunded",
        }
    }
}

/// A pack as `pack list` shows it. Balances are as of the last usage run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackRecord {
    /// Desk id, e.g. `PK-000001`.
    pub id: String,
    /// Owner's customer id.
    pub customer_id: String,
    /// Product id.
    pub product: String,
    /// Calls bought.
    pub calls: u64,
    /// Calls used by billed usage.
    pub used: u64,
    /// Calls left (0 once expired or refunded).
    pub remaining: u64,
    /// Price paid.
    #[serde(with = "facelic_invoice::money::amount")]
    pub price: Decimal,
    /// The price table it was sold from (`list`, a campaign, `agreed`, `trial`).
    pub price_list: PriceSource,
    /// Purchase day: it covers calls from 00:00 that day.
    pub bought_on: Date,
    /// Last day it covers.
    pub last_day: Date,
    /// Sale or trial.
    pub origin: PackOrigin,
    /// Its statement (sales).
    pub invoice: Option<String>,
    /// Status today.
    pub status: PackStatus,
    /// Calls lost when it expired.
    pub expired_unused: u64,
    /// The credit note that refunded it.
    pub refund_note: Option<String>,
    /// True when this pack is the last of its customer's and product's live
    /// packs and what they have left is below the family's reminder share.
    pub low: bool,
}

/// A pack to buy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPack {
    /// Customer id or name.
    pub customer: String,
    /// Product id.
    pub product: String,
    /// Calls (a size the product sells that day).
    pub calls: u64,
    /// Purchase day (default today).
    pub date: Option<Date>,
    /// An agreed price instead of the catalog's.
    pub price: Option<Decimal>,
}

/// What `pack list` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackFilter {
    /// One customer (id or name).
    pub customer: Option<String>,
    /// Only packs whose balance is low (see [`PackRecord::low`]).
    pub low: bool,
    /// Only active packs whose last day is within this many days.
    pub expiring_within: Option<u32>,
}

/// Records a pack (inside the caller's transaction), audited, and
/// returns its id (`PK-000001`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_pack(
    tx: &Tx<'_>,
    customer_id: &str,
    product: &str,
    calls: u64,
    (price, price_list): (Decimal, &PriceSource),
    bought_on: Date,
    invoice: Option<&str>,
) -> Result<String> {
    let id = ledger::packs::insert(
        tx,
        &ledger::packs::NewRow {
            customer_id,
            product,
            calls,
            price,
            price_list,
            bought_on,
            last_day: last_day_of_pack(bought_on),
            invoice,
        },
    )?;
    tx.audit(
        if invoice.is_some() {
            "pack.buy"
        } else {
            "pack.trial"
        },
        &id,
        &serde_json::json!({
            "customer": customer_id, "product": product, "calls": calls,
            "price": price.to_string(), "price_list": price_list.as_str(),
            "bought_on": bought_on.to_string(), "invoice": invoice,
        }),
    )?;
    Ok(id)
}

impl Desk {
    /// Buys a pack: the size must be on sale on its purchase day (the
    /// campaign's price that day, or the list's), unless a price was
    /// agreed; the day may not be in the future nor within usage already
    /// billed (a pack never offsets billed usage). A family that needs an
    /// activation must have it by that day. Issues the pack's statement.
    pub fn buy_pack(
        &mut self,
        new: &NewPack,
    ) -> Result<(PackRecord, facelic_invoice::invoice::Invoice)> {
        let catalog = &self.catalog;
        let seller = self.seller();
        let today = self.today();
        let customer = self.customer(&new.customer)?;
        let product = catalog
            .api_product(&new.product)
            .ok_or_else(|| NotFound::UsageProduct(new.product.clone()))?;
        let day = new.date.unwrap_or(today);
        if day > today {
            return Err(UsageError::Future {
                what: "a pack bought",
                day,
                today,
            }
            .into());
        }
        day.check_floor("a pack bought on")?;
        // Post-paid calls already incurred are never offset by a pack
        // bought later (seed 000 L3): a back-dated pack may not cover calls
        // already imported for the days before today.
        if day < today {
            let incurred =
                ledger::usage::first_incurred(self.db(), &customer.id, &product.id, day, today)?;
            if let Some(period) = incurred {
                return Err(UsageError::PackAfterCalls {
                    product: product.id.clone(),
                    period,
                    day,
                }
                .into());
            }
        }
        // A pack is not sold before its packs went on sale: dated before
        // that day, or bought now on that day before that time (a sale
        // recorded later for that day cannot tell its time, and is taken).
        if let Some(on) = product.packs_on_sale_from {
            let zone = catalog.invoicing.time_zone;
            let early_today =
                day == on.day && today == on.day && zone.minute_of_day(self.now()) < on.minute;
            if day < on.day || early_today {
                return Err(UsageError::PacksNotOnSale {
                    product: product.id.clone(),
                    from: on.to_string(),
                    zone: zone.name().to_string(),
                    day,
                    early_today,
                }
                .into());
            }
        }
        if let Some(why) = &product.unpriced {
            return Err(UsageError::Unpriced {
                product: product.id.clone(),
                name: product.name_zh.clone(),
                why: why.clone(),
            }
            .into());
        }
        let prices = product
            .prices_on(day)
            .ok_or_else(|| UsageError::NoPriceOn {
                product: product.id.clone(),
                day,
            })?;
        if prices.packs.is_empty() {
            return Err(UsageError::PostPaidOnly(product.id.clone()).into());
        }
        let catalog_price = prices
            .pack(new.calls)
            .ok_or_else(|| UsageError::NoSuchPack {
                product: product.id.clone(),
                calls: new.calls,
                day,
                sizes: product.pack_sizes_on(day),
            })?;
        let (price, price_list) = match new.price {
            Some(p) => (p, PriceSource::Agreed),
            None => (catalog_price.price, prices.source()),
        };
        if price <= Decimal::ZERO || price.scale() > 2 {
            return Err(UsageError::PackPrice(price).into());
        }
        self.ledger.write(|tx| {
            check_account(tx, &customer.id, product, day)?;
            let cycle = cycle_of(tx, &customer.id, &product.family.id)?;
            refuse_billed(tx, &customer.id, Some(cycle), day, "a pack bought on")?;
            // The statement first: the pack row names it.
            let (_, id) = ledger::packs::next_id(tx)?;
            let line = pack_line(
                product,
                &id,
                new.calls,
                (price, &price_list),
                day,
                &catalog.invoicing,
            );
            let invoice = super::invoices::issue_statement(
                tx,
                (catalog, &seller),
                &customer,
                today,
                format!("pack {id}"),
                vec![line],
            )?;
            let id = insert_pack(
                tx,
                &customer.id,
                &product.id,
                new.calls,
                (price, &price_list),
                day,
                invoice.number.as_deref(),
            )?;
            let record = load_pack(tx, &id, today)?;
            Ok((record, invoice))
        })
    }

    /// Refunds a pack by a credit note for its whole price: only a sold
    /// pack, not used at all (no billed calls, and no calls on or after its
    /// purchase day waiting to be billed), within the family's
    /// `pack_refund_days` of its purchase (inclusive). A pack already paid
    /// for is owed back as `owed_back` says (see [`Desk::credit_invoice`]).
    pub fn refund_pack(
        &mut self,
        id: &str,
        reason: &str,
        owed_back: Option<super::OwedBack>,
    ) -> Result<(PackRecord, facelic_invoice::invoice::CreditNote)> {
        let catalog = &self.catalog;
        let today = self.today();
        let reason = super::fields::one_line("a refund's reason", reason, 500)?;
        self.ledger.write(|tx| {
            let pack = load_pack(tx, id, today)?;
            let product = catalog
                .api_product(&pack.product)
                .ok_or_else(|| UsageError::PackProductGone(pack.product.clone()))?;
            let days = product.family.pack_refund_days;
            let family = if product.family.id.is_empty() {
                product.id.clone()
            } else {
                product.family.id.clone()
            };
            let refuse = |why: String| {
                Err(UsageError::NotRefundable {
                    pack: pack.id.clone(),
                    why,
                }
                .into())
            };
            if pack.status == PackStatus::Refunded {
                return refuse(format!(
                    "it was refunded by {}",
                    pack.refund_note.clone().unwrap_or_default()
                ));
            }
            let Some(invoice) = pack.invoice.clone() else {
                return refuse("it is a free trial pack".into());
            };
            if days == 0 {
                return refuse(format!(
                    "{family} packs are never refunded (pack_refund_days = 0)"
                ));
            }
            let age = today.days_since(pack.bought_on);
            if age > i64::from(days) {
                return refuse(format!(
                    "{family} packs are refunded within {days} days of purchase; it was bought on \
                        {} ({age} days ago)",
                    pack.bought_on
                ));
            }
            if pack.used > 0 {
                return refuse(format!("{} of its calls were used", pack.used));
            }
            let waiting =
                ledger::usage::calls_since(tx, &pack.customer_id, &pack.product, pack.bought_on)?;
            if waiting > 0 {
                return refuse(format!(
                    "calls of {} made since its purchase are imported and may use it",
                    pack.product
                ));
            }
            let note = super::invoices::credit(
                tx,
                &catalog.invoicing,
                &invoice,
                &format!("Refund of pack {}: {reason}", pack.id),
                Some(pack.price),
                owed_back,
            )?;
            ledger::packs::set_refunded(tx, &pack.id, &note.number)?;
            tx.audit(
                "pack.refund",
                &pack.id,
                &serde_json::json!({
                    "credit_note": note.number, "amount": pack.price.to_string(), "reason": reason,
                }),
            )?;
            Ok((load_pack(tx, &pack.id, today)?, note))
        })
    }

    /// Packs, oldest first, with balances as of the last usage run.
    pub fn packs(&self, filter: &PackFilter) -> Result<Vec<PackRecord>> {
        let today = self.today();
        let customer = filter
            .customer
            .as_deref()
            .map(|c| self.customer(c))
            .transpose()?;
        let mut packs =
            ledger::packs::of_customer(self.db(), customer.as_ref().map(|c| c.id.as_str()), today)?;
        self.mark_low(&mut packs);
        Ok(packs
            .into_iter()
            .filter(|p| !filter.low || p.low)
            .filter(|p| {
                filter.expiring_within.is_none_or(|days| {
                    p.status == PackStatus::Active && p.last_day <= today.add_days(i64::from(days))
                })
            })
            .collect())
    }

    /// Flags the last live pack of each customer and product whose packs
    /// have less left than the family's `low_balance_percent` of it (none
    /// left: exhausted). Only the last pack reminds, as the vendor's does.
    fn mark_low(&self, packs: &mut [PackRecord]) {
        let mut groups: Vec<(String, String)> = packs
            .iter()
            .map(|p| (p.customer_id.clone(), p.product.clone()))
            .collect();
        groups.sort();
        groups.dedup();
        for (customer, product) in groups {
            let Some(percent) = self
                .catalog
                .api_product(&product)
                .and_then(|p| p.family.low_balance_percent)
            else {
                continue;
            };
            let live = |p: &&mut PackRecord| {
                p.customer_id == customer
                    && p.product == product
                    && matches!(p.status, PackStatus::Active | PackStatus::Exhausted)
            };
            let left: u64 = packs.iter_mut().filter(live).map(|p| p.remaining).sum();
            if let Some(last) = packs.iter_mut().filter(live).max_by(|a, b| {
                consumption_order(a.last_day, a.bought_on, &a.id).cmp(&consumption_order(
                    b.last_day,
                    b.bought_on,
                    &b.id,
                ))
            }) {
                last.low = u128::from(left) * 100 < u128::from(percent) * u128::from(last.calls);
            }
        }
    }
}

/// One pack by id.
fn load_pack(db: &Db, id: &str, today: Date) -> Result<PackRecord> {
    ledger::packs::by_id(db, &id.trim().to_ascii_uppercase(), today)?
        .ok_or_else(|| NotFound::Pack(id.to_owned()).into())
}
