//! The facelic product catalog, pricing and invoicing.
//!
//! - [`Catalog`] loads and validates `licenses/catalog.toml`: products and the
//!   features each grants, device price tiers, platform fees, licensing rules,
//!   invoicing settings and face-API usage prices.
//! - [`pricing`] prices device purchases ("tier reached" volume or graduated
//!   tiers, flat fees, discounts) and platform terms, and finds volume cliffs.
//! - [`usage`] bills metered calls (face APIs, face verification) day by
//!   day: free quota, then prepaid packs, then post-paid tiers.
//! - [`invoice`] builds statements and credit notes with tax, payments and
//!   settlement, and renders them as text, JSON, CSV or print-ready HTML.
//! - [`account`] keeps what is on a customer's account: unapplied cash,
//!   customer credit, refunds owed.
//! - [`statement_of_account`] is a customer's 对账单 over a period.
//! - [`receivables`] ages what customers owe; [`table`] renders tables as
//!   CSV or `.xlsx`; [`tax_id`] checks unified social credit codes and
//!   [`fapiao`] fapiao numbers;
//!   [`dates`] dates documents in the desk's time zone.
//!
//! All money is [`Decimal`]; every line is rounded half-up to the fen and
//! totals are sums of rounded lines. No database: the desk stores invoices.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod account;
mod catalog;
pub mod dates;
pub mod fapiao;
pub mod invoice;
pub mod money;
pub mod pricing;
pub mod receivables;
pub mod statement_of_account;
pub mod table;
pub mod tax_id;
pub mod usage;

pub use catalog::{
    ApiProduct, ApiTier, Catalog, CatalogError, Cycle, DEFAULT_CATALOG, DailyTiers, Invoicing,
    MonthlyPostpaid, NoPrice, OnSale, Pack, PriceList, PriceSource, Product, RESERVED_PRICE_NAMES,
    Rules, Tier, TierBasis, TierMode, UsageFamily,
};
pub use rust_decimal::Decimal;
