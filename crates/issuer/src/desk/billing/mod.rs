//! Billing: invoices and credit notes, payments and customer accounts,
//! saved quotes, prepaid packs and metered usage. Meets licensing only
//! where an order is made from a quote and at the platform discount.

pub(crate) mod accounts;
pub(crate) mod activations;
pub(crate) mod documents;
pub(crate) mod invoices;
pub(crate) mod packs;
pub(crate) mod payments;
pub(crate) mod quotes;
pub(crate) mod usage;

#[allow(clippy::wildcard_imports)]
use super::*;
