//! Criterion benches, each group measuring facelic against its physical limit
//! in the same run (scripts/bench-report prints the ratios):
//!
//! - `verify`: `Verifier::verify` of a device license vs a bare
//!   `verify_strict` over the same signed bytes with a pre-parsed key;
//! - `verify_v2`: a format-2 license (certified signing key) verified by a
//!   verifier that has not seen its certificate vs two bare `verify_strict`
//!   (the certificate's and the license's), and by one that has vs one;
//! - `issue_10k`: issuing 10,000 device licenses on one order through the
//!   desk (ledger rows, audit rows, and one zip archive or 10,000 files) vs
//!   signing the same 10,000 messages in a bare loop, and vs creating
//!   10,000 files (the file-system floor);
//! - `issue_big_order`: issuing 200 devices onto an order that already holds
//!   100,000 licenses vs onto a fresh order (issuing is O(new devices));
//! - `pricing`: 1,000,000 random quantities priced; an invoice for a
//!   10,000-device order;
//! - `device_code`: deriving a code from a typical attribute set.
//!
//! Quick mode for CI: `cargo bench --bench facelic -- --quick`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, SamplingMode, criterion_group, criterion_main};
use ed25519_dalek::{Signature, Signer as _, SigningKey};
use facelic_invoice::Catalog;
use facelic_invoice::pricing::price_devices;
use facelic_issuer::desk::{Clock, Desk, NewOrder, Session};
use facelic_issuer::{Binding, DeviceCode, IssuerKey, Kind, License, Timestamp};
use facelic_verifier::{Context, Keyring, Verifier};

const NOW: &str = "2026-11-23T00:00:00Z";

fn now() -> Timestamp {
    Timestamp::parse(NOW).unwrap_or_else(|| unreachable!())
}

fn device(n: u64) -> DeviceCode {
    DeviceCode::derive(&[("android-id", format!("{n:016x}"))]).unwrap_or_else(|_| unreachable!())
}

#[path = "../tests/support/fixtures.rs"]
mod fixtures;

fn device_license(n: u64) -> License {
    License {
        serial: facelic_issuer::new_serial().unwrap_or_else(|_| unreachable!()),
        issued_at: now(),
        not_before: now(),
        ..fixtures::license(Kind::Device, Binding::Device(device(n)))
    }
}

/// The exact bytes the signature of `license` covers (the header the desk
/// writes above the body is not signed).
fn signed_bytes(key: &IssuerKey, license: &License) -> Vec<u8> {
    let mut message = Vec::new();
    let _ = facelic_verifier::encode(license, key.key_id(), &[], |msg| {
        message = msg.to_vec();
        [0; 64]
    });
    message
}

fn bench_verify(c: &mut Criterion) {
    let seed = [7u8; 32];
    let key = IssuerKey::from_seed(&seed);
    let license = device_license(1);
    let text = key.sign(&license).unwrap_or_default();
    let message = signed_bytes(&key, &license);
    let mut ring = Keyring::new();
    ring.add(key.public_key());
    let verifier = Verifier::new(ring);
    let context = Context::at(now()).device(device(1));
    assert!(verifier.verify(&text, &context).is_ok());

    // The same signed bytes and signature, for the bare signature check.
    let signing = SigningKey::from_bytes(&seed);
    let public = signing.verifying_key();
    let signature: Signature = signing.sign(&message);
    assert!(public.verify_strict(&message, &signature).is_ok());

    let mut group = c.benchmark_group("verify");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("full", |b| {
        b.iter(|| verifier.verify(black_box(&text), black_box(&context)))
    });
    group.bench_function("bare_verify_strict", |b| {
        b.iter(|| public.verify_strict(black_box(&message), black_box(&signature)))
    });
    group.finish();
}

