//! Signing-key certificates: a root key of the app's keyring vouches for a
//! signing key, for licenses issued in a window and, optionally, for some
//! products only (`docs/license-format.md` §10). A format-2 license carries
//! the certificate of the key that signed it, so an app that knows only the
//! root verifies licenses from signing keys made long after it shipped.
//!
//! Payload (UTF-8, every line ending in a line feed, in this order):
//!
//! ```text
//! public-key=<base64url of the 32-byte Ed25519 key>
//! not-before=<time>            first instant the key may issue at
//! not-after=<time>             end of that window (exclusive)
//! products=<id>,<id>           optional: the only products it may issue
//! ```

#![forbid(unsafe_code)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::armor::{self, CERTIFICATE, Envelope};
use crate::error::VerifyError;
use crate::keys::{KeyId, Keyring, PublicKey};
use crate::payload::{Fields, product_id};
use crate::time::Timestamp;

/// Largest certificate payload, in bytes.
const MAX_CERTIFICATE_LEN: usize = 4096;
/// Most products one certificate may name.
pub(crate) const MAX_PRODUCTS: usize = 64;

/// A signing key, vouched for by a root key: verified against a keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    root_id: KeyId,
    key: PublicKey,
    key_id: KeyId,
    not_before: Timestamp,
    not_after: Timestamp,
    products: Option<Vec<String>>,
    /// The signed payload and the root's signature, as they travel.
    payload: Vec<u8>,
    signature: [u8; 64],
}

impl Certificate {
    /// Reads a certificate on its own (the `FACELIC SIGNING KEY
    /// CERTIFICATE` armor the root's machine writes) and checks it against
    /// the roots in `keyring`: [`VerifyError::UncertifiedKey`] when its root
    /// is not there or its signature fails, [`VerifyError::Malformed`] for
    /// anything else wrong with it.
    pub fn parse(text: impl AsRef<[u8]>, keyring: &Keyring) -> Result<Self, VerifyError> {
        let document = armor::decode(&CERTIFICATE, text.as_ref())?;
        Self::verify(&document.envelope, keyring)
    }

    /// Checks a certificate's signature under its root and reads it.
    pub(crate) fn verify(envelope: &Envelope, keyring: &Keyring) -> Result<Self, VerifyError> {
        let root_id = envelope.key_id;
        let root = keyring
            .get(root_id)
            .ok_or(VerifyError::UncertifiedKey(root_id))?;
        if !envelope.is_signed_by(root) {
            return Err(VerifyError::UncertifiedKey(root_id));
        }
        let terms = decode_payload(envelope.payload()).map_err(VerifyError::Malformed)?;
        Ok(Self {
            root_id,
            key_id: KeyId::of(&terms.public_key),
            key: terms.public_key,
            not_before: terms.not_before,
            not_after: terms.not_after,
            products: terms.products,
            payload: envelope.payload().to_vec(),
            signature: envelope.signature,
        })
    }

    /// True when `envelope` is this certificate, byte for byte.
    pub(crate) fn is(&self, envelope: &Envelope) -> bool {
        self.root_id == envelope.key_id
            && self.signature == envelope.signature
            && self.payload == envelope.payload()
    }

    /// Checks that this certificate lets its key issue a license of
    /// `product` at `issued_at`: [`VerifyError::CertificateWindow`] or
    /// [`VerifyError::CertificateProduct`] when it does not.
    pub fn allows(&self, product: &str, issued_at: Timestamp) -> Result<(), VerifyError> {
        self.allows_issuing_at(issued_at)?;
        if let Some(products) = &self.products
            && !products.iter().any(|p| p == product)
        {
            return Err(VerifyError::CertificateProduct);
        }
        Ok(())
    }

    /// Checks that `at` lies in the window the key may issue in
    /// ([`VerifyError::CertificateWindow`] when not).
    pub fn allows_issuing_at(&self, at: Timestamp) -> Result<(), VerifyError> {
        if at < self.not_before || at >= self.not_after {
            return Err(VerifyError::CertificateWindow(at));
        }
        Ok(())
    }

    /// Id of the root key that signed the certificate.
    pub fn root_key_id(&self) -> KeyId {
        self.root_id
    }

    /// The certified signing key.
    pub fn public_key(&self) -> &PublicKey {
        &self.key
    }

    /// Id of the certified signing key.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// First instant the key may issue at.
    pub fn not_before(&self) -> Timestamp {
        self.not_before
    }

