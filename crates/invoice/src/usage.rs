//! Billing metered calls (face APIs, face verification) for one customer
//! and one month, day by day: each day's calls go to the month's free quota
//! first, then to the prepaid packs live that day (soonest expiry first),
//! and the rest is post-paid, priced "tier reached" from the price table in
//! force that day (the list, or a campaign).
//!
//! Pure: the desk passes the calls and the packs' balances in and records
//! what comes out. See `docs/invoicing.md`, "Metered billing".

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::{
    ApiProduct, Catalog, Cycle, DailyTiers, Invoicing, NoPrice, PriceList, PriceSource, TierBasis,
};
use crate::dates::{Date, Month};
use crate::invoice::Line;
use crate::money::{group_digits as calls_text, round_fen};
use crate::pricing::Cliff;

/// Why calls could not be billed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UsageError {
    /// A product the catalog does not bill by usage.
    #[error("{0:?} is not a usage-billed product of the catalog")]
    UnknownProduct(String),
    /// A pack size the product does not sell on that day.
    #[error("{product} sells no pack of {calls} calls on {day} (packs: {sizes})")]
    UnknownPack {
        /// The product.
        product: String,
        /// The size asked for.
        calls: u64,
        /// The day.
        day: Date,
        /// The sizes on sale.
        sizes: String,
    },
    /// No price table applies on the day.
    #[error("{product} has no price on {day}")]
    NoPrice {
        /// The product.
        product: String,
        /// The day.
        day: Date,
    },
    /// Post-paid calls of a product the catalog has no price for.
    #[error(
        "{calls} calls of {product} on {day} go post-paid, and the catalog has no price for \
         them: {why}"
    )]
    Unpublished {
        /// The product.
        product: String,
        /// The day.
        day: Date,
        /// The post-paid calls.
        calls: u64,
        /// The catalog's reason.
        why: String,
    },
    /// Calls dated outside the month billed.
    #[error("calls of {day} are not in {month}")]
    OutsideMonth {
        /// The day.
        day: Date,
        /// The month.
        month: Month,
    },
}

/// The period a row of imported calls counts: one day, or a month's
/// total (a vendor's monthly statement). Stored as `YYYY-MM-DD` or
/// `YYYY-MM`; read once into this.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsagePeriod {
    /// One day's calls.
    Day(Date),
    /// A month's calls, as one total.
    Month(Month),
}

impl UsagePeriod {
    /// Reads the stored form: `YYYY-MM-DD` or `YYYY-MM`.
    pub fn parse(text: &str) -> Option<UsagePeriod> {
        match Month::parse(text) {
            Some(m) if m.to_string() == text => Some(UsagePeriod::Month(m)),
            _ => Date::parse(text)
                .filter(|d| d.to_string() == text)
                .map(UsagePeriod::Day),
        }
    }

    /// The day calls are billed on: the day, or a total's first day.
    pub fn first_day(self) -> Date {
        match self {
            UsagePeriod::Day(d) => d,
            UsagePeriod::Month(m) => m.first_day(),
        }
    }
}

impl std::fmt::Display for UsagePeriod {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UsagePeriod::Day(d) => d.fmt(f),
            UsagePeriod::Month(m) => m.fmt(f),
        }
    }
}

/// Calls of one product on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallDay {
    /// Product id.
    pub product: String,
    /// The day (a monthly total is dated the month's first day).
    pub day: Date,
    /// Calls.
    pub calls: u64,
}

/// A prepaid pack as the month's billing sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackBalance {
    /// Desk id, e.g. `PK-000001`.
    pub id: String,
    /// Product id.
    pub product: String,
    /// Day of purchase: the pack covers calls from 00:00 that day.
    pub bought_on: Date,
    /// Last day it covers ([`last_day_of_pack`]).
    pub last_day: Date,
    /// Calls left; billing takes from it.
    pub remaining: u64,
}

/// The last day a pack bought on `day` covers: one natural year, the day
/// before the purchase date's anniversary (bought 2026-03-15: through
/// 2027-03-14; bought on 29 February: through 28 February).
pub fn last_day_of_pack(day: Date) -> Date {
    let anniversary = day.add_years(1);
    if anniversary.day_of_month() == day.day_of_month() {
        anniversary.add_days(-1)
    } else {
        anniversary
    }
}