fn bench_verify_v2(c: &mut Criterion) {
    let root = facelic_issuer::Signer::File(IssuerKey::from_seed(&[7u8; 32]));
    let root_key = IssuerKey::from_seed(&[7u8; 32]).public_key();
    let signer = IssuerKey::from_seed(&[8u8; 32]);
    let terms = facelic_issuer::root::Certification {
        not_before: now(),
        not_after: now().saturating_add(365 * 86_400),
        products: None,
    };
    let cert_text = facelic_issuer::root::certify(&root, &signer.public_pem(), &terms)
        .unwrap_or_else(|_| unreachable!());
    let mut ring = Keyring::new();
    ring.add(root_key);
    let cert =
        facelic_issuer::Certificate::parse(&cert_text, &ring).unwrap_or_else(|_| unreachable!());
    let license = device_license(1);
    let text = signer.sign_certified(&license, &cert).unwrap_or_default();
    let context = Context::at(now()).device(device(1));
    let cached = Verifier::new(ring.clone());
    assert!(cached.verify(&text, &context).is_ok());

    // The two signatures a first verify checks, over the same bytes.
    let (root_key, signing_key) = (
        SigningKey::from_bytes(&[7u8; 32]),
        SigningKey::from_bytes(&[8u8; 32]),
    );
    let mut cert_message = Vec::new();
    let cert_terms = facelic_verifier::CertificateTerms {
        public_key: signer.public_key(),
        not_before: terms.not_before,
        not_after: terms.not_after,
        products: None,
    };
    let _ = facelic_verifier::Certificate::encode(&cert_terms, root.key_id(), |m| {
        cert_message = m.to_vec();
        [0; 64]
    });
    let cert_sig: Signature = root_key.sign(&cert_message);
    let mut message = Vec::new();
    let _ = facelic_verifier::encode_certified(&license, &cert, &[], |m| {
        message = m.to_vec();
        [0; 64]
    });
    let sig: Signature = signing_key.sign(&message);
    let (root_public, signing_public) = (root_key.verifying_key(), signing_key.verifying_key());

    let mut group = c.benchmark_group("verify_v2");
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("first_certificate", |b| {
        b.iter_batched(
            || Verifier::new(ring.clone()),
            |fresh| fresh.verify(black_box(&text), black_box(&context)),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("cached_certificate", |b| {
        b.iter(|| cached.verify(black_box(&text), black_box(&context)))
    });
    group.bench_function("bare_two_verify_strict", |b| {
        b.iter(|| {
            let cert = root_public.verify_strict(black_box(&cert_message), black_box(&cert_sig));
            let license = signing_public.verify_strict(black_box(&message), black_box(&sig));
            (cert, license)
        })
    });
    group.bench_function("bare_verify_strict", |b| {
        b.iter(|| signing_public.verify_strict(black_box(&message), black_box(&sig)))
    });
    group.finish();
}

const BATCH: u64 = 10_000;

/// A fresh desk (in a temporary directory) with one 10,000-device order of `product`.
fn desk_with_order(product: &str) -> (tempfile::TempDir, Desk, String) {
    desk_with_devices(product, BATCH)
}

/// A fresh desk with one order of `devices` seats of `product`.
fn desk_with_devices(product: &str, devices: u64) -> (tempfile::TempDir, Desk, String) {
    let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
    let session = Session::new(Clock::Fixed(now()), "bench").unwrap();
    // The seller's tax id the shipped catalog leaves to the vendor.
    let desk_dir = dir.path().join("desk");
    std::fs::create_dir_all(&desk_dir).unwrap_or_else(|_| unreachable!());
    let catalog = facelic_invoice::DEFAULT_CATALOG.replacen(
        "seller_tax_id = \"\"",
        "seller_tax_id = \"91440300MA5DEM0019\"",
        1,
    );
    std::fs::write(desk_dir.join("catalog.toml"), catalog).unwrap_or_else(|_| unreachable!());
    let (mut desk, _) = Desk::init(&desk_dir, session).unwrap_or_else(|_| unreachable!());
    let customer = desk.add_customer("Acme").unwrap_or_else(|_| unreachable!());
    let order = desk
        .create_order(&NewOrder {
            devices: Some(devices),
            ..NewOrder::new(customer.id, product, Kind::Device)
        })
        .unwrap_or_else(|_| unreachable!());
    (dir, desk, order.id)
}

/// Licenses an order already holds in `issue_big_order`.
const HELD: u64 = 100_000;
/// Devices issued per iteration in `issue_big_order`.
const NEW: u64 = 200;

fn bench_big_order(c: &mut Criterion) {
    let seats = facelic_issuer::desk::MAX_DEVICES;
    let (big_dir, mut big, big_order) = desk_with_devices("face-detect", seats);
    let held: Vec<DeviceCode> = (0..HELD).map(device).collect();
    let report = big.issue_devices(
        &big_order,
        &held,
        &big_dir.path().join("held.zip"),
        &mut |_, _| {},
    );
    assert_eq!(report.map(|r| r.issued.len()).unwrap_or(0), HELD as usize);
    let (fresh_dir, mut fresh, fresh_order) = desk_with_devices("face-detect", seats);
    let mut group = c.benchmark_group("issue_big_order");
    group.sample_size(10);
    let mut next = HELD;
    for (name, desk, order, dir) in [
        ("held_100k", &mut big, &big_order, &big_dir),
        ("fresh", &mut fresh, &fresh_order, &fresh_dir),
    ] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || {
                    next += NEW;
                    let codes: Vec<DeviceCode> = (next..next + NEW).map(device).collect();
                    (codes, dir.path().join(format!("{next}.zip")))
                },
                |(codes, out)| {
                    let report = desk.issue_devices(order, &codes, &out, &mut |_, _| {});
                    assert_eq!(report.map(|r| r.issued.len()).unwrap_or(0), NEW as usize);
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// Directories written by the issue benches, kept until the group ends:
/// on a journal-less ext4 (this project's VM), deleting thousands of files
/// makes creating files in the following minutes many times slower, so
/// nothing is deleted while the group measures.
#[derive(Default)]
struct Scratch(std::cell::RefCell<Vec<tempfile::TempDir>>);

impl Scratch {
    /// Keeps `dir` until the scratch is dropped.
    fn keep(&self, dir: tempfile::TempDir) {
        self.0.borrow_mut().push(dir);
    }
}

fn bench_issue(c: &mut Criterion) {
    let codes: Vec<DeviceCode> = (0..BATCH).map(device).collect();
    let seed = [9u8; 32];
    let key = IssuerKey::from_seed(&seed);
    let signing = SigningKey::from_bytes(&seed);
    // The exact bytes the desk signs for each license (license texts differ
    // only in their random serials).
    let messages: Vec<Vec<u8>> = (0..BATCH)
        .map(|n| signed_bytes(&key, &device_license(n)))
        .collect();
    let scratch = Scratch::default();

    let mut group = c.benchmark_group("issue_10k");
    // Flat sampling: few iterations of a long routine, so fewer files on disk.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .measurement_time(Duration::from_secs(10));
    // The delivery format for a large order: one zip archive of 10,000 license files.
    for (name, out) in [("desk_zip", "licenses.zip"), ("desk_dir", "licenses")] {
        group.bench_function(name, |b| {
            b.iter_batched(
                || desk_with_order("face-detect"),
                |(dir, mut desk, order)| {
                    let report =
                        desk.issue_devices(&order, &codes, &dir.path().join(out), &mut |_, _| {});
                    assert_eq!(report.map(|r| r.issued.len()).unwrap_or(0), BATCH as usize);
                    scratch.keep(dir);
                    desk // closed (WAL checkpoint) outside the timing
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.bench_function("bare_sign", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(signing.sign(black_box(m)));
            }
        })
    });
    // The file-system floor on this machine: 10,000 license-sized files,
    // each created and written once.
    let body = vec![b'x'; 700];
    group.bench_function("bare_files", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap_or_else(|_| unreachable!()),
            |dir| {
                for n in 0..BATCH {
                    std::fs::write(dir.path().join(format!("{n}.lic")), &body)
                        .unwrap_or_else(|_| unreachable!());
                }
                scratch.keep(dir);
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
    drop(scratch);
}

fn bench_pricing(c: &mut Criterion) {
    let catalog = Catalog::default_catalog().unwrap_or_else(|_| unreachable!());
    let product = catalog
        .product("face-search")
        .unwrap_or_else(|| unreachable!())
        .clone();
    // A fixed pseudo-random sequence of quantities (xorshift), 50..=20,000.
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let quantities: Vec<u64> = (0..1_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            50 + x % 19_951
        })
        .collect();
    let mut group = c.benchmark_group("pricing");
    group.sample_size(10);
    group.bench_function("quote_1m_quantities", |b| {
        b.iter(|| {
            for &q in &quantities {
                black_box(price_devices(&product, 50, black_box(q), None).ok());
            }
        })
    });
    group.bench_function("invoice_10k_devices", |b| {
        b.iter_batched(
            || desk_with_order("face-search"),
            |(dir, mut desk, order)| {
                let invoice = desk
                    .create_invoice(&order)
                    .unwrap_or_else(|_| unreachable!());
                let invoice = desk
                    .finalize_invoice(
                        &invoice.draft_id,
                        facelic_issuer::desk::BuyerTaxId::MayBeMissing,
                    )
                    .unwrap_or_else(|_| unreachable!());
                black_box(invoice.to_html());
                (dir, desk)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

fn bench_device_code(c: &mut Criterion) {
    let attrs = [
        ("android-id", "9774d56d682e549c"),
        (
            "widevine-id",
            "b3a1c0ffee0ddba11b3a1c0ffee0ddba5e1f0c2e8b7d4e31a2b3c4d5e6f70819",
        ),
    ];
    c.bench_function("device_code/derive", |b| {
        b.iter(|| DeviceCode::derive(black_box(&attrs)))
    });
}

criterion_group!(
    benches,
    bench_verify,
    bench_verify_v2,
    bench_issue,
    bench_big_order,
    bench_pricing,
    bench_device_code
);
criterion_main!(benches);
