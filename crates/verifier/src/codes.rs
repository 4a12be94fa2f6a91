//! Every stable error code the verifier and its bindings report, in one list.
//!
//! Codes 1 to 11 and 14 to 18 are the refusals of [`VerifyError`]
//! (14 to 17 came with format 2, 18 with revocation lists of format 3); 12 and 13 are refusals the bindings
//! report on a device (the clock guard's state, the device's identity); 20
//! and up are a caller's mistakes and failures of the
//! binding itself. The Java constants (`LicenseException`), the C header's
//! `FACELIC_ERR_*` defines and the tables in `docs/` are tested against
//! [`ErrorCode::ALL`] (`tests/verifier/codes.rs`); a code is never reused.

#![forbid(unsafe_code)]

use crate::error::VerifyError;

/// A stable error code: its number and short name are the same in Rust, C,
/// Java and the docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The text is not a well-formed license.
    Malformed,
    /// A license format version this verifier does not know.
    UnsupportedVersion,
    /// Signed by a key that is not in the keyring.
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
    /// Not valid yet.
    NotYetValid,
    /// Expired.
    Expired,
    /// Bound to another device.
    WrongDevice,
    /// Bound to another app package.
    WrongPackage,
    /// Pins a signing certificate the app's lineage does not have.
    WrongCertificate,
    /// On the revocation list.
    Revoked,
    /// The device clock was set back.
    ClockRollback,
    /// The clock guard's state file could not be read or written (an I/O
    /// failure, not tampering).
    ClockStateUnavailable,
    /// A device attribute of the identity profile could not be read right
    /// now (e.g. the DRM service is busy); retry later.
    DeviceIdentityUnavailable,
    /// A format-2 license whose signing key no trusted root certified.
    UncertifiedKey,
    /// Issued outside its signing key's certificate window.
    CertificateWindow,
    /// Its signing key's certificate does not cover its product.
    CertificateProduct,
    /// Signed by a signing key a root has revoked.
    SigningKeyRevoked,
    /// A revocation list older than the one the verifier (or the app)
    /// holds: keep the one held.
    RevocationListOutdated,
    /// A caller's argument is invalid (out of range, wrong length, null).
    Argument,
    /// The keyring holds no valid key.
    Keyring,
    /// Device attributes that make no device code.
    DeviceAttributes,
    /// An output buffer is too small.
    BufferTooSmall,
    /// The native library could not be loaded.
    NativeLibraryUnavailable,
    /// A panic or any other unexpected failure inside the native library.
    Internal,
}

impl ErrorCode {
    /// Every code, in numeric order.
    pub const ALL: [ErrorCode; 24] = [
        ErrorCode::Malformed,
        ErrorCode::UnsupportedVersion,
        ErrorCode::UnknownKey,
        ErrorCode::BadSignature,
        ErrorCode::NotYetValid,
        ErrorCode::Expired,
        ErrorCode::WrongDevice,
        ErrorCode::WrongPackage,
        ErrorCode::WrongCertificate,
        ErrorCode::Revoked,
        ErrorCode::ClockRollback,
        ErrorCode::ClockStateUnavailable,
        ErrorCode::DeviceIdentityUnavailable,
        ErrorCode::UncertifiedKey,
        ErrorCode::CertificateWindow,
        ErrorCode::CertificateProduct,
        ErrorCode::SigningKeyRevoked,
        ErrorCode::RevocationListOutdated,
        ErrorCode::Argument,
        ErrorCode::Keyring,
        ErrorCode::DeviceAttributes,
        ErrorCode::BufferTooSmall,
        ErrorCode::NativeLibraryUnavailable,
        ErrorCode::Internal,
    ];

