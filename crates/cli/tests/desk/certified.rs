//! An offline root certifies the desk's signing keys (format 2): apps that
//! embed only the root verify licenses from keys made after they shipped,
//! and a leaked key is revoked by the root and its licenses re-issued
//! without an app update.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::desk::{TestDesk, code, issue_device};

const ROOT_PASS: &str = "the root's own long passphrase";

/// The root's machine: a protected root key in its own directory, and the
/// `facelic` commands that run there (no desk).
struct Root {
    dir: PathBuf,
    /// Its key id, as `keys new` printed it.
    id: String,
}

impl Root {
    fn new(d: &TestDesk) -> Self {
        let dir = d.dir.path().join("root");
        let out = root_cmd(
            d,
            &["keys", "new", "--protect", "--out", dir.to_str().unwrap()],
        );
        assert!(out.status.success(), "{out:?}");
        let id = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Self { dir, id }
    }

    /// [`Root::new`], and the desk trusts it (`keys trust-root`).
    fn trusted(d: &TestDesk) -> Self {
        let root = Self::new(d);
        let said: Value = serde_json::from_str(&d.ok(&[
            "keys",
            "trust-root",
            root.public().to_str().unwrap(),
            "--json",
        ]))
        .unwrap();
        assert_eq!(said["root"], root.id.as_str(), "{said}");
        root
    }

    fn key(&self) -> PathBuf {
        self.dir.join("issuer.key")
    }

    fn public(&self) -> PathBuf {
        self.dir.join("issuer.pub")
    }

