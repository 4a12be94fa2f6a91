//! facelic against implementations that share no code with it: the Python
//! reference verifier (written from docs/license-format.md) and OpenSSL.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use facelic_issuer::{Binding, DeviceCode, IssuerKey, Kind, License, Serial, Timestamp};
use facelic_verifier::{Context, Verifier};

use crate::fixtures::{have, license};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn python_reference_verifier_agrees_on_every_vector() {
    if !have("python3", "--version") || !have("openssl", "version") {
        return;
    }
    let out = Command::new("python3")
        .arg(root().join("tests/interop/reference_verifier.py"))
        .arg(root().join("licenses/examples/vectors.json"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("0 failure(s)"));
    assert!(
        stdout.lines().filter(|l| l.starts_with("ok")).count() >= 25,
        "{stdout}"
    );
}

/// A fixture license with a fresh serial and a Chinese customer name (the
/// other implementations must read UTF-8 as the desk writes it).
fn sample(binding: Binding, kind: Kind) -> License {
    License {
        serial: facelic_issuer::new_serial().unwrap(),
        customer_name: "北京某科技有限公司 (Beijing)".into(),
        ..license(kind, binding)
    }
}

#[test]
fn openssl_verifies_a_fresh_facelic_signature_over_the_documented_bytes() {
    if !have("openssl", "version") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::generate().unwrap();
    let (_, public) = key.write_to_dir(dir.path(), false).unwrap();
    let code = DeviceCode::derive(&[("android-id", "abc")]).unwrap();
    let text = key
        .sign(&sample(Binding::Device(code), Kind::DeviceTrial))
        .unwrap();
    // Take the body apart exactly as the document says.
    let body: String = text
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .filter(|l| !l.is_empty() && !l.contains(':'))
        .collect();
    let parts: Vec<&str> = body.split('.').collect();
    assert_eq!(parts[0], "FL1");
    assert_eq!(parts[1], key.key_id().to_string());
    let mut message = b"facelic-license-v1\0".to_vec();
    message.extend((0..8).map(|i| u8::from_str_radix(&parts[1][2 * i..2 * i + 2], 16).unwrap()));
    message.extend(URL_SAFE_NO_PAD.decode(parts[2]).unwrap());
    let msg = dir.path().join("msg.bin");
    let sig = dir.path().join("sig.bin");
    std::fs::write(&msg, &message).unwrap();
    std::fs::write(&sig, URL_SAFE_NO_PAD.decode(parts[3]).unwrap()).unwrap();
    let verify = |message: &Path| {
        Command::new("openssl")
            .args(["pkeyutl", "-verify", "-pubin", "-rawin", "-inkey"])
            .arg(&public)
            .arg("-in")
            .arg(message)
            .arg("-sigfile")
            .arg(&sig)
            .output()
            .unwrap()
            .status
            .success()
    };
    assert!(verify(&msg));
    // And OpenSSL refuses the same signature over a changed message.
    let mut changed = message.clone();
    *changed.last_mut().unwrap() ^= 1;
    std::fs::write(&msg, &changed).unwrap();
    assert!(!verify(&msg));
}

#[test]
fn facelic_verifies_a_license_that_openssl_signed_with_a_facelic_key() {
    if !have("openssl", "version") {
        return;
    }
    // A key made by facelic (issuer.key, PKCS#8), used by OpenSSL to sign.
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::generate().unwrap();
    let (key_path, public) = key.write_to_dir(dir.path(), false).unwrap();
    let keyring =
        facelic_verifier::Keyring::from_pem(&std::fs::read_to_string(&public).unwrap()).unwrap();
    let key_id = key.key_id();

    let license = sample(
        Binding::Package {
            name: "com.acme.gate".into(),
            cert_sha256: None,
        },
        Kind::Platform,
    );
    let msg_path = dir.path().join("msg.bin");
    let text = facelic_verifier::encode(&license, key_id, &[], |message| {
        std::fs::write(&msg_path, message).unwrap();
        let out = Command::new("openssl")
            .args(["pkeyutl", "-sign", "-rawin", "-inkey"])
            .arg(&key_path)
            .arg("-in")
            .arg(&msg_path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout.try_into().unwrap()
    })
    .unwrap();
    // Ed25519 is deterministic: OpenSSL's signature is byte-identical to facelic's.
    assert_eq!(text, key.sign_bare(&license).unwrap());
    let ctx =
        Context::at(Timestamp::parse("2026-11-02T00:00:00Z").unwrap()).package("com.acme.gate");
    let verified = Verifier::new(keyring).verify(&text, &ctx).unwrap();
    assert_eq!(*verified.license(), license);
    assert_eq!(
        verified.serial.to_string().parse::<Serial>().unwrap(),
        license.serial
    );
}
