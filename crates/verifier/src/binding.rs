//! What the C and JNI bindings share: reading a caller's arguments and the
//! (guarded) verification, so both report the same bad input with the same
//! [`ErrorCode`] and message.

#![forbid(unsafe_code)]

use crate::{
    ClockGuard, Context, DeviceCode, ErrorCode, Keyring, RevocationList, Timestamp,
    VerifiedLicense, Verifier,
};

/// A refusal or failure as a binding reports it: a stable code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub(crate) code: ErrorCode,
    pub(crate) message: String,
}

impl Refusal {
    pub(crate) fn argument(message: impl Into<String>) -> Self {
        Refusal {
            code: ErrorCode::Argument,
            message: message.into(),
        }
    }
}

/// One verification request, as both bindings receive it.
#[derive(Debug, Default)]
pub(crate) struct Request<'a> {
    /// Current time, Unix seconds.
    pub(crate) now_unix: i64,
    /// The device code, if the caller has one.
    pub(crate) device: Option<&'a str>,
    /// The app's package name.
    pub(crate) package: Option<&'a str>,
    /// SHA-256 digests of the app's signing lineage, 32 bytes each, concatenated.
    pub(crate) certs_sha256: Option<&'a [u8]>,
    /// The clock guard's state file.
    pub(crate) clock_state: Option<&'a str>,
}

/// Most certificate digests one request may carry (a lineage is short).
const MAX_CERTS: usize = 64;

/// The keyring compiled into the library (feature `embedded-keyring`).
#[cfg(feature = "embedded-keyring")]
const EMBEDDED_KEYRING: &str = env!(
    "FACELIC_EMBEDDED_KEYRING_PEM",
    "feature embedded-keyring: set FACELIC_EMBEDDED_KEYRING_PEM to the keyring PEM"
);

/// Builds a verifier from a keyring PEM — or, when the library was built
/// with an embedded keyring, from that one: the caller's is then ignored,
/// so swapping the app's keyring asset cannot make it trust another key.
pub(crate) fn verifier(keyring_pem: &str) -> Result<Verifier, Refusal> {
    #[cfg(feature = "embedded-keyring")]
    let keyring_pem = {
        let _ = keyring_pem;
        EMBEDDED_KEYRING
    };
    Keyring::from_pem(keyring_pem)
        .map(Verifier::new)
        .map_err(|e| Refusal {
            code: ErrorCode::Keyring,
            message: format!("keyring: {e}"),
        })
}

/// Verifies `text` as the request describes it.
pub(crate) fn verify(
    verifier: &Verifier,
    text: &[u8],
    request: &Request<'_>,
) -> Result<VerifiedLicense, Refusal> {
    let now = Timestamp::from_unix(request.now_unix)
        .ok_or_else(|| Refusal::argument(format!("time {} is out of range", request.now_unix)))?;
    let mut context = Context::at(now);
    if let Some(code) = request.device {
        let code: DeviceCode = code
            .parse()
            .map_err(|e| Refusal::argument(format!("device code {code:?}: {e}")))?;
        context = context.device(code);
    }
    if let Some(package) = request.package {
        context = context.package(package);
    }
    if let Some(bytes) = request.certs_sha256 {
        if bytes.is_empty() || bytes.len() % 32 != 0 || bytes.len() / 32 > MAX_CERTS {
            return Err(Refusal::argument(format!(
                "certificate digests: {} bytes is not 1 to {MAX_CERTS} SHA-256 digests of 32 bytes",
                bytes.len()
            )));
        }
        context = context.signing_certs_sha256(
            bytes
                .chunks_exact(32)
                .filter_map(|d| <[u8; 32]>::try_from(d).ok()),
        );
    }
    let result = match request.clock_state {
        Some(path) => {
            verifier.verify_guarded(text, &context, &ClockGuard::for_app(path, request.package))
        }
        None => verifier.verify(text, &context),
    };
    result.map_err(|e| Refusal {
        code: e.error_code(),
        message: e.to_string(),
    })
}

