//! Signing licenses into their text form.

use facelic_verifier::{Certificate, EncodeError, License, Serial};

use crate::IssuerKey;

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
}

/// A fresh random serial (UUID version 4).
pub fn new_serial() -> Serial {
    Serial::from_bytes(*uuid::Uuid::new_v4().as_bytes())
}

/// Longest header value written; longer ones are cut (the header is only a label).
const MAX_HEADER_VALUE: usize = 48;

impl IssuerKey {
    /// Signs `license` and returns its text, with a short human-readable
    /// header (untrusted by verifiers) above the signed body.
    pub fn sign(&self, license: &License) -> Result<String, SignError> {
        Ok(facelic_verifier::encode(
            license,
            self.key_id(),
            &header(license),
            |msg| self.sign_bytes(msg),
        )?)
    }

    /// Signs `license` as format 2, carrying `certificate` (which must
    /// certify this key), so that apps trusting only the certificate's root
    /// verify it.
    pub fn sign_certified(
        &self,
        license: &License,
        certificate: &Certificate,
    ) -> Result<String, SignError> {
        if certificate.key_id() != self.key_id() {
            return Err(SignError::NotThisKey {
                certified: certificate.key_id(),
                key: self.key_id(),
            });
        }
        Ok(facelic_verifier::encode_certified(
            license,
            certificate,
            &header(license),
            |msg| self.sign_bytes(msg),
        )?)
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
