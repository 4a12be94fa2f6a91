//! Licensing: issuing licenses on orders (devices and platform terms),
//! revoking and replacing them, the desk's keys and HSM, and looking
//! licenses up. Meets billing only where an order is made from a quote
//! (in [`super::orders`]) and at the platform discount.

pub(crate) mod hsm;
pub(crate) mod issue;
pub(crate) mod keys;
pub(crate) mod platform;
pub(crate) mod query;
pub(crate) mod revoke;
mod seek_buffer;
pub(crate) mod signing;
pub(crate) mod staging;

#[allow(clippy::wildcard_imports)]
use super::*;