/// The order packs are taken in (ascending): soonest last day first, then
/// the oldest purchase, then the lowest id. The last pack in this order is
/// the one a low-balance reminder is about.
pub fn consumption_order(last_day: Date, bought_on: Date, id: &str) -> (Date, Date, &str) {
    (last_day, bought_on, id)
}

/// Post-paid calls priced from one price table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    /// The list, or the campaign whose prices these are.
    pub price_list: PriceSource,
    /// Post-paid calls priced here.
    pub calls: u64,
    /// The tier reached, e.g. `1-3,000,000`.
    pub tier: String,
    /// Price per call.
    #[serde(with = "crate::money::unit_price")]
    pub unit_price: Decimal,
    /// Calls × unit price, rounded half-up to the fen.
    #[serde(with = "crate::money::amount")]
    pub amount: Decimal,
}

/// Calls a pack covered over a run of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackUse {
    /// The pack.
    pub pack: String,
    /// First day covered.
    pub first_day: Date,
    /// Last day covered.
    pub last_day: Date,
    /// Calls covered.
    pub calls: u64,
}

/// One product's calls in one bill, step by step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductUsage {
    /// Product id.
    pub product: String,
    /// Chinese name.
    pub name_zh: String,
    /// English name.
    pub name_en: String,
    /// Calls made.
    pub calls: u64,
    /// Calls the free quota covered.
    pub free_calls: u64,
    /// Calls packs covered.
    pub pack_calls: u64,
    /// Calls left to post-paid.
    pub postpaid_calls: u64,
    /// The call count that picked the tier (post-paid calls, or all calls,
    /// as the family's `tier_basis` says; month to date for some daily bills).
    pub tier_calls: u64,
    /// Post-paid calls by price table.
    pub charges: Vec<Charge>,
    /// Sum of the charges.
    #[serde(with = "crate::money::amount")]
    pub amount: Decimal,
    /// Which pack covered which days.
    pub pack_uses: Vec<PackUse>,
    /// More calls that would have cost less (a tier cliff).
    pub cliff: Option<Cliff>,
}

/// One bill: a month, or one day for daily-settled accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodBill {
    /// First day billed.
    pub first_day: Date,
    /// Last day billed.
    pub last_day: Date,
    /// A line per product with calls, in catalog order.
    pub products: Vec<ProductUsage>,
    /// What is owed.
    #[serde(with = "crate::money::amount")]
    pub amount: Decimal,
}

impl PeriodBill {
    /// The days it bills: `2026-10-05`, or `2026-10-01 to 2026-10-31`.
    pub fn period_text(&self) -> String {
        if self.first_day == self.last_day {
            self.first_day.to_string()
        } else {
            format!("{} to {}", self.first_day, self.last_day)
        }
    }
}

/// A pack that reached its last day with calls unused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expiry {
    /// The pack.
    pub pack: String,
    /// Its last day.
    pub last_day: Date,
    /// Calls it leaves unused (not billed again, not carried over).
    pub unused: u64,
}

/// A customer's month, billed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthBill {
    /// The month.
    pub month: Month,
    /// Monthly: one bill; daily: one per day with calls.
    pub cycle: Cycle,
    /// The bills.
    pub bills: Vec<PeriodBill>,
    /// Packs whose last day fell in the month with calls unused.
    pub expired: Vec<Expiry>,
}

/// One day's calls of one product, allocated.
struct Allocated<'a> {
    day: Date,
    calls: u64,
    free: u64,
    packs: u64,
    postpaid: u64,
    /// The table pricing its post-paid calls (none when there are none).
    prices: Option<&'a PriceList>,
    /// Calls each pack covered this day.
    uses: Vec<(String, u64)>,
}

