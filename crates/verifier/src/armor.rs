//! The license text: ASCII armor around `FL1.<key id>.<payload>.<signature>`.
//!
//! ```text
//! -----BEGIN FACELIC LICENSE-----
//! Product: face-detect                  <- optional header: untrusted, ignored
//! Kind: device
//!
//! FL1.0f3c9a5e1b2d7c44.c2VyaWFsPTQ5...  <- body, wrapped at 64 columns
//! ...Zt7Q
//! -----END FACELIC LICENSE-----
//! ```

#![forbid(unsafe_code)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::VerifyError;
use crate::keys::{KeyId, hex_decode};

/// First line of a license.
pub(crate) const BEGIN: &str = "-----BEGIN FACELIC LICENSE-----";
/// Last line of a license.
pub(crate) const END: &str = "-----END FACELIC LICENSE-----";
/// Largest license text accepted, in bytes.
pub(crate) const MAX_TEXT_LEN: usize = 64 * 1024;
/// Column at which the encoder wraps the body.
const WRAP: usize = 64;

/// What kind of signed document an armor holds: its armor lines and the
/// format versions it comes in. Licenses, revocation lists and signing-key
/// certificates share the armor rules and differ only in these.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DocKind {
    pub(crate) begin: &'static str,
    pub(crate) end: &'static str,
    /// Prefix that, followed by digits, marks another version of this document.
    pub(crate) family: &'static [u8],
    /// Largest text accepted, in bytes.
    pub(crate) max_len: usize,
    /// The versions this verifier reads, oldest first.
    pub(crate) versions: &'static [Version],
}

/// One format version of a document: its tag, signature domain, and
/// whether its body carries a signing-key certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Version {
    /// Version tag that starts the body, e.g. `FL1`.
    pub(crate) tag: &'static str,
    /// Domain-separation prefix of the signed message.
    pub(crate) domain: &'static [u8],
    /// Whether the signer is named by a certificate (six body parts) or
    /// by a key id (four parts).
    pub(crate) signer: SignerForm,
}

/// How a document names the key that signed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignerForm {
    /// By key id: a key of the verifier's keyring (four body parts).
    KeyId,
    /// By a certificate a keyring key signed (six body parts).
    Certificate,
    /// Either (a revocation list: a root signs it directly, a signing key
    /// with its certificate).
    Either,
}

/// Format 1 of a license: signed by a keyring key.
pub(crate) const LICENSE_V1: Version = Version {
    tag: "FL1",
    domain: b"facelic-license-v1\0",
    signer: SignerForm::KeyId,
};

/// Format 2 of a license: signed by a certified signing key.
pub(crate) const LICENSE_V2: Version = Version {
    tag: "FL2",
    domain: b"facelic-license-v2\0",
    signer: SignerForm::Certificate,
};

/// A facelic license.
pub(crate) const LICENSE: DocKind = DocKind {
    begin: BEGIN,
    end: END,
    family: b"FL",
    max_len: MAX_TEXT_LEN,
    versions: &[LICENSE_V1, LICENSE_V2],
};

/// Format 1 of a revocation list: serials only, signed by a keyring key.
pub(crate) const REVOCATION_LIST_V1: Version = Version {
    tag: "FR1",
    domain: b"facelic-revocation-list-v1\0",
    signer: SignerForm::KeyId,
};

/// Format 2 of a revocation list: signed by a root (and then it may revoke
/// signing keys) or by a certified signing key.
pub(crate) const REVOCATION_LIST_V2: Version = Version {
    tag: "FR2",
    domain: b"facelic-revocation-list-v2\0",
    signer: SignerForm::Either,
};

/// Format 3 of a revocation list: format 2 with a sequence number, and in
/// a text of several lists the names of the others (docs/license-format.md §9).
pub(crate) const REVOCATION_LIST_V3: Version = Version {
    tag: "FR3",
    domain: b"facelic-revocation-list-v3\0",
    signer: SignerForm::Either,
};

