//! The facelic product catalog, pricing and invoicing.
//!
//! [`Catalog`] loads and validates `licenses/catalog.toml`: the products, the
//! features each grants, device price tiers, platform fees and the licensing
//! rules (minimum quantity, trial lengths). Pricing and invoices build on it.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod catalog;

pub use catalog::{Catalog, CatalogError, DEFAULT_CATALOG, Product, Rules, Tier};
pub use rust_decimal::Decimal;