/// Bills `month` of one customer whose account settles `cycle`: `usage`
/// holds its calls (any order, at most one row per product and day), `packs`
/// its packs with their balances at the start of the month; their
/// `remaining` is reduced by what the month used.
pub fn bill_month(
    catalog: &Catalog,
    month: Month,
    cycle: Cycle,
    usage: &[CallDay],
    packs: &mut [PackBalance],
) -> Result<MonthBill, UsageError> {
    let mut by_product: BTreeMap<usize, Vec<&CallDay>> = BTreeMap::new();
    for u in usage {
        let index = catalog
            .api_products
            .iter()
            .position(|p| p.id == u.product)
            .ok_or_else(|| UsageError::UnknownProduct(u.product.clone()))?;
        if Month::of(u.day) != month {
            return Err(UsageError::OutsideMonth { day: u.day, month });
        }
        by_product.entry(index).or_default().push(u);
    }
    let mut order: Vec<usize> = (0..packs.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&packs[a], &packs[b]);
        consumption_order(a.last_day, a.bought_on, &a.id).cmp(&consumption_order(
            b.last_day,
            b.bought_on,
            &b.id,
        ))
    });
    let mut allocated: Vec<(&ApiProduct, Vec<Allocated<'_>>)> = Vec::new();
    for (index, mut days) in by_product {
        let product = &catalog.api_products[index];
        days.sort_by_key(|u| u.day);
        let mut free_left = product.free_calls_per_month;
        let mut rows = Vec::with_capacity(days.len());
        for u in days {
            let free = u.calls.min(free_left);
            free_left -= free;
            let mut left = u.calls - free;
            let mut uses = Vec::new();
            for &i in &order {
                let pack = &mut packs[i];
                if left == 0 {
                    break;
                }
                if pack.product != product.id
                    || pack.remaining == 0
                    || u.day < pack.bought_on
                    || u.day > pack.last_day
                {
                    continue;
                }
                let take = left.min(pack.remaining);
                pack.remaining -= take;
                left -= take;
                uses.push((pack.id.clone(), take));
            }
            // Only post-paid calls need a price: calls of an unpriced
            // product its trial pack covers are billed at nothing.
            let prices = match product.postpaid_prices(cycle, u.day) {
                Ok(p) => Some(p),
                Err(_) if left == 0 => None,
                Err(NoPrice::OnDay) => {
                    return Err(UsageError::NoPrice {
                        product: product.id.clone(),
                        day: u.day,
                    });
                }
                Err(NoPrice::Unpublished(why)) => {
                    return Err(UsageError::Unpublished {
                        product: product.id.clone(),
                        day: u.day,
                        calls: left,
                        why: why.to_owned(),
                    });
                }
            };
            rows.push(Allocated {
                day: u.day,
                calls: u.calls,
                free,
                packs: u.calls - free - left,
                postpaid: left,
                prices,
                uses,
            });
        }
        allocated.push((product, rows));
    }
    let bills = match cycle {
        Cycle::Monthly => {
            let products: Vec<ProductUsage> = allocated
                .iter()
                .map(|(product, rows)| {
                    let rows: Vec<&Allocated<'_>> = rows.iter().collect();
                    let basis = basis_of(product.family.tier_basis, &rows);
                    priced(product, &rows, basis)
                })
                .collect();
            vec![period(month.first_day(), month.last_day(), products)]
        }
        Cycle::Daily => {
            let mut days: Vec<Date> = allocated
                .iter()
                .flat_map(|(_, rows)| rows.iter().map(|r| r.day))
                .collect();
            days.sort();
            days.dedup();
            days.into_iter()
                .map(|day| {
                    let products = allocated
                        .iter()
                        .filter_map(|(product, rows)| {
                            let today: Vec<&Allocated<'_>> =
                                rows.iter().filter(|r| r.day == day).collect();
                            if today.is_empty() {
                                return None;
                            }
                            let counted: Vec<&Allocated<'_>> = match product.family.daily_tiers {
                                DailyTiers::Day => today.clone(),
                                DailyTiers::MonthToDate => {
                                    rows.iter().filter(|r| r.day <= day).collect()
                                }
                            };
                            let basis = basis_of(product.family.tier_basis, &counted);
                            Some(priced(product, &today, basis))
                        })
                        .collect();
                    period(day, day, products)
                })
                .collect()
        }
    };
    let expired = packs
        .iter()
        .filter(|p| {
            p.remaining > 0 && month.first_day() <= p.last_day && p.last_day <= month.last_day()
        })
        .map(|p| Expiry {
            pack: p.id.clone(),
            last_day: p.last_day,
            unused: p.remaining,
        })
        .collect();
    Ok(MonthBill {
        month,
        cycle,
        bills,
        expired,
    })
}

