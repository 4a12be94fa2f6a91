//! Signing licenses into their text form, with a key file's key or a key
//! in an HSM ([`Signer`]).

use facelic_verifier::{Certificate, EncodeError, KeyId, License, Serial};

use crate::IssuerKey;
use crate::hsm::{HsmError, HsmKey};

/// Why a license could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    /// A field is not valid in the license format (the message names it).
    #[error(transparent)]
    Invalid(#[from] EncodeError),
    /// The certificate is for another key than the one signing.
    #[error("the certificate is for key {certified}, not for the signing key {key}")]
    NotThisKey {
        /// The key the certificate certifies.
        certified: facelic_verifier::KeyId,
        /// The key that was to sign.
        key: facelic_verifier::KeyId,
    },
    /// The HSM could not sign (nothing signed is used).
    #[error(transparent)]
    Hsm(#[from] HsmError),
    /// The system's random source failed (no serial was made).
    #[error("the system's random source failed: {0}")]
    Random(String),
}

/// A key that signs: one loaded from a key file, or one that stays inside
/// an HSM (each signature made there, then checked against the public key).
#[derive(Debug)]
#[non_exhaustive]
pub enum Signer {
    /// A key from a (plain or passphrase-protected) key file.
    File(IssuerKey),
    /// A key in a PKCS#11 token.
    Hsm(HsmKey),
}

impl Signer {
    /// The key id of its public key.
    pub fn key_id(&self) -> KeyId {
        match self {
            Signer::File(key) => key.key_id(),
            Signer::Hsm(key) => key.key_id(),
        }
    }

    /// The public key as SPKI PEM.
    pub fn public_pem(&self) -> String {
        match self {
            Signer::File(key) => key.public_pem(),
            Signer::Hsm(key) => key.public_pem(),
        }
    }

    /// Signs `message` (Ed25519).
    pub fn sign_bytes(&self, message: &[u8]) -> Result<[u8; 64], SignError> {
        match self {
            Signer::File(key) => Ok(key.sign_bytes(message)),
            Signer::Hsm(key) => Ok(key.sign_bytes(message)?),
        }
    }

    /// Runs `encode` (one of the verifier's encoders) with this key's
    /// signing function. The encoders take an infallible signer; when the
    /// HSM fails, the placeholder signature it got is thrown away with the
    /// text, and the error is returned instead.
    pub(crate) fn encode_with<T>(
        &self,
        encode: impl FnOnce(&mut dyn FnMut(&[u8]) -> [u8; 64]) -> T,
    ) -> Result<T, SignError> {
        let mut failed = None;
        let out = encode(&mut |message| {
            self.sign_bytes(message).unwrap_or_else(|e| {
                failed.get_or_insert(e);
                [0; 64]
            })
        });
        match failed {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// Signs `license`: format 2 carrying `certificate` (which must certify
    /// this key) when given, else format 1.
    pub fn sign(
        &self,
        license: &License,
        certificate: Option<&Certificate>,
    ) -> Result<String, SignError> {
        self.encode_with(|sign| sign_license(license, self.key_id(), certificate, sign))?
    }
}

/// Signs `license` under `key_id` with `sign`, format 2 with `certificate`.
fn sign_license(
    license: &License,
    key_id: KeyId,
    certificate: Option<&Certificate>,
    sign: impl FnOnce(&[u8]) -> [u8; 64],
) -> Result<String, SignError> {
    let Some(certificate) = certificate else {
        return Ok(facelic_verifier::encode(
            license,
            key_id,
            &header(license),
            sign,
        )?);
    };
    if certificate.key_id() != key_id {
        return Err(SignError::NotThisKey {
            certified: certificate.key_id(),
            key: key_id,
        });
    }
    Ok(facelic_verifier::encode_certified(
        license,
        certificate,
        &header(license),
        sign,
    )?)
}

/// A fresh random serial: 122 random bits spelled as a UUID version 4
/// (RFC 9562: version nibble 4, variant bits 10).
///
/// The random bytes come from the operating system 4 KiB at a time, kept
/// per thread and never used twice: a batch of 10,000 licenses asks the
/// kernel 40 times, not 10,000.
pub fn new_serial() -> Result<Serial, SignError> {
    /// Random bytes fetched ahead, and how many of them are used.
    struct Pool {
        bytes: [u8; 4096],
        used: usize,
    }
    thread_local! {
        static POOL: std::cell::RefCell<Pool> =
            const { std::cell::RefCell::new(Pool { bytes: [0; 4096], used: 4096 }) };
    }
    let mut bytes = [0u8; 16];
    POOL.with_borrow_mut(|pool| {
        if pool.used + bytes.len() > pool.bytes.len() {
            getrandom::fill(&mut pool.bytes).map_err(|e| SignError::Random(e.to_string()))?;
            pool.used = 0;
        }
        let taken = &mut pool.bytes[pool.used..pool.used + bytes.len()];
        bytes.copy_from_slice(taken);
        // Used bytes are wiped, so none is handed out twice or left behind.
        taken.fill(0);
        pool.used += bytes.len();
        Ok::<(), SignError>(())
    })?;
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Ok(Serial::from_bytes(bytes))
}

/// Longest header value written; longer ones are cut (the header is only a label).
const MAX_HEADER_VALUE: usize = 48;

impl IssuerKey {
    /// Signs `license` and returns its text, with a short human-readable
    /// header (untrusted by verifiers) above the signed body.
    pub fn sign(&self, license: &License) -> Result<String, SignError> {
        sign_license(license, self.key_id(), None, |msg| self.sign_bytes(msg))
    }

    /// Signs `license` as format 2, carrying `certificate` (which must
    /// certify this key), so that apps trusting only the certificate's root
    /// verify it.
    pub fn sign_certified(
        &self,
        license: &License,
        certificate: &Certificate,
    ) -> Result<String, SignError> {
        sign_license(license, self.key_id(), Some(certificate), |msg| {
            self.sign_bytes(msg)
        })
    }

    /// Signs `license` without the human-readable header.
    pub fn sign_bare(&self, license: &License) -> Result<String, SignError> {
        Ok(facelic_verifier::encode(
            license,
            self.key_id(),
            &[],
            |msg| self.sign_bytes(msg),
        )?)
    }
}

fn header(license: &License) -> Vec<(&'static str, String)> {
    let customer = if license.customer_name.is_ascii() {
        &license.customer_name
    } else {
        &license.customer_id
    };
    let mut lines = vec![
        ("Product", license.product.clone()),
        ("Kind", license.kind.to_string()),
        ("Customer", clip(customer)),
    ];
    if let Some(code) = license.device() {
        lines.push(("Device", code.to_string()));
    }
    if let Some(name) = license.package() {
        lines.push(("Package", clip(name)));
    }
    let until = license
        .not_after
        .map_or_else(|| "perpetual".to_owned(), |t| t.to_string());
    lines.push(("Valid", format!("{} to {until}", license.not_before)));
    lines
}

fn clip(value: &str) -> String {
    if value.len() <= MAX_HEADER_VALUE {
        return value.to_owned();
    }
    let cut = (0..=MAX_HEADER_VALUE - 3)
        .rev()
        .find(|&i| value.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}...", &value[..cut])
}

#[cfg(test)]
mod tests {
    #[test]
    fn serials_are_version_4_uuids_and_differ() {
        let a = super::new_serial().unwrap().to_string();
        let b = super::new_serial().unwrap().to_string();
        assert_ne!(a, b);
        for s in [&a, &b] {
            assert_eq!(&s[14..15], "4", "{s}");
            assert!("89ab".contains(&s[19..20]), "{s}");
        }
    }

    #[test]
    fn serials_stay_distinct_across_refills_and_threads() {
        // 4 KiB of randomness is 256 serials: this crosses several refills
        // on each of four threads, each with a pool of its own.
        let serials: Vec<String> = std::thread::scope(|scope| {
            let threads: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        (0..1000)
                            .map(|_| super::new_serial().unwrap().to_string())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            threads
                .into_iter()
                .flat_map(|t| t.join().unwrap())
                .collect()
        });
        let distinct: std::collections::HashSet<&String> = serials.iter().collect();
        assert_eq!(distinct.len(), serials.len());
        // No serial made of wiped (zero) bytes: every one came from the OS.
        assert!(
            serials
                .iter()
                .all(|s| s != "00000000-0000-4000-8000-000000000000")
        );
    }
}
