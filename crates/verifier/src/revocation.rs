//! Signed revocation lists: the serials the desk has revoked.
//!
//! Same armor and signature rules as a license (see `docs/license-format.md`
//! §9), with armor label `FACELIC REVOCATION LIST`, version tag `FR1` and
//! signature domain `"facelic-revocation-list-v1\0"`. The payload is
//! `issued-at=<time>\n` followed by one `serial=<uuid>\n` per revoked license,
//! serials in strictly ascending order.

#![forbid(unsafe_code)]

use crate::armor::{self, Document, REVOCATION_LIST, REVOCATION_LIST_V2};
use crate::certificate::Certificate;
use crate::error::VerifyError;
use crate::keys::{KeyId, Keyring};
use crate::license::Serial;
use crate::payload::Fields;
use crate::time::Timestamp;
use crate::verify::check_signature;

/// A verified revocation list: the license serials and the signing keys
/// revoked. Read from one or more signed lists (armored blocks) in one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationList {
    key_id: KeyId,
    issued_at: Timestamp,
    serials: Vec<Serial>,
    signing_keys: Vec<KeyId>,
}

/// What one signed list says.
struct Part {
    signer: KeyId,
    /// True when a certified signing key signed it (not a root directly).
    certified: bool,
    issued_at: Timestamp,
    signing_keys: Vec<KeyId>,
    serials: Vec<Serial>,
}

impl RevocationList {
    /// Parses every revocation list (armored block) in `text` and checks
    /// each one's signature against `keyring` (`docs/license-format.md`
    /// §9): a list signed directly by a keyring key (a root), or by a
    /// signing key whose certificate a root signed. Only a root's list may
    /// revoke signing keys. The result is the union of the lists; if any
    /// list fails, the whole text is refused (`malformed`,
    /// `unsupported-version`, `unknown-key`, `bad-signature`,
    /// `uncertified-key`, `certificate-window`, or `signing-key-revoked` for
    /// a list signed by a key another list in the text revokes).
    pub fn parse(text: impl AsRef<[u8]>, keyring: &Keyring) -> Result<Self, VerifyError> {
        let text = text.as_ref();
        if text.len() > REVOCATION_LIST.max_len {
            return Err(VerifyError::Malformed("text too large"));
        }
        let mut parts = Vec::new();
        for block in blocks(text) {
            parts.push(verify(armor::decode(&REVOCATION_LIST, block)?, keyring)?);
        }
        let mut parts = parts.into_iter();
        let Some(first) = parts.next() else {
            // No complete block: the armor reader names what is missing.
            let document = armor::decode(&REVOCATION_LIST, text)?;
            return verify(document, keyring).map(|part| Self::from_parts(part, Vec::new()));
        };
        let others: Vec<Part> = parts.collect();
        let all = || core::iter::once(&first).chain(others.iter());
        let revoked: Vec<KeyId> = all().flat_map(|p| p.signing_keys.iter().copied()).collect();
        if let Some(part) = all().find(|p| p.certified && revoked.contains(&p.signer)) {
            return Err(VerifyError::SigningKeyRevoked(part.signer));
        }
        Ok(Self::from_parts(first, others))
    }

    /// The union of the lists read.
    fn from_parts(first: Part, others: Vec<Part>) -> Self {
        let mut list = Self {
            key_id: first.signer,
            issued_at: first.issued_at,
            serials: first.serials,
            signing_keys: first.signing_keys,
        };
        for part in others {
            list.issued_at = list.issued_at.max(part.issued_at);
            list.serials.extend(part.serials);
            list.signing_keys.extend(part.signing_keys);
        }
        list.serials.sort_unstable();
        list.serials.dedup();
        list.signing_keys.sort_unstable();
        list.signing_keys.dedup();
        list
    }

    /// When the newest of its lists was written; apps should keep the
    /// newest list they have seen from each signer.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// Id of the key that signed the (first) list.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The revoked serials, ascending.
    pub fn serials(&self) -> &[Serial] {
        &self.serials
    }

    /// The revoked signing keys, ascending.
    pub fn signing_keys(&self) -> &[KeyId] {
        &self.signing_keys
    }

    /// True when `serial` is revoked.
    pub fn contains(&self, serial: &Serial) -> bool {
        self.serials.binary_search(serial).is_ok()
    }

    /// True when the signing key `key_id` is revoked.
    pub fn revokes_key(&self, key_id: KeyId) -> bool {
        self.signing_keys.binary_search(&key_id).is_ok()
    }

    /// Encodes and signs a format-1 revocation list (`sign` gets the exact
    /// message and returns the Ed25519 signature of the key `key_id`), for
    /// apps that trust that key directly. Serials are sorted and
    /// de-duplicated. Needs the `encode` feature (the issuer's).
    #[cfg(feature = "encode")]
    pub fn encode(
        issued_at: Timestamp,
        serials: &[Serial],
        key_id: KeyId,
        sign: impl FnOnce(&[u8]) -> [u8; 64],
    ) -> String {
        let payload = encode_payload(issued_at, &[], serials);
        let signature = sign(&armor::signed_message(
            &armor::REVOCATION_LIST_V1,
            key_id,
            payload.as_bytes(),
        ));
        write(
            &armor::REVOCATION_LIST_V1,
            &key_id.to_string(),
            &payload,
            &signature,
            issued_at,
            0,
            serials.len(),
        )
    }

