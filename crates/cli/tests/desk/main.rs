//! Integration tests of the issuer library and the `facelic` binary (one test binary).

mod accounts;
mod certified;
mod cli;
mod desk;
mod finance;
mod hsm;
mod integrity;
mod invoicing;
mod keys;
mod usage;
mod vectors;

#[path = "../../../../tests/support/fixtures.rs"]
mod fixtures;

pub(crate) use fixtures::have;

#[path = "../../../../tests/support/format2.rs"]
mod format2;
