//! The clock guard's rules (see the `guard` module docs): what is checked,
//! what is recorded, and what a wrong device clock can and cannot do.

use facelic_verifier::{Binding, ClockGuard, Context, Kind, Verifier, VerifyError};

use crate::support::{PACKAGE, TestKey, device, license, ts};

fn dir() -> tempfile_dir::Dir {
    tempfile_dir::Dir::new()
}

/// A temporary directory without a dev-dependency.
mod tempfile_dir {
    pub(crate) struct Dir(pub(crate) std::path::PathBuf);
    impl Dir {
        pub(crate) fn new() -> Self {
            use std::sync::atomic::{AtomicU32, Ordering};
            static N: AtomicU32 = AtomicU32::new(0);
            let path = std::env::temp_dir().join(format!(
                "facelic-guard-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir(path)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A verifier, a license of `kind` it trusts, and a guard in a fresh directory.
struct Fixture {
    verifier: Verifier,
    text: String,
    dir: tempfile_dir::Dir,
    guard: ClockGuard,
}

impl Fixture {
    fn new(kind: Kind) -> Self {
        let key = TestKey::from_seed(1);
        let dir = dir();
        let guard = ClockGuard::for_app(dir.0.join("state"), Some(PACKAGE));
        Fixture {
            verifier: Verifier::new(key.keyring()),
            text: key.sign(&license(kind)),
            dir,
            guard,
        }
    }
}

fn at(time: &str) -> Context {
    Context::at(ts(time)).package(PACKAGE).device(device(1))
}

#[test]
fn a_wildly_future_clock_records_nothing_and_cannot_lock_the_app_out() {
    let Fixture {
        verifier,
        text,
        dir: _dir,
        guard,
    } = Fixture::new(Kind::Platform);
    verifier
        .verify_guarded(&text, &at("2026-11-10T00:00:00Z"), &guard)
        .unwrap();
    // The board's RTC says 2099: the license is expired there, and nothing is recorded.
    assert!(matches!(
        verifier.verify_guarded(&text, &at("2099-01-01T00:00:00Z"), &guard),
        Err(VerifyError::Expired(_))
    ));
    assert_eq!(guard.latest().unwrap(), Some(ts("2026-11-10T00:00:00Z")));
    // Back on time, the app runs.
    verifier
        .verify_guarded(&text, &at("2026-11-11T00:00:00Z"), &guard)
        .unwrap();
    // A clock set back beyond the tolerance is still refused.
    assert_eq!(
        verifier
            .verify_guarded(&text, &at("2026-11-05T00:00:00Z"), &guard)
            .unwrap_err(),
        VerifyError::ClockRollback
    );
}

#[test]
fn a_time_is_recorded_only_after_the_license_verified_at_it() {
    let Fixture {
        verifier,
        text,
        dir: _dir,
        guard,
    } = Fixture::new(Kind::Platform);
    verifier
        .verify_guarded(&text, &at("2026-11-10T00:00:00Z"), &guard)
        .unwrap();
    let elsewhere = Context::at(ts("2026-11-20T00:00:00Z")).package("com.other");
    assert_eq!(
        verifier
            .verify_guarded(&text, &elsewhere, &guard)
            .unwrap_err(),
        VerifyError::WrongPackage
    );
    assert_eq!(guard.latest().unwrap(), Some(ts("2026-11-10T00:00:00Z")));
}

#[test]
fn perpetual_licenses_are_not_guarded() {
    let Fixture {
        verifier,
        text,
        dir: _dir,
        guard,
    } = Fixture::new(Kind::Device);
    guard.observe(ts("2030-01-01T00:00:00Z")).unwrap();
    // Years "back", and it still runs: there is nothing to gain from rolling back.
    verifier
        .verify_guarded(&text, &at("2026-11-10T00:00:00Z"), &guard)
        .unwrap();
}

#[test]
fn the_guard_does_not_depend_on_the_device_code() {
    let key = TestKey::from_seed(1);
    let verifier = Verifier::new(key.keyring());
    let text = key.sign(&license(Kind::Platform));
    let d = dir();
    let path = d.0.join("state");
    verifier
        .verify_guarded(
            &text,
            &at("2026-11-10T00:00:00Z"),
            &ClockGuard::for_app(&path, Some(PACKAGE)),
        )
        .unwrap();
    // The device's code reads differently today: the same guard, still valid.
    let other_device = Context::at(ts("2026-11-11T00:00:00Z"))
        .package(PACKAGE)
        .device(device(2));
    verifier
        .verify_guarded(
            &text,
            &other_device,
            &ClockGuard::for_app(&path, Some(PACKAGE)),
        )
        .unwrap();
    // Another app's guard key refuses the state, as before.
    assert_eq!(
        ClockGuard::for_app(&path, Some("com.other"))
            .latest()
            .unwrap_err(),
        VerifyError::ClockRollback
    );
}

#[test]
fn a_state_file_that_cannot_be_read_is_its_own_error() {
    let d = dir();
    // A directory where the state file should be: reading it fails with an
    // I/O error, which is not a rollback.
    let path = d.0.join("state");
    std::fs::create_dir(&path).unwrap();
    let guard = ClockGuard::for_app(&path, Some(PACKAGE));
    let err = guard.latest().unwrap_err();
    assert!(
        matches!(err, VerifyError::ClockStateUnavailable(_)),
        "{err:?}"
    );
    assert_eq!(err.code(), 12);
    assert_eq!(err.name(), "clock-state-unavailable");
}

#[test]
fn concurrent_writers_never_leave_a_reader_a_truncated_file() {
    let d = dir();
    let path = d.0.join("state");
    let guard = ClockGuard::for_app(&path, Some(PACKAGE));
    guard.observe(ts("2026-11-01T00:00:00Z")).unwrap();
    std::thread::scope(|s| {
        for t in 0..4i64 {
            let guard = guard.clone();
            s.spawn(move || {
                for i in 0..200i64 {
                    let now = ts("2026-11-01T00:00:00Z").saturating_add(t * 1000 + i);
                    guard.observe(now).unwrap();
                }
            });
        }
        for _ in 0..4 {
            let guard = guard.clone();
            s.spawn(move || {
                for _ in 0..400 {
                    assert!(guard.latest().unwrap().is_some());
                }
            });
        }
    });
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(&d.0)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
}

#[test]
fn a_pinned_license_verifies_with_any_certificate_of_the_lineage() {
    let key = TestKey::from_seed(1);
    let verifier = Verifier::new(key.keyring());
    let mut pinned = license(Kind::Platform);
    pinned.binding = Binding::Package {
        name: PACKAGE.into(),
        cert_sha256: Some([0xAB; 32]),
    };
    let text = key.sign(&pinned);
    let base = Context::at(ts("2026-11-10T00:00:00Z")).package(PACKAGE);
    // Rotated lineage: the original signer and the current one.
    let lineage = base.clone().signing_certs_sha256([[0x11; 32], [0xAB; 32]]);
    verifier.verify(&text, &lineage).unwrap();
    let current_only = base.clone().signing_certs_sha256([[0x11; 32]]);
    assert_eq!(
        verifier.verify(&text, &current_only).unwrap_err(),
        VerifyError::WrongCertificate
    );
    assert_eq!(
        verifier.verify(&text, &base).unwrap_err(),
        VerifyError::WrongCertificate
    );
}
