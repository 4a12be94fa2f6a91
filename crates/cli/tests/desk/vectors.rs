//! The shared test vectors in `licenses/examples/`.
//!
//! This test regenerates every vector and checks the committed files match
//! byte for byte (Ed25519 signatures are deterministic). After a deliberate
//! format change, rewrite them with `FACELIC_BLESS=1 cargo test -p facelic-issuer vectors`.

use std::path::{Path, PathBuf};

use ed25519_dalek::Signer as _;
use facelic_issuer::root::{self, Certification};
use facelic_issuer::{
    Binding, Certificate, DeviceCode, IssuerKey, Keyring, Kind, License, RevocationList, Serial,
    Signer, Timestamp,
};
use facelic_verifier::{ListName, ListSigner, ListTerms};
use serde_json::{Value, json};

use crate::format2::{payload_of, raw_v2, with_certificate};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../licenses/examples")
}

fn seed(start: u8) -> [u8; 32] {
    core::array::from_fn(|i| start + i as u8)
}

/// The trusted test-only key (seed 00 01 .. 1f) and an untrusted one (seed 20 21 .. 3f).
pub(crate) fn test_keys() -> (IssuerKey, IssuerKey) {
    (
        IssuerKey::from_seed(&seed(0)),
        IssuerKey::from_seed(&seed(0x20)),
    )
}

fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

pub(crate) const DEVICE_ATTRS: [(&str, &str); 2] = [
    ("android-id", "9774d56d682e549c"),
    ("widevine-id", "b3a1c0ffee0ddba11b3a1c0ffee0ddba"),
];

pub(crate) fn device_code() -> DeviceCode {
    DeviceCode::derive(&DEVICE_ATTRS).unwrap()
}

fn base(n: u8, kind: Kind, not_after: Option<&str>, binding: Binding) -> License {
    let mut serial = [0u8; 16];
    serial[6] = 0x40;
    serial[8] = 0x80;
    serial[15] = n;
    License {
        serial: Serial::from_bytes(serial),
        not_after: not_after.map(ts),
        ..crate::fixtures::license(kind, binding)
    }
}

fn package(name: &str, cert: Option<[u8; 32]>) -> Binding {
    Binding::Package {
        name: name.into(),
        cert_sha256: cert,
    }
}

pub(crate) const CERT: [u8; 32] = [0xab; 32];

/// Every vector file: (file name, contents).
fn files() -> Vec<(String, String)> {
    let (key, other) = test_keys();
    let dev = Binding::Device(device_code());
    let device = base(1, Kind::Device, None, dev.clone());
    let trial = base(
        2,
        Kind::DeviceTrial,
        Some("2026-12-01T00:00:00Z"),
        dev.clone(),
    );
    let mut platform = base(
        3,
        Kind::Platform,
        Some("2027-11-01T00:00:00Z"),
        package("com.acme.gate", None),
    );
    platform.customer_name = "深圳市某某科技有限公司".into();
    platform.customer_id = "C-000043".into();
    let ptrial = base(
        4,
        Kind::PlatformTrial,
        Some("2026-12-01T00:00:00Z"),
        package("com.acme.gate", None),
    );
    let pinned = base(
        5,
        Kind::Platform,
        Some("2027-11-01T00:00:00Z"),
        package("com.acme.gate", Some(CERT)),
    );

    let device_text = key.sign(&device).unwrap();
    let mut out = vec![
        ("test-only-issuer.key".to_owned(), test_private_pem(&key)),
        ("test-only-issuer.pub".to_owned(), key.public_pem()),
        ("test-only-other.pub".to_owned(), other.public_pem()),
        ("device.lic".to_owned(), device_text.clone()),
        (
            "device-bare.lic".to_owned(),
            key.sign_bare(&device).unwrap(),
        ),
        ("device-trial.lic".to_owned(), key.sign(&trial).unwrap()),
        ("platform.lic".to_owned(), key.sign(&platform).unwrap()),
        ("platform-trial.lic".to_owned(), key.sign(&ptrial).unwrap()),
        ("platform-pinned.lic".to_owned(), key.sign(&pinned).unwrap()),
        (
            "signed-by-other-key.lic".to_owned(),
            other.sign(&device).unwrap(),
        ),
    ];
    // Payload tampered after signing: one character of the base64 body changed.
    out.push((
        "tampered-payload.lic".to_owned(),
        replace_body_char(&device_text, 40),
    ));
    // Signature tampered: one character near the end of the body changed.
    let sig_pos = body(&device_text).len() - 10;
    out.push((
        "tampered-signature.lic".to_owned(),
        replace_body_char(&device_text, sig_pos),
    ));
    // Names the trusted key id but was signed by the other key.
    let forged = facelic_verifier::encode(&device, key.key_id(), &[], |msg| {
        use ed25519_dalek::Signer as _;
        ed25519_dalek::SigningKey::from_bytes(&seed(0x20))
            .sign(msg)
            .to_bytes()
    })
    .unwrap();
    out.push(("forged-key-id.lic".to_owned(), forged));
    out.push((
        "future-version.lic".to_owned(),
        key.sign_bare(&device).unwrap().replace("FL1.", "FL9."),
    ));
    out.push((
        "garbage.lic".to_owned(),
        "this is not a license\n".to_owned(),
    ));
    out.extend(format2_files(&key, &other, &device));
    out.push(("vectors.json".to_owned(), manifest(&key)));
    out
}

