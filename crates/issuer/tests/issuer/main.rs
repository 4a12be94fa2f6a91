//! Integration tests of the issuer library and the `facelic` binary (one test binary).

mod cli;
mod desk;
mod invoicing;
mod keys;
mod vectors;