    /// `keys certify` of `request` until `until`, with `rest`; the certificate file.
    fn certify(&self, d: &TestDesk, request: &Path, until: &str, rest: &[&str]) -> PathBuf {
        let cert = request.with_extension("cert");
        let key = self.key();
        let args = [
            &[
                "keys",
                "certify",
                "--root-key",
                key.to_str().unwrap(),
                "--request",
                request.to_str().unwrap(),
                "--until",
                until,
                "--out",
                cert.to_str().unwrap(),
                "--json",
            ][..],
            rest,
        ]
        .concat();
        let out = root_cmd(d, &args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let said: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(said["root"], self.id.as_str(), "{said}");
        assert_eq!(said["file"], cert.to_str().unwrap(), "{said}");
        assert_eq!(said["key"].as_str().map(str::len), Some(16), "{said}");
        cert
    }

    /// `keys revoke KEY_ID` on the root's machine; the list file `name`.
    fn revoke(&self, d: &TestDesk, key_id: &str, name: &str) -> PathBuf {
        let list = d.dir.path().join(name);
        let key = self.key();
        let out = root_cmd(
            d,
            &[
                "keys",
                "revoke",
                key_id,
                "--root-key",
                key.to_str().unwrap(),
                "--out",
                list.to_str().unwrap(),
                "--json",
            ],
        );
        assert!(out.status.success(), "{out:?}");
        let said: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(said["revoked"], serde_json::json!([key_id]), "{said}");
        assert_eq!(said["root"], self.id.as_str(), "{said}");
        list
    }
}

/// A command on the root's machine: the root's passphrase in `ROOT_PASS`,
/// no desk in reach.
fn root_cmd(d: &TestDesk, args: &[&str]) -> std::process::Output {
    d.cmd(&[&["--passphrase-env", "ROOT_PASS"], args].concat())
        .env("ROOT_PASS", ROOT_PASS)
        .env("FACELIC_DESK", d.dir.path().join("no-desk-here"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// At the desk: request a signing key, have the root certify it, import
/// the certificate. Returns the key id.
fn certified_key(d: &TestDesk, root: &Root, name: &str, until: &str, rest: &[&str]) -> String {
    let request = d.dir.path().join(format!("{name}.pub"));
    let key = d.json(&["keys", "request", "--out", request.to_str().unwrap()]);
    assert_eq!(key["status"], "awaiting-certificate");
    let cert = root.certify(d, &request, until, rest);
    let key = d.json(&["keys", "import-certificate", cert.to_str().unwrap()]);
    assert_eq!(key["status"], "active");
    key["key_id"].as_str().unwrap().to_owned()
}

/// Issues one license per device code on a new order of `product`; the files.
fn issue(d: &TestDesk, customer: &str, product: &str, codes: &[String]) -> (String, Vec<PathBuf>) {
    let order = d.device_order(customer, product, 50);
    let report = d.issue(&order, codes);
    (order, report.files)
}

fn verify_code(
    d: &TestDesk,
    file: &Path,
    ring: &Path,
    device: &str,
    crl: Option<&Path>,
) -> (i32, String) {
    let mut rest = vec!["--device", device];
    if let Some(crl) = crl {
        rest.extend(["--crl", crl.to_str().unwrap()]);
    }
    let out = d.verify(file, ring, &rest);
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn a_leaked_signing_key_is_contained_without_an_app_update() {
    let d = TestDesk::new();
    let root = Root::trusted(&d);
    // The app ships with the root alone.
    let app_ring = root.public();

    let key_a = certified_key(&d, &root, "a", "2028-01-01", &[]);
    let codes: Vec<String> = (1..=3).map(code).collect();
    let (order_a, files_a) = issue(&d, "Acme Gate", "face-detect", &codes);
    let text = std::fs::read_to_string(&files_a[0]).unwrap();
    assert!(text.contains("\nFL2."), "{text}");
    for (file, device) in files_a.iter().zip(&codes) {
        let (exit, out) = verify_code(&d, file, &app_ring, device, None);
        assert_eq!(exit, 0, "{out}");
    }
    // A second, successive signing key: the same app verifies its licenses too.
    let key_b = certified_key(&d, &root, "b", "2029-01-01", &[]);
    assert_ne!(key_a, key_b);
    let (_, files_b) = issue(&d, "Beta Kiosks", "face-detect", &[code(9)]);
    assert_eq!(verify_code(&d, &files_b[0], &app_ring, &code(9), None).0, 0);
    let keys = d.json(&["keys", "list"]);
    let status: Vec<&str> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["retired", "retired", "active"], "{keys}");

    // Key A leaks. The root (on its machine) revokes it; the desk imports
    // the list and re-issues A's licenses with key B.
    let revocation = root.revoke(&d, &key_a, "revoke-a.crl");
    let seats_before = d.json(&["order", "show", &order_a]);
    let revoked = d.json(&["keys", "import-revocation", revocation.to_str().unwrap()]);
    assert_eq!(revoked["revoked"], serde_json::json!([key_a]));
    let reissued_dir = d.dir.path().join("reissued");
    let report = d.json(&[
        "reissue",
        "--signed-by",
        &key_a,
        "--out",
        reissued_dir.to_str().unwrap(),
    ]);
    assert_eq!(report["key_id"], key_b.as_str());
    assert_eq!(report["reissued"].as_array().unwrap().len(), 3);
    // Seat counts are unchanged.
    let seats_after = d.json(&["order", "show", &order_a]);
    assert_eq!(
        seats_before["issued"], seats_after["issued"],
        "{seats_after}"
    );

    // What devices get: the exported list (root's key revocation plus the
    // desk's serials), and the new license files.
    let crl = d.dir.path().join("all.crl");
    d.ok(&["crl", "export", "--out", crl.to_str().unwrap()]);
    for (old, device) in files_a.iter().zip(&codes) {
        let (exit, out) = verify_code(&d, old, &app_ring, device, Some(&crl));
        assert_eq!(exit, 1, "{out}");
        assert!(
            out.contains("signing-key-revoked") || out.contains("revoked signing key"),
            "{out}"
        );
    }
    for item in report["reissued"].as_array().unwrap() {
        let new = &item["new"];
        let file = reissued_dir.join(new["file_name"].as_str().unwrap());
        let device = new["device"].as_str().unwrap();
        assert!(codes.iter().any(|c| c == device));
        let (exit, out) = verify_code(&d, &file, &app_ring, device, Some(&crl));
        assert_eq!(exit, 0, "{out}");
        let old = d.json(&["license", "show", item["old"].as_str().unwrap()]);
        assert_eq!(old["replaced_by"], new["serial"]);
    }
    // Key B's license is untouched by A's revocation.
    assert_eq!(
        verify_code(&d, &files_b[0], &app_ring, &code(9), Some(&crl)).0,
        0
    );
    // Everything is in the audit log; nothing secret is anywhere.
    let log = d.ok(&["log", "--json"]);
    for action in [
        "keys.root",
        "keys.request",
        "keys.certify",
        "keys.revoke",
        "license.reissue",
    ] {
        assert!(log.contains(action), "{action} missing from the log");
    }
    let ledger = std::fs::read(d.desk().join("ledger.sqlite")).unwrap();
    assert!(
        !ledger
            .windows(ROOT_PASS.len())
            .any(|w| w == ROOT_PASS.as_bytes())
    );
    // Re-issuing again finds nothing live under key A.
    let again = d.json(&[
        "reissue",
        "--signed-by",
        &key_a,
        "--out",
        reissued_dir.to_str().unwrap(),
    ]);
    assert_eq!(again["reissued"], serde_json::json!([]));
}

#[test]
fn a_restricted_or_lapsed_certificate_stops_the_desk_before_it_signs() {
    let d = TestDesk::new();
    let root = Root::trusted(&d);
    // Certified for face-detect only.
    certified_key(
        &d,
        &root,
        "narrow",
        "2028-01-01",
        &["--product", "face-detect"],
    );
    let order = d.device_order("Acme Gate", "ir-liveness-search", 50);
    let out = d.out();
    d.refused(
        &issue_device(&order, &code(1), &out),
        5,
        "certified for face-detect only",
    );
    // A certificate whose window has ended is refused at import.
    let request = d.dir.path().join("late.pub");
    d.ok(&["keys", "request", "--out", request.to_str().unwrap()]);
    let cert = root.certify(&d, &request, "2026-10-01", &["--from", "2026-01-01"]);
    d.refused(
        &["keys", "import-certificate", cert.to_str().unwrap()],
        5,
        "window ended",
    );
}

#[test]
fn no_revocation_list_is_written_that_every_app_would_refuse() {
    let mut d = TestDesk::new();
    let root = Root::trusted(&d);
    let key = certified_key(&d, &root, "a", "2027-01-01", &[]);
    let crl = d.dir.path().join("revocations.crl");
    let export = ["crl", "export", "--out", crl.to_str().unwrap()];
    d.ok(&export);
    std::fs::remove_file(&crl).unwrap();
    // The active key's certificate has ended: apps would refuse its list
    // ("outside its signing key's certificate window"), so none is written.
    crate::desk::at(&mut d, "2027-02-01T00:00:00Z");
    let before = d.counts();
    let err = d.refused(&export, 5, "may sign from");
    assert!(
        err.contains(&key) && err.contains("2027-01-01T00:00:00Z"),
        "{err}"
    );
    assert!(!crl.exists());
    assert_eq!(d.counts(), before);
}

#[test]
fn certificates_and_revocations_from_elsewhere_are_refused() {
    let d = TestDesk::new();
    let root = Root::new(&d);
    // No root trusted yet: nothing to certify against.
    let request = d.dir.path().join("early.pub");
    d.refused(
        &["keys", "request", "--out", request.to_str().unwrap()],
        5,
        "trusts no root",
    );
    d.ok(&["keys", "trust-root", root.public().to_str().unwrap()]);
    d.refused(
        &["keys", "trust-root", root.public().to_str().unwrap()],
        5,
        "trusted already",
    );
    let garbage = d.dir.path().join("garbage.pub");
    std::fs::write(&garbage, "not a key\n").unwrap();
    d.refused(
        &["keys", "trust-root", garbage.to_str().unwrap()],
        3,
        "root public key",
    );

    // A certificate from another root is refused, and changes nothing.
    let other = d.dir.path().join("other-root");
    let made = root_cmd(&d, &["keys", "new", "--out", other.to_str().unwrap()]);
    assert!(made.status.success());
    d.ok(&["keys", "request", "--out", request.to_str().unwrap()]);
    // A second request onto the same file is refused before a key is made.
    let said = d.refused(
        &["keys", "request", "--out", request.to_str().unwrap()],
        4,
        "already exists",
    );
    assert!(said.contains("pass --force to replace it"), "{said}");
    let stranger = Root {
        dir: other,
        id: String::from_utf8(made.stdout).unwrap().trim().to_owned(),
    };
    let cert = stranger.certify(&d, &request, "2028-01-01", &[]);
    d.refused(
        &["keys", "import-certificate", cert.to_str().unwrap()],
        3,
        "not certified by a trusted root",
    );
    // A root's key revocation list that is tampered with is refused.
    let key: Value = d.json(&["keys", "list"]);
    let first = key[0]["key_id"].as_str().unwrap().to_owned();
    let list = root.revoke(&d, &first, "revoke.crl");
    let text = std::fs::read_to_string(&list).unwrap();
    let body_line = text
        .lines()
        .find(|l| l.starts_with("FR3."))
        .unwrap()
        .to_owned();
    let flipped: String = body_line
        .char_indices()
        .map(|(i, c)| {
            if i == 40 {
                if c == 'A' { 'B' } else { 'A' }
            } else {
                c
            }
        })
        .collect();
    std::fs::write(&list, text.replace(&body_line, &flipped)).unwrap();
    d.refused(
        &["keys", "import-revocation", list.to_str().unwrap()],
        3,
        "key revocation list",
    );
    // The root's wrong passphrase is a clear refusal on its machine too.
    let wrong = d
        .cmd(&[
            "--passphrase-env",
            "ROOT_PASS",
            "keys",
            "certify",
            "--root-key",
            root.key().to_str().unwrap(),
            "--request",
            request.to_str().unwrap(),
            "--until",
            "2028-01-01",
            "--out",
            d.dir.path().join("x.cert").to_str().unwrap(),
        ])
        .env("ROOT_PASS", "not the passphrase")
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(9), "{wrong:?}");
    assert!(!d.dir.path().join("x.cert").exists());
}

#[test]
fn a_platform_license_is_reissued_with_its_package_pin_and_term() {
    let d = TestDesk::new();
    let root = Root::trusted(&d);
    let app_ring = root.public();
    let pin = "aa".repeat(32);
    let key_a = certified_key(&d, &root, "a", "2028-01-01", &[]);
    let customer = d.customer("Acme Gate");
    let order = d.order(
        &customer,
        "face-search",
        &["--platform", "com.acme.gate", "--cert-sha256", &pin],
    );
    let first = d.dir.path().join("first");
    d.ok(&["issue", "--order", &order, "--out", first.to_str().unwrap()]);
    let old = std::fs::read_dir(&first)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let app = ["--package", "com.acme.gate", "--cert-sha256", &pin];
    let verify_json = |file: &Path, crl: &[&str]| -> Value {
        let file = file.to_str().unwrap();
        let ring = app_ring.to_str().unwrap();
        d.json(&[&["verify", file, "--keyring", ring], &app[..], crl].concat())
    };
    let before = verify_json(&old, &[]);

    let key_b = certified_key(&d, &root, "b", "2028-01-01", &[]);
    let list = root.revoke(&d, &key_a, "revoke-a.crl");
    d.ok(&["keys", "import-revocation", list.to_str().unwrap()]);
    let again = d.dir.path().join("again");
    let report = d.json(&[
        "reissue",
        "--signed-by",
        &key_a,
        "--out",
        again.to_str().unwrap(),
    ]);
    assert_eq!(report["reissued"].as_array().unwrap().len(), 1, "{report}");
    let new = std::fs::read_dir(&again)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();

    let crl = d.dir.path().join("all.crl");
    d.ok(&["crl", "export", "--out", crl.to_str().unwrap()]);
    let crl_args = ["--crl", crl.to_str().unwrap()];
    let after = verify_json(&new, &crl_args);
    assert_eq!(after["key_id"], key_b.as_str());
    // Same package, pin, product, customer and term; a new serial.
    let (was, is) = (&before["license"], &after["license"]);
    for field in [
        "kind",
        "product",
        "customer_id",
        "package",
        "cert_sha256",
        "not_before",
        "not_after",
    ] {
        assert_eq!(was[field], is[field], "{field}: {was} -> {is}");
    }
    assert_eq!(is["cert_sha256"], pin.as_str());
    assert_eq!(is["package"], "com.acme.gate");
    assert!(
        is["not_after"].is_string() && is["customer_id"].is_string(),
        "{is}"
    );
    assert!(is["serial"].is_string());
    assert_ne!(was["serial"], is["serial"]);
    // The old license fails on a device with the list; the new one only
    // for its own app.
    d.verify_refused(
        &old,
        &app_ring,
        &[&app[..], &crl_args[..]].concat(),
        "revoked signing key",
    );
    let other_app = ["--package", "com.other.app", "--cert-sha256", &pin];
    d.verify_refused(&new, &app_ring, &other_app, "another app package");
}

#[test]
fn a_desk_whose_active_key_was_revoked_says_so_as_a_desk_problem() {
    // Exit 7 (desk problem) with the hint, not 6 (not found): nothing is
    // missing that the operator named.
    let d = TestDesk::new();
    let root = Root::trusted(&d);
    let key = certified_key(&d, &root, "a", "2028-01-01", &[]);
    let revocation = root.revoke(&d, &key, "revoke-a.crl");
    d.ok(&["keys", "import-revocation", revocation.to_str().unwrap()]);
    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.out();
    let err = d.fails(
        &issue_device(&order, &code(1), &out),
        7,
        "no active signing key",
    );
    assert!(err.contains("run `facelic keys rotate`"), "{err}");
}

#[test]
fn a_request_that_cannot_be_written_records_no_key() {
    let d = TestDesk::new();
    Root::trusted(&d);
    let keys_dir = || {
        let mut names: Vec<_> = std::fs::read_dir(d.desk().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let (before, files) = (d.counts(), keys_dir());
    let missing = d.dir.path().join("no-such-dir").join("x.req");
    d.fails(
        &["keys", "request", "--out", missing.to_str().unwrap()],
        4,
        "No such file or directory",
    );
    assert_eq!(d.counts(), before, "a key was recorded");
    assert_eq!(keys_dir(), files, "a key file was left behind");
    let keys = d.json(&["keys", "list"]);
    assert!(
        keys.as_array()
            .unwrap()
            .iter()
            .all(|k| k["status"] != "awaiting-certificate"),
        "{keys}"
    );
}

#[test]
fn a_key_revoked_while_an_issue_starts_signs_nothing() {
    use std::io::BufRead as _;
    // The batch checked its key before its write transaction: a key
    // revocation committed in between let it sign and record licenses
    // with a key just revoked.
    let d = TestDesk::new();
    let root = Root::trusted(&d);
    let key = certified_key(&d, &root, "a", "2028-01-01", &[]);
    let order = d.device_order("Acme", "face-detect", 50);
    let revocation = root.revoke(&d, &key, "revoke-a.crl");
    let resume = d.dir.path().join("resume");
    let out = d.out();
    let mut child = d
        .cmd(&issue_device(&order, &code(1), &out))
        .env("FACELIC_TEST_PAUSE", "key-loaded")
        .env("FACELIC_TEST_RESUME", &resume)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "paused at key-loaded");
    d.ok(&["keys", "import-revocation", revocation.to_str().unwrap()]);
    let before = d.counts();
    std::fs::write(&resume, "").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(5), "{rest}");
    assert!(
        rest.contains(&format!("signing key {key} was revoked by a root")),
        "{rest}"
    );
    assert_eq!(d.counts(), before, "something was recorded");
    assert!(!out.exists() || std::fs::read_dir(&out).unwrap().count() == 0);
}

#[test]
fn a_reissue_that_could_not_write_its_files_writes_them_when_run_again() {
    // Into a read-only disk the reissue said "run the command again to
    // write their files", and the rerun re-issued 0 and wrote nothing.
    let d = TestDesk::new();
    let root = Root::trusted(&d);
    let key_a = certified_key(&d, &root, "a", "2028-01-01", &[]);
    let codes: Vec<String> = (1..=3).map(code).collect();
    issue(&d, "Acme Gate", "face-detect", &codes);
    certified_key(&d, &root, "b", "2029-01-01", &[]);
    let revocation = root.revoke(&d, &key_a, "revoke-a.crl");
    d.ok(&["keys", "import-revocation", revocation.to_str().unwrap()]);
    let stick = d.dir.path().join("stick");
    let Some(mounted) = crate::integrity::Tmpfs::mount(&stick, "1m") else {
        return;
    };
    mounted.read_only();
    let out = stick.join("reissued");
    let reissue = |out: &Path| {
        [
            "reissue",
            "--signed-by",
            &key_a,
            "--out",
            out.to_str().unwrap(),
        ]
        .map(str::to_owned)
    };
    let err = d.fails(
        &reissue(&out).each_ref().map(String::as_str),
        4,
        "run the command again to write their files",
    );
    assert!(err.contains("Read-only file system"), "{err}");
    // The rerun, elsewhere: no new license, the three replacements' files.
    let again = d.dir.path().join("again");
    let before = d.counts();
    let report: Value = d.json(&reissue(&again).each_ref().map(String::as_str));
    assert_eq!(report["reissued"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(report["existing"].as_array().unwrap().len(), 3, "{report}");
    assert_eq!(d.counts(), before, "the rerun recorded something");
    let ring = root.public();
    for item in report["existing"].as_array().unwrap() {
        let file = again.join(item["new"]["file_name"].as_str().unwrap());
        let device = item["new"]["device"].as_str().unwrap();
        assert_eq!(verify_code(&d, &file, &ring, device, None).0, 0);
    }
}

#[test]
fn a_certificate_for_later_waits_and_the_working_key_keeps_signing() {
    // A certificate whose window starts in 2030 (or that covers no product
    // the desk sells) became the active key: nothing could be issued.
    let mut d = TestDesk::new();
    let root = Root::trusted(&d);
    let working = certified_key(&d, &root, "now", "2028-01-01", &[]);
    let order = d.device_order("Acme", "face-detect", 50);
    for (name, rest) in [
        ("later", &["--from", "2030-01-01"][..]),
        ("unsold", &["--product", "zz-not-sold"][..]),
    ] {
        let request = d.dir.path().join(format!("{name}.pub"));
        d.ok(&["keys", "request", "--out", request.to_str().unwrap()]);
        let cert = root.certify(&d, &request, "2031-01-01", rest);
        let key = d.json(&["keys", "import-certificate", cert.to_str().unwrap()]);
        assert_eq!(key["status"], "pending", "{name}: {key}");
        let active = d.json(&["keys", "list"]);
        let active: Vec<&str> = active
            .as_array()
            .unwrap()
            .iter()
            .filter(|k| k["status"] == "active")
            .map(|k| k["key_id"].as_str().unwrap())
            .collect();
        assert_eq!(active, [working.as_str()], "{name}");
        let id = key["key_id"].as_str().unwrap().to_owned();
        d.refused(
            &["keys", "activate", &id],
            5,
            if name == "later" {
                "may sign from 2030-01-01"
            } else {
                "does not sell"
            },
        );
    }
    let out = d.out();
    let issued = d.json(&issue_device(&order, &code(1), &out));
    assert_eq!(issued["issued"][0]["key_id"], working.as_str());
    // Once its window opens (years later: the operator confirms the
    // clock's jump), the later key is activated, audited.
    crate::desk::at(&mut d, "2030-01-02T00:00:00Z");
    let keys = d.json(&["keys", "list"]);
    let later = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["status"] == "pending" && k["certified"]["from"] == "2030-01-01T00:00:00Z")
        .unwrap()["key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let key = d.json(&["--accept-clock-jump", "keys", "activate", &later]);
    assert_eq!(key["status"], "active");
    let log: Value = d.json(&["log", "--limit", "1"]);
    assert_eq!(log[0]["action"], "keys.activate");
    d.refused(&["keys", "activate", &later], 5, "only a pending key");
}
