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
mod certificate;
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

pub use certificate::{Certificate, CertificateTerms};
pub use codes::ErrorCode;
pub use device::{DeviceCode, DeviceCodeError, IdentityProfile};
pub use error::VerifyError;
pub use guard::{ClockGuard, DEFAULT_ROLLBACK_TOLERANCE_SECS};
pub use keys::{KeyError, KeyId, Keyring, PublicKey, public_key_to_pem};
pub use license::{
    Binding, Feature, FeatureSet, Kind, License, ParseError, Serial, VerifiedLicense,
};
/// Longest `customer-name` a license holds, in bytes (an issuer checks names
/// against it before it signs).
#[cfg(feature = "encode")]
pub use payload::MAX_NAME_LEN;
pub use revocation::{ListName, RevocationList};
#[cfg(feature = "encode")]
pub use revocation::{ListSigner, ListTerms};
pub use time::Timestamp;
pub use verify::{Context, DEFAULT_CLOCK_SKEW_SECS, Verifier};

/// A license that cannot be encoded: [`EncodeError::reason`] names the
/// field at fault.
#[cfg(feature = "encode")]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot encode license: {reason}")]
#[non_exhaustive]
pub struct EncodeError {
    /// What is wrong, e.g. "customer-name is empty or too long".
    pub reason: &'static str,
}

/// Encodes and signs a license, returning its text. Needs the `encode`
/// feature, which only an issuer enables.
///
/// `sign` receives the exact message to sign (`docs/license-format.md`,
/// "Signature": the domain, the key id, the payload) and must return its
/// Ed25519 signature under the key whose id is `key_id`. `header` lines are
/// written above the body for people to read; verifiers ignore them.
///
/// ```
/// use ed25519_dalek::{Signer as _, SigningKey};
/// use facelic_verifier::{Binding, Feature, KeyId, Kind, License, PublicKey, Serial, Timestamp};
///
/// let key = SigningKey::from_bytes(&[7; 32]);
/// let now = Timestamp::parse("2026-11-24T00:00:00Z").unwrap();
/// let license = License {
///     serial: Serial::from_bytes([1; 16]),
///     kind: Kind::Platform,
///     product: "face-detect".into(),
///     features: [Feature::Detect].into_iter().collect(),
///     customer_id: "C-000001".into(),
///     customer_name: "Acme Gate".into(),
///     order_id: "O-000001".into(),
///     issued_at: now,
///     not_before: now,
///     not_after: Some(now.saturating_add(365 * 86_400)),
///     binding: Binding::Package { name: "com.acme.gate".into(), cert_sha256: None },
/// };
/// let public = PublicKey::from_bytes(key.verifying_key().as_bytes()).expect("a key from a seed");
/// let key_id = KeyId::of(&public);
/// let text = facelic_verifier::encode(&license, key_id, &[], |m| key.sign(m).to_bytes())?;
/// assert!(text.starts_with("-----BEGIN FACELIC LICENSE-----"));
/// # Ok::<(), facelic_verifier::EncodeError>(())
/// ```
#[cfg(feature = "encode")]
pub fn encode(
    license: &License,
    key_id: KeyId,
    header: &[(&str, String)],
    sign: impl FnOnce(&[u8]) -> [u8; 64],
) -> Result<String, EncodeError> {
    let version = &armor::LICENSE_V1;
    let payload =
        payload::encode(license, payload::Format::V1).map_err(|reason| EncodeError { reason })?;
    let signature = sign(&armor::signed_message(version, key_id, &payload));
    Ok(armor::encode(
        &armor::LICENSE,
        version,
        &key_id.to_string(),
        &payload,
        &signature,
        header,
    ))
}

/// Encodes and signs a format-2 license: signed by the key `certificate`
/// vouches for (`sign` signs with it), carrying the certificate so that
/// apps trusting only its root verify it. Refuses (like a verifier would)
/// a license the certificate does not allow. Needs the `encode` feature.
#[cfg(feature = "encode")]
pub fn encode_certified(
    license: &License,
    certificate: &Certificate,
    header: &[(&str, String)],
    sign: impl FnOnce(&[u8]) -> [u8; 64],
) -> Result<String, EncodeError> {
    let version = &armor::LICENSE_V2;
    let payload =
        payload::encode(license, payload::Format::V2).map_err(|reason| EncodeError { reason })?;
    certificate
        .allows(&license.product, license.issued_at)
        .map_err(|e| EncodeError {
            reason: match e {
                VerifyError::CertificateProduct => "the certificate does not cover the product",
                _ => "issued-at is outside the certificate's window",
            },
        })?;
    let signature = sign(&armor::signed_message(
        version,
        certificate.key_id(),
        &payload,
    ));
    Ok(armor::encode(
        &armor::LICENSE,
        version,
        &certificate.body_parts(),
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
