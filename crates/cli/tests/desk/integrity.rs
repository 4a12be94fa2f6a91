//! The desk's integrity at its edges (issue 10): damaged ledgers, licenses
//! outside the ledger, revocations, the clock, backdated starts, readers and
//! writers, the revocation list, typed ledger values, and refusals that say
//! what happened. Every test drives the `facelic` binary.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::desk::{TestDesk, at, code, issue_device, kill_at, order_args};

/// The ledger file of `d`.
fn ledger_path(d: &TestDesk) -> PathBuf {
    d.desk().join("ledger.sqlite")
}

fn platform_order(d: &TestDesk, customer: &str, start: &str) -> String {
    let c = d.customer(customer);
    d.order(
        &c,
        "face-detect",
        &["--platform", "com.acme.gate", "--start", start],
    )
}

#[test]
fn a_damaged_or_foreign_ledger_is_refused_never_restarted() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    d.issue(&order, &[code(1)]);
    let ledger = ledger_path(&d);
    // Fold the WAL into the ledger file so the file alone is the desk.
    d.ledger()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let good = std::fs::read(&ledger).unwrap();
    let foreign = {
        let path = d.dir.path().join("foreign.sqlite");
        let db = rusqlite::Connection::open(&path).unwrap();
        db.execute_batch("CREATE TABLE keys (x); CREATE TABLE customers (name TEXT); PRAGMA user_version = 1; PRAGMA application_id = 42;")
            .unwrap();
        drop(db);
        std::fs::read(&path).unwrap()
    };
    let mut garbage = good.clone();
    for b in garbage.iter_mut().skip(4096) {
        *b = 0xA5;
    }
    let cases: Vec<(&str, Option<Vec<u8>>, &str)> = vec![
        ("zero bytes", Some(Vec::new()), "is empty (0 bytes)"),
        (
            "not SQLite",
            Some(b"hello, I am a text file\n".repeat(200)),
            "damaged",
        ),
        (
            "another application's",
            Some(foreign),
            "another application's database",
        ),
        ("pages destroyed", Some(garbage), "damaged"),
        ("missing", None, "is missing from the desk"),
    ];
    for (what, bytes, message) in cases {
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(ledger.with_file_name(format!("ledger.sqlite{suffix}")));
        }
        match &bytes {
            Some(b) => std::fs::write(&ledger, b).unwrap(),
            None => std::fs::remove_file(&ledger).unwrap(),
        }
        for args in [
            &["customer", "add", "Second"][..],
            &["customer", "list"],
            &["license", "list"],
            &["log"],
            &order_args("C-000001", "face-detect", &["--devices", "50"]),
        ] {
            let err = d.fails(args, 8, message);
            assert!(
                err.contains("restore the desk from a backup"),
                "{what}: {err}"
            );
            assert!(!err.contains("CREATE TABLE"), "{what}: raw SQL in {err}");
        }
        // Nothing was written: the bytes are as they were, no ledger appeared.
        match &bytes {
            Some(b) => assert_eq!(&std::fs::read(&ledger).unwrap(), b, "{what}"),
            None => assert!(!ledger.exists(), "{what}: a ledger was created"),
        }
        // Only init creates a ledger, and not over an existing file.
        if bytes.is_some() {
            d.fails(&["init"], 7, "already exists");
        }
    }
    // Restored from the good bytes, the desk carries on where it was.
    std::fs::write(&ledger, &good).unwrap();
    assert_eq!(d.customer("Second"), "C-000002");
    // A directory with no desk at all is not a damaged desk.
    let empty = tempfile::tempdir().unwrap();
    let out = d
        .cmd(&["customer", "list"])
        .env("FACELIC_DESK", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no desk at"));
}

#[test]
fn a_newer_ledger_is_refused_with_exit_7() {
    let d = TestDesk::new();
    d.ledger()
        .execute_batch("PRAGMA user_version = 99")
        .unwrap();
    d.fails(
        &["customer", "list"],
        7,
        "schema version 99, newer than this facelic",
    );
}

