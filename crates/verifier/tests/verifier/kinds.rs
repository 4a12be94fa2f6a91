//! Every kind: valid with the right context, the right typed error for each wrong one.

use facelic_verifier::{Binding, Context, Kind, Verifier, VerifyError};

use crate::support::{PACKAGE, TestKey, device, license, ts};

fn right_context(kind: Kind) -> Context {
    right_context_at(kind, "2026-11-15T00:00:00Z")
}

fn right_context_at(kind: Kind, now: &str) -> Context {
    let ctx = Context::at(ts(now));
    if kind.is_device_bound() {
        ctx.device(device(1))
    } else {
        ctx.package(PACKAGE)
    }
}

#[test]
fn each_kind_verifies_with_the_right_context() {
    let key = TestKey::from_seed(1);
    let verifier = Verifier::new(key.keyring());
    for kind in Kind::ALL {
        let lic = license(kind);
        let verified = verifier
            .verify(key.sign(&lic), &right_context(kind))
            .unwrap();
        assert_eq!(*verified.license(), lic);
        assert_eq!(verified.key_id(), key.id());
        assert!(verified.allows(facelic_verifier::Feature::Detect));
        assert!(!verified.allows(facelic_verifier::Feature::Search));
    }
}

#[test]
fn each_kind_refuses_each_wrong_context() {
    let key = TestKey::from_seed(1);
    let verifier = Verifier::new(key.keyring());
    for kind in Kind::ALL {
        let text = key.sign(&license(kind));
        let right = right_context(kind);
        let check = |ctx: Context, expected: fn(&VerifyError) -> bool, what: &str| {
            let err = verifier.verify(&text, &ctx).expect_err(what);
            assert!(expected(&err), "{kind} {what}: got {err:?}");
        };
        if kind.is_device_bound() {
            check(
                right.clone().device(device(2)),
                |e| *e == VerifyError::WrongDevice,
                "other device",
            );
            check(
                Context::at(right.now()),
                |e| *e == VerifyError::WrongDevice,
                "no device",
            );
        } else {
            check(
                Context::at(right.now()).package("com.acme.other"),
                |e| *e == VerifyError::WrongPackage,
                "other package",
            );
            check(
                Context::at(right.now()).device(device(1)),
                |e| *e == VerifyError::WrongPackage,
                "no package",
            );
        }
        check(
            right_context_at(kind, "2026-10-30T00:00:00Z"),
            |e| matches!(e, VerifyError::NotYetValid(_)),
            "before not-before",
        );
        if kind == Kind::Device {
            assert!(
                verifier
                    .verify(&text, &right_context_at(kind, "9999-01-01T00:00:00Z"))
                    .is_ok()
            );
        } else {
            check(
                right_context_at(kind, "2026-12-01T00:00:00Z"),
                |e| matches!(e, VerifyError::Expired(_)),
                "expired",
            );
        }
        let other = TestKey::from_seed(2);
        let err = Verifier::new(other.keyring())
            .verify(&text, &right)
            .unwrap_err();
        assert_eq!(err, VerifyError::UnknownKey(key.id()));
    }
}

#[test]
fn pinned_certificate_must_match() {
    let key = TestKey::from_seed(1);
    let verifier = Verifier::new(key.keyring());
    let mut lic = license(Kind::Platform);
    lic.binding = Binding::Package {
        name: PACKAGE.into(),
        cert_sha256: Some([9; 32]),
    };
    let text = key.sign(&lic);
    let ctx = right_context(Kind::Platform);
    assert!(
        verifier
            .verify(&text, &ctx.clone().signing_cert_sha256([9; 32]))
            .is_ok()
    );
    assert_eq!(
        verifier.verify(&text, &ctx.clone().signing_cert_sha256([8; 32])),
        Err(VerifyError::WrongCertificate)
    );
    assert_eq!(
        verifier.verify(&text, &ctx),
        Err(VerifyError::WrongCertificate)
    );
}

#[test]
fn issued_in_the_future_beyond_skew_is_not_yet_valid() {
    let key = TestKey::from_seed(1);
    let mut lic = license(Kind::Device);
    lic.not_before = ts("2026-01-01T00:00:00Z");
    lic.issued_at = ts("2026-11-03T00:00:00Z");
    let text = key.sign(&lic);
    let verifier = Verifier::new(key.keyring());
    let at = |t: &str| Context::at(ts(t)).device(device(1));
    assert!(
        verifier.verify(&text, &at("2026-11-02T00:00:00Z")).is_ok(),
        "within 24 h skew"
    );
    assert!(matches!(
        verifier.verify(&text, &at("2026-11-01T23:59:59Z")),
        Err(VerifyError::NotYetValid(_))
    ));
    let strict = Verifier::new(key.keyring()).with_clock_skew(0);
    assert!(matches!(
        strict.verify(&text, &at("2026-11-02T23:59:59Z")),
        Err(VerifyError::NotYetValid(_))
    ));
}

#[test]
fn a_key_id_naming_a_trusted_key_with_another_keys_signature_is_a_bad_signature() {
    let trusted = TestKey::from_seed(1);
    let attacker = TestKey::from_seed(2);
    let lic = license(Kind::Device);
    let forged = facelic_verifier::encode(&lic, trusted.id(), &[], |m| {
        use ed25519_dalek::Signer as _;
        attacker.0.sign(m).to_bytes()
    })
    .unwrap();
    let err = Verifier::new(trusted.keyring())
        .verify(forged, &right_context(Kind::Device))
        .unwrap_err();
    assert_eq!(err, VerifyError::BadSignature);
}

#[test]
fn keyring_holds_several_keys_for_rotation() {
    let old = TestKey::from_seed(1);
    let new = TestKey::from_seed(2);
    let pem = format!("{}{}", old.keyring().to_pem(), new.keyring().to_pem());
    let ring = facelic_verifier::Keyring::from_pem(&pem).unwrap();
    assert_eq!(ring.len(), 2);
    let verifier = Verifier::new(ring);
    let ctx = right_context(Kind::Device);
    assert_eq!(
        verifier
            .verify(old.sign(&license(Kind::Device)), &ctx)
            .unwrap()
            .key_id(),
        old.id()
    );
    assert_eq!(
        verifier
            .verify(new.sign(&license(Kind::Device)), &ctx)
            .unwrap()
            .key_id(),
        new.id()
    );
}

#[test]
fn the_encoder_refuses_what_the_verifier_would_refuse() {
    let key = TestKey::from_seed(1);
    let mut bad = license(Kind::Device);
    bad.not_after = Some(ts("2030-01-01T00:00:00Z"));
    assert!(facelic_verifier::encode(&bad, key.id(), &[], |_| [0; 64]).is_err());
    let mut bad = license(Kind::Platform);
    bad.binding = Binding::Package {
        name: "nodots".into(),
        cert_sha256: None,
    };
    assert!(facelic_verifier::encode(&bad, key.id(), &[], |_| [0; 64]).is_err());
    let mut bad = license(Kind::Device);
    bad.customer_name = "Line\nbreak".into();
    assert!(facelic_verifier::encode(&bad, key.id(), &[], |_| [0; 64]).is_err());
    let mut bad = license(Kind::DeviceTrial);
    bad.not_after = Some(bad.not_before);
    assert!(facelic_verifier::encode(&bad, key.id(), &[], |_| [0; 64]).is_err());
    let mut bad = license(Kind::Device);
    bad.features = facelic_verifier::FeatureSet::empty();
    assert!(facelic_verifier::encode(&bad, key.id(), &[], |_| [0; 64]).is_err());
}