/// Checks a revocation-list text against the verifier's keyring and, if
/// it verifies whole and is not older than the list the verifier holds,
/// makes it the verifier's list; returns its `issued-at` (Unix seconds).
/// On any failure the verifier keeps the list it had
/// (`docs/license-format.md` §9: fail closed, on the list).
pub(crate) fn set_revocation_list(verifier: &mut Verifier, text: &[u8]) -> Result<i64, Refusal> {
    let refusal = |e: crate::VerifyError| Refusal {
        code: e.error_code(),
        message: format!("revocation list: {e}"),
    };
    let list = RevocationList::parse(text, verifier.keyring()).map_err(refusal)?;
    let issued_at = list.issued_at().unix();
    verifier.set_revocation_list(list).map_err(refusal)?;
    Ok(issued_at)
}

/// The device code of these attributes.
pub(crate) fn device_code<N: AsRef<str>, V: AsRef<[u8]>>(
    attrs: &[(N, V)],
) -> Result<DeviceCode, Refusal> {
    if attrs.len() > crate::device::MAX_ATTRS {
        return Err(Refusal {
            code: ErrorCode::DeviceAttributes,
            message: format!("at most {} device attributes", crate::device::MAX_ATTRS),
        });
    }
    DeviceCode::derive(attrs).map_err(|e| Refusal {
        code: ErrorCode::DeviceAttributes,
        message: e.to_string(),
    })
}

/// A verified device license signed by a test key, for the bindings' unit tests.
#[cfg(test)]
pub(crate) fn tests_license() -> VerifiedLicense {
    use ed25519_dalek::Signer as _;
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let device = DeviceCode::derive(&[("android-id", "1")]).unwrap();
    let now = Timestamp::parse("2026-11-01T00:00:00Z").unwrap();
    let license = crate::License {
        serial: crate::Serial::from_bytes([1; 16]),
        kind: crate::Kind::Device,
        product: "face-detect".into(),
        features: [crate::Feature::Detect].into_iter().collect(),
        customer_id: "C-000001".into(),
        customer_name: "Acme".into(),
        order_id: "O-000001".into(),
        issued_at: now,
        not_before: now,
        not_after: None,
        binding: crate::Binding::Device(device),
    };
    let public = crate::PublicKey::from_dalek(key.verifying_key());
    let key_id = public.key_id();
    let text = crate::encode(&license, key_id, &[], |m| key.sign(m).to_bytes()).unwrap();
    let verifier = verifier(&public.to_pem()).unwrap();
    let request = Request {
        now_unix: now.unix(),
        device: Some(&device.to_string()),
        ..Request::default()
    };
    verify(&verifier, text.as_bytes(), &request).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier_for_tests() -> Verifier {
        let pem = crate::PublicKey::from_dalek(
            ed25519_dalek::SigningKey::from_bytes(&[7; 32]).verifying_key(),
        )
        .to_pem();
        verifier(&pem).unwrap()
    }

    #[test]
    fn bad_arguments_are_argument_errors_whatever_the_binding() {
        let v = verifier_for_tests();
        let cases = [
            Request {
                now_unix: i64::MAX,
                ..Request::default()
            },
            Request {
                device: Some("not-a-code"),
                ..Request::default()
            },
            Request {
                certs_sha256: Some(&[0; 31]),
                ..Request::default()
            },
            Request {
                certs_sha256: Some(&[]),
                ..Request::default()
            },
        ];
        for request in cases {
            let err = verify(&v, b"x", &request).unwrap_err();
            assert_eq!(err.code, ErrorCode::Argument, "{request:?}: {err:?}");
        }
        assert_eq!(verifier("junk").unwrap_err().code, ErrorCode::Keyring);
        let too_many: Vec<(String, String)> = (0..=crate::device::MAX_ATTRS)
            .map(|i| (format!("a{i}"), "v".into()))
            .collect();
        assert_eq!(
            device_code(&too_many).unwrap_err().code,
            ErrorCode::DeviceAttributes
        );
    }
}