/// Every license under `root` — in any file, hidden staging files, torn
/// temporary archives and zip entries included (entries are stored, so a
/// license is readable in the archive's bytes) — is one the ledger
/// recorded, byte for byte. Returns how many licenses were found.
pub(crate) fn every_license_on_disk_is_recorded(d: &TestDesk, root: &Path) -> usize {
    licenses_recorded(d, root, false)
}

/// [`every_license_on_disk_is_recorded`] without the ledger's own files:
/// once licenses are committed, SQLite stores a long text across pages, so
/// the BEGIN line of one license can pair with the END line of another
/// 200 KB further on (seen with 1,000 licenses), a block no row holds.
fn licenses_outside_the_ledger_are_recorded(d: &TestDesk, root: &Path) -> usize {
    licenses_recorded(d, root, true)
}

fn licenses_recorded(d: &TestDesk, root: &Path, skip_ledger: bool) -> usize {
    const BEGIN: &[u8] = b"-----BEGIN FACELIC LICENSE-----";
    const END: &[u8] = b"-----END FACELIC LICENSE-----";
    let recorded: std::collections::HashSet<Vec<u8>> = d
        .ledger()
        .prepare("SELECT text FROM licenses")
        .unwrap()
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|t| t.unwrap().trim_end().as_bytes().to_vec())
        .collect();
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut found = 0;
    let mut stack = vec![root.to_owned()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).into_iter().flatten() {
                stack.push(entry.unwrap().path());
            }
            continue;
        }
        let in_ledger = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("ledger.sqlite"));
        if skip_ledger && in_ledger {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap_or_default();
        let mut rest = &bytes[..];
        while let Some(start) = find(rest, BEGIN) {
            let Some(len) = find(&rest[start..], END) else {
                break; // a license cut off mid-write is not a license
            };
            let block = &rest[start..start + len + END.len()];
            assert!(
                recorded.contains(block),
                "{} holds a license the ledger does not know",
                path.display()
            );
            found += 1;
            rest = &rest[start + len + END.len()..];
        }
    }
    found
}