    /// Encodes a format-2 list signed by a root key `root_id`: it may
    /// revoke signing keys as well as serials. Needs the `encode` feature.
    #[cfg(feature = "encode")]
    pub fn encode_by_root(
        issued_at: Timestamp,
        signing_keys: &[KeyId],
        serials: &[Serial],
        root_id: KeyId,
        sign: impl FnOnce(&[u8]) -> [u8; 64],
    ) -> String {
        let payload = encode_payload(issued_at, signing_keys, serials);
        let signature = sign(&armor::signed_message(
            &REVOCATION_LIST_V2,
            root_id,
            payload.as_bytes(),
        ));
        write(
            &REVOCATION_LIST_V2,
            &root_id.to_string(),
            &payload,
            &signature,
            issued_at,
            signing_keys.len(),
            serials.len(),
        )
    }

    /// Encodes a format-2 list of revoked serials signed by the signing key
    /// `certificate` certifies (`sign` signs with that key). Needs the
    /// `encode` feature.
    #[cfg(feature = "encode")]
    pub fn encode_certified(
        issued_at: Timestamp,
        serials: &[Serial],
        certificate: &Certificate,
        sign: impl FnOnce(&[u8]) -> [u8; 64],
    ) -> String {
        let payload = encode_payload(issued_at, &[], serials);
        let signature = sign(&armor::signed_message(
            &REVOCATION_LIST_V2,
            certificate.key_id(),
            payload.as_bytes(),
        ));
        write(
            &REVOCATION_LIST_V2,
            &certificate.body_parts(),
            &payload,
            &signature,
            issued_at,
            0,
            serials.len(),
        )
    }
}

/// The payload: `issued-at`, then signing keys and serials, each sorted
/// and de-duplicated.
#[cfg(feature = "encode")]
fn encode_payload(issued_at: Timestamp, signing_keys: &[KeyId], serials: &[Serial]) -> String {
    let mut keys = signing_keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    let mut sorted = serials.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut payload = format!("issued-at={issued_at}\n");
    for key in &keys {
        payload.push_str(&format!("signing-key={key}\n"));
    }
    for serial in &sorted {
        payload.push_str(&format!("serial={serial}\n"));
    }
    payload
}

/// The armored text of a signed list.
#[cfg(feature = "encode")]
fn write(
    version: &armor::Version,
    signer: &str,
    payload: &str,
    signature: &[u8; 64],
    issued_at: Timestamp,
    keys: usize,
    serials: usize,
) -> String {
    let mut header = vec![("Issued", issued_at.to_string())];
    if keys > 0 {
        header.push(("Revoked-Keys", keys.to_string()));
    }
    header.push(("Revoked", serials.to_string()));
    armor::encode(
        &REVOCATION_LIST,
        version,
        signer,
        payload.as_bytes(),
        signature,
        &header,
    )
}

/// Checks one decoded list's signature (and certificate) and reads it.
fn verify(mut document: Document, keyring: &Keyring) -> Result<Part, VerifyError> {
    let certified = match &document.certificate {
        Some(envelope) => {
            let certificate = Certificate::verify(envelope, keyring)?;
            document.envelope.set_key_id(certificate.key_id());
            if !document.envelope.is_signed_by(certificate.public_key()) {
                return Err(VerifyError::BadSignature);
            }
            Some(certificate)
        }
        None => {
            check_signature(keyring, &document.envelope)?;
            None
        }
    };
    let may_revoke_keys = document.version == REVOCATION_LIST_V2 && certified.is_none();
    let (issued_at, signing_keys, serials) =
        decode_payload(document.envelope.payload(), may_revoke_keys)
            .map_err(VerifyError::Malformed)?;
    if let Some(certificate) = &certified {
        certificate.allows_issuing_at(issued_at)?;
    }
    Ok(Part {
        signer: document.envelope.key_id,
        certified: certified.is_some(),
        issued_at,
        signing_keys,
        serials,
    })
}

/// The armored blocks of `text`, each from its BEGIN line to its END line
/// (lines compared as the armor reader trims them).
fn blocks(text: &[u8]) -> Vec<&[u8]> {
    let mut blocks = Vec::new();
    let mut start = None;
    let mut at = 0;
    for line in text.split(|&b| b == b'\n') {
        let end = (at + line.len() + 1).min(text.len());
        let trimmed = armor::trim_line(line);
        if trimmed == REVOCATION_LIST.begin.as_bytes() {
            start = Some(at);
        } else if trimmed == REVOCATION_LIST.end.as_bytes()
            && let Some(from) = start.take()
            && let Some(block) = text.get(from..end)
        {
            blocks.push(block);
        }
        at = end;
    }
    blocks
}

type ListPayload = (Timestamp, Vec<KeyId>, Vec<Serial>);

fn decode_payload(bytes: &[u8], may_revoke_keys: bool) -> Result<ListPayload, &'static str> {
    let mut f = Fields::of(bytes, REVOCATION_LIST.max_len)?;
    let issued_at = f
        .required("issued-at", "revocation list needs issued-at first")
        .map(Timestamp::parse)?
        .ok_or("revocation list needs issued-at first")?;
    let mut signing_keys: Vec<KeyId> = Vec::new();
    while let Some(value) = f.optional("signing-key")? {
        if !may_revoke_keys {
            return Err("only a root-signed format-2 list may revoke signing keys");
        }
        let key: KeyId = value
            .parse()
            .map_err(|_| "bad signing-key line in revocation list")?;
        if signing_keys.last().is_some_and(|last| *last >= key) {
            return Err("revocation list signing keys must be strictly ascending");
        }
        signing_keys.push(key);
    }
    let mut serials: Vec<Serial> = Vec::new();
    while let Some(value) = f.optional("serial")? {
        let serial: Serial = value
            .parse()
            .map_err(|_| "bad serial line in revocation list")?;
        if serials.last().is_some_and(|last| *last >= serial) {
            return Err("revocation list serials must be strictly ascending");
        }
        serials.push(serial);
    }
    f.finish().map_err(|_| "bad line in revocation list")?;
    Ok((issued_at, signing_keys, serials))
}
