//! Offline verifier for facelic face-SDK licenses.
//!
//! Build a [`Verifier`] once from a [`Keyring`] of trusted issuer keys, then
//! call [`Verifier::verify`] with the license text and a [`Context`] saying
//! what time it is and which device and app the code runs on. The result is
//! the [`VerifiedLicense`] or a [`VerifyError`] with a stable numeric code.
//!
//! ```
//! use facelic_verifier::{Context, DeviceCode, Keyring, Timestamp, Verifier};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let keyring = Keyring::from_pem(include_str!("../../../licenses/examples/test-only-issuer.pub"))?;
//! let verifier = Verifier::new(keyring);
//! let license = include_str!("../../../licenses/examples/device.lic");
//! let device = DeviceCode::derive(&[
//!     ("android-id", "9774d56d682e549c"),
//!     ("widevine-id", "b3a1c0ffee0ddba11b3a1c0ffee0ddba"),
//! ])?;
//! let now = Timestamp::parse("2027-01-01T00:00:00Z").ok_or("bad time")?;
//! let verified = verifier.verify(license, &Context::at(now).device(device))?;
//! assert!(verified.allows(facelic_verifier::Feature::Detect));
//! # Ok(())
//! # }
//! ```
//!
//! The format is specified in `docs/license-format.md`; this crate is its
//! reference implementation, for both reading and (through [`encode`])
//! writing. The core contains no `unsafe` code and never panics on any input.
//!
//! Features: `ffi` adds the C ABI ([`ffi`], header `include/facelic.h`),
//! `jni` the JNI binding for `com.facelic.NativeVerifier` (see
//! `docs/android.md`). Only those modules use `unsafe`.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod armor;
#[cfg(any(feature = "ffi", feature = "jni"))]
mod binding;
mod codes;
mod device;
mod error;
mod guard;
mod keys;
mod license;
mod payload;
mod revocation;
mod time;
mod verify;

#[cfg(feature = "ffi")]
pub mod ffi;
#[cfg(feature = "jni")]
mod jni;

pub use armor::{BEGIN, END, MAX_TEXT_LEN, SIGNING_DOMAIN, VERSION_TAG, signed_message};
pub use codes::ErrorCode;
pub use device::{
    DeviceCode, DeviceCodeError, IdentityProfile, MAX_ATTR_NAME, MAX_ATTR_VALUE, MAX_ATTRS,
};
pub use ed25519_dalek::VerifyingKey;
pub use error::VerifyError;
pub use guard::{ClockGuard, DEFAULT_ROLLBACK_TOLERANCE_SECS};
pub use keys::{KeyError, KeyId, Keyring, public_key_from_spki_der, public_key_to_pem};
pub use license::{Binding, Feature, FeatureSet, Kind, License, Serial, VerifiedLicense};
pub use payload::{MAX_ID_LEN, MAX_NAME_LEN, MAX_PACKAGE_LEN, MAX_PAYLOAD_LEN};
pub use revocation::RevocationList;
pub use time::Timestamp;
pub use verify::{Context, DEFAULT_CLOCK_SKEW_SECS, Verifier};

/// A license that cannot be encoded: the reason names the field at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode license: {0}")]
pub struct EncodeError(pub &'static str);

/// Encodes and signs a license, returning its text.
///
/// `sign` receives the exact message to sign ([`signed_message`]) and must
/// return its Ed25519 signature under the key whose id is `key_id`. `header`
/// lines are written above the body for people to read; verifiers ignore them.
pub fn encode(
    license: &License,
    key_id: KeyId,
    header: &[(&str, String)],
    sign: impl FnOnce(&[u8]) -> [u8; 64],
) -> Result<String, EncodeError> {
    let payload = payload::encode(license).map_err(EncodeError)?;
    let signature = sign(&signed_message(key_id, &payload));
    Ok(armor::encode(
        &armor::LICENSE,
        key_id,
        &payload,
        &signature,
        header,
    ))
}

/// Checks an Android application id (package name) the way the payload does:
/// two or more `.`-separated segments of `[A-Za-z][A-Za-z0-9_]*`, at most 255 bytes.
pub fn is_valid_package_name(name: &str) -> bool {
    payload::package(name).is_some()
}