/// A facelic revocation list.
pub(crate) const REVOCATION_LIST: DocKind = DocKind {
    begin: "-----BEGIN FACELIC REVOCATION LIST-----",
    end: "-----END FACELIC REVOCATION LIST-----",
    family: b"FR",
    max_len: 16 * 1024 * 1024,
    versions: &[REVOCATION_LIST_V1, REVOCATION_LIST_V2, REVOCATION_LIST_V3],
};

/// The one version of a signing-key certificate.
pub(crate) const CERTIFICATE_V1: Version = Version {
    tag: "FC1",
    domain: b"facelic-signing-key-certificate-v1\0",
    signer: SignerForm::KeyId,
};

/// A signing-key certificate, on its own (as the root's machine writes it).
pub(crate) const CERTIFICATE: DocKind = DocKind {
    begin: "-----BEGIN FACELIC SIGNING KEY CERTIFICATE-----",
    end: "-----END FACELIC SIGNING KEY CERTIFICATE-----",
    family: b"FC",
    max_len: 4 * 1024,
    versions: &[CERTIFICATE_V1],
};

/// A decoded document: its version, the certificate that names its signer
/// (if its form has one), and its own signed message and signature.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) version: Version,
    /// The certificate's signed message and signature (its key id is the root's).
    pub(crate) certificate: Option<Envelope>,
    /// The document's signed message and signature. For a certified
    /// document the key id is unknown until the certificate is read:
    /// [`Envelope::set_key_id`] fills it in.
    pub(crate) envelope: Envelope,
}

/// The parts of a document body, decoded but not yet verified.
#[derive(Debug)]
pub(crate) struct Envelope {
    pub(crate) key_id: KeyId,
    /// The signed message: domain ‖ key id ‖ payload (decoded in place).
    message: Vec<u8>,
    /// Where the payload starts in `message`.
    payload_at: usize,
    pub(crate) signature: [u8; 64],
}

impl Envelope {
    /// Decodes the base64url `payload` straight behind the signed-message
    /// prefix (domain ‖ key id) and the base64url `signature`; `None` if
    /// either is not canonical base64url (or the signature not 64 bytes).
    fn decode(domain: &[u8], key_id: KeyId, payload: &[u8], signature: &[u8]) -> Option<Self> {
        let signature = decode_signature(signature)?;
        let mut message = message_prefix(domain, key_id, payload.len() / 4 * 3 + 3);
        let payload_at = message.len();
        URL_SAFE_NO_PAD.decode_vec(payload, &mut message).ok()?;
        Some(Self {
            key_id,
            message,
            payload_at,
            signature,
        })
    }

    /// The payload, not yet verified.
    pub(crate) fn payload(&self) -> &[u8] {
        self.message.get(self.payload_at..).unwrap_or_default()
    }

    /// True when the signature is `key`'s over the signed message, by the
    /// strict rules of `verify_strict` (docs/license-format.md §4).
    pub(crate) fn is_signed_by(&self, key: &crate::keys::PublicKey) -> bool {
        key.verifies(&self.message, &self.signature)
    }

    /// Looks the signer up in `keyring` and checks the signature
    /// ([`Envelope::is_signed_by`]).
    pub(crate) fn check_signature(
        &self,
        keyring: &crate::keys::Keyring,
    ) -> Result<(), VerifyError> {
        let key = keyring
            .get(self.key_id)
            .ok_or(VerifyError::UnknownKey(self.key_id))?;
        match self.is_signed_by(key) {
            true => Ok(()),
            false => Err(VerifyError::BadSignature),
        }
    }

    /// Names the signer (of a certified document, once its certificate is read).
    pub(crate) fn set_key_id(&mut self, key_id: KeyId) {
        let at = self.payload_at.saturating_sub(8);
        if let Some(slot) = self.message.get_mut(at..self.payload_at) {
            slot.copy_from_slice(&key_id.to_bytes());
        }
        self.key_id = key_id;
    }
}

/// The exact bytes a signature of `version` covers: domain ‖ 8-byte key id ‖ payload.
#[cfg(any(test, feature = "encode"))]
pub(crate) fn signed_message(version: &Version, key_id: KeyId, payload: &[u8]) -> Vec<u8> {
    let mut msg = message_prefix(version.domain, key_id, payload.len());
    msg.extend_from_slice(payload);
    msg
}

