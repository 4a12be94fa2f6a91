//! The verifier: a keyring plus the rules, applied to one license text.

#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex, PoisonError};

use crate::keys::PublicKey;

use crate::armor::{self, Envelope, LICENSE_V2};
use crate::certificate::Certificate;
use crate::device::DeviceCode;
use crate::error::VerifyError;
use crate::keys::Keyring;
use crate::license::{Binding, VerifiedLicense};
use crate::payload::{self, Format};
use crate::revocation::RevocationList;
use crate::time::Timestamp;

/// Default tolerance for a device clock that runs behind the desk's: 24 hours.
pub const DEFAULT_CLOCK_SKEW_SECS: i64 = 24 * 3600;

/// What the app knows about where it runs: the time, and what it is bound by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    now: Timestamp,
    device: Option<DeviceCode>,
    package: Option<String>,
    certs_sha256: Vec<[u8; 32]>,
}

impl Context {
    /// A context at `now`, with no device code or package name yet.
    pub fn at(now: Timestamp) -> Self {
        Self {
            now,
            device: None,
            package: None,
            certs_sha256: Vec::new(),
        }
    }

    /// Sets this device's code (required for device licenses).
    #[must_use]
    pub fn device(mut self, code: DeviceCode) -> Self {
        self.device = Some(code);
        self
    }

    /// Sets the running app's package name (required for platform licenses).
    #[must_use]
    pub fn package(mut self, name: impl Into<String>) -> Self {
        self.package = Some(name.into());
        self
    }

    /// Sets the SHA-256 of the running app's signing certificate (required
    /// when a platform license pins one).
    #[must_use]
    pub fn signing_cert_sha256(mut self, digest: [u8; 32]) -> Self {
        self.certs_sha256.push(digest);
        self
    }

    /// Adds the SHA-256 digests of every certificate in the running app's
    /// signing lineage (all current signers, and on Android 9+ the rotation
    /// history). A license pinning a certificate verifies when the pinned
    /// digest is any of them (`docs/license-format.md` §7).
    #[must_use]
    pub fn signing_certs_sha256(mut self, digests: impl IntoIterator<Item = [u8; 32]>) -> Self {
        self.certs_sha256.extend(digests);
        self
    }

    /// The time of this context.
    pub fn now(&self) -> Timestamp {
        self.now
    }
}

/// Checks license texts against a fixed keyring. Build it once at start-up.
///
/// The keys of the keyring are roots: each may sign format-1 licenses and
/// revocation lists directly, and certify the signing keys of format-2
/// licenses. A verifier remembers the last few certificates it checked, so
/// later licenses under one of them cost one signature check.
#[derive(Debug, Clone)]
pub struct Verifier {
    keyring: Keyring,
    clock_skew_secs: i64,
    revoked: Option<RevocationList>,
    certificates: CertificateCache,
}

/// The certificates a verifier has checked, most recent first.
#[derive(Debug, Default)]
struct CertificateCache(Mutex<Vec<Arc<Certificate>>>);

/// How many checked certificates a verifier keeps.
const CACHED_CERTIFICATES: usize = 8;

impl Clone for CertificateCache {
    fn clone(&self) -> Self {
        let held = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Self(Mutex::new(held.clone()))
    }
}

impl CertificateCache {
    /// The certificate in `envelope`, from the cache or checked against
    /// `keyring` (and then cached).
    fn get(&self, envelope: &Envelope, keyring: &Keyring) -> Result<Arc<Certificate>, VerifyError> {
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(hit) = lock().iter().find(|c| c.is(envelope)) {
            return Ok(Arc::clone(hit));
        }
        let checked = Arc::new(Certificate::verify(envelope, keyring)?);
        let mut held = lock();
        held.insert(0, Arc::clone(&checked));
        held.truncate(CACHED_CERTIFICATES);
        Ok(checked)
    }
}

impl Verifier {
    /// A verifier trusting the keys in `keyring`, with the default clock skew.
    pub fn new(keyring: Keyring) -> Self {
        Self {
            keyring,
            clock_skew_secs: DEFAULT_CLOCK_SKEW_SECS,
            revoked: None,
            certificates: CertificateCache::default(),
        }
    }

    /// Also refuses licenses whose serial or signing key is on `list`
    /// (with [`VerifyError::Revoked`], [`VerifyError::SigningKeyRevoked`]):
    /// at start-up, the list the app kept. Parse the list with
    /// [`RevocationList::parse`], which checks its signatures.
    #[must_use]
    pub fn with_revocation_list(mut self, list: RevocationList) -> Self {
        self.revoked = Some(list);
        self
    }

    /// Replaces the revocation list this verifier applies with a newer one
    /// (a download): refused with [`VerifyError::RevocationListOutdated`],
    /// and the held list kept, when `list` is older than the held one or
    /// lacks a series of lists it has ([`RevocationList::check_supersedes`]).
    pub fn set_revocation_list(&mut self, list: RevocationList) -> Result<(), VerifyError> {
        if let Some(held) = &self.revoked {
            list.check_supersedes(held)?;
        }
        self.revoked = Some(list);
        Ok(())
    }

