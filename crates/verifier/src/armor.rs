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
/// Version tag that starts the body of a format-1 license.
pub(crate) const VERSION_TAG: &str = "FL1";
/// Domain-separation prefix of the format-1 signed message.
pub(crate) const SIGNING_DOMAIN: &[u8] = b"facelic-license-v1\0";
/// Largest license text accepted, in bytes.
pub(crate) const MAX_TEXT_LEN: usize = 64 * 1024;
/// Column at which the encoder wraps the body.
const WRAP: usize = 64;

/// What kind of signed document an armor holds: its armor lines, version
/// tag and signature domain. Licenses and revocation lists share the armor
/// rules and differ only in these.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DocKind {
    pub(crate) begin: &'static str,
    pub(crate) end: &'static str,
    pub(crate) tag: &'static str,
    pub(crate) domain: &'static [u8],
    /// Prefix that, followed by digits, marks another version of this document.
    pub(crate) family: &'static [u8],
    /// Largest text accepted, in bytes.
    pub(crate) max_len: usize,
}

/// A facelic license.
pub(crate) const LICENSE: DocKind = DocKind {
    begin: BEGIN,
    end: END,
    tag: VERSION_TAG,
    domain: SIGNING_DOMAIN,
    family: b"FL",
    max_len: MAX_TEXT_LEN,
};

/// A facelic revocation list.
pub(crate) const REVOCATION_LIST: DocKind = DocKind {
    begin: "-----BEGIN FACELIC REVOCATION LIST-----",
    end: "-----END FACELIC REVOCATION LIST-----",
    tag: "FR1",
    domain: b"facelic-revocation-list-v1\0",
    family: b"FR",
    max_len: 16 * 1024 * 1024,
};

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
    /// prefix (domain ‖ key id); `None` if it is not canonical base64url.
    fn decode(kind: &DocKind, key_id: KeyId, payload: &[u8]) -> Option<(Vec<u8>, usize)> {
        let mut message = message_prefix(kind, key_id, payload.len() / 4 * 3 + 3);
        let payload_at = message.len();
        URL_SAFE_NO_PAD.decode_vec(payload, &mut message).ok()?;
        Some((message, payload_at))
    }

    /// The bytes the signature covers.
    pub(crate) fn signed_message(&self) -> &[u8] {
        &self.message
    }

    /// The payload, not yet verified.
    pub(crate) fn payload(&self) -> &[u8] {
        self.message.get(self.payload_at..).unwrap_or_default()
    }
}

/// The exact bytes a format-1 signature covers:
/// `"facelic-license-v1\0"` ‖ 8-byte key id ‖ payload.
#[cfg(any(test, feature = "encode"))]
pub(crate) fn signed_message(key_id: KeyId, payload: &[u8]) -> Vec<u8> {
    signed_message_for(&LICENSE, key_id, payload)
}

/// The signed message of any document kind: domain ‖ key id ‖ payload.
#[cfg(any(test, feature = "encode"))]
pub(crate) fn signed_message_for(kind: &DocKind, key_id: KeyId, payload: &[u8]) -> Vec<u8> {
    let mut msg = message_prefix(kind, key_id, payload.len());
    msg.extend_from_slice(payload);
    msg
}

/// Domain ‖ key id, with room for a payload of `room` bytes after it.
fn message_prefix(kind: &DocKind, key_id: KeyId, room: usize) -> Vec<u8> {
    let mut msg = Vec::with_capacity(kind.domain.len() + 8 + room);
    msg.extend_from_slice(kind.domain);
    msg.extend_from_slice(&key_id.to_bytes());
    msg
}

