//! Attacks on the encoding: bit flips, arbitrary bytes, edits that must not verify.

use facelic_verifier::{Context, Kind, Verifier, VerifyError};
use proptest::prelude::*;

use crate::support::{TestKey, device, license, ts};

fn setup() -> (Verifier, Context, String) {
    let key = TestKey::from_seed(1);
    let text = key.sign(&license(Kind::Device));
    let ctx = Context::at(ts("2026-11-15T00:00:00Z")).device(device(1));
    (Verifier::new(key.keyring()), ctx, text)
}

/// Byte range of the optional header (between the BEGIN line and the blank line).
fn header_range(text: &str) -> core::ops::Range<usize> {
    let start = text.find('\n').unwrap() + 1;
    let end = text.find("\n\n").unwrap() + 1;
    start..end
}

#[test]
fn no_single_bit_flip_yields_a_valid_license() {
    let (verifier, ctx, text) = setup();
    let original = verifier.verify(&text, &ctx).unwrap();
    let header = header_range(&text);
    let bytes = text.as_bytes();
    let mut flips_in_header_accepted = 0;
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.to_vec();
            flipped[i] ^= 1 << bit;
            match verifier.verify(&flipped, &ctx) {
                Err(_) => {}
                Ok(v) => {
                    // Only the untrusted header may change, and then the
                    // license read is still exactly the signed one.
                    assert!(
                        header.contains(&i),
                        "flip of bit {bit} at byte {i} verified"
                    );
                    assert_eq!(v, original);
                    flips_in_header_accepted += 1;
                }
            }
        }
    }
    // Sanity: the header really is ignored (so the loop above tested something).
    assert!(flips_in_header_accepted > 0);
}

#[test]
fn no_single_bit_flip_of_a_headerless_license_verifies() {
    let key = TestKey::from_seed(1);
    let lic = license(Kind::Platform);
    let text = facelic_verifier::encode(&lic, key.id(), &[], |m| {
        use ed25519_dalek::Signer as _;
        key.0.sign(m).to_bytes()
    })
    .unwrap();
    let verifier = Verifier::new(key.keyring());
    let ctx = Context::at(ts("2026-11-15T00:00:00Z")).package("com.acme.gate");
    assert!(verifier.verify(&text, &ctx).is_ok());
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.to_vec();
            flipped[i] ^= 1 << bit;
            assert!(
                verifier.verify(&flipped, &ctx).is_err(),
                "flip of bit {bit} at byte {i} verified"
            );
        }
    }
}

#[test]
fn mail_damage_is_tolerated_but_not_content_changes() {
    let (verifier, ctx, text) = setup();
    // CRLF line ends, indentation, text around the block: still valid.
    let crlf = text.replace('\n', "\r\n");
    assert!(verifier.verify(&crlf, &ctx).is_ok());
    let indented: String = text.lines().map(|l| format!("    {l}\n")).collect();
    assert!(verifier.verify(&indented, &ctx).is_ok());
    let wrapped = format!("Hello,\n\nyour license:\n\n{text}\nRegards\n");
    assert!(verifier.verify(&wrapped, &ctx).is_ok());
    // Re-wrapped at another width: still valid (line breaks are not signed).
    let body: String = text
        .lines()
        .filter(|l| {
            l.starts_with("FL1") || (!l.contains(':') && !l.starts_with("-----") && !l.is_empty())
        })
        .collect();
    let rewrapped = format!(
        "-----BEGIN FACELIC LICENSE-----\n{}\n-----END FACELIC LICENSE-----\n",
        body.as_bytes()
            .chunks(50)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(verifier.verify(&rewrapped, &ctx).is_ok());
    // A truncated license is malformed, not a panic.
    for cut in [0, 10, text.len() / 2, text.len() - 40] {
        assert!(
            matches!(
                verifier.verify(&text[..cut], &ctx),
                Err(VerifyError::Malformed(_))
            ),
            "cut at {cut}"
        );
    }
    // Upper-cased key id: not canonical.
    let upper = text.replacen(
        &text[text.find("FL1.").unwrap()..][..20],
        &text[text.find("FL1.").unwrap()..][..20].to_uppercase(),
        1,
    );
    assert!(verifier.verify(&upper, &ctx).is_err());
}

#[test]
fn oversized_input_is_refused_cheaply() {
    let (verifier, ctx, _) = setup();
    // docs/license-format.md: a license text is at most 64 KiB.
    let huge = vec![b'A'; 64 * 1024 + 1];
    assert!(matches!(
        verifier.verify(&huge, &ctx),
        Err(VerifyError::Malformed(_))
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let (verifier, ctx, _) = setup();
        prop_assert!(verifier.verify(&bytes, &ctx).is_err());
    }

    #[test]
    fn arbitrary_bodies_inside_the_armor_never_panic(body in "[A-Za-z0-9._:-]{0,600}") {
        let (verifier, ctx, _) = setup();
        let text = format!("-----BEGIN FACELIC LICENSE-----\nFL1.{body}\n-----END FACELIC LICENSE-----\n");
        prop_assert!(verifier.verify(&text, &ctx).is_err());
    }

    #[test]
    fn random_edits_of_a_valid_license_never_verify_as_another(
        pos in 0usize..700,
        byte in any::<u8>(),
    ) {
        let (verifier, ctx, text) = setup();
        let original = verifier.verify(&text, &ctx).unwrap();
        let mut edited = text.into_bytes();
        let pos = pos % edited.len();
        edited[pos] = byte;
        if let Ok(v) = verifier.verify(&edited, &ctx) {
            prop_assert_eq!(v, original);
        }
    }

    #[test]
    fn device_code_parsing_never_panics(s in "\\PC{0,40}") {
        let _ = s.parse::<facelic_verifier::DeviceCode>();
    }

    #[test]
    fn keyring_parsing_never_panics(s in "(-----BEGIN PUBLIC KEY-----\n)?[A-Za-z0-9+/=\n]{0,120}(-----END PUBLIC KEY-----\n)?") {
        let _ = facelic_verifier::Keyring::from_pem(&s);
    }
}
