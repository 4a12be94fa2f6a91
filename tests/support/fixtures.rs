//! Fixtures shared by the test suites and benches of every crate; each
//! includes this file with `#[path = ".../tests/support/fixtures.rs"] mod
//! fixtures;` (one file, no extra crate). It uses only `facelic_verifier`.

#![allow(dead_code)] // each suite uses what it needs

use facelic_verifier::{Binding, Feature, Kind, License, Serial, Timestamp};

/// 2026-11-01T00:00:00Z: when fixture licenses are issued and start.
pub(crate) fn start() -> Timestamp {
    Timestamp::from_unix(1_793_491_200).unwrap_or_else(|| unreachable!())
}

/// A license of `kind` bound to `binding`, as the desk would issue it: the
/// product `ir-liveness-search` (detect, IR liveness, search) for customer
/// C-000042 "Acme Gate Systems", order O-000007, issued and valid from
/// [`start`], for 30 days (perpetual for `device`). Tests change the field
/// they are about with struct update syntax: `License { kind, ..license(..) }`.
pub(crate) fn license(kind: Kind, binding: Binding) -> License {
    License {
        serial: Serial::from_bytes([0x5a; 16]),
        kind,
        product: "ir-liveness-search".into(),
        features: [Feature::Detect, Feature::IrLiveness, Feature::Search]
            .into_iter()
            .collect(),
        customer_id: "C-000042".into(),
        customer_name: "Acme Gate Systems".into(),
        order_id: "O-000007".into(),
        issued_at: start(),
        not_before: start(),
        not_after: (kind != Kind::Device).then(|| start().saturating_add(30 * 86_400)),
        binding,
    }
}

/// A package binding without a pinned certificate.
pub(crate) fn package(name: &str) -> Binding {
    Binding::Package {
        name: name.into(),
        cert_sha256: None,
    }
}

/// True when `tool version_flag` runs. In CI (`CI` set) a missing tool
/// fails the test instead of skipping it.
pub(crate) fn have(tool: &str, version_flag: &str) -> bool {
    let ok = std::process::Command::new(tool)
        .arg(version_flag)
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} must be installed in CI"
        );
        eprintln!("{tool} not found: skipping");
    }
    ok
}