/// Which pack covered which days: each pack's calls over runs of
/// consecutive usage days.
fn pack_runs(rows: &[&Allocated<'_>]) -> Vec<PackUse> {
    let mut runs: Vec<PackUse> = Vec::new();
    let mut previous: Option<Date> = None;
    for r in rows {
        for (pack, calls) in &r.uses {
            match runs.iter_mut().rev().find(|u| &u.pack == pack) {
                Some(run) if Some(run.last_day) == previous => {
                    run.last_day = r.day;
                    run.calls += calls;
                }
                _ => runs.push(PackUse {
                    pack: pack.clone(),
                    first_day: r.day,
                    last_day: r.day,
                    calls: *calls,
                }),
            }
        }
        previous = Some(r.day);
    }
    runs
}

fn basis_of(basis: TierBasis, rows: &[&Allocated<'_>]) -> u64 {
    rows.iter()
        .map(|r| match basis {
            TierBasis::Postpaid => r.postpaid,
            TierBasis::AllCalls => r.calls,
        })
        .sum()
}

fn period(first_day: Date, last_day: Date, products: Vec<ProductUsage>) -> PeriodBill {
    PeriodBill {
        first_day,
        last_day,
        amount: products.iter().map(|p| p.amount).sum(),
        products,
    }
}

/// Prices one product's allocated `rows`: post-paid calls grouped by price
/// table, each at the tier `basis` calls reach in that table.
fn priced(product: &ApiProduct, rows: &[&Allocated<'_>], basis: u64) -> ProductUsage {
    let mut groups: Vec<(&PriceList, u64)> = Vec::new();
    for r in rows.iter().filter(|r| r.postpaid > 0) {
        let Some(prices) = r.prices else { continue };
        match groups.iter_mut().find(|(p, _)| p.name == prices.name) {
            Some((_, calls)) => *calls += r.postpaid,
            None => groups.push((prices, r.postpaid)),
        }
    }
    let charges: Vec<Charge> = groups
        .iter()
        .filter_map(|(prices, calls)| {
            let (n, tier) = prices.tier(basis)?;
            Some(Charge {
                price_list: prices.source(),
                calls: *calls,
                tier: prices.tier_label(n),
                unit_price: tier.unit_price,
                amount: round_fen(Decimal::from(*calls) * tier.unit_price),
            })
        })
        .collect();
    let calls: u64 = rows.iter().map(|r| r.calls).sum();
    let postpaid: u64 = rows.iter().map(|r| r.postpaid).sum();
    let amount: Decimal = charges.iter().map(|c| c.amount).sum();
    let cliff = match groups.as_slice() {
        [(prices, _)] => cliff(prices, calls, postpaid, basis, amount),
        _ => None,
    };
    ProductUsage {
        product: product.id.clone(),
        name_zh: product.name_zh.clone(),
        name_en: product.name_en.clone(),
        calls,
        free_calls: rows.iter().map(|r| r.free).sum(),
        pack_calls: rows.iter().map(|r| r.packs).sum(),
        postpaid_calls: postpaid,
        tier_calls: basis,
        charges,
        amount,
        pack_uses: pack_runs(rows),
        cliff,
    }
}

/// The first higher tier that would make the bill cheaper had the period
/// had enough more (post-paid) calls to reach it: `quantity` is the calls
/// of the period that would cost `amount`.
fn cliff(
    prices: &PriceList,
    calls: u64,
    postpaid: u64,
    basis: u64,
    amount: Decimal,
) -> Option<Cliff> {
    let (n, _) = prices.tier(basis)?;
    prices.postpaid_tiers[n - 1..]
        .windows(2)
        .filter_map(|w| {
            let start = w[0].up_to? + 1;
            let extra = start - basis;
            let cost = round_fen(Decimal::from(postpaid + extra) * w[1].unit_price);
            (cost < amount).then(|| Cliff {
                quantity: calls + extra,
                amount: cost,
                saving: amount - cost,
            })
        })
        .next()
}

/// A what-if bill for one product's month (`facelic usage bill`): `calls`
/// made on `day`, with packs of the sizes in `packs` bought that day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// The product line, step by step.
    pub usage: ProductUsage,
    /// Packs bought, with their prices.
    pub packs: Vec<(u64, Decimal)>,
    /// Price of the packs.
    #[serde(with = "crate::money::amount")]
    pub packs_amount: Decimal,
    /// Pack calls left unused at the end of the month (they stay in the packs until they expire).
    pub pack_calls_unused: u64,
    /// Packs plus post-paid.
    #[serde(with = "crate::money::amount")]
    pub total: Decimal,
}

/// Estimates a month of `calls` calls of `product` made on `day` with packs
/// of the sizes in `packs` bought that day, at the prices of that day, for
/// an account activated that day (a daily-settled one pays the calls as one
/// day's).
pub fn estimate(
    catalog: &Catalog,
    product: &str,
    calls: u64,
    packs: &[u64],
    day: Date,
) -> Result<Estimate, UsageError> {
    let api = catalog
        .api_product(product)
        .ok_or_else(|| UsageError::UnknownProduct(product.to_owned()))?;
    if let Some(why) = &api.unpriced {
        return Err(UsageError::Unpublished {
            product: product.to_owned(),
            day,
            calls,
            why: why.clone(),
        });
    }
    let prices = api.prices_on(day).ok_or_else(|| UsageError::NoPrice {
        product: product.to_owned(),
        day,
    })?;
    let mut bought = Vec::with_capacity(packs.len());
    let mut balances = Vec::with_capacity(packs.len());
    for (i, &size) in packs.iter().enumerate() {
        let pack = prices.pack(size).ok_or_else(|| UsageError::UnknownPack {
            product: product.to_owned(),
            calls: size,
            day,
            sizes: api.pack_sizes_on(day),
        })?;
        bought.push((pack.calls, pack.price));
        balances.push(PackBalance {
            id: format!("pack {}", i + 1),
            product: product.to_owned(),
            bought_on: day,
            last_day: last_day_of_pack(day),
            remaining: pack.calls,
        });
    }
    let usage = [CallDay {
        product: product.to_owned(),
        day,
        calls,
    }];
    // Priced for an account that starts that day: a family that settles
    // new accounts daily bills the calls as one day's.
    let month = bill_month(
        catalog,
        Month::of(day),
        api.family.cycle_for(Some(day)),
        &usage,
        &mut balances,
    )?;
    let line = month
        .bills
        .into_iter()
        .flat_map(|b| b.products)
        .next()
        .ok_or_else(|| UsageError::UnknownProduct(product.to_owned()))?;
    let packs_amount: Decimal = bought.iter().map(|(_, p)| *p).sum();
    Ok(Estimate {
        total: packs_amount + line.amount,
        pack_calls_unused: balances.iter().map(|b| b.remaining).sum(),
        usage: line,
        packs: bought,
        packs_amount,
    })
}

/// The most calls one count may hold (a day's calls, a pack, an estimate):
/// a trillion. Far above any real figure, and small enough that no sum
/// over a month of products can overflow.
pub const MAX_CALLS: u64 = 1_000_000_000_000;

/// Parses a call count: digits with optional `,`/`_` separators and a `K`,
/// `M` suffix, at most [`MAX_CALLS`].
pub fn parse_calls(text: &str) -> Result<u64, String> {
    let t = text.trim().replace([',', '_'], "");
    let (number, factor) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1_000u64),
        Some('m' | 'M') => (&t[..t.len() - 1], 1_000_000u64),
        _ => (t.as_str(), 1u64),
    };
    number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|n| *n <= MAX_CALLS)
        .ok_or_else(|| format!("{text:?} is not a call count of at most 1,000,000,000,000 (e.g. 52000000, 52M, 3.5M is not allowed: write 3500K)"))
}