#[test]
fn a_kill_before_the_commit_leaves_no_signed_license_anywhere() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 20_000);
    let codes: Vec<String> = (0..1000).map(code).collect(); // four chunks
    let file = d.devices_file("bulk.txt", &codes);
    let archive = d.dir.path().join("fleet.zip");
    // Into a zip archive, killed after each of the first, a middle and the
    // last chunk: nothing recorded, and no signed license anywhere on disk.
    for point in ["chunk-1", "chunk-2", "chunk-4"] {
        kill_at(d.issue_file_cmd(&order, &file, &archive), point);
        let recorded: i64 = d
            .ledger()
            .query_row("SELECT COUNT(*) FROM licenses", [], |r| r.get(0))
            .unwrap();
        assert_eq!(recorded, 0, "killed at {point}");
        assert_eq!(every_license_on_disk_is_recorded(&d, d.dir.path()), 0);
    }
    // A completed run records everything; whatever is on disk outside the
    // ledger is known.
    let fresh = d.dir.path().join("fleet-2.zip");
    d.ok(&[
        "issue",
        "--order",
        &order,
        "--devices-file",
        file.to_str().unwrap(),
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert!(licenses_outside_the_ledger_are_recorded(&d, d.dir.path()) >= 1000);
}

#[test]
fn revoked_coverage_is_never_issued_again() {
    let mut d = TestDesk::new();
    let order = platform_order(&d, "Acme", "2026-11-01");
    let out = d.out();
    let out = out.to_str().unwrap();
    let first = d.json(&["issue", "--order", &order, "--out", out]);
    let serial = first["issued"][0]["serial"].as_str().unwrap().to_owned();
    at(&mut d, "2027-03-01T00:00:00Z");
    d.ok(&["revoke", &serial, "--reason", "unpaid"]);
    // The order's current term is revoked: issuing it again is refused.
    d.refused(
        &["issue", "--order", &order, "--out", out],
        5,
        "was revoked",
    );
    // Renewing adds the next term; its license starts where the revoked
    // coverage ends, not at the first term's start.
    let renewed = d.json(&["renew", "--order", &order, "--out", out]);
    assert_eq!(renewed["issued"][0]["not_before"], "2027-11-01T00:00:00Z");
    assert_eq!(renewed["issued"][0]["not_after"], "2028-11-01T00:00:00Z");
    // With the revocation list, the renewal licenses nothing of the revoked term.
    let crl = d.dir.path().join("crl.txt");
    d.ok(&["crl", "export", "--out", crl.to_str().unwrap()]);
    let file = d
        .out()
        .join(format!("{order}_com.acme.gate_until-2028-11-01.lic"));
    let ring = d.keyring();
    let verify = |at: &str| {
        d.verify(
            &file,
            &ring,
            &[
                "--package",
                "com.acme.gate",
                "--crl",
                crl.to_str().unwrap(),
                "--at",
                at,
            ],
        )
        .status
        .code()
    };
    assert_eq!(
        verify("2027-06-01T00:00:00Z"),
        Some(1),
        "revoked term covered again"
    );
    assert_eq!(verify("2028-01-01T00:00:00Z"), Some(0));

    // Devices: a revoked device is not licensed on the order again, neither
    // by issue nor as the target of a replacement.
    let device_order = d.device_order("Beta", "face-detect", 50);
    let issued = d.issue(&device_order, &[code(1), code(2)]);
    let one = issued.issued[0].serial.to_string();
    let two = issued.issued[1].serial.to_string();
    d.ok(&["revoke", &one, "--reason", "stolen"]);
    d.refused(
        &[
            "issue",
            "--order",
            &device_order,
            "--device",
            &code(1),
            "--out",
            out,
        ],
        5,
        "was revoked",
    );
    d.refused(
        &["replace", &two, "--device", &code(1), "--out", out],
        5,
        "was revoked",
    );
}

#[test]
fn the_desk_clock_never_goes_backwards() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let trial = d.trial_order(&c, "face-detect", 3);
    let first = d.issue(&trial, &[code(1)]);
    assert_eq!(
        first.issued[0].not_before.to_string(),
        "2026-11-01T00:00:00Z"
    );
    // A desk clock behind the ledger (a wrong system clock, or FACELIC_NOW in
    // the past) is refused for every change; a trial never starts in 2020.
    at(&mut d, "2020-01-01T00:00:00Z");
    let out = d.out();
    d.refused(
        &issue_device(&trial, &code(2), &out),
        5,
        "clock went backwards",
    );
    d.refused(
        &["customer", "add", "Late"],
        5,
        "earlier than the latest time in the ledger",
    );
    // Reading still works with a wrong clock.
    d.ok(&["license", "list"]);
    // Back on time, the second device's license ends with the trial.
    at(&mut d, "2026-11-20T00:00:00Z");
    let second = d.issue(&trial, &[code(2)]);
    let l = &second.issued[0];
    assert_eq!(
        (l.not_before.to_string(), l.not_after.unwrap().to_string()),
        ("2026-11-20T00:00:00Z".into(), "2026-12-01T00:00:00Z".into())
    );
    // A leap second is refused, not rounded.
    at(&mut d, "2026-12-31T23:59:60Z");
    d.refused(&["customer", "add", "Leap"], 3, "leap second");
}

#[test]
fn a_start_too_far_back_is_refused() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let platform = |start: &str, trial: bool| {
        let mut args = vec![
            "order",
            "new",
            "--customer",
            &c,
            "--product",
            "face-detect",
            "--platform",
            "com.acme.gate",
            "--start",
            start,
        ];
        if trial {
            args.push("--trial");
        }
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let refused = |args: Vec<String>, message: &str| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        d.refused(&args, 5, message);
    };
    refused(
        platform("2000-01-01", false),
        "at most 31 days before its order",
    );
    refused(
        platform("2026-09-30", false),
        "at most 31 days before its order",
    );
    // A past trial would use up the customer's one trial.
    refused(platform("2026-10-31", true), "a trial starts now or later");
    // Within the rule: a contract signed two weeks ago.
    let args = platform("2026-10-18", false);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    d.ok(&args);
}

