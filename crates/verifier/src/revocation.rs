//! Signed revocation lists: the serials the desk has revoked, and the
//! signing keys a root has revoked.
//!
//! Same armor and signature rules as a license (see `docs/license-format.md`
//! §9), with armor label `FACELIC REVOCATION LIST`, version tags `FR1` to
//! `FR3` and signature domains `"facelic-revocation-list-v<n>\0"`. A text
//! holds one list or several; it is read whole or refused whole: every
//! line outside the lists is blank, every list the keyring can check
//! verifies, and in a text of several lists a format-3 list names all the
//! others, so a damaged, truncated or spliced text is refused rather than
//! read in part.

#![forbid(unsafe_code)]

use core::fmt;

use crate::armor::{self, Document, REVOCATION_LIST, REVOCATION_LIST_V1, REVOCATION_LIST_V3};
use crate::certificate::Certificate;
use crate::error::VerifyError;
use crate::keys::{KeyId, Keyring};
use crate::license::Serial;
use crate::payload::Fields;
use crate::time::Timestamp;

/// A verified revocation-list text: the license serials and the signing
/// keys revoked, read from one or more signed lists (armored blocks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevocationList {
    key_id: KeyId,
    issued_at: Timestamp,
    serials: Vec<Serial>,
    signing_keys: Vec<KeyId>,
    /// The lists it was read from, in text order (those the keyring checked).
    names: Vec<ListName>,
    /// When each of them was written.
    issued: Vec<Timestamp>,
}

/// The name of one signed list: who vouches for it, who signed it, and its
/// number. A format-3 list in a text of several names every other list of
/// the text this way (`list=<authority>.<signer>.<sequence>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ListName {
    /// The keyring key that vouches for the list: the key that signed it,
    /// or for a list signed by a certified signing key, the certificate's root.
    pub authority: KeyId,
    /// The key that signed it.
    pub signer: KeyId,
    /// Its sequence number: grows with every list its signer's desk (or
    /// root) writes; 0 for lists of formats 1 and 2, which have none.
    pub sequence: u64,
}

impl ListName {
    /// True for a list signed by a certified signing key (not by its
    /// authority directly).
    pub fn is_certified(&self) -> bool {
        self.authority != self.signer
    }

    /// True when `other` continues the same series of lists: the same
    /// authority, and both signed directly by it or both by keys it certified.
    fn same_series(&self, other: &ListName) -> bool {
        self.authority == other.authority && self.is_certified() == other.is_certified()
    }
}

impl fmt::Display for ListName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.authority, self.signer, self.sequence)
    }
}

/// Largest sequence number a format-3 list may carry (Java's `long`).
const MAX_SEQUENCE: u64 = i64::MAX as u64;

/// What one signed list says.
struct Part {
    name: ListName,
    issued_at: Timestamp,
    /// The other lists of the text, as this list names them (format 3).
    lists: Vec<ListName>,
    signing_keys: Vec<KeyId>,
    serials: Vec<Serial>,
}

/// One list of a text: read, or left unread because the keyring holds no
/// key that could vouch for it (its authority, and the error that is).
enum Read {
    Verified(Part),
    Foreign(KeyId, VerifyError),
}

