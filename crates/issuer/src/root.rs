//! What the offline root's machine does (no desk there): certify a desk's
//! signing key for a window (and optionally some products only), and revoke
//! signing keys. Both write small signed texts that travel to the desk
//! (`keys import-certificate`, `keys import-revocation`); the root's
//! private key never leaves its machine.

use facelic_verifier::{
    Certificate, CertificateTerms, KeyId, ListSigner, ListTerms, RevocationList, Timestamp,
};

use crate::{SignError, Signer};

/// Why a root operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RootError {
    /// The certification request is not one Ed25519 public key (PEM).
    #[error("certification request: {0}")]
    BadRequest(String),
    /// The request is the root's own key.
    #[error("certification request: key {0} is the root itself; a root certifies other keys")]
    SelfCertification(KeyId),
    /// The terms are not a valid certificate (the reason names the field).
    #[error("certificate: {0}")]
    BadTerms(&'static str),
    /// No key ids were given to revoke.
    #[error("name at least one signing key to revoke")]
    NothingToRevoke,
    /// The root key could not sign (an HSM failure).
    #[error(transparent)]
    Sign(#[from] SignError),
}

/// The window and products a root certifies a signing key for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certification {
    /// First instant the key may issue at.
    pub not_before: Timestamp,
    /// End of its window (exclusive).
    pub not_after: Timestamp,
    /// The only products it may issue; `None` for any.
    pub products: Option<Vec<String>>,
}

/// The signing key of a certification request: the desk's SPKI PEM public
/// key (what `facelic keys request` writes), exactly one key.
pub fn read_request(pem: &str) -> Result<facelic_verifier::PublicKey, RootError> {
    crate::keyring::single_key(pem).map_err(|e| RootError::BadRequest(e.to_string()))
}

/// Certifies the key of `request_pem` with `root` for `terms`; returns the
/// certificate's text (the `FACELIC SIGNING KEY CERTIFICATE` armor).
pub fn certify(
    root: &Signer,
    request_pem: &str,
    terms: &Certification,
) -> Result<String, RootError> {
    let public_key = read_request(request_pem)?;
    if KeyId::of(&public_key) == root.key_id() {
        return Err(RootError::SelfCertification(root.key_id()));
    }
    let terms = CertificateTerms {
        public_key,
        not_before: terms.not_before,
        not_after: terms.not_after,
        products: terms.products.clone(),
    };
    root.encode_with(|sign| Certificate::encode(&terms, root.key_id(), sign))?
        .map_err(|e| RootError::BadTerms(e.reason))
}

/// A revocation list, signed by `root` at `now`, that revokes the signing
/// keys `keys`: every license they signed fails with `signing-key-revoked`
/// on a device that has the list. List every key revoked so far (a list
/// replaces none: apps take the union of what they are given). The root's
/// machine keeps no state, so the list's sequence number is the second it
/// is signed at (Unix time): later lists of the root number higher.
pub fn revoke_signing_keys(
    root: &Signer,
    keys: &[KeyId],
    now: Timestamp,
) -> Result<String, RootError> {
    if keys.is_empty() {
        return Err(RootError::NothingToRevoke);
    }
    let sequence = u64::try_from(now.unix())
        .ok()
        .filter(|s| *s > 0)
        .ok_or(RootError::BadTerms("the root's clock is before 1970"))?;
    let terms = ListTerms {
        issued_at: now,
        sequence,
        lists: &[],
        signing_keys: keys,
        serials: &[],
    };
    root.encode_with(|sign| {
        RevocationList::encode_v3(&terms, ListSigner::Key(root.key_id()), sign)
    })?
    .map_err(|e| RootError::BadTerms(e.reason))
}
