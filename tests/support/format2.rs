//! Format-2 texts taken apart and put together by hand, from the spec
//! (`docs/license-format.md` §10) rather than through the encoder: for the
//! tests and vectors of what an encoder must never write. Shared like
//! `fixtures.rs` (`#[path]`); it uses only `base64`.

#![allow(dead_code)] // each suite uses what it needs

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The body of an armored text: its lines without ':' between the armor lines.
pub(crate) fn body(text: &str) -> String {
    text.lines()
        .filter(|l| !l.starts_with("-----") && !l.contains(':') && !l.is_empty())
        .collect()
}

/// A license body in armor (one body line).
pub(crate) fn armored(label: &str, body: &str) -> String {
    format!("-----BEGIN FACELIC {label}-----\n{body}\n-----END FACELIC {label}-----\n")
}

/// The three body parts of a certificate's armored text (root key id,
/// payload, signature), without its `FC1.` tag.
pub(crate) fn certificate_parts(certificate: &str) -> String {
    let body = body(certificate);
    body.strip_prefix("FC1.").unwrap_or(&body).to_owned()
}

/// A format-2 license with its certificate (body parts 1 to 3) replaced by
/// `certificate`'s: the license signature does not cover the certificate,
/// so what changes is only what the certificate allows.
pub(crate) fn with_certificate(license: &str, certificate: &str) -> String {
    let body = body(license);
    let parts: Vec<&str> = body.split('.').collect();
    let cert = certificate_parts(certificate);
    armored("LICENSE", &format!("FL2.{cert}.{}.{}", parts[4], parts[5]))
}

/// The decoded payload of a format-2 license.
pub(crate) fn payload_of(license: &str) -> String {
    let body = body(license);
    let part = body.split('.').nth(4).unwrap_or_default();
    String::from_utf8(URL_SAFE_NO_PAD.decode(part).unwrap_or_default()).unwrap_or_default()
}

/// A format-2 document signed over whatever `payload` says, by the key
/// `certificate` certifies (`key_id`, signing with `sign`): `label` is
/// `LICENSE` or `REVOCATION LIST`, `tag` `FL2` or `FR2`, `domain` the
/// signature domain with its trailing NUL.
pub(crate) fn raw_v2(
    label: &str,
    tag: &str,
    domain: &[u8],
    certificate: &str,
    key_id: [u8; 8],
    payload: &str,
    sign: impl FnOnce(&[u8]) -> [u8; 64],
) -> String {
    let mut message = domain.to_vec();
    message.extend_from_slice(&key_id);
    message.extend_from_slice(payload.as_bytes());
    let signature = sign(&message);
    let body = format!(
        "{tag}.{}.{}.{}",
        certificate_parts(certificate),
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(signature)
    );
    armored(label, &body)
}
