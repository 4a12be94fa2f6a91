//! Signing helpers for tests (the verifier crate itself cannot sign).

use ed25519_dalek::{Signer as _, SigningKey};
use facelic_verifier::{
    Binding, Certificate, CertificateTerms, DeviceCode, Feature, KeyId, Keyring, Kind, License,
    PublicKey, Serial, Timestamp,
};

pub(crate) struct TestKey(pub(crate) SigningKey);

impl TestKey {
    pub(crate) fn from_seed(byte: u8) -> Self {
        Self(SigningKey::from_bytes(&[byte; 32]))
    }

    pub(crate) fn id(&self) -> KeyId {
        KeyId::of(&self.public())
    }

    /// The public key, as the verifier takes it.
    pub(crate) fn public(&self) -> PublicKey {
        PublicKey::from_bytes(&self.0.verifying_key().to_bytes()).unwrap()
    }

    pub(crate) fn keyring(&self) -> Keyring {
        let mut ring = Keyring::new();
        ring.add(self.public());
        ring
    }

    pub(crate) fn sign(&self, license: &License) -> String {
        let header = [
            ("Product", license.product.clone()),
            ("Kind", license.kind.to_string()),
        ];
        facelic_verifier::encode(license, self.id(), &header, |m| self.0.sign(m).to_bytes())
            .unwrap()
    }
}

pub(crate) fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

pub(crate) fn device(n: u32) -> DeviceCode {
    DeviceCode::derive(&[("android-id", format!("{n:016x}"))]).unwrap()
}

pub(crate) const PACKAGE: &str = "com.acme.gate";

/// A license of `kind`, valid 2026-11-01 .. 2026-12-01 (or perpetual for `device`).
pub(crate) fn license(kind: Kind) -> License {
    let binding = if kind.is_device_bound() {
        Binding::Device(device(1))
    } else {
        Binding::Package {
            name: PACKAGE.into(),
            cert_sha256: None,
        }
    };
    License {
        serial: Serial::from_bytes([7; 16]),
        product: "face-detect".into(),
        features: [Feature::Detect].into_iter().collect(),
        ..crate::fixtures::license(kind, binding)
    }
}

/// A signing key with the certificate `root` gave it: may issue from
/// `from` to `until`, for `products` (any when `None`).
pub(crate) struct CertifiedKey {
    pub(crate) key: TestKey,
    pub(crate) certificate: Certificate,
    /// The certificate's armored text, as the root's machine writes it.
    pub(crate) text: String,
}

impl CertifiedKey {
    pub(crate) fn new(
        seed: u8,
        root: &TestKey,
        window: (&str, &str),
        products: Option<&[&str]>,
    ) -> Self {
        let key = TestKey::from_seed(seed);
        let terms = CertificateTerms {
            public_key: key.public(),
            not_before: ts(window.0),
            not_after: ts(window.1),
            products: products.map(|p| p.iter().map(|s| s.to_string()).collect()),
        };
        let text = Certificate::encode(&terms, root.id(), |m| root.0.sign(m).to_bytes()).unwrap();
        let certificate = Certificate::parse(&text, &root.keyring()).unwrap();
        Self {
            key,
            certificate,
            text,
        }
    }

    pub(crate) fn sign(&self, license: &License) -> String {
        facelic_verifier::encode_certified(license, &self.certificate, &[], |m| {
            self.key.0.sign(m).to_bytes()
        })
        .unwrap()
    }
}
