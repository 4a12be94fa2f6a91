//! Pricing device purchases and platform terms from the catalog.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::{Product, Tier, TierMode};
use crate::money::round_fen;

/// A percentage discount as documents and orders keep it: 0 is none.
pub fn discount(pct: Option<Decimal>) -> Option<Decimal> {
    pct.map(|p| p.normalize()).filter(|p| !p.is_zero())
}

/// Why a quantity could not be priced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// Fewer devices than the minimum purchase.
    #[error("a per-device purchase is at least {minimum} devices; asked for {asked}")]
    BelowMinimum {
        /// The minimum.
        minimum: u64,
        /// What was asked.
        asked: u64,
    },
    /// A platform quote for zero years.
    #[error("a platform quote needs at least one year")]
    NoYears,
    /// The line would cost more than any document may total
    /// ([`crate::money::MAX_TOTAL`]).
    #[error(
        "the price would be beyond {}, the most a document may total",
        crate::money::format_money(crate::money::MAX_TOTAL)
    )]
    TooLarge,
}

/// `quantity × unit price + flat fee` of each portion, summed, refused
/// beyond [`crate::money::MAX_TOTAL`] (checked: never an overflow panic).
fn checked_subtotal(portions: &[TierPortion]) -> Result<Decimal, PricingError> {
    portions.iter().try_fold(Decimal::ZERO, |sum, p| {
        Decimal::from(p.quantity)
            .checked_mul(p.unit_price)
            .and_then(|line| line.checked_add(p.flat_fee))
            .and_then(|line| sum.checked_add(line))
            .filter(|total| *total <= crate::money::MAX_TOTAL)
            .ok_or(PricingError::TooLarge)
    })
}

/// The part of a quantity priced at one tier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierPortion {
    /// Tier label, e.g. `1001-5000`.
    pub tier: String,
    /// Units priced at this tier.
    pub quantity: u64,
    /// Price per unit.
    #[serde(with = "crate::money::unit_price")]
    pub unit_price: Decimal,
    /// Flat fee of the tier (0 if none).
    #[serde(with = "crate::money::amount")]
    pub flat_fee: Decimal,
}

/// A priced line: quantity, tier(s), discount, amount rounded to the fen.
///
/// The desk stores it with an order as the price agreed (JSON), so it reads
/// back as well as it writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinePrice {
    /// Units.
    pub quantity: u64,
    /// `volume`, `graduated` or `platform`.
    pub mode: String,
    /// Label of the tier reached, e.g. `1001-5000`.
    pub tier: String,
    /// Unit price of the tier reached (volume), or the last tier's (graduated).
    #[serde(with = "crate::money::unit_price")]
    pub unit_price: Decimal,
    /// How the units were priced, tier by tier.
    pub portions: Vec<TierPortion>,
    /// Exact amount before discount.
    #[serde(with = "crate::money::amount")]
    pub subtotal: Decimal,
    /// Discount in percent, if any.
    pub discount_pct: Option<Decimal>,
    /// The line amount: subtotal less discount, rounded half-up to the fen.
    #[serde(with = "crate::money::amount")]
    pub amount: Decimal,
}

/// Label of a tier: `50-1000`, or `>5000` for the open one.
pub fn tier_label(tier: &Tier) -> String {
    match tier.to {
        Some(to) => format!("{}-{to}", tier.from),
        None => format!(">{}", tier.from.saturating_sub(1)),
    }
}

fn tier_of(tiers: &[Tier], quantity: u64) -> Option<&Tier> {
    tiers
        .iter()
        .find(|t| quantity >= t.from && t.to.is_none_or(|to| quantity <= to))
}

/// Applies an optional percentage discount and rounds the line to the fen.
pub fn discounted(subtotal: Decimal, discount_pct: Option<Decimal>) -> Decimal {
    let factor = discount_pct.map_or(Decimal::ONE, |p| Decimal::ONE - p / Decimal::ONE_HUNDRED);
    round_fen(subtotal * factor)
}

/// Prices `quantity` devices of `product` (at least `minimum`), with the product's tier mode.
pub fn price_devices(
    product: &Product,
    minimum: u64,
    quantity: u64,
    discount_pct: Option<Decimal>,
) -> Result<LinePrice, PricingError> {
    price_devices_with(product, minimum, quantity, product.tier_mode, discount_pct)
}

