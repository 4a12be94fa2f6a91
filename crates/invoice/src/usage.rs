//! Billing face-API usage for one month: free quota first, then prepaid
//! packs, then post-paid "tier reached" pricing of the remaining calls.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::catalog::ApiProduct;
use crate::money::round_fen;

/// Why a usage bill could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// A pack size the product does not sell.
    #[error("{product} sells no pack of {calls} calls (packs: {sizes})")]
    UnknownPack {
        /// The product.
        product: String,
        /// The size asked for.
        calls: u64,
        /// The sizes on sale.
        sizes: String,
    },
}

/// One month's bill for one API product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageBill {
    /// The API product.
    pub product: String,
    /// Calls made in the month.
    pub calls: u64,
    /// Calls covered by the free quota.
    pub free_calls: u64,
    /// Calls covered by prepaid packs.
    pub pack_calls: u64,
    /// Prepaid capacity left unused (it expires with the pack, one year after purchase).
    pub pack_calls_unused: u64,
    /// Packs bought, with their prices.
    pub packs: Vec<(u64, Decimal)>,
    /// Price of the packs.
    #[serde(with = "crate::money::amount")]
    pub packs_amount: Decimal,
    /// Calls billed post-paid.
    pub postpaid_calls: u64,
    /// Unit price of the post-paid tier reached (None when nothing is post-paid).
    #[serde(with = "crate::money::opt_unit_price")]
    pub postpaid_unit_price: Option<Decimal>,
    /// Post-paid amount, rounded half-up to the fen.
    #[serde(with = "crate::money::amount")]
    pub postpaid_amount: Decimal,
    /// Packs plus post-paid.
    #[serde(with = "crate::money::amount")]
    pub total: Decimal,
}

/// Bills `calls` calls of `product` in one month, with `packs` (sizes in calls) bought.
pub fn bill(product: &ApiProduct, calls: u64, packs: &[u64]) -> Result<UsageBill, UsageError> {
    let mut bought = Vec::with_capacity(packs.len());
    for &size in packs {
        let pack = product
            .packs
            .iter()
            .find(|p| p.calls == size)
            .ok_or_else(|| UsageError::UnknownPack {
                product: product.id.clone(),
                calls: size,
                sizes: product
                    .packs
                    .iter()
                    .map(|p| p.calls.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        bought.push((pack.calls, pack.price));
    }
    let capacity: u64 = bought.iter().map(|(c, _)| *c).sum();
    let free_calls = calls.min(product.free_calls_per_month);
    let after_free = calls - free_calls;
    let pack_calls = after_free.min(capacity);
    let postpaid_calls = after_free - pack_calls;
    let packs_amount: Decimal = bought.iter().map(|(_, p)| *p).sum();
    let tier = (postpaid_calls > 0)
        .then(|| {
            product
                .postpaid_tiers
                .iter()
                .find(|t| t.up_to.is_none_or(|up| postpaid_calls <= up))
        })
        .flatten();
    let postpaid_unit_price = tier.map(|t| t.unit_price);
    let postpaid_amount =
        round_fen(Decimal::from(postpaid_calls) * postpaid_unit_price.unwrap_or_default());
    Ok(UsageBill {
        product: product.id.clone(),
        calls,
        free_calls,
        pack_calls,
        pack_calls_unused: capacity - pack_calls,
        packs: bought,
        packs_amount,
        postpaid_calls,
        postpaid_unit_price,
        postpaid_amount,
        total: packs_amount + postpaid_amount,
    })
}

/// Parses a call count: digits with optional `,`/`_` separators and a `K`, `M` suffix.
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
        .ok_or_else(|| format!("{text:?} is not a call count (e.g. 52000000, 52M, 3.5M is not allowed: write 3500K)"))
}
