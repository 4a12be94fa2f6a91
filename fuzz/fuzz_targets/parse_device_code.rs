//! Arbitrary text as a device code, and as device attributes: never panics,
//! and every accepted code prints back to a code that parses to itself.
#![no_main]

use facelic_verifier::DeviceCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(code) = text.parse::<DeviceCode>() {
        assert_eq!(code.to_string().parse::<DeviceCode>().ok(), Some(code));
    }
    let attrs: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once('=')).collect();
    let _ = DeviceCode::derive(&attrs);
});