#[test]
fn readers_never_wait_and_writers_queue() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 40_000);
    // A writer holding the ledger's write lock (mid-transaction) does not
    // hold up reads.
    let holder = d.ledger();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    for args in [
        &["license", "list"][..],
        &["log"],
        &["order", "show", &order],
        &["customer", "list"],
        &["quote", "--product", "face-detect", "--devices", "100"],
    ] {
        let started = std::time::Instant::now();
        d.ok(args);
        // The old code waited out the 60 s busy timeout here.
        assert!(
            started.elapsed().as_secs() < 30,
            "{args:?} waited on the writer"
        );
    }
    holder.execute_batch("ROLLBACK").unwrap();
    drop(holder);
    // Eight processes issuing 4,000 each on one order all succeed, one after
    // another; none fails with "database is locked".
    let files: Vec<PathBuf> = (0..8u64)
        .map(|p| {
            let codes: Vec<String> = (p * 4000..(p + 1) * 4000).map(code).collect();
            d.devices_file(&format!("batch-{p}.txt"), &codes)
        })
        .collect();
    crate::desk::all_at_once(files.iter().enumerate().map(|(p, file)| {
        let out = d.dir.path().join(format!("out-{p}.zip"));
        d.issue_file_cmd(&order, file, &out)
    }));
    let shown = d.json(&["order", "show", &order]);
    assert_eq!(shown["seats_used"], 32_000);
}

#[test]
fn the_revocation_list_is_complete_or_not_written() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    let issued = d.issue(&order, &[code(1), code(2)]);
    for l in &issued.issued {
        d.library().revoke(&l.serial.to_string(), "test").unwrap();
    }
    let db = d.ledger();
    db.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
    db.execute(
        "UPDATE licenses SET serial = 'not-a-serial' WHERE serial = ?1",
        [issued.issued[0].serial.to_string()],
    )
    .unwrap();
    drop(db);
    let crl = d.dir.path().join("crl.txt");
    let err = d.fails(
        &["crl", "export", "--out", crl.to_str().unwrap()],
        8,
        "column serial holds \"not-a-serial\"",
    );
    assert!(err.contains("ledger table licenses"), "{err}");
    assert!(!crl.exists(), "an incomplete revocation list was written");
}

#[test]
fn ledger_values_are_read_through_types_never_defaults() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    d.ok(&["invoice", "create", "--order", &order]);
    let db = d.ledger();
    db.execute_batch("PRAGMA ignore_check_constraints = ON")
        .unwrap();
    db.execute(
        "UPDATE orders SET kind = 'perpetual' WHERE id = ?1",
        [&order],
    )
    .unwrap();
    db.execute("UPDATE invoices SET gross = 'lots'", [])
        .unwrap();
    db.execute("UPDATE audit SET detail = '{not json' WHERE id = 1", [])
        .unwrap();
    drop(db);
    let err = d.fails(
        &["order", "show", &order],
        8,
        "ledger table orders, row O-000001: column kind holds \"perpetual\"",
    );
    assert!(err.contains("not a license kind"), "{err}");
    d.fails(&["invoice", "list"], 8, "column gross holds \"lots\"");
    d.fails(
        &["log"],
        8,
        "ledger table audit, row 1: column detail holds",
    );
    // The stored invoice document is read through its type as well.
    let db = d.ledger();
    db.execute("UPDATE invoices SET gross = '1.00', document = '[]'", [])
        .unwrap();
    drop(db);
    d.fails(
        &["invoice", "show", "D-000001"],
        8,
        "column document holds \"[]\", which is not a JSON document",
    );
}