/// Prices `quantity` devices of `product` in an explicit tier `mode`.
pub fn price_devices_with(
    product: &Product,
    minimum: u64,
    quantity: u64,
    mode: TierMode,
    discount_pct: Option<Decimal>,
) -> Result<LinePrice, PricingError> {
    let tiers = &product.device_tiers;
    let reached = tier_of(tiers, quantity)
        .filter(|_| quantity >= minimum)
        .ok_or(PricingError::BelowMinimum {
            minimum,
            asked: quantity,
        })?;
    let portions: Vec<TierPortion> = match mode {
        TierMode::Volume => vec![TierPortion {
            tier: tier_label(reached),
            quantity,
            unit_price: reached.unit_price,
            flat_fee: reached.flat_fee,
        }],
        TierMode::Graduated => {
            // The first tier takes everything up to its end (the minimum
            // purchase is priced at the first tier), later tiers their span.
            let mut out = Vec::new();
            let mut priced = 0u64;
            for (i, t) in tiers.iter().enumerate() {
                if priced >= quantity {
                    break;
                }
                let end = t.to.map_or(quantity, |to| to.min(quantity));
                let units = if i == 0 {
                    end
                } else {
                    end.saturating_sub(t.from - 1)
                };
                if units == 0 {
                    continue;
                }
                out.push(TierPortion {
                    tier: tier_label(t),
                    quantity: units,
                    unit_price: t.unit_price,
                    flat_fee: t.flat_fee,
                });
                priced += units;
            }
            out
        }
    };
    let subtotal = checked_subtotal(&portions)?;
    Ok(LinePrice {
        quantity,
        mode: mode.as_str().to_owned(),
        tier: tier_label(reached),
        unit_price: reached.unit_price,
        portions,
        subtotal,
        discount_pct,
        amount: discounted(subtotal, discount_pct),
    })
}

/// A volume cliff: buying `quantity` devices (or making `quantity` calls)
/// would cost `saving` less in total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Cliff {
    /// The larger quantity that costs less.
    pub quantity: u64,
    /// Its total.
    #[serde(with = "crate::money::amount")]
    pub amount: Decimal,
    /// How much less than the quote.
    #[serde(with = "crate::money::amount")]
    pub saving: Decimal,
}

/// The smallest larger quantity (a tier start) that costs less in total than
/// `quote`, if any. Only volume pricing has such cliffs.
pub fn cheaper_quantity(product: &Product, minimum: u64, quote: &LinePrice) -> Option<Cliff> {
    product
        .device_tiers
        .iter()
        .filter(|t| t.from > quote.quantity)
        .filter_map(|t| price_devices(product, minimum, t.from, quote.discount_pct).ok())
        .find(|p| p.amount < quote.amount)
        .map(|p| Cliff {
            quantity: p.quantity,
            amount: p.amount,
            saving: quote.amount - p.amount,
        })
}

/// Prices `years` platform terms of `product` at its catalog fee.
pub fn price_platform(
    product: &Product,
    years: u32,
    discount_pct: Option<Decimal>,
) -> Result<LinePrice, PricingError> {
    price_platform_at(product.platform_fee, years, discount_pct)
}

/// Prices `years` platform terms at `fee` per term (an agreed fee).
pub fn price_platform_at(
    fee: Decimal,
    years: u32,
    discount_pct: Option<Decimal>,
) -> Result<LinePrice, PricingError> {
    if years == 0 {
        return Err(PricingError::NoYears);
    }
    let subtotal = fee
        .checked_mul(Decimal::from(years))
        .filter(|total| *total <= crate::money::MAX_TOTAL)
        .ok_or(PricingError::TooLarge)?;
    Ok(LinePrice {
        quantity: u64::from(years),
        mode: "platform".to_owned(),
        tier: "per platform, per year".into(),
        unit_price: fee,
        portions: vec![TierPortion {
            tier: "per year".into(),
            quantity: u64::from(years),
            unit_price: fee,
            flat_fee: Decimal::ZERO,
        }],
        subtotal,
        discount_pct,
        amount: discounted(subtotal, discount_pct),
    })
}
