//! Integration tests of the verifier (one test binary): the shared vectors,
//! attacks on the encoding, and every check of every kind.

mod attacks;
mod certified;
mod codes;
mod guard;
mod kinds;
mod revocation;
mod support;
mod vectors;

#[path = "../../../../tests/support/fixtures.rs"]
mod fixtures;

#[path = "../../../../tests/support/format2.rs"]
mod format2;
