//! Saved quotes (报价单): numbered price offers to one customer, valid for a
//! number of days, that an order can be made from at the quoted prices.

use facelic_invoice::Decimal;
use facelic_invoice::dates::Date;
use facelic_invoice::invoice::{DocumentKind, DocumentStatus, Invoice, lines_for};
use facelic_invoice::pricing::{LinePrice, price_devices, price_platform};
use serde::Serialize;

use super::fields::LedgerText as _;
use super::ledger::Numbered;
use super::{Db, Desk, NotFound, QuoteError, Result, ledger};
use crate::Timestamp;

/// What to quote.
#[derive(Debug, Clone, Default)]
pub struct NewQuote {
    /// Customer id or name.
    pub customer: String,
    /// Product id.
    pub product: String,
    /// Devices (a per-device quote); `None`: a platform quote.
    pub devices: Option<u64>,
    /// Platform years (platform quotes).
    pub years: u32,
    /// Percentage discount offered.
    pub discount_pct: Option<Decimal>,
    /// Days the quote is valid (default: the catalog's `quote_validity_days`).
    pub valid_days: Option<u32>,
}

/// A saved quote.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Quote {
    /// Number, e.g. `Q-2026-000001`.
    pub number: String,
    /// Customer id.
    pub customer_id: String,
    /// Customer name.
    pub customer_name: String,
    /// Product id.
    pub product: String,
    /// `device` or `platform`.
    pub kind: String,
    /// Devices (device quotes).
    pub devices: Option<u64>,
    /// The price offered: devices at their tier, or platform years.
    pub price: LinePrice,
    /// When it was saved.
    #[serde(serialize_with = "super::fields::display")]
    pub created_at: Timestamp,
    /// Its date in the desk's time zone.
    pub date: Date,
    /// The last day an order can be made from it.
    pub valid_until: Date,
    /// The order made from it, if any.
    pub order: Option<String>,
}

impl Quote {
    /// Whether the quote can still be turned into an order on `today`.
    pub fn check_usable(&self, today: Date) -> Result<()> {
        if let Some(order) = &self.order {
            return Err(QuoteError::Used {
                quote: self.number.clone(),
                order: order.clone(),
            }
            .into());
        }
        if today > self.valid_until {
            return Err(QuoteError::Expired {
                quote: self.number.clone(),
                valid_until: self.valid_until.to_string(),
            }
            .into());
        }
        Ok(())
    }
}

/// Longest validity a quote may be given, in days.
const MAX_VALID_DAYS: u32 = 365;

/// Loads a quote; its date is its creation's day in `zone`.
pub(crate) fn load_quote(
    db: &Db,
    number: &str,
    zone: facelic_invoice::dates::TimeZone,
) -> Result<Quote> {
    let number = number.trim().to_ascii_uppercase();
    ledger::quotes::by_number(db, &number, zone)?.ok_or_else(|| NotFound::Quote(number).into())
}

impl Desk {
    /// Prices and saves a quote for a customer under the next number of the
    /// quote sequence (`Q-<year>-000001`, gapless, year in the desk's time
    /// zone), valid for `valid_days` (default: the catalog's setting).
    pub fn save_quote(&mut self, new: &NewQuote) -> Result<Quote> {
        let customer = self.customer(&new.customer)?;
        let product = self.product(&new.product)?.clone();
        let inv = &self.catalog.invoicing;
        let valid_days = new.valid_days.unwrap_or(inv.quote_validity_days);
        if valid_days == 0 || valid_days > MAX_VALID_DAYS {
            return Err(QuoteError::ValidDays {
                max: MAX_VALID_DAYS,
                days: valid_days,
            }
            .into());
        }
        let discount = facelic_invoice::pricing::discount(new.discount_pct);
        let price = match new.devices {
            Some(n) => price_devices(
                &product,
                self.catalog.rules.device_min_quantity,
                n,
                discount,
            ),
            None => price_platform(&product, new.years, discount),
        }?;
        let zone = inv.time_zone;
        let number = self.ledger.write(|tx| {
            let year = zone.year(tx.now());
            let n = tx.next_of_year(Numbered::Quote, year)?;
            let number = format!("{}-{year}-{n:06}", inv.quote_prefix);
            let today = zone.date(tx.now());
            let valid_until = today.add_days(i64::from(valid_days) - 1);
            ledger::quotes::insert(
                tx,
                &ledger::quotes::NewRow {
                    seq: n,
                    number: &number,
                    customer: &customer.id,
                    product: &product.id,
                    devices: new.devices,
                    price: &price,
                    valid_until,
                },
            )?;
            let detail = serde_json::json!({
                "customer": customer.id, "product": product.id, "devices": new.devices,
                "years": new.devices.is_none().then_some(new.years),
                "amount": price.amount.to_ledger(), "discount_pct": discount.map(|d| d.to_string()),
                "valid_until": valid_until.to_string(),
            });
            tx.audit("quote.save", &number, &detail)?;
            Ok(number)
        })?;
        self.quote(&number)
    }

    /// The saved quote with this number.
    pub fn quote(&self, number: &str) -> Result<Quote> {
        load_quote(self.db(), number, self.catalog.invoicing.time_zone)
    }

    /// Every saved quote, oldest first.
    pub fn quotes(&self) -> Result<Vec<Quote>> {
        let numbers = ledger::quotes::numbers(self.db())?;
        numbers.iter().map(|n| self.quote(n)).collect()
    }

    /// The quote as a document (text, JSON, CSV, HTML like statements).
    pub fn quote_document(&self, quote: &Quote) -> Result<Invoice> {
        let product = self.product(&quote.product)?;
        let customer = self.customer(&quote.customer_id)?;
        let inv = &self.catalog.invoicing;
        let lines = match quote.devices {
            Some(total) => lines_for(
                product,
                &quote.price,
                facelic_invoice::invoice::device_description(total, &quote.price.mode),
                inv,
            ),
            None => lines_for(
                product,
                &quote.price,
                |n| format!("Platform license, {n} year(s), renewable"),
                inv,
            ),
        };
        let when = inv.time_zone.stamp(quote.created_at);
        Ok(Invoice {
            number: Some(quote.number.clone()),
            status: if quote.order.is_some() {
                DocumentStatus::Used
            } else {
                DocumentStatus::Open
            },
            order_id: quote.order.clone().unwrap_or_default(),
            finalized_at: Some(when),
            date: Some(quote.date),
            valid_until: Some(quote.valid_until),
            ..Invoice::new(
                DocumentKind::Quote,
                (self.seller(), super::documents::buyer(&customer)),
                &self.catalog.currency,
                (inv.vat_rate, inv.prices_include_tax),
                lines,
                when,
            )
        })
    }
}
