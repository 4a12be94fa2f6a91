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

pub mod desk;
pub mod keyfile;
pub mod keyring;
mod sign;

pub use facelic_verifier::{
    Binding, DeviceCode, DeviceCodeError, Feature, FeatureSet, IdentityProfile, KeyId, Keyring,
    Kind, License, Serial, Timestamp,
};
pub use keyfile::{IssuerKey, KeyFileError, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE};
pub use keyring::KeyringError;
pub use sign::{SignError, new_serial};

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, synced, then renamed over `path`.
pub fn atomic_write(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".facelic-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