/// Writes a document's text from its parts. `header` lines (`Name: value`, printable
/// ASCII) are written above the body for people to read; verifiers ignore them.
#[cfg(any(test, feature = "encode"))]
pub(crate) fn encode(
    kind: &DocKind,
    key_id: KeyId,
    payload: &[u8],
    signature: &[u8; 64],
    header: &[(&str, String)],
) -> String {
    let body = format!(
        "{}.{key_id}.{}.{}",
        kind.tag,
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
/// A license as the desk writes it (BEGIN first, header, body lines of
/// body characters wrapped at 64 columns, END last) takes a fast path that
/// copies the body lines whole; anything else, and anything the fast path
/// cannot decode, is read line by line, which gives the precise error. Both
/// readings yield the same body for every text the fast path accepts.
pub(crate) fn decode(kind: &DocKind, text: &[u8]) -> Result<Envelope, VerifyError> {
    if text.len() > kind.max_len {
        return Err(VerifyError::Malformed("text too large"));
    }
    if let Some(envelope) = canonical_body(kind, text).and_then(|body| quick_parts(kind, &body)) {
        return Ok(envelope);
    }
    parts(kind, &body_by_lines(kind, text)?)
}

/// The parts of a well-formed body, found from its ends: the tag and key id
/// before the first two dots, the signature after the last one. `None` for
/// anything [`parts`] would not accept (the payload and signature decoders
/// refuse a dot, so both readings split the body alike).
fn quick_parts(kind: &DocKind, body: &[u8]) -> Option<Envelope> {
    let (tag, rest) = body.split_at_checked(kind.tag.len())?;
    let rest = rest
        .strip_prefix(b".")
        .filter(|_| tag == kind.tag.as_bytes())?;
    let (kid, rest) = rest.split_at_checked(16)?;
    let rest = rest.strip_prefix(b".")?;
    let dot = rest.iter().rposition(|&b| b == b'.')?;
    let (payload, sig) = (rest.get(..dot)?, rest.get(dot + 1..)?);
    let mut key_id = [0u8; 8];
    if !hex_decode(kid, &mut key_id) {
        return None;
    }
    let signature = decode_signature(sig)?;
    let (message, payload_at) = Envelope::decode(kind, KeyId(key_id), payload)?;
    Some(Envelope {
        key_id: KeyId(key_id),
        message,
        payload_at,
        signature,
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

/// Splits a body into its four parts and decodes them.
fn parts(kind: &DocKind, body: &[u8]) -> Result<Envelope, VerifyError> {
    use VerifyError::Malformed;
    let mut parts = body.split(|&b| b == b'.');
    let tag = parts.next().unwrap_or_default();
    if tag != kind.tag.as_bytes() {
        let other_version = tag
            .strip_prefix(kind.family)
            .is_some_and(|digits| !digits.is_empty() && digits.iter().all(u8::is_ascii_digit));
        return Err(if other_version {
            VerifyError::UnsupportedVersion
        } else {
            Malformed("body does not start with the version tag")
        });
    }
    let (Some(kid), Some(payload), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Malformed("body must have four '.'-separated parts"));
    };
    let mut key_id = [0u8; 8];
    if !hex_decode(kid, &mut key_id) {
        return Err(Malformed("key id is not 16 lower-case hex digits"));
    }
    let (message, payload_at) = Envelope::decode(kind, KeyId(key_id), payload)
        .ok_or(Malformed("payload is not canonical base64url"))?;
    let signature = decode_signature(sig).ok_or(Malformed(
        "signature is not 64 bytes of canonical base64url",
    ))?;
    Ok(Envelope {
        key_id: KeyId(key_id),
        message,
        payload_at,
        signature,
    })
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
fn trim_line(line: &[u8]) -> &[u8] {
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
            KeyId([0xb6, 0x0c, 0x35, 0x7d, 0x44, 0x47, 0x60, 0x7d]),
            &payload,
            &[7u8; 64],
            &[("Product", "face-detect".into()), ("Kind", "device".into())],
        )
        .into_bytes()
    }

    /// What the line-by-line reading and the general split alone make of `text`.
    fn by_lines(text: &[u8]) -> Result<Envelope, VerifyError> {
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