impl RevocationList {
    /// Reads a revocation-list text and checks every list in it against
    /// `keyring` (`docs/license-format.md` §9). The text is refused whole
    /// (the first failure is the error) when:
    ///
    /// - anything but blank lines stands outside the lists, or a list lacks
    ///   its BEGIN or END line (`malformed`);
    /// - a list fails its armor, signature, certificate or payload checks
    ///   (`malformed`, `unsupported-version`, `bad-signature`,
    ///   `uncertified-key`, `certificate-window`);
    /// - it holds several lists and no format-3 list the keyring checks
    ///   names exactly the others, in order (`malformed`): the text is
    ///   incomplete or spliced;
    /// - a list is signed by a signing key another list revokes
    ///   (`signing-key-revoked`);
    /// - the keyring can check none of its lists (`unknown-key`,
    ///   `uncertified-key`).
    ///
    /// A list whose authority the keyring lacks is not read, when a checked
    /// list names it (an app that trusts only the roots does not need the
    /// list its desk signed for apps of an older keyring). The result is the
    /// union of the lists read.
    pub fn parse(text: impl AsRef<[u8]>, keyring: &Keyring) -> Result<Self, VerifyError> {
        let text = text.as_ref();
        if text.len() > REVOCATION_LIST.max_len {
            return Err(VerifyError::Malformed("text too large"));
        }
        let blocks = blocks(text)?;
        if blocks.is_empty() {
            // No list at all: the armor reader names what is missing.
            armor::decode(&REVOCATION_LIST, text)?;
            return Err(VerifyError::Malformed("no revocation list in the text"));
        }
        let mut read = Vec::with_capacity(blocks.len());
        for block in blocks {
            let document = armor::decode(&REVOCATION_LIST, block)?;
            read.push(match foreign(&document, keyring) {
                Some((authority, error)) => Read::Foreign(authority, error),
                None => Read::Verified(verify(document, keyring)?),
            });
        }
        check_complete(&read)?;
        let parts: Vec<Part> = read
            .into_iter()
            .filter_map(|r| match r {
                Read::Verified(part) => Some(part),
                Read::Foreign(..) => None,
            })
            .collect();
        let revoked: Vec<KeyId> = parts
            .iter()
            .flat_map(|p| p.signing_keys.iter().copied())
            .collect();
        if let Some(part) = parts
            .iter()
            .find(|p| p.name.is_certified() && revoked.contains(&p.name.signer))
        {
            return Err(VerifyError::SigningKeyRevoked(part.name.signer));
        }
        Self::from_parts(parts)
    }

    /// The union of the lists read (at least one).
    fn from_parts(parts: Vec<Part>) -> Result<Self, VerifyError> {
        let first = parts
            .first()
            .ok_or(VerifyError::Malformed("no revocation list in the text"))?;
        let mut list = Self {
            key_id: first.name.signer,
            issued_at: first.issued_at,
            serials: Vec::new(),
            signing_keys: Vec::new(),
            names: Vec::with_capacity(parts.len()),
            issued: Vec::with_capacity(parts.len()),
        };
        for part in parts {
            list.issued_at = list.issued_at.max(part.issued_at);
            list.serials.extend(part.serials);
            list.signing_keys.extend(part.signing_keys);
            list.names.push(part.name);
            list.issued.push(part.issued_at);
        }
        list.serials.sort_unstable();
        list.serials.dedup();
        list.signing_keys.sort_unstable();
        list.signing_keys.dedup();
        Ok(list)
    }

    /// Succeeds when this text is at least as new as `held` (one the app
    /// or verifier already holds, read with the same keyring): for every
    /// series of lists in `held` — an authority's own lists, or the lists
    /// of the signing keys it certified — this text carries one of that
    /// series with a sequence number (then `issued-at`) no lower. Else
    /// [`VerifyError::RevocationListOutdated`] naming the authority: an
    /// older or stripped text must not replace a newer one.
    pub fn check_supersedes(&self, held: &RevocationList) -> Result<(), VerifyError> {
        for (old, old_issued) in held.names.iter().zip(&held.issued) {
            let newest = self
                .names
                .iter()
                .zip(&self.issued)
                .filter(|(new, _)| new.same_series(old))
                .map(|(new, issued)| (new.sequence, *issued))
                .max();
            if newest.is_none_or(|newest| newest < (old.sequence, *old_issued)) {
                return Err(VerifyError::RevocationListOutdated(old.authority));
            }
        }
        Ok(())
    }

    /// When the newest of its lists was written.
    pub fn issued_at(&self) -> Timestamp {
        self.issued_at
    }

