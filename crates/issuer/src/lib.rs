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
pub mod hsm;
pub mod keyfile;
pub mod keyring;
pub mod root;
mod sign;

pub use facelic_verifier::{
    Binding, Certificate, CertificateTerms, DeviceCode, DeviceCodeError, Feature, FeatureSet,
    IdentityProfile, KeyId, Keyring, Kind, License, RevocationList, Serial, Timestamp,
};
pub use keyfile::{
    IssuerKey, KeyFileError, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, Passphrase, PassphraseSource,
    is_protected, secret_from_env,
};
pub use keyring::KeyringError;
pub use sign::{SignError, Signer, new_serial};

/// The directory a file at `path` lives in: its parent, or `.`.
pub(crate) fn parent_dir(path: &std::path::Path) -> &std::path::Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    }
}

/// Writes `bytes` to `path` atomically, with permission `mode` on Unix: a
/// temporary file in the same directory, synced, then renamed onto `path` —
/// over an existing file with `replace`, else only where nothing is
/// (`ErrorKind::AlreadyExists` otherwise).
pub(crate) fn write_file(
    path: &std::path::Path,
    bytes: &[u8],
    mode: u32,
    replace: bool,
) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".facelic-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut tmp = builder.tempfile_in(parent_dir(path))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if replace {
        tmp.persist(path).map_err(|e| e.error)?;
    } else {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
    }
    Ok(())
}