/// A usage bill's lines for one product: one per price table charged, or
/// one line of nothing owed when free calls and packs covered everything.
pub fn usage_lines(invoicing: &Invoicing, p: &ProductUsage, bill: &PeriodBill) -> Vec<Line> {
    let period = if bill.first_day == bill.last_day {
        bill.first_day.to_string()
    } else {
        Month::of(bill.first_day).to_string()
    };
    let head = format!(
        "{period}: {} calls = {} free + {} from packs + {} post-paid",
        calls_text(p.calls),
        calls_text(p.free_calls),
        calls_text(p.pack_calls),
        calls_text(p.postpaid_calls)
    );
    let line =
        |description: String, tier: String, quantity: u64, unit: Decimal, amount: Decimal| {
            Line::item(
                (&p.product, &p.name_zh, &p.name_en),
                description,
                tier,
                quantity,
                unit,
                amount,
                invoicing,
            )
        };
    if p.charges.is_empty() {
        return vec![line(head, String::new(), 0, Decimal::ZERO, Decimal::ZERO)];
    }
    p.charges
        .iter()
        .map(|c| {
            let description = if c.price_list == PriceSource::List {
                head.clone()
            } else {
                format!("{head} ({} price)", c.price_list)
            };
            line(description, c.tier.clone(), c.calls, c.unit_price, c.amount)
        })
        .collect()
}

