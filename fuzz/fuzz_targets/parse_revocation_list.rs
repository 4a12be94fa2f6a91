//! Arbitrary bytes into `RevocationList::parse`: must return, never panic.
#![no_main]

use facelic_verifier::{Keyring, RevocationList};
use libfuzzer_sys::fuzz_target;

const KEYRING: &str = include_str!("../../licenses/examples/test-only-issuer.pub");

fuzz_target!(|data: &[u8]| {
    let Ok(ring) = Keyring::from_pem(KEYRING) else { return };
    let _ = RevocationList::parse(data, &ring);
    let mut text = b"-----BEGIN FACELIC REVOCATION LIST-----\nFR1.b60c357d4447607d.".to_vec();
    text.extend_from_slice(data);
    text.extend_from_slice(b"\n-----END FACELIC REVOCATION LIST-----\n");
    let _ = RevocationList::parse(&text, &ring);
});