#[test]
fn refusals_say_what_happened() {
    let d = TestDesk::new();
    let out = d.out();
    let out_s = out.to_str().unwrap();
    let order = d.device_order("Acme Gate Systems", "face-detect", 50);
    // The same device twice in one command counts once.
    let lower = code(1).to_lowercase();
    let twice = d.json(&[
        "issue",
        "--order",
        &order,
        "--device",
        &code(1),
        "--device",
        &lower,
        "--out",
        out_s,
    ]);
    assert_eq!(twice["issued"].as_array().unwrap().len(), 1);
    let file = d.devices_file("one.txt", &[code(2)]);
    let both = d.json(&[
        "issue",
        "--order",
        &order,
        "--devices-file",
        file.to_str().unwrap(),
        "--device",
        &code(2),
        "--out",
        out_s,
    ]);
    assert_eq!(both["issued"].as_array().unwrap().len(), 1);
    // A devices file with a UTF-8 BOM is read; one that is not UTF-8 names the line.
    let bom = d.dir.path().join("bom.txt");
    std::fs::write(&bom, format!("\u{FEFF}{}\n", code(3))).unwrap();
    d.ok(&[
        "issue",
        "--order",
        &order,
        "--devices-file",
        bom.to_str().unwrap(),
        "--out",
        out_s,
    ]);
    let latin1 = d.dir.path().join("latin1.txt");
    std::fs::write(&latin1, [code(4).as_bytes(), b"\n\xe9t\xe9\n"].concat()).unwrap();
    d.refused(
        &[
            "issue",
            "--order",
            &order,
            "--devices-file",
            latin1.to_str().unwrap(),
            "--out",
            out_s,
        ],
        3,
        "line 2: not UTF-8 text",
    );

    // A dangling symlink where the archive should go: refused before recording.
    let link = d.dir.path().join("dangling.zip");
    std::os::unix::fs::symlink(d.dir.path().join("nowhere"), &link).unwrap();
    d.refused(&issue_device(&order, &code(5), &link), 4, "exists");

    // Output files are never silently overwritten.
    let taken = d.dir.path().join("taken.txt");
    std::fs::write(&taken, "keep me").unwrap();
    let taken_s = taken.to_str().unwrap();
    d.refused(
        &["keys", "export", "--out", taken_s],
        4,
        "already exists; pass --force",
    );
    d.refused(
        &["crl", "export", "--out", taken_s],
        4,
        "already exists; pass --force",
    );
    d.ok(&["invoice", "create", "--order", &order]);
    d.refused(
        &["invoice", "show", "D-000001", "--out", taken_s],
        4,
        "already exists; pass --force",
    );
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep me");
    d.ok(&["keys", "export", "--out", taken_s, "--force"]);
    assert!(
        std::fs::read_to_string(&taken)
            .unwrap()
            .contains("PUBLIC KEY")
    );
    // A backup into an existing folder is an I/O refusal.
    d.refused(
        &["backup", "--out", d.dir.path().to_str().unwrap()],
        4,
        "exists; a backup is written into a new directory",
    );

    // A key file replaced by another key.
    let keys: Vec<PathBuf> = std::fs::read_dir(d.desk().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "key"))
        .collect();
    let other = d.dir.path().join("other");
    d.ok(&["keys", "new", "--out", other.to_str().unwrap()]);
    let original = std::fs::read(&keys[0]).unwrap();
    std::fs::write(&keys[0], std::fs::read(other.join("issuer.key")).unwrap()).unwrap();
    d.refused(
        &[
            "issue",
            "--order",
            &order,
            "--device",
            &code(6),
            "--out",
            out_s,
        ],
        3,
        "the key file does not match its id",
    );
    std::fs::write(&keys[0], original).unwrap();

    // Customer names are unique beyond spelling; an id is not a name.
    for twin in [
        "ACME GATE SYSTEMS",
        "Acme\u{200B} Gate Systems",
        "acme gate  systems",
    ] {
        d.refused(&["customer", "add", twin], 5, "already exists as C-000001");
    }
    d.refused(
        &["customer", "add", "C-000002"],
        3,
        "reads like a customer id",
    );
    // Found by any spelling.
    assert_eq!(
        d.json(&["order", "list", "--customer", "ACME GATE SYSTEMS"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The audit log cannot be forged: control characters are refused.
    d.refused(
        &[
            "--operator",
            "eve\n2026-11-01 root license.revoke",
            "customer",
            "add",
            "Eve",
        ],
        3,
        "control characters",
    );
    let serial = twice["issued"][0]["serial"].as_str().unwrap();
    d.refused(
        &["revoke", serial, "--reason", "ok\nforged row"],
        3,
        "control characters",
    );
    // An empty operator falls back to the OS account that runs the
    // command, whatever USER or LOGNAME say (they recorded "desk-clerk",
    // or "unknown" when unset).
    let account = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let account = String::from_utf8(account.stdout).unwrap().trim().to_owned();
    for (n, user) in [Some("desk-clerk"), None].into_iter().enumerate() {
        let mut cmd = d.cmd(&["customer", "add", &format!("Gamma {n}"), "--json"]);
        cmd.env("FACELIC_OPERATOR", "");
        match user {
            Some(name) => cmd.env("USER", name).env("LOGNAME", name),
            None => cmd.env_remove("USER").env_remove("LOGNAME"),
        };
        let added = cmd.output().unwrap();
        assert!(
            added.status.success(),
            "{}",
            String::from_utf8_lossy(&added.stderr)
        );
        let log: Value = d.json(&["log", "--limit", "1"]);
        assert_eq!(log[0]["operator"], account.as_str(), "USER={user:?}");
    }

    // verify without --device on a device license names what is missing.
    let lic = out.join(format!("{order}_{}.lic", code(1)));
    let ring = d.keyring();
    d.fails(
        &[
            "verify",
            lic.to_str().unwrap(),
            "--keyring",
            ring.to_str().unwrap(),
        ],
        3,
        "no device code was given",
    );
    // A bad revocation list is spoken of as a revocation list.
    let bad_crl = d.dir.path().join("bad-crl.txt");
    std::fs::write(&bad_crl, "-----BEGIN FACELIC LICENSE-----\nnope\n").unwrap();
    let crl_err = d.fails(
        &[
            "verify",
            lic.to_str().unwrap(),
            "--keyring",
            ring.to_str().unwrap(),
            "--device",
            &code(1),
            "--crl",
            bad_crl.to_str().unwrap(),
        ],
        3,
        "revocation list",
    );
    assert!(
        !crl_err.to_lowercase().contains("license text"),
        "{crl_err}"
    );
    // 1e2 is not an amount.
    d.fails(
        &[
            "invoice",
            "credit",
            "FL-2026-000001",
            "--amount",
            "1e2",
            "--reason",
            "x",
        ],
        3,
        "is not an amount",
    );
}

#[test]
fn files_and_directories_get_the_modes_they_need() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for umask in ["077", "000"] {
        let dir = tempfile::tempdir().unwrap();
        let desk = dir.path().join("desk");
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("umask {umask}; exec \"$0\" --desk \"$1\" init"))
            .arg(env!("CARGO_BIN_EXE_facelic"))
            .arg(&desk)
            .env("FACELIC_NOW", "2026-11-01T00:00:00Z")
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(mode(&desk.join("keys")), 0o700, "umask {umask}");
        assert_eq!(mode(&desk.join("catalog.toml")), 0o644, "umask {umask}");
        for key in std::fs::read_dir(desk.join("keys")).unwrap() {
            let key = key.unwrap().path();
            if key.extension().is_some_and(|e| e == "key") {
                assert_eq!(mode(&key), 0o600, "umask {umask}");
            }
        }
    }
    // An existing empty --out directory keeps its mode and owner.
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.dir.path().join("usb");
    std::fs::create_dir(&out).unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o750)).unwrap();
    let (ino, uid) = {
        let m = std::fs::metadata(&out).unwrap();
        (m.ino(), m.uid())
    };
    d.ok(&issue_device(&order, &code(1), &out));
    let m = std::fs::metadata(&out).unwrap();
    assert_eq!((m.ino(), m.uid(), mode(&out)), (ino, uid, 0o750));
    assert!(out.join(format!("{order}_{}.lic", code(1))).exists());
}