/// The statement line of a pack sale: pack `id` of `product`, `calls`
/// calls bought on `bought_on` at `price` from the price list named
/// `price_list`.
pub fn pack_line(
    product: &ApiProduct,
    id: &str,
    calls: u64,
    (price, price_list): (Decimal, &PriceSource),
    bought_on: Date,
    invoicing: &Invoicing,
) -> Line {
    Line::item(
        (&product.id, &product.name_zh, &product.name_en),
        format!(
            "Prepaid pack {id}: {calls} calls, valid {bought_on} to {} ({price_list} price)",
            last_day_of_pack(bought_on)
        ),
        String::new(),
        1,
        price,
        price,
        invoicing,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_periods_are_a_day_or_a_month_in_one_spelling() {
        let month = UsagePeriod::parse("2026-11").unwrap();
        assert_eq!(month, UsagePeriod::Month(Month::parse("2026-11").unwrap()));
        assert_eq!(month.first_day().to_string(), "2026-11-01");
        let day = UsagePeriod::parse("2026-11-05").unwrap();
        assert_eq!(day.first_day().to_string(), "2026-11-05");
        for text in ["2026-11", "2026-11-05"] {
            assert_eq!(UsagePeriod::parse(text).unwrap().to_string(), text);
        }
        for bad in ["2026-1", "2026-11-5", "2026-13", "", "2026-11-05T00:00:00Z"] {
            assert!(UsagePeriod::parse(bad).is_none(), "{bad:?}");
        }
    }

    fn day(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn a_pack_lasts_one_natural_year() {
        assert_eq!(last_day_of_pack(day("2026-03-15")), day("2027-03-14"));
        assert_eq!(last_day_of_pack(day("2028-02-29")), day("2029-02-28"));
        assert_eq!(last_day_of_pack(day("2027-03-01")), day("2028-02-29"));
    }

    fn catalog_with(family_line: &str, to: &str) -> Catalog {
        let text = crate::catalog::DEFAULT_CATALOG
            .replacen("daily_tiers = \"day\"", family_line, 1)
            .replace("to = \"2021-06-21\"", &format!("to = \"{to}\""));
        Catalog::parse(&text).unwrap()
    }

    #[test]
    fn a_month_spanning_a_campaigns_end_is_charged_at_both_prices() {
        let c = catalog_with("daily_tiers = \"day\"", "2026-08-15");
        let calls: Vec<CallDay> = (1..=31)
            .map(|d| CallDay {
                product: "kyc-wechat-liveness-verification".into(),
                day: day(&format!("2026-08-{d:02}")),
                calls: 1_000,
            })
            .collect();
        let m = bill_month(
            &c,
            Month::parse("2026-08").unwrap(),
            Cycle::Monthly,
            &calls,
            &mut [],
        )
        .unwrap();
        let line = &m.bills[0].products[0];
        // 31,000 calls reach 1万<调用量≤10万: 15 days at 0.76, 16 at 0.95.
        let charged: Vec<(String, u64, String)> = line
            .charges
            .iter()
            .map(|c| (c.price_list.to_string(), c.calls, c.amount.to_string()))
            .collect();
        assert_eq!(
            charged,
            [
                ("限时8折优惠起".to_owned(), 15_000, "11400.00".to_owned()),
                ("list".to_owned(), 16_000, "15200.00".to_owned()),
            ]
        );
        assert_eq!(line.tier_calls, 31_000);
    }

    #[test]
    fn daily_tiers_by_the_day_or_the_month_so_far() {
        let calls: Vec<CallDay> = (1..=3)
            .map(|d| CallDay {
                product: "kyc-general-liveness-comparison".into(),
                day: day(&format!("2026-08-{d:02}")),
                calls: 600,
            })
            .collect();
        let month = Month::parse("2026-08").unwrap();
        let amounts = |family_line: &str| -> Vec<String> {
            let c = catalog_with(family_line, "2021-12-31");
            bill_month(&c, month, Cycle::Daily, &calls, &mut [])
                .unwrap()
                .bills
                .iter()
                .map(|b| b.amount.to_string())
                .collect()
        };
        // 600 calls a day: 0.15 each by the day; from the second day the
        // month so far (1,200, then 1,800) reaches the 0.13 tier.
        assert_eq!(
            amounts("daily_tiers = \"day\""),
            ["90.00", "90.00", "90.00"]
        );
        assert_eq!(
            amounts("daily_tiers = \"month-to-date\""),
            ["90.00", "78.00", "78.00"]
        );
    }
}
