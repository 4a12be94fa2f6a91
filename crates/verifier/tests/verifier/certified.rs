//! Format 2: an app that trusts only a root verifies licenses from signing
//! keys the root certified, and refuses each way a certificate can fail
//! with its own code.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use facelic_verifier::{
    Certificate, Context, Kind, License, ListName, ListSigner, ListTerms, RevocationList, Serial,
    Verifier, VerifyError,
};

use crate::format2::{self, armored, body, payload_of, with_certificate};
use crate::support::{CertifiedKey, TestKey, device, license, ts};

const ROOT: u8 = 0x51;
/// Key A issues in 2026, key B (its successor) from October 2026 to 2027.
const WINDOW_A: (&str, &str) = ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
const WINDOW_B: (&str, &str) = ("2026-10-01T00:00:00Z", "2028-01-01T00:00:00Z");

fn root() -> TestKey {
    TestKey::from_seed(ROOT)
}

fn key_a() -> CertifiedKey {
    CertifiedKey::new(0xa1, &root(), WINDOW_A, None)
}

fn key_b() -> CertifiedKey {
    CertifiedKey::new(0xb2, &root(), WINDOW_B, None)
}

/// A device license issued on 2026-11-01 (inside both windows).
fn device_license() -> License {
    license(Kind::Device)
}

fn at(now: &str) -> Context {
    Context::at(ts(now)).device(device(1))
}

fn verifier() -> Verifier {
    Verifier::new(root().keyring())
}

#[test]
fn a_root_only_keyring_verifies_two_successive_signing_keys() {
    let (a, b) = (key_a(), key_b());
    let verifier = verifier();
    for key in [&a, &b] {
        let verified = verifier
            .verify(key.sign(&device_license()), &at("2026-11-15T00:00:00Z"))
            .unwrap();
        assert_eq!(verified.key_id(), key.key.id());
        assert_eq!(verified.root_key_id(), Some(root().id()));
        assert_eq!(verified.license(), &device_license());
    }
    assert!(verifier.keyring().get(a.key.id()).is_none());
    // The window limits when a key may issue, not how long its licenses
    // live: a perpetual license from key A still verifies in 2099.
    let late = verifier.verify(a.sign(&device_license()), &at("2099-01-01T00:00:00Z"));
    assert!(late.is_ok(), "{late:?}");
    // A second verify of the same certificate (cached) gives the same answer.
    assert_eq!(
        verifier.verify(a.sign(&device_license()), &at("2026-11-15T00:00:00Z")),
        verifier.verify(a.sign(&device_license()), &at("2026-11-15T00:00:00Z")),
    );
}

#[test]
fn a_signing_key_without_a_trusted_certificate_is_refused() {
    let other_root = TestKey::from_seed(0x52);
    let foreign = CertifiedKey::new(0xa1, &other_root, WINDOW_A, None);
    let now = at("2026-11-15T00:00:00Z");
    assert_eq!(
        verifier().verify(foreign.sign(&device_license()), &now),
        Err(VerifyError::UncertifiedKey(other_root.id()))
    );
    // The certificate's payload altered: the root's signature fails.
    let a = key_a();
    let text = a.sign(&device_license());
    let forged = replace_part(&text, 2, |cert| {
        let mut bytes = URL_SAFE_NO_PAD.decode(cert).unwrap();
        let at = bytes.len() - 3; // inside the not-after year
        bytes[at] ^= 1;
        URL_SAFE_NO_PAD.encode(bytes)
    });
    let err = verifier().verify(forged, &now).unwrap_err();
    assert_eq!((err.code(), err.name()), (14, "uncertified-key"));
    // The signing key itself, used as if it were trusted (format 1): unknown.
    let direct = a.key.sign(&device_license());
    assert_eq!(
        verifier().verify(direct, &now),
        Err(VerifyError::UnknownKey(a.key.id()))
    );
}

