//! One source of truth: the Java constants, the C header, the docs table and
//! the Java identity profiles agree with `ErrorCode::ALL` and
//! `IdentityProfile::ALL`. Change the Rust list and this fails until every
//! copy follows.

use std::collections::BTreeMap;

use facelic_verifier::{ErrorCode, IdentityProfile};

fn repo_file(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The Rust list as (code, name).
fn rust_codes() -> BTreeMap<i32, String> {
    ErrorCode::ALL
        .iter()
        .map(|c| (c.code(), c.name().to_owned()))
        .collect()
}

fn constant_name(name: &str) -> String {
    name.to_uppercase().replace('-', "_")
}

#[test]
fn the_java_constants_are_the_error_codes() {
    let java = repo_file("android/src/main/java/com/facelic/LicenseException.java");
    let mut found = BTreeMap::new();
    for line in java.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("public static final int ") {
            let (name, value) = rest.trim_end_matches(';').split_once(" = ").unwrap();
            found.insert(value.parse::<i32>().unwrap(), name.to_owned());
        }
    }
    let expected: BTreeMap<i32, String> = rust_codes()
        .into_iter()
        .map(|(code, name)| (code, constant_name(&name)))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn the_c_header_defines_error_codes_of_the_list() {
    let header = repo_file("crates/verifier/include/facelic.h");
    let codes = rust_codes();
    let mut seen = 0;
    for line in header.lines() {
        if let Some(rest) = line.strip_prefix("#define FACELIC_ERR_") {
            let value: i32 = rest.split_whitespace().nth(1).unwrap().parse().unwrap();
            assert!(codes.contains_key(&value), "{line}: not an ErrorCode");
            seen += 1;
        }
    }
    assert!(seen >= 5, "no FACELIC_ERR_* defines found");
}

#[test]
fn the_docs_table_lists_every_error_code() {
    let docs = repo_file("docs/android.md");
    let mut found = BTreeMap::new();
    for line in docs.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let [_, code, name, ..] = cells.as_slice()
            && let Ok(code) = code.parse::<i32>()
            && name.starts_with('`')
        {
            found.insert(code, name.trim_matches('`').to_owned());
        }
    }
    assert_eq!(found, rust_codes());
}

#[test]
fn the_java_identity_profiles_are_the_rust_ones() {
    let java = repo_file("android/src/main/java/com/facelic/IdentityProfile.java");
    let mut found = Vec::new();
    for line in java.lines() {
        let line = line.trim();
        // ANDROID_ID_WIDEVINE("android-id+widevine", "android-id", "widevine-id"),
        if let Some((_, args)) = line.split_once('(')
            && line.starts_with(|c: char| c.is_ascii_uppercase())
            && (line.ends_with("),") || line.ends_with(");"))
        {
            let args: Vec<String> = args
                .trim_end_matches([',', ';', ')'])
                .split(", ")
                .map(|a| a.trim_matches('"').to_owned())
                .collect();
            found.push(args);
        }
    }
    let expected: Vec<Vec<String>> = IdentityProfile::ALL
        .iter()
        .map(|p| {
            std::iter::once(p.name())
                .chain(p.attributes().iter().copied())
                .map(str::to_owned)
                .collect()
        })
        .collect();
    assert_eq!(found, expected);
}
