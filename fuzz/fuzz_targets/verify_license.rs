//! Arbitrary bytes into `Verifier::verify`: must return, never panic.
#![no_main]

use facelic_verifier::{Context, Keyring, Timestamp, Verifier};
use libfuzzer_sys::fuzz_target;

const KEYRING: &str = include_str!("../../licenses/examples/test-only-issuer.pub");

fuzz_target!(|data: &[u8]| {
    let Ok(ring) = Keyring::from_pem(KEYRING) else { return };
    let verifier = Verifier::new(ring);
    let Some(now) = Timestamp::from_unix(1_794_744_000) else { return };
    let Ok(device) = "QMAF-H018-2RQD-2S2M".parse() else { return };
    let context = Context::at(now).device(device).package("com.acme.gate");
    let _ = verifier.verify(data, &context);
    // Also inside a well-formed armor, where the body parser is reached.
    let mut text = b"-----BEGIN FACELIC LICENSE-----\nFL1.b60c357d4447607d.".to_vec();
    text.extend_from_slice(data);
    text.extend_from_slice(b"\n-----END FACELIC LICENSE-----\n");
    let _ = verifier.verify(&text, &context);
});