    /// Sets how far (in seconds, at least 0) `issued-at` and `not-before` may
    /// lie in the future of the context's `now` before the license counts as
    /// not yet valid. `not-after` gets no tolerance.
    #[must_use]
    pub fn with_clock_skew(mut self, secs: i64) -> Self {
        self.clock_skew_secs = secs.max(0);
        self
    }

    /// The trusted keys.
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Like [`Verifier::verify`], but first checks `context`'s time against a
    /// [`ClockGuard`](crate::ClockGuard) (refusing a clock set back with [`VerifyError::ClockRollback`])
    /// and records it.
    ///
    /// ```
    /// use facelic_verifier::{ClockGuard, Context, Keyring, Timestamp, Verifier, VerifyError};
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let pem = include_str!("../../../licenses/examples/test-only-issuer.pub");
    /// let verifier = Verifier::new(Keyring::from_pem(pem)?);
    /// let license = include_str!("../../../licenses/examples/platform.lic");
    /// let dir = std::env::temp_dir().join(format!("facelic-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let guard = ClockGuard::for_app(dir.join("clock"), Some("com.acme.gate"));
    /// let at = |t| Context::at(Timestamp::parse(t).unwrap()).package("com.acme.gate");
    /// verifier.verify_guarded(license, &at("2027-03-01T00:00:00Z"), &guard)?;
    /// // A clock set back by a month is refused, even inside the validity window.
    /// let back = verifier.verify_guarded(license, &at("2027-02-01T00:00:00Z"), &guard);
    /// assert_eq!(back.unwrap_err(), VerifyError::ClockRollback);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn verify_guarded(
        &self,
        text: impl AsRef<[u8]>,
        context: &Context,
        guard: &crate::ClockGuard,
    ) -> Result<VerifiedLicense, VerifyError> {
        // The rules are in the guard's module docs.
        let verified = self.verify(text, context)?;
        let Some(end) = verified.not_after else {
            return Ok(verified);
        };
        let latest = guard.check(context.now)?;
        let trusted = context.now.min(end);
        if latest.is_none_or(|l| trusted > l) {
            guard.record(trusted);
        }
        Ok(verified)
    }

    /// Verifies a license text in `context`.
    ///
    /// Order of checks (`docs/license-format.md` §7): envelope, version,
    /// the signing key's certificate (format 2), key, signature
    /// (`verify_strict`), payload, revocation of the signing key, the
    /// certificate's window and products, revocation of the serial, binding
    /// (device / package / certificate), validity window. Nothing in a
    /// payload is parsed before its signature checks out.
    pub fn verify(
        &self,
        text: impl AsRef<[u8]>,
        context: &Context,
    ) -> Result<VerifiedLicense, VerifyError> {
        let mut document = armor::decode(&armor::LICENSE, text.as_ref())?;
        let certificate = match &document.certificate {
            Some(envelope) => Some(self.certificates.get(envelope, &self.keyring)?),
            None => None,
        };
        let envelope = &mut document.envelope;
        let key: &PublicKey = match &certificate {
            Some(certificate) => {
                envelope.set_key_id(certificate.key_id());
                certificate.public_key()
            }
            None => self
                .keyring
                .get(envelope.key_id)
                .ok_or(VerifyError::UnknownKey(envelope.key_id))?,
        };
        if !envelope.is_signed_by(key) {
            return Err(VerifyError::BadSignature);
        }
        let format = match document.version == LICENSE_V2 {
            true => Format::V2,
            false => Format::V1,
        };
        let license =
            payload::decode(envelope.payload(), format).map_err(VerifyError::Malformed)?;
        if let Some(list) = &self.revoked
            && list.revokes_key(envelope.key_id)
        {
            return Err(VerifyError::SigningKeyRevoked(envelope.key_id));
        }
        if let Some(certificate) = &certificate {
            certificate.allows(&license.product, license.issued_at)?;
        }
        if self
            .revoked
            .as_ref()
            .is_some_and(|list| list.contains(&license.serial))
        {
            return Err(VerifyError::Revoked);
        }

        match &license.binding {
            Binding::Device(code) => {
                if context.device.as_ref() != Some(code) {
                    return Err(VerifyError::WrongDevice);
                }
            }
            Binding::Package { name, cert_sha256 } => {
                if context.package.as_deref() != Some(name.as_str()) {
                    return Err(VerifyError::WrongPackage);
                }
                if let Some(pinned) = cert_sha256
                    && !context.certs_sha256.contains(pinned)
                {
                    return Err(VerifyError::WrongCertificate);
                }
            }
        }

        let late_now = context.now.saturating_add(self.clock_skew_secs);
        if license.not_before > late_now {
            return Err(VerifyError::NotYetValid(license.not_before));
        }
        if license.issued_at > late_now {
            return Err(VerifyError::NotYetValid(license.issued_at));
        }
        if let Some(end) = license.not_after
            && context.now >= end
        {
            return Err(VerifyError::Expired(end));
        }
        Ok(VerifiedLicense {
            key_id: document.envelope.key_id,
            root_key_id: certificate.map(|c| c.root_key_id()),
            license,
        })
    }
}
