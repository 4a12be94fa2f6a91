//! Arbitrary text as a catalog: loading never panics.
#![no_main]

use facelic_invoice::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Catalog::parse(text);
    }
});