    /// End of the issuing window (exclusive).
    pub fn not_after(&self) -> Timestamp {
        self.not_after
    }

    /// The only products the key may issue, ascending; `None` for any.
    pub fn products(&self) -> Option<&[String]> {
        self.products.as_deref()
    }

    /// The certificate's three body parts (root key id, payload,
    /// signature), as a format-2 license embeds them.
    #[cfg(feature = "encode")]
    pub(crate) fn body_parts(&self) -> String {
        armor::signer_parts(self.root_id, &self.payload, &self.signature)
    }

    /// Writes and signs a certificate for `terms`: `sign` gets the exact
    /// message and returns the Ed25519 signature of the root key `root_id`.
    /// Needs the `encode` feature (the issuer's).
    #[cfg(feature = "encode")]
    pub fn encode(
        terms: &CertificateTerms,
        root_id: KeyId,
        sign: impl FnOnce(&[u8]) -> [u8; 64],
    ) -> Result<String, crate::EncodeError> {
        let payload = encode_payload(terms).map_err(|reason| crate::EncodeError { reason })?;
        let version = &armor::CERTIFICATE_V1;
        let signature = sign(&armor::signed_message(version, root_id, &payload));
        let key_id = KeyId::of(&terms.public_key);
        let mut header = vec![
            ("Key", key_id.to_string()),
            ("Root", root_id.to_string()),
            (
                "Issues",
                format!("{} to {}", terms.not_before, terms.not_after),
            ),
        ];
        if let Some(products) = &terms.products {
            header.push(("Products", products.join(",")));
        }
        Ok(armor::encode(
            &CERTIFICATE,
            version,
            &root_id.to_string(),
            &payload,
            &signature,
            &header,
        ))
    }
}

/// What a certificate says about its signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateTerms {
    /// The signing key.
    pub public_key: PublicKey,
    /// First instant the key may issue at.
    pub not_before: Timestamp,
    /// End of the issuing window (exclusive; after `not_before`).
    pub not_after: Timestamp,
    /// The only products the key may issue (product ids, 1 to 64 of them);
    /// `None` for any product.
    pub products: Option<Vec<String>>,
}

#[cfg(feature = "encode")]
fn encode_payload(terms: &CertificateTerms) -> Result<Vec<u8>, &'static str> {
    let mut out = format!(
        "public-key={}\nnot-before={}\nnot-after={}\n",
        URL_SAFE_NO_PAD.encode(terms.public_key.as_bytes()),
        terms.not_before,
        terms.not_after
    );
    if let Some(products) = &terms.products {
        let mut sorted = products.clone();
        sorted.sort_unstable();
        out.push_str(&format!("products={}\n", sorted.join(",")));
    }
    let bytes = out.into_bytes();
    decode_payload(&bytes).map(|_| bytes)
}

fn decode_payload(bytes: &[u8]) -> Result<CertificateTerms, &'static str> {
    let mut f = Fields::of(bytes, MAX_CERTIFICATE_LEN)?;
    let key = f.required("public-key", "certificate without public-key")?;
    let raw: [u8; 32] = URL_SAFE_NO_PAD
        .decode(key)
        .ok()
        .and_then(|k| k.try_into().ok())
        .ok_or("certificate public-key is not 32 bytes of canonical base64url")?;
    let public_key = PublicKey::from_bytes(&raw)
        .map_err(|_| "certificate public-key is not a canonical Ed25519 key of large order")?;
    let time = |v: &str, bad| Timestamp::parse(v).ok_or(bad);
    let not_before = time(
        f.required("not-before", "certificate without not-before")?,
        "bad certificate not-before",
    )?;
    let not_after = time(
        f.required("not-after", "certificate without not-after")?,
        "bad certificate not-after",
    )?;
    if not_after <= not_before {
        return Err("certificate not-after must be after not-before");
    }
    let products = match f.optional("products")? {
        None => None,
        Some(list) => {
            let mut ids: Vec<String> = Vec::new();
            for id in list.split(',') {
                let id = product_id(id).ok_or("bad product id in certificate")?;
                if ids.last().is_some_and(|last| *last >= id) {
                    return Err("certificate products must be strictly ascending");
                }
                ids.push(id);
            }
            if ids.len() > MAX_PRODUCTS {
                return Err("certificate names more than 64 products");
            }
            Some(ids)
        }
    };
    f.finish()?;
    Ok(CertificateTerms {
        public_key,
        not_before,
        not_after,
        products,
    })
}
