//! Pricing and invoicing for facelic orders.
//!
//! Empty for now: the invoicing issue fills this crate with the tiered price
//! engine, quotes and numbered invoices.