    /// The stable number.
    pub fn code(self) -> i32 {
        match self {
            ErrorCode::Malformed => 1,
            ErrorCode::UnsupportedVersion => 2,
            ErrorCode::UnknownKey => 3,
            ErrorCode::BadSignature => 4,
            ErrorCode::NotYetValid => 5,
            ErrorCode::Expired => 6,
            ErrorCode::WrongDevice => 7,
            ErrorCode::WrongPackage => 8,
            ErrorCode::WrongCertificate => 9,
            ErrorCode::Revoked => 10,
            ErrorCode::ClockRollback => 11,
            ErrorCode::ClockStateUnavailable => 12,
            ErrorCode::DeviceIdentityUnavailable => 13,
            ErrorCode::UncertifiedKey => 14,
            ErrorCode::CertificateWindow => 15,
            ErrorCode::CertificateProduct => 16,
            ErrorCode::SigningKeyRevoked => 17,
            ErrorCode::RevocationListOutdated => 18,
            ErrorCode::Argument => 20,
            ErrorCode::Keyring => 21,
            ErrorCode::DeviceAttributes => 22,
            ErrorCode::BufferTooSmall => 23,
            ErrorCode::NativeLibraryUnavailable => 98,
            ErrorCode::Internal => 99,
        }
    }

    /// The stable short name, e.g. `bad-signature`.
    pub fn name(self) -> &'static str {
        let with_nul = self.name_with_nul();
        with_nul.strip_suffix('\0').unwrap_or(with_nul)
    }

    /// The name as a C string (for `facelic_error_name`).
    #[cfg(feature = "ffi")]
    pub(crate) fn c_name(self) -> &'static core::ffi::CStr {
        core::ffi::CStr::from_bytes_with_nul(self.name_with_nul().as_bytes())
            .unwrap_or(c"unknown-error")
    }

    /// The one spelling of each name, NUL-terminated for C.
    fn name_with_nul(self) -> &'static str {
        match self {
            ErrorCode::Malformed => "malformed\0",
            ErrorCode::UnsupportedVersion => "unsupported-version\0",
            ErrorCode::UnknownKey => "unknown-key\0",
            ErrorCode::BadSignature => "bad-signature\0",
            ErrorCode::NotYetValid => "not-yet-valid\0",
            ErrorCode::Expired => "expired\0",
            ErrorCode::WrongDevice => "wrong-device\0",
            ErrorCode::WrongPackage => "wrong-package\0",
            ErrorCode::WrongCertificate => "wrong-certificate\0",
            ErrorCode::Revoked => "revoked\0",
            ErrorCode::ClockRollback => "clock-rollback\0",
            ErrorCode::ClockStateUnavailable => "clock-state-unavailable\0",
            ErrorCode::DeviceIdentityUnavailable => "device-identity-unavailable\0",
            ErrorCode::UncertifiedKey => "uncertified-key\0",
            ErrorCode::CertificateWindow => "certificate-window\0",
            ErrorCode::CertificateProduct => "certificate-product\0",
            ErrorCode::SigningKeyRevoked => "signing-key-revoked\0",
            ErrorCode::RevocationListOutdated => "revocation-list-outdated\0",
            ErrorCode::Argument => "invalid-argument\0",
            ErrorCode::Keyring => "invalid-keyring\0",
            ErrorCode::DeviceAttributes => "invalid-device-attributes\0",
            ErrorCode::BufferTooSmall => "buffer-too-small\0",
            ErrorCode::NativeLibraryUnavailable => "native-library-unavailable\0",
            ErrorCode::Internal => "internal-error\0",
        }
    }

    /// The code with this number.
    pub fn from_code(code: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// True for the codes an app can expect to go away by retrying later.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorCode::ClockStateUnavailable | ErrorCode::DeviceIdentityUnavailable
        )
    }
}

impl From<&VerifyError> for ErrorCode {
    fn from(e: &VerifyError) -> Self {
        e.error_code()
    }
}

impl core::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_are_unique_and_ordered() {
        let codes: Vec<i32> = ErrorCode::ALL.iter().map(|c| c.code()).collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "{codes:?}");
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_code(c.code()), Some(c));
        }
    }
}
