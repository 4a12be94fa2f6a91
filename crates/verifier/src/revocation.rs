//! Signed revocation lists: the serials the desk has revoked.
//!
//! Same armor and signature rules as a license (see `docs/license-format.md`
//! §9), with armor label `FACELIC REVOCATION LIST`, version tag `FR1` and
//! signature domain `"facelic-revocation-list-v1\0"`. The payload is
//! `issued-at=<time>\n` followed by one `serial=<uuid>\n` per revoked license,
//! serials in strictly ascending order.

#![forbid(unsafe_code)]

use crate::armor::{self, REVOCATION_LIST};
use crate::error::VerifyError;
use crate::keys::{KeyId, Keyring};
use crate::license::Serial;
use crate::time::Timestamp;
use crate::verify::check_signature;

/// A verified list of revoked license serials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationList {
    key_id: KeyId,
    issued_at: Timestamp,
    serials: Vec<Serial>,
}

impl RevocationList {
    /// Parses a revocation list and checks its signature against `keyring`.
    /// Errors use the license error codes (`malformed`, `unsupported-version`,
    /// `unknown-key`, `bad-signature`).
    pub fn parse(text: impl AsRef<[u8]>, keyring: &Keyring) -> Result<Self, VerifyError> {
        let envelope = armor::decode(&REVOCATION_LIST, text.as_ref())?;
        check_signature(keyring, &envelope)?;
        let (issued_at, serials) =
            decode_payload(envelope.payload()).map_err(VerifyError::Malformed)?;
        Ok(Self {
            key_id: envelope.key_id,
            issued_at,
            serials,
        })
    }

    /// When the desk wrote the list; apps should keep the newest list they have seen.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// Id of the key that signed the list.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The revoked serials, ascending.
    pub fn serials(&self) -> &[Serial] {
        &self.serials
    }

    /// True when `serial` is revoked.
    pub fn contains(&self, serial: &Serial) -> bool {
        self.serials.binary_search(serial).is_ok()
    }

    /// Encodes and signs a revocation list (`sign` gets the exact message and
    /// returns the Ed25519 signature of the key `key_id`). Serials are sorted
    /// and de-duplicated. Needs the `encode` feature (the issuer's).
    #[cfg(feature = "encode")]
    pub fn encode(
        issued_at: Timestamp,
        serials: &[Serial],
        key_id: KeyId,
        sign: impl FnOnce(&[u8]) -> [u8; 64],
    ) -> String {
        let mut sorted = serials.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut payload = format!("issued-at={issued_at}\n");
        for serial in &sorted {
            payload.push_str(&format!("serial={serial}\n"));
        }
        let signature = sign(&armor::signed_message_for(
            &REVOCATION_LIST,
            key_id,
            payload.as_bytes(),
        ));
        let header = [
            ("Issued", issued_at.to_string()),
            ("Revoked", sorted.len().to_string()),
        ];
        armor::encode(
            &REVOCATION_LIST,
            key_id,
            payload.as_bytes(),
            &signature,
            &header,
        )
    }
}

fn decode_payload(bytes: &[u8]) -> Result<(Timestamp, Vec<Serial>), &'static str> {
    let text = core::str::from_utf8(bytes).map_err(|_| "revocation list is not UTF-8")?;
    let body = text
        .strip_suffix('\n')
        .ok_or("revocation list must end with a line feed")?;
    let mut lines = body.split('\n');
    let issued_at = lines
        .next()
        .and_then(|l| l.strip_prefix("issued-at="))
        .and_then(Timestamp::parse)
        .ok_or("revocation list needs issued-at first")?;
    let mut serials: Vec<Serial> = Vec::new();
    for line in lines {
        let serial: Serial = line
            .strip_prefix("serial=")
            .and_then(|s| s.parse().ok())
            .ok_or("bad serial line in revocation list")?;
        if serials.last().is_some_and(|last| *last >= serial) {
            return Err("revocation list serials must be strictly ascending");
        }
        serials.push(serial);
    }
    Ok((issued_at, serials))
}
