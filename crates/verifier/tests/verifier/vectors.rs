//! `licenses/examples/vectors.json`: every case holds.

use std::path::{Path, PathBuf};

use facelic_verifier::{
    Context, DeviceCode, Keyring, RevocationList, Timestamp, VerifiedLicense, Verifier, VerifyError,
};
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../licenses/examples")
}

fn manifest() -> Value {
    let text = std::fs::read_to_string(dir().join("vectors.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn every_case_in_the_manifest_holds() {
    let m = manifest();
    let keyring = Keyring::from_pem(
        &std::fs::read_to_string(dir().join(m["keyring"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    assert_eq!(
        keyring.ids().next().unwrap().to_string(),
        m["key_id"].as_str().unwrap()
    );
    let verifier = Verifier::new(keyring.clone());
    let cases = m["cases"].as_array().unwrap();
    assert!(cases.len() >= 40);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let text = std::fs::read(dir().join(case["license"].as_str().unwrap())).unwrap();
        let ctx = &case["context"];
        let mut context = Context::at(Timestamp::parse(ctx["now"].as_str().unwrap()).unwrap());
        if let Some(code) = ctx["device"].as_str() {
            context = context.device(code.parse().unwrap());
        }
        if let Some(package) = ctx["package"].as_str() {
            context = context.package(package);
        }
        if let Some(cert) = ctx["cert_sha256"].as_str() {
            let mut digest = [0u8; 32];
            for (i, d) in digest.iter_mut().enumerate() {
                *d = u8::from_str_radix(&cert[2 * i..2 * i + 2], 16).unwrap();
            }
            context = context.signing_cert_sha256(digest);
        }
        let expect = &case["expect"];
        // A case may name a revocation list; one that does not verify is
        // refused whole, and the verdict is its error.
        // A held list is the one an app kept: the case's list must not be older.
        let read_list = |key: &str| {
            ctx[key].as_str().map(|file| {
                RevocationList::parse(std::fs::read(dir().join(file)).unwrap(), &keyring)
            })
        };
        let verdict: Result<VerifiedLicense, VerifyError> = (|| {
            let mut verifier = verifier.clone();
            if let Some(held) = read_list("held_revocation_list") {
                verifier = verifier.with_revocation_list(held?);
            }
            if let Some(list) = read_list("revocation_list") {
                verifier.set_revocation_list(list?)?;
            }
            verifier.verify(&text, &context)
        })();
        match verdict {
            Ok(license) => {
                assert_eq!(expect["valid"], true, "{name}: valid, expected {expect}");
                assert_eq!(expect["kind"], license.kind.as_str(), "{name}");
            }
            Err(err) => {
                assert_eq!(
                    expect["valid"], false,
                    "{name}: refused with {err}, expected valid"
                );
                assert_eq!(expect["code"], err.code(), "{name}: {err}");
                assert_eq!(expect["name"], err.name(), "{name}");
            }
        }
    }
}

#[test]
fn device_code_vectors_hold() {
    for v in manifest()["device_codes"].as_array().unwrap() {
        let attrs: Vec<(String, String)> = v["attrs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let code = DeviceCode::derive(&attrs).unwrap();
        assert_eq!(code.to_string(), v["code"].as_str().unwrap());
    }
}