    /// Id of the key that signed the first list read.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// The names of the lists read, in the order of the text (lists the
    /// keyring could not check are not among them).
    pub fn lists(&self) -> &[ListName] {
        &self.names
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

    /// Encodes and signs a format-3 list (what the desk and the root's
    /// machine write): `signer` names the key `sign` signs with, `terms`
    /// what the list says. Keys and serials are sorted and de-duplicated.
    /// Refused: a sequence number outside 1 to 2^63 − 1, `lists` naming a
    /// sequence above that, or signing keys in a list a certified key
    /// signs. Needs the `encode` feature (the issuer's).
    #[cfg(feature = "encode")]
    pub fn encode_v3(
        terms: &ListTerms<'_>,
        signer: ListSigner<'_>,
        sign: impl FnOnce(&[u8]) -> [u8; 64],
    ) -> Result<String, crate::EncodeError> {
        let refuse = |reason| Err(crate::EncodeError { reason });
        if !(1..=MAX_SEQUENCE).contains(&terms.sequence) {
            return refuse("a format-3 revocation list's sequence is 1 to 2^63 - 1");
        }
        if terms.lists.iter().any(|l| l.sequence > MAX_SEQUENCE) {
            return refuse("a list name's sequence is at most 2^63 - 1");
        }
        let (key_id, signer_text) = match signer {
            ListSigner::Key(key_id) => (key_id, key_id.to_string()),
            ListSigner::Certified(_) if !terms.signing_keys.is_empty() => {
                return refuse("only a root's list revokes signing keys");
            }
            ListSigner::Certified(cert) => (cert.key_id(), cert.body_parts()),
        };
        let mut payload = format!(
            "issued-at={}\nsequence={}\n",
            terms.issued_at, terms.sequence
        );
        for name in terms.lists {
            payload.push_str(&format!("list={name}\n"));
        }
        payload.push_str(&encode_payload(terms.signing_keys, terms.serials));
        let version = &REVOCATION_LIST_V3;
        let signature = sign(&armor::signed_message(version, key_id, payload.as_bytes()));
        let mut header = vec![
            ("Issued", terms.issued_at.to_string()),
            ("Sequence", terms.sequence.to_string()),
        ];
        if !terms.lists.is_empty() {
            header.push(("Lists", (terms.lists.len() + 1).to_string()));
        }
        Ok(write(
            version,
            &signer_text,
            &payload,
            &signature,
            header,
            terms.signing_keys.len(),
            terms.serials.len(),
        ))
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
        let payload = format!("issued-at={issued_at}\n{}", encode_payload(&[], serials));
        let signature = sign(&armor::signed_message(
            &REVOCATION_LIST_V1,
            key_id,
            payload.as_bytes(),
        ));
        write(
            &REVOCATION_LIST_V1,
            &key_id.to_string(),
            &payload,
            &signature,
            vec![("Issued", issued_at.to_string())],
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
        let payload = format!(
            "issued-at={issued_at}\n{}",
            encode_payload(signing_keys, serials)
        );
        let signature = sign(&armor::signed_message(
            &armor::REVOCATION_LIST_V2,
            root_id,
            payload.as_bytes(),
        ));
        write(
            &armor::REVOCATION_LIST_V2,
            &root_id.to_string(),
            &payload,
            &signature,
            vec![("Issued", issued_at.to_string())],
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
        let payload = format!("issued-at={issued_at}\n{}", encode_payload(&[], serials));
        let signature = sign(&armor::signed_message(
            &armor::REVOCATION_LIST_V2,
            certificate.key_id(),
            payload.as_bytes(),
        ));
        write(
            &armor::REVOCATION_LIST_V2,
            &certificate.body_parts(),
            &payload,
            &signature,
            vec![("Issued", issued_at.to_string())],
            0,
            serials.len(),
        )
    }
}

/// What a format-3 list says ([`RevocationList::encode_v3`]).
#[cfg(feature = "encode")]
#[derive(Debug, Clone, Copy)]
pub struct ListTerms<'a> {
    /// When it is signed.
    pub issued_at: Timestamp,
    /// Its number in its signer's series: higher than every list the same
    /// desk (or root) wrote before.
    pub sequence: u64,
    /// The other lists of the text it goes out in, in text order (none
    /// for a list that travels alone).
    pub lists: &'a [ListName],
    /// The signing keys it revokes (a root's list only).
    pub signing_keys: &'a [KeyId],
    /// The license serials it revokes.
    pub serials: &'a [Serial],
}

/// Who signs a format-3 list.
#[cfg(feature = "encode")]
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum ListSigner<'a> {
    /// A keyring key (a root, or a format-1 desk's key), directly.
    Key(KeyId),
    /// A signing key, with the certificate a root gave it.
    Certified(&'a Certificate),
}

#[cfg(feature = "encode")]
impl ListSigner<'_> {
    /// The name the list this signer signs as number `sequence` goes by.
    pub fn name(&self, sequence: u64) -> ListName {
        match self {
            ListSigner::Key(key) => ListName {
                authority: *key,
                signer: *key,
                sequence,
            },
            ListSigner::Certified(cert) => ListName {
                authority: cert.root_key_id(),
                signer: cert.key_id(),
                sequence,
            },
        }
    }
}

/// The payload lines of signing keys and serials, each sorted and
/// de-duplicated.
#[cfg(feature = "encode")]
fn encode_payload(signing_keys: &[KeyId], serials: &[Serial]) -> String {
    let mut keys = signing_keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    let mut sorted = serials.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut payload = String::new();
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
    mut header: Vec<(&str, String)>,
    keys: usize,
    serials: usize,
) -> String {
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

/// The authority of a decoded list (its key id, or its certificate's root)
/// when the keyring lacks it, with the error checking it would give.
fn foreign(document: &Document, keyring: &Keyring) -> Option<(KeyId, VerifyError)> {
    let (authority, error): (KeyId, fn(KeyId) -> VerifyError) = match &document.certificate {
        Some(certificate) => (certificate.key_id, VerifyError::UncertifiedKey),
        None => (document.envelope.key_id, VerifyError::UnknownKey),
    };
    keyring
        .get(authority)
        .is_none()
        .then(|| (authority, error(authority)))
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
            document.envelope.check_signature(keyring)?;
            None
        }
    };
    let version = document.version;
    let may_revoke_keys = version != REVOCATION_LIST_V1 && certified.is_none();
    let payload = decode_payload(
        document.envelope.payload(),
        version == REVOCATION_LIST_V3,
        may_revoke_keys,
    )
    .map_err(VerifyError::Malformed)?;
    if let Some(certificate) = &certified {
        certificate.allows_issuing_at(payload.issued_at)?;
    }
    let signer = document.envelope.key_id;
    Ok(Part {
        name: ListName {
            authority: certified.as_ref().map_or(signer, Certificate::root_key_id),
            signer,
            sequence: payload.sequence,
        },
        issued_at: payload.issued_at,
        lists: payload.lists,
        signing_keys: payload.signing_keys,
        serials: payload.serials,
    })
}

