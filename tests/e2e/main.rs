//! End-to-end tests across crates and implementations (one test binary).

mod interop;

#[path = "../support/fixtures.rs"]
mod fixtures;