/// Domain ‖ key id, with room for a payload of `room` bytes after it.
fn message_prefix(domain: &[u8], key_id: KeyId, room: usize) -> Vec<u8> {
    let mut msg = Vec::with_capacity(domain.len() + 8 + room);
    msg.extend_from_slice(domain);
    msg.extend_from_slice(&key_id.to_bytes());
    msg
}

/// The body parts that name a signer, as text: a key id, or a
/// certificate's three parts (root key id, payload, signature).
#[cfg(any(test, feature = "encode"))]
pub(crate) fn signer_parts(key_id: KeyId, payload: &[u8], signature: &[u8; 64]) -> String {
    format!(
        "{key_id}.{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

/// Writes a document's text from its parts: `signer` is a key id or a
/// certificate's parts ([`signer_parts`]). `header` lines (`Name: value`,
/// printable ASCII) are written above the body for people to read;
/// verifiers ignore them.
#[cfg(any(test, feature = "encode"))]
pub(crate) fn encode(
    kind: &DocKind,
    version: &Version,
    signer: &str,
    payload: &[u8],
    signature: &[u8; 64],
    header: &[(&str, String)],
) -> String {
    let body = format!(
        "{}.{signer}.{}.{}",
        version.tag,
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(signature)
    );
    let mut out = String::with_capacity(body.len() + 256);
    out.push_str(kind.begin);
    out.push('\n');
    let mut wrote_header = false;
    for (name, value) in header {
        let clean: String = value
            .chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .collect();
        out.push_str(&format!("{name}: {}\n", clean.trim()));
        wrote_header = true;
    }
    if wrote_header {
        out.push('\n');
    }
    for chunk in body.as_bytes().chunks(WRAP) {
        // The body is ASCII, so every chunk is valid UTF-8.
        out.push_str(core::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(kind.end);
    out.push('\n');
    out
}

/// Finds the armored block in `text` and decodes its body.
///
/// A document as the desk writes it (BEGIN first, header, body lines of
/// body characters wrapped at 64 columns, END last) takes a fast path that
/// copies the body lines whole; anything else, and anything the fast path
/// cannot decode, is read line by line, which gives the precise error. Both
/// readings yield the same body for every text the fast path accepts.
pub(crate) fn decode(kind: &DocKind, text: &[u8]) -> Result<Document, VerifyError> {
    if text.len() > kind.max_len {
        return Err(VerifyError::Malformed("text too large"));
    }
    if let Some(body) = canonical_body(kind, text) {
        if let Some(document) = quick_parts(kind, &body) {
            return Ok(document);
        }
        if let Ok(document) = parts(kind, &body) {
            return Ok(document);
        }
    }
    parts(kind, &body_by_lines(kind, text)?)
}

/// The parts of a well-formed four-part body of the first version, found
/// from its ends: the tag and key id before the first two dots, the
/// signature after the last one. `None` for anything else (the payload and
/// signature decoders refuse a dot, so this and [`parts`] split alike).
fn quick_parts(kind: &DocKind, body: &[u8]) -> Option<Document> {
    let version = *kind.versions.first()?;
    let (tag, rest) = body.split_at_checked(version.tag.len())?;
    let rest = rest
        .strip_prefix(b".")
        .filter(|_| tag == version.tag.as_bytes())?;
    let (kid, rest) = rest.split_at_checked(16)?;
    let rest = rest.strip_prefix(b".")?;
    let dot = rest.iter().rposition(|&b| b == b'.')?;
    let (payload, sig) = (rest.get(..dot)?, rest.get(dot + 1..)?);
    let mut key_id = [0u8; 8];
    if !hex_decode(kid, &mut key_id) {
        return None;
    }
    Some(Document {
        version,
        certificate: None,
        envelope: Envelope::decode(version.domain, KeyId(key_id), payload, sig)?,
    })
}

/// A signature: exactly 64 bytes of canonical base64url.
fn decode_signature(sig: &[u8]) -> Option<[u8; 64]> {
    URL_SAFE_NO_PAD.decode(sig).ok()?.try_into().ok()
}

/// The classes of `bytes`, or-ed together (no branch per byte).
fn classes(bytes: &[u8]) -> u8 {
    bytes
        .iter()
        .fold(0u8, |seen, &b| seen | CLASS[usize::from(b)])
}

/// The body of a text laid out exactly as the encoder writes it, or `None`.
fn canonical_body(kind: &DocKind, text: &[u8]) -> Option<Vec<u8>> {
    let rest = text
        .strip_prefix(kind.begin.as_bytes())?
        .strip_prefix(b"\n")?;
    let rest = rest
        .strip_suffix(b"\n")?
        .strip_suffix(kind.end.as_bytes())?
        .strip_suffix(b"\n")?;
    // Header lines (with a ':') come first; the body starts at the first other line.
    let mut region = rest;
    while let Some(newline) = region.iter().position(|&b| b == b'\n') {
        let line = classes(region.get(..newline)?);
        if line & COLON == 0 {
            break;
        }
        if line & OTHER != 0 {
            return None;
        }
        region = region.get(newline + 1..)?;
    }
    // The body lines: WRAP columns each, the last one shorter or as long.
    let region = region.strip_prefix(b"\n").unwrap_or(region);
    let mut body = Vec::with_capacity(region.len());
    for line in region.chunks(WRAP + 1) {
        match line.split_at_checked(WRAP) {
            Some((full, b"\n")) => body.extend_from_slice(full),
            Some((last, b"")) => body.extend_from_slice(last),
            Some(_) => return None,
            None => body.extend_from_slice(line),
        }
    }
    // Body characters only (so no line feed, END line, space or CR inside).
    (classes(&body) == BODY).then_some(body)
}

/// The body of the armored block, read line by line (lines trimmed of
/// spaces, tabs and a CR; header lines skipped); errors name the problem.
fn body_by_lines(kind: &DocKind, text: &[u8]) -> Result<Vec<u8>, VerifyError> {
    use VerifyError::Malformed;
    let mut lines = text.split(|&b| b == b'\n').map(trim_line);
    lines
        .by_ref()
        .find(|l| *l == kind.begin.as_bytes())
        .ok_or(Malformed("no BEGIN line"))?;
    let mut body = Vec::with_capacity(text.len());
    for line in lines.by_ref() {
        if line == kind.end.as_bytes() {
            return Ok(body);
        }
        let seen = classes(line);
        if seen & OTHER != 0 {
            return Err(Malformed("non-printable character inside the armor"));
        }
        if seen & COLON != 0 {
            if !body.is_empty() {
                return Err(Malformed("header line after the body"));
            }
        } else if seen & PRINTABLE != 0 {
            return Err(Malformed("invalid character in the body"));
        } else {
            body.extend_from_slice(line);
        }
    }
    Err(Malformed("no END line"))
}

/// Splits a body into its parts (four, or six with a certificate) and
/// decodes them.
fn parts(kind: &DocKind, body: &[u8]) -> Result<Document, VerifyError> {
    use VerifyError::Malformed;
    let mut parts = body.split(|&b| b == b'.');
    let tag = parts.next().unwrap_or_default();
    let Some(version) = kind.versions.iter().find(|v| v.tag.as_bytes() == tag) else {
        let other_version = tag
            .strip_prefix(kind.family)
            .is_some_and(|digits| !digits.is_empty() && digits.iter().all(u8::is_ascii_digit));
        return Err(if other_version {
            VerifyError::UnsupportedVersion
        } else {
            Malformed("body does not start with the version tag")
        });
    };
    let rest: Vec<&[u8]> = parts.collect();
    let (certificate, own) = match (version.signer, rest.as_slice()) {
        (SignerForm::KeyId | SignerForm::Either, [kid, payload, sig]) => {
            let key_id = key_id(kid)?;
            (None, (key_id, *payload, *sig))
        }
        (SignerForm::Certificate | SignerForm::Either, [root, cert, cert_sig, payload, sig]) => {
            let root = key_id(root)?;
            let certificate = Envelope::decode(CERTIFICATE_V1.domain, root, cert, cert_sig).ok_or(
                Malformed("certificate is not canonical base64url (payload, 64-byte signature)"),
            )?;
            (Some(certificate), (KeyId([0; 8]), *payload, *sig))
        }
        (SignerForm::KeyId, _) => return Err(Malformed("body must have four '.'-separated parts")),
        (SignerForm::Certificate, _) => {
            return Err(Malformed("body must have six '.'-separated parts"));
        }
        (SignerForm::Either, _) => {
            return Err(Malformed("body must have four or six '.'-separated parts"));
        }
    };
    let (key_id, payload, sig) = own;
    let envelope = Envelope::decode(version.domain, key_id, payload, sig).ok_or(
        match decode_signature(sig) {
            None => Malformed("signature is not 64 bytes of canonical base64url"),
            Some(_) => Malformed("payload is not canonical base64url"),
        },
    )?;
    Ok(Document {
        version: *version,
        certificate,
        envelope,
    })
}

/// A key id: exactly 16 lower-case hex digits.
fn key_id(text: &[u8]) -> Result<KeyId, VerifyError> {
    let mut key_id = [0u8; 8];
    if !hex_decode(text, &mut key_id) {
        return Err(VerifyError::Malformed(
            "key id is not 16 lower-case hex digits",
        ));
    }
    Ok(KeyId(key_id))
}

/// Byte classes inside the armor, one bit each: body characters
/// (`A-Z a-z 0-9 - _ .`), the header marker `:`, other printable ASCII (space
/// and tab included), and everything else (refused).
const BODY: u8 = 1;
const COLON: u8 = 2;
const PRINTABLE: u8 = 4;
const OTHER: u8 = 8;
const CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphanumeric() || c == b'-' || c == b'_' || c == b'.' {
            BODY
        } else if c == b':' {
            COLON
        } else if c.is_ascii_graphic() || c == b' ' || c == b'\t' {
            PRINTABLE
        } else {
            OTHER
        };
        b += 1;
    }
    table
};

/// Strips a trailing CR and surrounding spaces and tabs (mail clients add them).
pub(crate) fn trim_line(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let start = line
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |p| p + 1);
    line.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A license text as the desk writes it (header, body wrapped at 64 columns).
    fn canonical() -> Vec<u8> {
        let payload = b"serial=00000000-0000-4000-8000-000000000001\nkind=device\n".repeat(4);
        encode(
            &LICENSE,
            &LICENSE_V1,
            "b60c357d4447607d",
            &payload,
            &[7u8; 64],
            &[("Product", "face-detect".into()), ("Kind", "device".into())],
        )
        .into_bytes()
    }

    /// What the line-by-line reading and the general split alone make of `text`.
    fn by_lines(text: &[u8]) -> Result<Document, VerifyError> {
        parts(&LICENSE, &body_by_lines(&LICENSE, text)?)
    }

    #[test]
    fn the_encoder_output_takes_the_fast_path() {
        let text = canonical();
        let fast = canonical_body(&LICENSE, &text).expect("fast path");
        assert_eq!(Some(fast), body_by_lines(&LICENSE, &text).ok());
    }

    /// What the fast-path property test inserts: the bytes the armor
    /// parser cares about, and a whole END line.
    const EDIT_BYTES: &[u8] = b"\n\r\t :.-_=AZaz09\x00\xff-----END FACELIC LICENSE-----";

    proptest! {
        /// Whatever is inserted, deleted or replaced, the fast path never
        /// changes the outcome: `decode` answers as the line reader does.
        #[test]
        fn fast_path_agrees_with_the_line_reader(
            edits in prop::collection::vec(
                (any::<prop::sample::Index>(), 0u8..3, prop::sample::select(EDIT_BYTES.to_vec())),
                0..4,
            )
        ) {
            let mut text = canonical();
            for (at, op, byte) in edits {
                let i = at.index(text.len() + 1);
                match op {
                    0 => text.insert(i, byte),
                    1 if i < text.len() => { text.remove(i); }
                    _ if i < text.len() => text[i] = byte,
                    _ => {}
                }
            }
            let fast = decode(&LICENSE, &text);
            let slow = by_lines(&text);
            prop_assert_eq!(format!("{fast:?}"), format!("{slow:?}"));
        }
    }
}