/// The name an encoder must refuse in format 2: U+202E (right-to-left
/// override) makes it display as "Acme Gate Systems".
const SPOOFED_NAME: &str = "Acme \u{202e}smetsyS etaG";

/// A certificate by `root` for `signer`, for `window`, optionally for `products`.
fn certificate(
    root: &Signer,
    signer: &IssuerKey,
    window: (&str, &str),
    products: Option<&[&str]>,
) -> String {
    let terms = Certification {
        not_before: ts(window.0),
        not_after: ts(window.1),
        products: products.map(|p| p.iter().map(|s| s.to_string()).collect()),
    };
    root::certify(root, &signer.public_pem(), &terms).unwrap()
}

/// The format-2 vectors: the trusted test key is the root; signing keys A
/// (seed 40 41 .. 5f) and B (seed 60 61 .. 7f) are certified by it.
fn format2_files(key: &IssuerKey, other: &IssuerKey, device: &License) -> Vec<(String, String)> {
    let (a, b) = (
        IssuerKey::from_seed(&seed(0x40)),
        IssuerKey::from_seed(&seed(0x60)),
    );
    let roots = Keyring::from_pem(&key.public_pem()).unwrap();
    // The roots as signers (the same seeds as `test_keys`).
    let (root, other_root) = (
        Signer::File(IssuerKey::from_seed(&seed(0))),
        Signer::File(IssuerKey::from_seed(&seed(0x20))),
    );
    assert_eq!(
        (root.key_id(), other_root.key_id()),
        (key.key_id(), other.key_id())
    );
    let cert_a = certificate(
        &root,
        &a,
        ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
        None,
    );
    let cert_b = certificate(
        &root,
        &b,
        ("2026-10-01T00:00:00Z", "2028-01-01T00:00:00Z"),
        Some(&["face-detect", "ir-liveness-search"]),
    );
    let (parsed_a, parsed_b) = (
        Certificate::parse(&cert_a, &roots).unwrap(),
        Certificate::parse(&cert_b, &roots).unwrap(),
    );
    let v2_device = License {
        serial: base(11, Kind::Device, None, device.binding.clone()).serial,
        ..device.clone()
    };
    let mut v2_platform = base(
        12,
        Kind::Platform,
        Some("2027-11-01T00:00:00Z"),
        package("com.acme.gate", None),
    );
    v2_platform.customer_name = "深圳市某某科技有限公司".into();
    let device_text = a.sign_certified(&v2_device, &parsed_a).unwrap();
    let raw = |payload: &str| {
        raw_v2(
            "LICENSE",
            "FL2",
            b"facelic-license-v2\0",
            &cert_a,
            a.key_id().to_bytes(),
            payload,
            |m| {
                ed25519_dalek::SigningKey::from_bytes(&seed(0x40))
                    .sign(m)
                    .to_bytes()
            },
        )
    };
    let trial = base(
        13,
        Kind::DeviceTrial,
        Some("2026-12-01T00:00:00Z"),
        device.binding.clone(),
    );
    let trial_payload = payload_of(&a.sign_certified(&trial, &parsed_a).unwrap());
    let late_trial = trial_payload.replace(
        "issued-at=2026-11-01T00:00:00Z",
        "issued-at=2026-12-01T00:00:00Z",
    );
    let mut v1_spoofed = device.clone();
    v1_spoofed.customer_name = SPOOFED_NAME.into();
    // Body position 74 (the second line, wrapped at 64) lies inside the
    // certificate's payload.
    let forged_cert = replace_body_char(&device_text, 74);
    let sign_b = |m: &[u8]| {
        ed25519_dalek::SigningKey::from_bytes(&seed(0x60))
            .sign(m)
            .to_bytes()
    };
    // Format 3: key B's list (number 3) names the root's list that follows it.
    let root_list =
        root::revoke_signing_keys(&root, &[a.key_id()], ts("2026-11-10T00:00:00Z")).unwrap();
    let root_name = RevocationList::parse(&root_list, &roots).unwrap().lists()[0];
    let b_list = |sequence: u64, lists: &[ListName], serials: &[Serial]| {
        let terms = ListTerms {
            issued_at: ts("2026-11-12T00:00:00Z"),
            sequence,
            lists,
            signing_keys: &[],
            serials,
        };
        RevocationList::encode_v3(&terms, ListSigner::Certified(&parsed_b), sign_b).unwrap()
    };
    let revocations = b_list(3, &[root_name], &[v2_platform.serial]) + &root_list;
    let older = b_list(2, &[], &[]);
    // The same text with one armor line of the root's list damaged.
    let damage = |line: &str| {
        let at = revocations.rfind(line).unwrap();
        format!("{}{}", &revocations[..at], &revocations[at + 1..])
    };
    let tampered = {
        let mut lines: Vec<String> = revocations.lines().map(str::to_owned).collect();
        let last_body = lines
            .iter()
            .rposition(|l| !l.starts_with("-----") && !l.is_empty())
            .unwrap();
        lines[last_body] = flip_char(&lines[last_body], 3);
        lines.join("\n") + "\n"
    };
    // A list the trusted key signs (revoking `device.lic`) naming one the
    // untrusted key signs: an app passes over the list it cannot check.
    let direct = |by: &IssuerKey, seed_byte: u8, lists: &[ListName], serials: &[Serial]| {
        let terms = ListTerms {
            issued_at: ts("2026-11-12T00:00:00Z"),
            sequence: 4,
            lists,
            signing_keys: &[],
            serials,
        };
        RevocationList::encode_v3(&terms, ListSigner::Key(by.key_id()), |m| {
            ed25519_dalek::SigningKey::from_bytes(&seed(seed_byte))
                .sign(m)
                .to_bytes()
        })
        .unwrap()
    };
    let name = |by: &IssuerKey| ListSigner::Key(by.key_id()).name(4);
    let foreign =
        direct(key, 0, &[name(other)], &[device.serial]) + &direct(other, 0x20, &[name(key)], &[]);
    // Format 2, as the desk wrote it before format 3: two lists, neither
    // naming the other (refused now), and one list alone (still read).
    let legacy_single = RevocationList::encode_certified(
        ts("2026-11-12T00:00:00Z"),
        &[v2_platform.serial],
        &parsed_b,
        sign_b,
    );
    let legacy_root = RevocationList::encode_by_root(
        ts("2026-11-10T00:00:00Z"),
        &[a.key_id()],
        &[],
        key.key_id(),
        |m| {
            ed25519_dalek::SigningKey::from_bytes(&seed(0))
                .sign(m)
                .to_bytes()
        },
    );
    let legacy = legacy_root + &legacy_single;
    // A certificate whose public key is encoded with y >= p (a point
    // ed25519-dalek decodes, of large order): refused at step 2a.
    let noncanonical = (0xedu8..=0xff)
        .map(|low| {
            let mut bytes = [0xff; 32];
            bytes[0] = low;
            bytes[31] = 0x7f;
            bytes
        })
        .find(|b| ed25519_dalek::VerifyingKey::from_bytes(b).is_ok_and(|k| !k.is_weak()))
        .unwrap();
    let noncanonical_cert = {
        use base64::Engine as _;
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let payload = format!(
            "public-key={}\nnot-before=2026-01-01T00:00:00Z\nnot-after=2027-01-01T00:00:00Z\n",
            b64(&noncanonical)
        );
        let message = [
            b"facelic-signing-key-certificate-v1\0".as_slice(),
            &key.key_id().to_bytes(),
            payload.as_bytes(),
        ]
        .concat();
        let signature = ed25519_dalek::SigningKey::from_bytes(&seed(0)).sign(&message);
        crate::format2::armored(
            "SIGNING KEY CERTIFICATE",
            &format!(
                "FC1.{}.{}.{}",
                key.key_id(),
                b64(payload.as_bytes()),
                b64(&signature.to_bytes())
            ),
        )
    };
    vec![
        (
            "v2-noncanonical-key.lic".into(),
            with_certificate(&device_text, &noncanonical_cert),
        ),
        ("v2-signing-key-a.cert".into(), cert_a.clone()),
        ("v2-signing-key-b.cert".into(), cert_b),
        ("v2-device.lic".into(), device_text.clone()),
        (
            "v2-platform.lic".into(),
            b.sign_certified(&v2_platform, &parsed_b).unwrap(),
        ),
        (
            "v2-uncertified.lic".into(),
            with_certificate(
                &device_text,
                &certificate(
                    &other_root,
                    &a,
                    ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
                    None,
                ),
            ),
        ),
        ("v2-forged-certificate.lic".into(), forged_cert),
        (
            "v2-outside-window.lic".into(),
            with_certificate(
                &device_text,
                &certificate(
                    &root,
                    &a,
                    ("2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
                    None,
                ),
            ),
        ),
        (
            "v2-other-product.lic".into(),
            with_certificate(
                &device_text,
                &certificate(
                    &root,
                    &a,
                    ("2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
                    Some(&["face-detect"]),
                ),
            ),
        ),
        (
            "v2-format-char.lic".into(),
            raw(&payload_of(&device_text).replace(&device.customer_name, SPOOFED_NAME)),
        ),
        ("v1-format-char.lic".into(), key.sign(&v1_spoofed).unwrap()),
        ("v2-issued-after-not-after.lic".into(), raw(&late_trial)),
        ("v2-revocations.crl".into(), legacy),
        ("v2-revocations-single.crl".into(), legacy_single),
        (
            "v3-revocations-no-end.crl".into(),
            damage("-----END FACELIC REVOCATION LIST-----"),
        ),
        (
            "v3-revocations-no-begin.crl".into(),
            damage("-----BEGIN FACELIC REVOCATION LIST-----"),
        ),
        (
            "v3-revocations-truncated.crl".into(),
            revocations[..revocations.find("-----END").unwrap()].to_owned()
                + "-----END FACELIC REVOCATION LIST-----\n",
        ),
        ("v3-revocations-tampered.crl".into(), tampered),
        ("v3-revocations-older.crl".into(), older),
        ("v3-revocations-foreign.crl".into(), foreign),
        ("v3-revocations.crl".into(), revocations),
    ]
}

/// `line` with its character at `at` changed to another base64url character.
fn flip_char(line: &str, at: usize) -> String {
    line.char_indices()
        .map(|(i, c)| match (i == at, c) {
            (true, 'Q') => 'R',
            (true, _) => 'Q',
            (false, c) => c,
        })
        .collect()
}

/// The private key file, with a warning that it is public test material.
fn test_private_pem(key: &IssuerKey) -> String {
    let dir = tempfile::tempdir().unwrap();
    key.write_to_dir(dir.path(), false).unwrap();
    std::fs::read_to_string(dir.path().join("issuer.key")).unwrap()
}

fn body(text: &str) -> String {
    text.lines()
        .filter(|l| !l.contains(':') && !l.starts_with("-----") && !l.is_empty())
        .collect()
}

/// Changes the body character at `pos` to another base64url character.
fn replace_body_char(text: &str, pos: usize) -> String {
    let mut seen = 0;
    let mut out = String::new();
    let mut in_body = false;
    for line in text.lines() {
        if line.starts_with("FL") {
            in_body = true;
        }
        let is_body = in_body && !line.starts_with("-----");
        let len = line.chars().count();
        if is_body && pos >= seen && pos < seen + len {
            out.push_str(&flip_char(line, pos - seen));
        } else {
            out.push_str(line);
        }
        if is_body {
            seen += len;
        }
        out.push('\n');
    }
    out
}

fn manifest(key: &IssuerKey) -> String {
    let code = device_code().to_string();
    let other_code = DeviceCode::derive(&[("android-id", "0000000000000001")])
        .unwrap()
        .to_string();
    let cert = hex(&CERT);
    let ok = |kind: &str| json!({ "valid": true, "kind": kind });
    let err = |code: u32, name: &str| json!({ "valid": false, "code": code, "name": name });
    let case = |name: &str,
                license: &str,
                now: &str,
                device: Option<&str>,
                package: Option<&str>,
                cert: Option<&str>,
                expect: Value| {
        json!({
            "name": name,
            "license": license,
            "context": { "now": now, "device": device, "package": package, "cert_sha256": cert },
            "expect": expect,
        })
    };
    let listed = |name: &str,
                  license: &str,
                  device: Option<&str>,
                  package: Option<&str>,
                  list: &str,
                  expect: Value| {
        let mut c = case(
            name,
            license,
            "2026-11-15T12:00:00Z",
            device,
            package,
            None,
            expect,
        );
        c["context"]["revocation_list"] = json!(list);
        c
    };
    let held = |mut case: Value, list: &str| {
        case["context"]["held_revocation_list"] = json!(list);
        case
    };
    let now = "2026-11-15T12:00:00Z";
    // The common case: this device, now, no package or certificate.
    let on_device = |name: &str, license: &str, expect: Value| {
        case(name, license, now, Some(&code), None, None, expect)
    };
    let cases = vec![
        on_device("device valid", "device.lic", ok("device")),
        on_device(
            "device valid without header",
            "device-bare.lic",
            ok("device"),
        ),
        case(
            "device valid long after (perpetual)",
            "device.lic",
            "2099-01-01T00:00:00Z",
            Some(&code),
            None,
            None,
            ok("device"),
        ),
        case(
            "device on another device",
            "device.lic",
            now,
            Some(&other_code),
            None,
            None,
            err(7, "wrong-device"),
        ),
        case(
            "device with no device code",
            "device.lic",
            now,
            None,
            Some("com.acme.gate"),
            None,
            err(7, "wrong-device"),
        ),
        case(
            "device before not-before beyond 24h skew",
            "device.lic",
            "2026-10-30T23:59:59Z",
            Some(&code),
            None,
            None,
            err(5, "not-yet-valid"),
        ),
        case(
            "device before not-before within 24h skew",
            "device.lic",
            "2026-10-31T00:00:00Z",
            Some(&code),
            None,
            None,
            ok("device"),
        ),
        on_device("device-trial valid", "device-trial.lic", ok("device-trial")),
        case(
            "device-trial last second",
            "device-trial.lic",
            "2026-11-30T23:59:59Z",
            Some(&code),
            None,
            None,
            ok("device-trial"),
        ),
        case(
            "device-trial expired at not-after",
            "device-trial.lic",
            "2026-12-01T00:00:00Z",
            Some(&code),
            None,
            None,
            err(6, "expired"),
        ),
        case(
            "platform valid",
            "platform.lic",
            now,
            None,
            Some("com.acme.gate"),
            None,
            ok("platform"),
        ),
        case(
            "platform wrong package",
            "platform.lic",
            now,
            None,
            Some("com.acme.gate2"),
            None,
            err(8, "wrong-package"),
        ),
        on_device(
            "platform no package",
            "platform.lic",
            err(8, "wrong-package"),
        ),
        case(
            "platform expired",
            "platform.lic",
            "2027-11-01T00:00:00Z",
            None,
            Some("com.acme.gate"),
            None,
            err(6, "expired"),
        ),
        case(
            "platform-trial valid",
            "platform-trial.lic",
            now,
            None,
            Some("com.acme.gate"),
            None,
            ok("platform-trial"),
        ),
        case(
            "platform-trial expired",
            "platform-trial.lic",
            "2026-12-02T00:00:00Z",
            None,
            Some("com.acme.gate"),
            None,
            err(6, "expired"),
        ),
        case(
            "pinned platform, right certificate",
            "platform-pinned.lic",
            now,
            None,
            Some("com.acme.gate"),
            Some(&cert),
            ok("platform"),
        ),
        case(
            "pinned platform, other certificate",
            "platform-pinned.lic",
            now,
            None,
            Some("com.acme.gate"),
            Some(&hex(&[0xcd; 32])),
            err(9, "wrong-certificate"),
        ),
        case(
            "pinned platform, no certificate",
            "platform-pinned.lic",
            now,
            None,
            Some("com.acme.gate"),
            None,
            err(9, "wrong-certificate"),
        ),
        on_device(
            "tampered payload",
            "tampered-payload.lic",
            err(4, "bad-signature"),
        ),
        on_device(
            "tampered signature",
            "tampered-signature.lic",
            err(4, "bad-signature"),
        ),
        on_device(
            "signed by a key not in the keyring",
            "signed-by-other-key.lic",
            err(3, "unknown-key"),
        ),
        on_device(
            "trusted key id, signed by another key",
            "forged-key-id.lic",
            err(4, "bad-signature"),
        ),
        on_device(
            "future format version",
            "future-version.lic",
            err(2, "unsupported-version"),
        ),
        on_device("garbage", "garbage.lic", err(1, "malformed")),
        on_device(
            "v2: device, key A certified by the root",
            "v2-device.lic",
            ok("device"),
        ),
        case(
            "v2: platform, key B (products restricted)",
            "v2-platform.lic",
            now,
            None,
            Some("com.acme.gate"),
            None,
            ok("platform"),
        ),
        case(
            "v2: the window limits issuing, not validity",
            "v2-device.lic",
            "2099-01-01T00:00:00Z",
            Some(&code),
            None,
            None,
            ok("device"),
        ),
        case(
            "v2: device on another device",
            "v2-device.lic",
            now,
            Some(&other_code),
            None,
            None,
            err(7, "wrong-device"),
        ),
        on_device(
            "v2: certificate by an untrusted root",
            "v2-uncertified.lic",
            err(14, "uncertified-key"),
        ),
        on_device(
            "v2: certificate altered",
            "v2-forged-certificate.lic",
            err(14, "uncertified-key"),
        ),
        on_device(
            "v2: issued outside the certificate's window",
            "v2-outside-window.lic",
            err(15, "certificate-window"),
        ),
        on_device(
            "v2: certificate for other products",
            "v2-other-product.lic",
            err(16, "certificate-product"),
        ),
        on_device(
            "v2: format character in customer-name",
            "v2-format-char.lic",
            err(1, "malformed"),
        ),
        on_device(
            "v1: format character in customer-name (allowed)",
            "v1-format-char.lic",
            ok("device"),
        ),
        on_device(
            "v2: certificate key encoded with y >= p",
            "v2-noncanonical-key.lic",
            err(1, "malformed"),
        ),
        on_device(
            "v2: issued-at at not-after",
            "v2-issued-after-not-after.lic",
            err(1, "malformed"),
        ),
        listed(
            "v3: signing key revoked by the root",
            "v2-device.lic",
            Some(&code),
            None,
            "v3-revocations.crl",
            err(17, "signing-key-revoked"),
        ),
        listed(
            "v3: serial revoked by key B's list",
            "v2-platform.lic",
            None,
            Some("com.acme.gate"),
            "v3-revocations.crl",
            err(10, "revoked"),
        ),
        listed(
            "v3: a root-signed license is not affected",
            "device.lic",
            Some(&code),
            None,
            "v3-revocations.crl",
            ok("device"),
        ),
        listed(
            "v3: a damaged END line refuses the whole text",
            "v2-device.lic",
            Some(&code),
            None,
            "v3-revocations-no-end.crl",
            err(1, "malformed"),
        ),
        listed(
            "v3: a damaged BEGIN line refuses the whole text",
            "v2-device.lic",
            Some(&code),
            None,
            "v3-revocations-no-begin.crl",
            err(1, "malformed"),
        ),
        listed(
            "v3: a text that lost a list it names is refused",
            "v2-device.lic",
            Some(&code),
            None,
            "v3-revocations-truncated.crl",
            err(1, "malformed"),
        ),
        listed(
            "v3: a tampered list is refused whole",
            "v2-device.lic",
            Some(&code),
            None,
            "v3-revocations-tampered.crl",
            err(4, "bad-signature"),
        ),
        listed(
            "v3: a named list by a key the app lacks is passed over",
            "device.lic",
            Some(&code),
            None,
            "v3-revocations-foreign.crl",
            err(10, "revoked"),
        ),
        held(
            listed(
                "v3: an older download does not replace the list held",
                "v2-device.lic",
                Some(&code),
                None,
                "v3-revocations-older.crl",
                err(18, "revocation-list-outdated"),
            ),
            "v3-revocations.crl",
        ),
        held(
            listed(
                "v3: a newer download replaces the list held",
                "v2-platform.lic",
                None,
                Some("com.acme.gate"),
                "v3-revocations.crl",
                err(10, "revoked"),
            ),
            "v3-revocations-older.crl",
        ),
        listed(
            "v2: two lists that do not name each other are refused",
            "v2-device.lic",
            Some(&code),
            None,
            "v2-revocations.crl",
            err(1, "malformed"),
        ),
        listed(
            "v2: one format-2 list alone is read",
            "v2-platform.lic",
            None,
            Some("com.acme.gate"),
            "v2-revocations-single.crl",
            err(10, "revoked"),
        ),
    ];
    let manifest = json!({
        "format": "facelic license formats 1 and 2 (docs/license-format.md)",
        "revocation_list_rule": "when a case names a revocation_list that does not verify, the expected verdict is the list's own error; when it also names a held_revocation_list (read first), a revocation_list older than it (docs/license-format.md §9) expects revocation-list-outdated",
        "warning": "TEST-ONLY keys: the private key is public. Never trust test-only-issuer.pub in a shipped app.",
        "keyring": "test-only-issuer.pub",
        "key_id": key.key_id().to_string(),
        "clock_skew_secs": facelic_verifier::DEFAULT_CLOCK_SKEW_SECS,
        "device_codes": [
            { "attrs": { "android-id": DEVICE_ATTRS[0].1, "widevine-id": DEVICE_ATTRS[1].1 }, "code": code },
            { "attrs": { "android-id": "0000000000000001" }, "code": other_code },
            { "attrs": { "android-id": "9774d56d682e549c" }, "code": DeviceCode::derive(&[("android-id", "9774d56d682e549c")]).unwrap().to_string() },
            { "attrs": { "build.model": "Pixel 9", "build.manufacturer": "Google", "android-id": "a1b2" },
              "code": DeviceCode::derive(&[("build.model", "Pixel 9"), ("build.manufacturer", "Google"), ("android-id", "a1b2")]).unwrap().to_string() },
        ],
        "cases": cases,
    });
    serde_json::to_string_pretty(&manifest).unwrap() + "\n"
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn committed_vectors_match_the_generator() {
    let dir = examples_dir();
    let bless = std::env::var_os("FACELIC_BLESS").is_some();
    for (name, contents) in files() {
        let path = dir.join(&name);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &contents).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (run with FACELIC_BLESS=1 to write)",
                path.display()
            )
        });
        assert_eq!(
            committed, contents,
            "{name} differs from what the generator makes"
        );
    }
}

#[test]
fn device_license_stays_under_one_kilobyte() {
    // A long customer name is the worst case; the header clips it.
    let (key, _) = test_keys();
    let mut license = base(9, Kind::Device, None, Binding::Device(device_code()));
    license.customer_name = "Acme Gate Systems International Holdings (Shenzhen) Co., Ltd.".into();
    let text = key.sign(&license).unwrap();
    assert!(text.len() < 1024, "{} bytes", text.len());
    let committed = std::fs::read(examples_dir().join("device.lic")).unwrap();
    assert!(committed.len() < 1024);
}