/// A tmpfs of `size` mounted on `dir` (made here), unmounted on drop; `None`
/// (the test skips) where this machine cannot mount one — never in CI.
pub(crate) struct Tmpfs(PathBuf);

impl Tmpfs {
    pub(crate) fn mount(dir: &Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(dir).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must be able to mount a tmpfs"
            );
            eprintln!("cannot mount a tmpfs here: skipping");
            return None;
        }
        Some(Tmpfs(dir.to_owned()))
    }

    /// Makes the file system read-only (as a write-protected stick).
    pub(crate) fn read_only(&self) {
        let done = std::process::Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.0)
            .status()
            .unwrap();
        assert!(done.success(), "remount read-only");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn publishing_works_across_file_systems() {
    // An empty directory that is a mount point (a USB stick).
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    let stick = d.dir.path().join("stick");
    let Some(_mounted) = Tmpfs::mount(&stick, "4m") else {
        return;
    };
    d.ok(&[
        "issue",
        "--order",
        &order,
        "--device",
        &code(1),
        "--device",
        &code(2),
        "--out",
        stick.to_str().unwrap(),
    ]);
    let listed = std::fs::read_dir(&stick).unwrap().count();
    assert_eq!(listed, 2);
}

#[test]
fn a_full_disk_is_reported_once_and_the_licenses_stay_recorded() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 5000);
    let codes: Vec<String> = (0..3000).map(code).collect();
    let file = d.devices_file("fleet.txt", &codes);
    let small = d.dir.path().join("small");
    let Some(_mounted) = Tmpfs::mount(&small, "1m") else {
        return;
    };
    let out = d
        .issue_file_cmd(&order, &file, &small.join("fleet.zip"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(err.contains("No space left on device"), "{err}");
    assert!(err.contains("the licenses are recorded"), "{err}");
    assert!(!err.contains("ZipWriter"), "{err}");
    // Nothing half-written stays behind on the full disk.
    assert_eq!(std::fs::read_dir(&small).unwrap().count(), 0);
    // Re-run into a new archive elsewhere: every license, no new seat.
    let again = d.dir.path().join("fleet.zip");
    d.issue_file_cmd(&order, &file, &again).output().unwrap();
    assert_eq!(every_license_on_disk_is_recorded(&d, &again), 3000);
    assert_eq!(d.json(&["order", "show", &order])["seats_used"], 3000);
}

#[test]
fn a_trials_start_is_read_through_its_type() {
    let d = TestDesk::new();
    let c = d.customer("Acme");
    let trial = d.trial_order(&c, "face-detect", 3);
    d.issue(&trial, &[code(1)]);
    d.ledger()
        .execute("UPDATE licenses SET not_before = 'soon'", [])
        .unwrap();
    // The trial's start is not silently taken as "now".
    let out = d.out();
    d.fails(
        &issue_device(&trial, &code(2), &out),
        8,
        "column not_before holds \"soon\"",
    );
}

#[test]
fn a_backup_that_runs_out_of_disk_leaves_nothing() {
    // It left keys/ and a 0-byte ledger, and hinted at a --force backup lacks.
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 500);
    let codes: Vec<String> = (0..300).map(code).collect();
    d.issue(&order, &codes);
    let small = d.dir.path().join("small");
    let Some(_mounted) = Tmpfs::mount(&small, "64k") else {
        return;
    };
    let out = small.join("backup");
    let run = d.run(&["backup", "--out", out.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_ne!(run.status.code(), Some(0), "{err}");
    assert!(!err.contains("--force"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read_dir(&small).unwrap().count(), 0, "left behind");
}

#[test]
fn concurrent_edits_of_different_fields_all_survive() {
    // 7 processes each editing one field: all audited, but only 1 or 2
    // fields survived, each process writing back the profile it had read.
    let d = TestDesk::new();
    let c = d.customer("Acme Gate Systems");
    let fields = [
        ("--legal-name", "Acme Gate Systems (Shenzhen) Co., Ltd."),
        ("--address", "1 Science Park Rd, Shenzhen"),
        ("--phone", "+86 755 1234 5678"),
        ("--bank", "China Merchants Bank Shenzhen Branch"),
        ("--account", "6225880000000000"),
        ("--email", "finance@acme.example"),
        ("--payment-terms", "45"),
    ];
    for _round in 0..3 {
        crate::desk::all_at_once(
            fields
                .iter()
                .map(|(flag, value)| d.cmd(&["customer", "edit", &c, flag, value])),
        );
        let shown = d.library().customer(&c).unwrap().billing;
        assert_eq!(shown.legal_name.as_deref(), Some(fields[0].1));
        assert_eq!(shown.address.as_deref(), Some(fields[1].1));
        assert_eq!(shown.phone.as_deref(), Some(fields[2].1));
        assert_eq!(shown.bank.as_deref(), Some(fields[3].1));
        assert_eq!(shown.bank_account.as_deref(), Some(fields[4].1));
        assert_eq!(shown.email.as_deref(), Some(fields[5].1));
        assert_eq!(shown.payment_terms_days, Some(45));
        // Clear them all again for the next round.
        let cleared = facelic_issuer::desk::ProfileEdit {
            legal_name: Some(String::new()),
            address: Some(String::new()),
            phone: Some(String::new()),
            bank: Some(String::new()),
            bank_account: Some(String::new()),
            email: Some(String::new()),
            payment_terms_days: None,
            ..Default::default()
        };
        d.library().edit_customer(&c, &cleared).unwrap();
    }
}

#[test]
fn a_clock_far_ahead_is_confirmed_or_refused_and_a_wrong_jump_is_undone() {
    // One command at a clock years ahead used to be recorded, and then
    // every write at the right time was refused for good.
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    at(&mut d, "2036-11-01T00:00:00Z");
    let before = d.counts();
    let err = d.refused(
        &["customer", "add", "Typo Ltd"],
        5,
        "more than 366 days after",
    );
    assert!(err.contains("--accept-clock-jump"), "{err}");
    assert_eq!(d.counts(), before);
    // Confirmed: recorded, and the jump is audited.
    d.ok(&["--accept-clock-jump", "customer", "add", "Typo Ltd"]);
    let log: Value = d.json(&["log", "--limit", "2"]);
    assert_eq!(log[1]["action"], "desk.clock-jump", "{log}");
    assert_eq!(log[1]["detail"]["to"], "2036-11-01T00:00:00Z");
    // The jump was wrong: at the right time the desk refuses, then the
    // rewind (audited, with its reason) lets it record again.
    at(&mut d, "2026-11-02T00:00:00Z");
    let err = d.refused(
        &["customer", "add", "Beta"],
        5,
        "earlier than the latest time",
    );
    assert!(err.contains("facelic clock rewind"), "{err}");
    d.fails(&["clock", "rewind", "--reason", " "], 3, "needs a reason");
    let rewind: Value = d.json(&["clock", "rewind", "--reason", "FACELIC_NOW typo"]);
    assert_eq!(rewind["from"], "2036-11-01T00:00:00Z");
    assert_eq!(rewind["to"], "2026-11-02T00:00:00Z");
    assert_eq!(rewind["recorded_later"], 2);
    d.ok(&["customer", "add", "Beta"]);
    let log: Value = d.json(&["log", "--limit", "2"]);
    assert_eq!(log[1]["action"], "desk.clock-rewind");
    assert_eq!(log[1]["detail"]["reason"], "FACELIC_NOW typo");
    d.refused(
        &["clock", "rewind", "--reason", "again"],
        5,
        "nothing to rewind",
    );
    // The end of time is outside the desk's range, confirmed or not: it
    // used to be recorded, and finalize then called the ledger damaged.
    at(&mut d, "9999-12-31T23:59:59Z");
    let before = d.counts();
    let edit = [
        "customer",
        "edit",
        c.as_str(),
        "--phone",
        "+86 755 1234 5678",
    ];
    for args in [
        &edit[..],
        &["--accept-clock-jump", "customer", "add", "End"][..],
    ] {
        d.refused(args, 5, "outside 2000-01-01 to 2999-12-31");
    }
    assert_eq!(d.counts(), before);
}
