//! Why a license was refused, with stable numeric codes.

#![forbid(unsafe_code)]

/// Why [`Verifier::verify`](crate::Verifier::verify) refused a license.
///
/// Every variant has a stable numeric [`code`](VerifyError::code) and a stable
/// short [`name`](VerifyError::name); apps may switch on either. New variants
/// get new codes; codes are never reused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The text is not a well-formed license (the reason says where).
    #[error("malformed license: {0}")]
    Malformed(&'static str),
    /// The license uses a format version this verifier does not know.
    #[error("unsupported license format version")]
    UnsupportedVersion,
    /// The license names a key that is not in the keyring.
    #[error("license signed by unknown key {0}")]
    UnknownKey(crate::KeyId),
    /// The signature does not verify under the named key.
    #[error("bad signature")]
    BadSignature,
    /// The validity window has not started yet (or the license was issued in the future).
    #[error("license not valid before {0}")]
    NotYetValid(crate::Timestamp),
    /// The validity window has ended.
    #[error("license expired at {0}")]
    Expired(crate::Timestamp),
    /// The license is bound to another device (or no device code was given).
    #[error("license is bound to another device")]
    WrongDevice,
    /// The license is bound to another app (or no package name was given).
    #[error("license is bound to another app package")]
    WrongPackage,
    /// The license pins a signing certificate and the app's differs (or none was given).
    #[error("app signing certificate does not match the license")]
    WrongCertificate,
    /// The license's serial is on the revocation list.
    #[error("license has been revoked")]
    Revoked,
    /// The device clock was set back beyond the tolerance.
    #[error("device clock was set back")]
    ClockRollback,
    /// The clock guard's state file could not be read (an I/O failure, not
    /// tampering: tampering is [`VerifyError::ClockRollback`]).
    #[error("clock guard state unavailable: {0}")]
    ClockStateUnavailable(std::io::ErrorKind),
    /// A format-2 license (or list) whose certificate no trusted root
    /// signed: its root key (the id) is not in the keyring, or the
    /// certificate's signature fails under it.
    #[error("signing key not certified by a trusted root (certificate names root {0})")]
    UncertifiedKey(crate::KeyId),
    /// The license was issued (at the time given) outside the window its
    /// signing key's certificate allows.
    #[error("license issued at {0}, outside its signing key's certificate window")]
    CertificateWindow(crate::Timestamp),
    /// The signing key's certificate does not cover the license's product.
    #[error("signing key's certificate does not cover this product")]
    CertificateProduct,
    /// The key that signed the license is revoked by a root-signed
    /// revocation list.
    #[error("license signed by revoked signing key {0}")]
    SigningKeyRevoked(crate::KeyId),
    /// A revocation-list text is older than the one the verifier holds:
    /// for the key named (a root, or the root of a desk's certified
    /// signing keys) it carries an older list, or none at all.
    #[error("revocation list older than the one held (the lists of key {0} are older or missing)")]
    RevocationListOutdated(crate::KeyId),
}

impl VerifyError {
    /// The stable code of this refusal (see [`ErrorCode`](crate::ErrorCode)).
    pub fn error_code(&self) -> crate::ErrorCode {
        use crate::ErrorCode as C;
        match self {
            VerifyError::Malformed(_) => C::Malformed,
            VerifyError::UnsupportedVersion => C::UnsupportedVersion,
            VerifyError::UnknownKey(_) => C::UnknownKey,
            VerifyError::BadSignature => C::BadSignature,
            VerifyError::NotYetValid(_) => C::NotYetValid,
            VerifyError::Expired(_) => C::Expired,
            VerifyError::WrongDevice => C::WrongDevice,
            VerifyError::WrongPackage => C::WrongPackage,
            VerifyError::WrongCertificate => C::WrongCertificate,
            VerifyError::Revoked => C::Revoked,
            VerifyError::ClockRollback => C::ClockRollback,
            VerifyError::ClockStateUnavailable(_) => C::ClockStateUnavailable,
            VerifyError::UncertifiedKey(_) => C::UncertifiedKey,
            VerifyError::CertificateWindow(_) => C::CertificateWindow,
            VerifyError::CertificateProduct => C::CertificateProduct,
            VerifyError::SigningKeyRevoked(_) => C::SigningKeyRevoked,
            VerifyError::RevocationListOutdated(_) => C::RevocationListOutdated,
        }
    }

    /// Stable numeric code, the same across every binding.
    pub fn code(&self) -> u32 {
        self.error_code().code().unsigned_abs()
    }

    /// Stable short name, e.g. `bad-signature`.
    pub fn name(&self) -> &'static str {
        self.error_code().name()
    }
}
