//! Revocation lists: signed, strict, and honoured by the verifier.

use ed25519_dalek::Signer as _;
use facelic_verifier::{Context, Kind, RevocationList, Serial, Verifier, VerifyError};

use crate::support::{TestKey, device, license, ts};

fn crl(key: &TestKey, serials: &[Serial]) -> String {
    RevocationList::encode(ts("2026-11-20T00:00:00Z"), serials, key.id(), |m| {
        key.0.sign(m).to_bytes()
    })
}

#[test]
fn a_revoked_serial_is_refused_and_others_pass() {
    let key = TestKey::from_seed(1);
    let revoked = license(Kind::Device);
    let mut other = license(Kind::Device);
    other.serial = Serial::from_bytes([9; 16]);
    let list = RevocationList::parse(
        crl(&key, &[revoked.serial, Serial::from_bytes([1; 16])]),
        &key.keyring(),
    )
    .unwrap();
    assert_eq!(list.serials().len(), 2);
    assert_eq!(list.issued_at(), ts("2026-11-20T00:00:00Z"));
    let verifier = Verifier::new(key.keyring()).with_revocation_list(list);
    let ctx = Context::at(ts("2026-11-21T00:00:00Z")).device(device(1));
    let err = verifier.verify(key.sign(&revoked), &ctx).unwrap_err();
    assert_eq!((err.code(), err.name()), (10, "revoked"));
    assert!(verifier.verify(key.sign(&other), &ctx).is_ok());
}

#[test]
fn an_empty_list_round_trips() {
    let key = TestKey::from_seed(1);
    let list = RevocationList::parse(crl(&key, &[]), &key.keyring()).unwrap();
    assert!(list.serials().is_empty());
}

#[test]
fn forged_or_foreign_lists_are_refused() {
    let key = TestKey::from_seed(1);
    let other = TestKey::from_seed(2);
    let text = crl(&key, &[Serial::from_bytes([3; 16])]);
    assert_eq!(
        RevocationList::parse(crl(&other, &[]), &key.keyring()),
        Err(VerifyError::UnknownKey(other.id()))
    );
    // A license is not a revocation list, and a list is not a license.
    assert!(matches!(
        RevocationList::parse(key.sign(&license(Kind::Device)), &key.keyring()),
        Err(VerifyError::Malformed(_))
    ));
    let ctx = Context::at(ts("2026-11-21T00:00:00Z")).device(device(1));
    assert!(matches!(
        Verifier::new(key.keyring()).verify(&text, &ctx),
        Err(VerifyError::Malformed(_))
    ));
    // No bit flip yields a different valid list.
    let original = RevocationList::parse(&text, &key.keyring()).unwrap();
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut flipped = bytes.to_vec();
            flipped[i] ^= 1 << bit;
            if let Ok(list) = RevocationList::parse(&flipped, &key.keyring()) {
                assert_eq!(list, original, "flip of bit {bit} at byte {i}");
            }
        }
    }
}

#[test]
fn a_list_signed_with_the_license_domain_does_not_verify() {
    // Domain separation: a signature made for a license message cannot be a list's.
    let key = TestKey::from_seed(1);
    let text = crl(&key, &[]);
    let body: String = text
        .lines()
        .filter(|l| {
            l.starts_with("FR1") || (!l.contains(':') && !l.starts_with("-----") && !l.is_empty())
        })
        .collect();
    let parts: Vec<&str> = body.split('.').collect();
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(parts[2])
        .unwrap();
    let wrong_sig = key
        .0
        .sign(&[&b"facelic-license-v1\0"[..], &key.id().to_bytes(), &payload].concat())
        .to_bytes();
    let forged = format!(
        "-----BEGIN FACELIC REVOCATION LIST-----\nFR1.{}.{}.{}\n-----END FACELIC REVOCATION LIST-----\n",
        parts[1],
        parts[2],
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(wrong_sig)
    );
    assert_eq!(
        RevocationList::parse(forged, &key.keyring()),
        Err(VerifyError::BadSignature)
    );
}