/// A text of several lists is whole when a list the keyring checked names
/// every other list, in order, and no checked list names anything else. A
/// list the keyring could not check counts as named when its authority is
/// the one named. A text of one list names nothing.
fn check_complete(read: &[Read]) -> Result<(), VerifyError> {
    const INCOMPLETE: VerifyError = VerifyError::Malformed(
        "revocation text incomplete: its lists do not name exactly the others",
    );
    let mut named_by_one = false;
    for (at, read_here) in read.iter().enumerate() {
        let Read::Verified(part) = read_here else {
            continue;
        };
        if part.lists.is_empty() {
            continue;
        }
        let others = read
            .iter()
            .enumerate()
            .filter(|(other, _)| *other != at)
            .map(|(_, r)| r);
        if part.lists.len() != read.len() - 1
            || !part.lists.iter().zip(others).all(|(name, r)| match r {
                Read::Verified(other) => other.name == *name,
                Read::Foreign(authority, _) => name.authority == *authority,
            })
        {
            return Err(INCOMPLETE);
        }
        named_by_one = true;
    }
    let first_foreign = read.iter().find_map(|r| match r {
        Read::Verified(_) => None,
        Read::Foreign(_, error) => Some(error),
    });
    let any_verified = read.iter().any(|r| matches!(r, Read::Verified(_)));
    match (read.len(), first_foreign) {
        (0, _) => Err(VerifyError::Malformed("no revocation list in the text")),
        (_, Some(error)) if !any_verified => Err(error.clone()),
        (1, _) => Ok(()),
        _ if named_by_one => Ok(()),
        _ => Err(VerifyError::Malformed(
            "several revocation lists in one text, and no format-3 list names the others",
        )),
    }
}