#[test]
fn a_license_issued_outside_the_window_is_refused() {
    let a = key_a();
    let text = a.sign(&device_license());
    // The same key, certified for 2025 only: the certificate is swapped in
    // (the license signature does not cover it), and the window fails.
    let old = CertifiedKey::new(
        0xa1,
        &root(),
        ("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
        None,
    );
    let swapped = with_certificate(&text, &old.text);
    let err = verifier()
        .verify(swapped, &at("2026-11-15T00:00:00Z"))
        .unwrap_err();
    assert_eq!(
        err,
        VerifyError::CertificateWindow(ts("2026-11-01T00:00:00Z"))
    );
    assert_eq!((err.code(), err.name()), (15, "certificate-window"));
    // An encoder refuses to write it in the first place.
    let mut late = device_license();
    late.issued_at = ts(WINDOW_A.1);
    let refused = facelic_verifier::encode_certified(&late, &a.certificate, &[], |_| [0; 64]);
    assert!(refused.unwrap_err().reason.contains("window"));
}

#[test]
fn a_license_for_a_product_the_certificate_does_not_cover_is_refused() {
    let a = key_a();
    let narrow = CertifiedKey::new(0xa1, &root(), WINDOW_A, Some(&["face-search", "zz-other"]));
    let text = with_certificate(&a.sign(&device_license()), &narrow.text);
    let err = verifier()
        .verify(text, &at("2026-11-15T00:00:00Z"))
        .unwrap_err();
    assert_eq!((err.code(), err.name()), (16, "certificate-product"));
    let wide = CertifiedKey::new(0xa1, &root(), WINDOW_A, Some(&["face-detect", "zz-other"]));
    assert_eq!(
        wide.certificate.products(),
        Some(&["face-detect".to_owned(), "zz-other".to_owned()][..])
    );
    let ok = with_certificate(&a.sign(&device_license()), &wide.text);
    assert!(verifier().verify(ok, &at("2026-11-15T00:00:00Z")).is_ok());
}

/// The root's format-3 list revoking `signing_keys` (and `serials`), number 1.
fn root_list(signing_keys: &[&CertifiedKey], serials: &[Serial]) -> String {
    let ids: Vec<_> = signing_keys.iter().map(|k| k.key.id()).collect();
    let root = root();
    let terms = ListTerms {
        issued_at: ts("2026-11-20T00:00:00Z"),
        sequence: 1,
        lists: &[],
        signing_keys: &ids,
        serials,
    };
    RevocationList::encode_v3(&terms, ListSigner::Key(root.id()), |m| {
        root.0.sign(m).to_bytes()
    })
    .unwrap()
}

/// Key `by`'s list of `serials`, number 1, alone or followed by `others`
/// (lists it names): one text.
fn certified_list(by: &CertifiedKey, serials: &[Serial], others: &[&str]) -> String {
    let names: Vec<ListName> = others
        .iter()
        .map(|text| {
            RevocationList::parse(text, &root().keyring())
                .unwrap()
                .lists()[0]
        })
        .collect();
    let terms = ListTerms {
        issued_at: ts("2026-11-21T00:00:00Z"),
        sequence: 1,
        lists: &names,
        signing_keys: &[],
        serials,
    };
    let signer = ListSigner::Certified(&by.certificate);
    let list = RevocationList::encode_v3(&terms, signer, |m| by.key.0.sign(m).to_bytes()).unwrap();
    others.iter().fold(list, |text, other| text + other)
}

#[test]
fn a_root_revokes_a_signing_key_and_its_licenses_fail_with_their_own_code() {
    let (a, b) = (key_a(), key_b());
    let mut revoked_serial = device_license();
    revoked_serial.serial = Serial::from_bytes([0x33; 16]);
    // One text, two lists: the root's (revoking key A) and key B's (a serial).
    let text = certified_list(&b, &[revoked_serial.serial], &[&root_list(&[&a], &[])]);
    let list = RevocationList::parse(&text, &root().keyring()).unwrap();
    assert_eq!(list.signing_keys(), &[a.key.id()]);
    assert_eq!(list.serials(), &[revoked_serial.serial]);
    assert_eq!(list.issued_at(), ts("2026-11-21T00:00:00Z"));
    let verifier = verifier().with_revocation_list(list);
    let now = at("2026-11-22T00:00:00Z");
    let err = verifier
        .verify(a.sign(&device_license()), &now)
        .unwrap_err();
    assert_eq!(err, VerifyError::SigningKeyRevoked(a.key.id()));
    assert_eq!((err.code(), err.name()), (17, "signing-key-revoked"));
    assert!(verifier.verify(b.sign(&device_license()), &now).is_ok());
    assert_eq!(
        verifier.verify(b.sign(&revoked_serial), &now),
        Err(VerifyError::Revoked)
    );
    // A license the root signed directly (format 1) is not affected.
    assert!(
        verifier
            .verify(root().sign(&device_license()), &now)
            .is_ok()
    );
}

#[test]
fn only_a_root_may_revoke_signing_keys() {
    let (a, b) = (key_a(), key_b());
    // Key B signs a list that claims to revoke key A: refused whole.
    let payload = format!(
        "issued-at=2026-11-21T00:00:00Z\nsigning-key={}\n",
        a.key.id()
    );
    let forged = raw_v2(
        "REVOCATION LIST",
        "FR2",
        b"facelic-revocation-list-v2\0",
        &b,
        &payload,
    );
    let err = RevocationList::parse(&forged, &root().keyring()).unwrap_err();
    assert!(
        matches!(err, VerifyError::Malformed(why) if why.contains("root")),
        "{err:?}"
    );
    // A list signed by a key the root revoked (in the same text) is refused.
    let text = certified_list(&b, &[], &[&root_list(&[&b], &[])]);
    assert_eq!(
        RevocationList::parse(&text, &root().keyring()),
        Err(VerifyError::SigningKeyRevoked(b.key.id()))
    );
    // A list from a key no root certified is refused, as is a tampered one.
    let foreign = CertifiedKey::new(0xa1, &TestKey::from_seed(0x52), WINDOW_A, None);
    let err = RevocationList::parse(certified_list(&foreign, &[], &[]), &root().keyring());
    assert_eq!(err.unwrap_err().name(), "uncertified-key");
    let tampered = certified_list(&a, &[], &[]).replace("Revoked: 0", "Revoked: 9");
    assert!(
        RevocationList::parse(&tampered, &root().keyring()).is_ok(),
        "the header is not signed"
    );
}

#[test]
fn format_two_forbids_format_characters_and_issued_at_after_not_after() {
    let a = key_a();
    let now = at("2026-11-15T00:00:00Z");
    let plain = device_license();
    let payload = payload_of(&a.sign(&plain));
    // U+202E (right-to-left override) in the customer name: spoofing.
    let spoofed = payload.replace(&plain.customer_name, "Acme \u{202e}metsyS etaG");
    let v2 = raw_v2("LICENSE", "FL2", b"facelic-license-v2\0", &a, &spoofed);
    let err = verifier().verify(v2, &now).unwrap_err();
    assert!(
        matches!(err, VerifyError::Malformed(why) if why.contains("Cf")),
        "{err:?}"
    );
    // Format 1 keeps accepting it, as it always has.
    let mut v1 = plain.clone();
    v1.customer_name = "Acme \u{202e}metsyS etaG".into();
    assert!(verifier().verify(root().sign(&v1), &now).is_ok());
    // And an encoder refuses to write it as format 2.
    let refused = facelic_verifier::encode_certified(&v1, &a.certificate, &[], |_| [0; 64]);
    assert!(refused.unwrap_err().reason.contains("Cf"));

    // A trial whose issued-at is at or after its not-after: format 1 parses
    // it (and it is never valid); format 2 refuses it as malformed.
    let mut trial = license(Kind::DeviceTrial);
    trial.issued_at = trial.not_after.unwrap();
    let v1_trial = root().sign(&trial);
    let err = verifier().verify(v1_trial, &now).unwrap_err();
    assert_eq!(err.name(), "not-yet-valid");
    let mut fine = license(Kind::DeviceTrial);
    fine.issued_at = ts("2026-11-01T00:00:00Z");
    let good = payload_of(&a.sign(&fine));
    let late = good.replace(
        "issued-at=2026-11-01T00:00:00Z",
        &format!("issued-at={}", trial.issued_at),
    );
    let v2 = raw_v2("LICENSE", "FL2", b"facelic-license-v2\0", &a, &late);
    let err = verifier().verify(v2, &now).unwrap_err();
    assert!(
        matches!(err, VerifyError::Malformed(why) if why.contains("issued-at")),
        "{err:?}"
    );
}

#[test]
fn a_certificate_alone_parses_and_checks_against_the_roots() {
    let a = key_a();
    let cert = Certificate::parse(&a.text, &root().keyring()).unwrap();
    assert_eq!(cert.key_id(), a.key.id());
    assert_eq!(cert.root_key_id(), root().id());
    assert_eq!(
        (cert.not_before(), cert.not_after()),
        (ts(WINDOW_A.0), ts(WINDOW_A.1))
    );
    assert_eq!(cert.products(), None);
    assert_eq!(
        Certificate::parse(&a.text, &TestKey::from_seed(9).keyring()),
        Err(VerifyError::UncertifiedKey(root().id()))
    );
    // A license is not a certificate.
    let err = Certificate::parse(a.sign(&device_license()), &root().keyring()).unwrap_err();
    assert_eq!(err.name(), "malformed");
}

/// The license with body part `index` (0 = the tag) rewritten.
fn replace_part(text: &str, index: usize, f: impl FnOnce(&str) -> String) -> String {
    let body = body(text);
    let mut parts: Vec<String> = body.split('.').map(str::to_owned).collect();
    parts[index] = f(&parts[index]);
    armored("LICENSE", &parts.join("."))
}

/// A format-2 document signed by `by` over whatever `payload` says.
fn raw_v2(label: &str, tag: &str, domain: &[u8], by: &CertifiedKey, payload: &str) -> String {
    format2::raw_v2(
        label,
        tag,
        domain,
        &by.text,
        by.key.id().to_bytes(),
        payload,
        |m| by.key.0.sign(m).to_bytes(),
    )
}
