//! The issuing side of facelic: issuer keys and license signing.
//!
//! [`IssuerKey`] creates, stores and loads the Ed25519 signing key (PKCS#8
//! PEM, mode 0600, never silently overwritten) and signs [`License`]s into
//! the text format that `facelic-verifier` checks. The `facelic` command is
//! thin glue over this library.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod keyfile;
pub mod keyring;
mod sign;

pub use facelic_verifier::{
    Binding, DeviceCode, Feature, FeatureSet, KeyId, Keyring, Kind, License, Serial, Timestamp,
};
pub use keyfile::{IssuerKey, KeyFileError, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE};
pub use keyring::KeyringError;
pub use sign::{SignError, new_serial};