/// The armored lists of `text`, each from its BEGIN line to its END line
/// (lines compared as the armor reader trims them). Refused: a non-blank
/// line outside a list, a BEGIN line inside one, a list without its END line.
fn blocks(text: &[u8]) -> Result<Vec<&[u8]>, VerifyError> {
    let mut blocks = Vec::new();
    let mut start = None;
    let mut at = 0;
    for line in text.split(|&b| b == b'\n') {
        let end = (at + line.len() + 1).min(text.len());
        let trimmed = armor::trim_line(line);
        match (start, trimmed) {
            (None, b"") => {}
            (None, line) if line == REVOCATION_LIST.begin.as_bytes() => start = Some(at),
            (None, _) => {
                return Err(VerifyError::Malformed(
                    "text outside the revocation lists (a damaged BEGIN or END line?)",
                ));
            }
            (Some(_), line) if line == REVOCATION_LIST.begin.as_bytes() => {
                return Err(VerifyError::Malformed(
                    "a revocation list without its END line",
                ));
            }
            (Some(from), line) if line == REVOCATION_LIST.end.as_bytes() => {
                blocks.push(text.get(from..end).unwrap_or_default());
                start = None;
            }
            (Some(_), _) => {}
        }
        at = end;
    }
    if start.is_some() {
        return Err(VerifyError::Malformed(
            "a revocation list without its END line",
        ));
    }
    Ok(blocks)
}

/// What one list's payload says.
struct ListPayload {
    issued_at: Timestamp,
    sequence: u64,
    lists: Vec<ListName>,
    signing_keys: Vec<KeyId>,
    serials: Vec<Serial>,
}

fn decode_payload(
    bytes: &[u8],
    format_3: bool,
    may_revoke_keys: bool,
) -> Result<ListPayload, &'static str> {
    let mut f = Fields::of(bytes, REVOCATION_LIST.max_len)?;
    let issued_at = f
        .required("issued-at", "revocation list needs issued-at first")
        .map(Timestamp::parse)?
        .ok_or("revocation list needs issued-at first")?;
    let sequence = match format_3 {
        true => f
            .required("sequence", "a format-3 revocation list needs its sequence")
            .map(number)?
            .filter(|n| *n >= 1)
            .ok_or("bad sequence in revocation list (1 to 2^63 - 1)")?,
        false => 0,
    };
    let mut lists = Vec::new();
    while format_3 && let Some(value) = f.optional("list")? {
        lists.push(list_name(value).ok_or("bad list line in revocation list")?);
    }
    let mut signing_keys: Vec<KeyId> = Vec::new();
    while let Some(value) = f.optional("signing-key")? {
        if !may_revoke_keys {
            return Err("only a root-signed list of format 2 or 3 may revoke signing keys");
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
    Ok(ListPayload {
        issued_at,
        sequence,
        lists,
        signing_keys,
        serials,
    })
}

/// A sequence number: decimal digits without a leading zero, at most 2^63 − 1.
fn number(value: &str) -> Option<u64> {
    let canonical = !value.is_empty()
        && value.bytes().all(|b| b.is_ascii_digit())
        && (value == "0" || !value.starts_with('0'));
    canonical
        .then(|| value.parse().ok())
        .flatten()
        .filter(|n| *n <= MAX_SEQUENCE)
}

/// `<authority key id>.<signer key id>.<sequence>`.
fn list_name(value: &str) -> Option<ListName> {
    let mut parts = value.split('.');
    let (authority, signer, sequence) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    Some(ListName {
        authority: authority.parse().ok()?,
        signer: signer.parse().ok()?,
        sequence: number(sequence)?,
    })
}
