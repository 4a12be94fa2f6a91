//! The desk: issuing, seats, trials, renewals, replacement, revocation, key
//! rotation and backups through the library, with typed results; every
//! rule's refusal, racing processes and SIGKILL through the binary. Home of
//! `TestDesk`, the fixture every desk suite uses.
//!
//! [`TestDesk::library`] opens the desk in this process at the test's time;
//! [`TestDesk::check`] verifies a license as an app would. The binary's
//! contract stays end to end: every rule's refusal with its exit code and
//! one line (`every_rule_refuses_cleanly…`), processes racing for seats,
//! SIGKILL mid-issue, and what only the CLI parses or prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use facelic_issuer::desk::{
    Clock, Desk, DeskError, ErrorKind, IssueError, IssueReport, LicenseFilter, LicenseRecord,
    LicenseStatus, NewOrder, Session,
};
use facelic_issuer::{DeviceCode, Kind};
use facelic_verifier::{
    Context, Keyring, RevocationList, Serial, VerifiedLicense, Verifier, VerifyError,
};
use serde_json::Value;

/// A fresh desk in a temporary directory, driven through the binary.
pub(crate) struct TestDesk {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) now: String,
    /// Environment every command gets, in order (a later entry wins).
    pub(crate) env: Vec<(String, String)>,
}

pub(crate) fn code(n: u64) -> String {
    DeviceCode::derive(&[("android-id", format!("{n:016x}"))])
        .unwrap()
        .to_string()
}

/// The seller's unified social credit code in test desks' catalogs.
pub(crate) const SELLER_TAX_ID: &str = "91440300MA5DEM0019";

impl TestDesk {
    pub(crate) fn new() -> Self {
        Self::starting("2026-11-01T00:00:00Z")
    }

    /// A new desk whose clock starts at `now` (RFC 3339, UTC).
    pub(crate) fn starting(now: &str) -> Self {
        let desk = Self {
            dir: tempfile::tempdir().unwrap(),
            now: now.into(),
            env: Vec::new(),
        };
        // Through the library: `facelic init` itself is tested by the
        // quickstart and the refusal tests. The catalog names a seller tax
        // id (the shipped one leaves it to the vendor).
        std::fs::create_dir_all(desk.desk()).unwrap();
        let catalog = facelic_invoice::DEFAULT_CATALOG.replacen(
            "seller_tax_id = \"\"",
            &format!("seller_tax_id = \"{SELLER_TAX_ID}\""),
            1,
        );
        std::fs::write(desk.desk().join("catalog.toml"), catalog).unwrap();
        let session = Session::new(Clock::Fixed(desk.time()), "tester").unwrap();
        Desk::init(&desk.desk(), session).unwrap();
        desk
    }

    /// The test's time, [`TestDesk::now`], as a timestamp.
    fn time(&self) -> facelic_issuer::Timestamp {
        facelic_issuer::Timestamp::parse(&self.now).unwrap()
    }

    pub(crate) fn desk(&self) -> PathBuf {
        self.dir.path().join("desk")
    }

    pub(crate) fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    pub(crate) fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_facelic"));
        cmd.env("FACELIC_DESK", self.desk())
            .env("FACELIC_NOW", &self.now)
            .env("FACELIC_OPERATOR", "tester")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(args);
        cmd
    }

    /// The same desk, in this process, through the library, at the test's
    /// time and as the same operator as [`TestDesk::cmd`]: for setting up
    /// what a test is not about (orders, renewals) without spawning the
    /// binary once per step.
    pub(crate) fn library(&self) -> Desk {
        let session = Session::new(Clock::Fixed(self.time()), "tester").unwrap();
        Desk::open(&self.desk(), session).unwrap()
    }

    /// Runs `call` on [`TestDesk::library`]; it must fail with an error
    /// whose message contains `message` and leave the ledger unchanged.
    /// Returns the error, for the caller to check its kind.
    pub(crate) fn rejects<T: std::fmt::Debug>(
        &self,
        call: impl FnOnce(&mut Desk) -> Result<T, DeskError>,
        message: &str,
    ) -> DeskError {
        let before = self.counts();
        let err = call(&mut self.library()).expect_err("the desk accepted it");
        let said = err.to_string();
        assert!(said.contains(message), "expected {message:?} in {said:?}");
        assert_eq!(self.counts(), before, "{said}: the ledger changed");
        err
    }

    /// [`TestDesk::rejects`] with a refusal by a rule
    /// ([`ErrorKind::Refused`], the CLI's exit 5).
    pub(crate) fn refuses<T: std::fmt::Debug>(
        &self,
        call: impl FnOnce(&mut Desk) -> Result<T, DeskError>,
        message: &str,
    ) {
        let err = self.rejects(call, message);
        assert!(err.kind() == ErrorKind::Refused, "{err:?}");
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.ok(&args)).unwrap()
    }

    /// Runs a command that must fail with `exit` and one line of stderr
    /// containing `message`; returns that line.
    pub(crate) fn fails(&self, args: &[&str], exit: i32, message: &str) -> String {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(exit), "{args:?}: {err}");
        assert!(
            err.contains(message),
            "{args:?}: expected {message:?} in {err:?}"
        );
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{args:?}: not one line: {err}"
        );
        err
    }

    /// [`TestDesk::fails`], and the ledger is unchanged; returns the line.
    pub(crate) fn refused(&self, args: &[&str], exit: i32, message: &str) -> String {
        let before = self.counts();
        let said = self.fails(args, exit, message);
        assert_eq!(self.counts(), before, "{args:?} changed the ledger");
        said
    }

    pub(crate) fn ledger(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.desk().join("ledger.sqlite")).unwrap()
    }

    /// Row counts of every table, plus a digest of mutable columns.
    pub(crate) fn counts(&self) -> Vec<(String, i64)> {
        let db = self.ledger();
        let mut counts: Vec<(String, i64)> = [
            "keys",
            "customers",
            "orders",
            "terms",
            "licenses",
            "audit",
            "invoices",
            "credit_notes",
            "quotes",
            "payments",
            "fapiao_records",
            "account_entries",
            "usage_accounts",
            "packs",
            "usage",
            "usage_bills",
            "pack_uses",
            "pack_expiries",
            "roots",
            "hsm",
        ]
        .iter()
        .map(|t| {
            (
                t.to_string(),
                db.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                    .unwrap(),
            )
        })
        .collect();
        let revoked: i64 = db
            .query_row("SELECT COUNT(revoked_at) FROM licenses", [], |r| r.get(0))
            .unwrap();
        let trials: i64 = db
            .query_row("SELECT COUNT(trial_ends_at) FROM orders", [], |r| r.get(0))
            .unwrap();
        // Billing profiles change in place: count what is filled in.
        let profiles: i64 = db
            .query_row(
                "SELECT COUNT(tax_id) + COUNT(legal_name) + COUNT(bank) + COUNT(fapiao_type) + COUNT(payment_terms_days) FROM customers",
                [],
                |r| r.get(0),
            )
            .unwrap();
        counts.push(("profiles".into(), profiles));
        // Imported calls change in place; packs are refunded in place.
        let calls: i64 = db
            .query_row("SELECT IFNULL(SUM(calls), 0) FROM usage", [], |r| r.get(0))
            .unwrap();
        let refunded: i64 = db
            .query_row("SELECT COUNT(refunded_at) FROM packs", [], |r| r.get(0))
            .unwrap();
        counts.push(("calls".into(), calls));
        counts.push(("refunded packs".into(), refunded));
        counts.push(("revoked".into(), revoked));
        counts.push(("trials started".into(), trials));
        counts
    }

    /// Adds a customer through the library (set-up; `customer add` itself
    /// is tested through the binary); returns its id.
    pub(crate) fn customer(&self, name: &str) -> String {
        self.library().add_customer(name).unwrap().id
    }

    /// An order as `facelic order new --customer CUSTOMER --product PRODUCT`
    /// with `rest` makes it; returns the order id. The plain forms
    /// (`--devices N`, `--trial --devices N`, `--platform PKG`, `--platform
    /// PKG --trial`) are made through the library; any other flag goes
    /// through the binary.
    pub(crate) fn order(&self, customer: &str, product: &str, rest: &[&str]) -> String {
        let plain = match rest {
            ["--devices", n] => Some((Kind::Device, n.parse().ok(), None)),
            ["--trial", "--devices", n] => Some((Kind::DeviceTrial, n.parse().ok(), None)),
            ["--platform", pkg] => Some((Kind::Platform, None, Some(pkg.to_string()))),
            ["--platform", pkg, "--trial"] => {
                Some((Kind::PlatformTrial, None, Some(pkg.to_string())))
            }
            _ => None,
        };
        if let Some((kind, devices, package)) = plain {
            let new = NewOrder {
                devices,
                package,
                ..NewOrder::new(customer, product, kind)
            };
            return self.library().create_order(&new).unwrap().id;
        }
        self.json(&order_args(customer, product, rest))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// A device trial of `devices` devices of `product` for customer `customer_id`.
    pub(crate) fn trial_order(&self, customer_id: &str, product: &str, devices: u64) -> String {
        self.order(
            customer_id,
            product,
            &["--trial", "--devices", &devices.to_string()],
        )
    }

    /// A new customer named `customer` with a device order of `devices`
    /// seats of `product`; returns the order id.
    pub(crate) fn device_order(&self, customer: &str, product: &str, devices: u64) -> String {
        let c = self.customer(customer);
        self.order(&c, product, &["--devices", &devices.to_string()])
    }

    /// Issues licenses for `codes` on `order` into [`TestDesk::out`] through
    /// the library.
    pub(crate) fn issue(&self, order: &str, codes: &[String]) -> IssueReport {
        let codes: Vec<DeviceCode> = codes.iter().map(|c| c.parse().unwrap()).collect();
        self.library()
            .issue_devices(order, &codes, &self.out(), &mut |_, _| {})
            .unwrap()
    }

    /// Verifies the license in `file` in this process, as an app would: with
    /// the keyring the desk exports, at the test's time, in `context` (its
    /// device, package, certificate) and with the revocation list `crl`.
    pub(crate) fn check(
        &self,
        file: &Path,
        context: impl FnOnce(Context) -> Context,
        crl: Option<&Path>,
    ) -> Result<VerifiedLicense, VerifyError> {
        let ring = Keyring::from_pem(&self.library().keyring_pem().unwrap()).unwrap();
        let mut verifier = Verifier::new(ring.clone());
        if let Some(crl) = crl {
            verifier = verifier
                .with_revocation_list(RevocationList::parse(std::fs::read(crl).unwrap(), &ring)?);
        }
        let text = std::fs::read_to_string(file).unwrap();
        verifier.verify(&text, &context(Context::at(self.time())))
    }

    /// The license `serial` as the ledger records it.
    pub(crate) fn license(&self, serial: &Serial) -> LicenseRecord {
        self.library().license(&serial.to_string()).unwrap()
    }

    /// Renews platform order `order` into [`TestDesk::out`] through the
    /// library, at its agreed price.
    pub(crate) fn renew(&self, order: &str) -> IssueReport {
        self.library()
            .renew(order, &self.out(), &Default::default())
            .unwrap()
    }

    /// `facelic issue --order ORDER --devices-file FILE --out OUT`, stdout discarded.
    pub(crate) fn issue_file_cmd(&self, order: &str, file: &Path, out: &Path) -> Command {
        let mut cmd = self.cmd(&[
            "issue",
            "--order",
            order,
            "--devices-file",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        cmd
    }

    pub(crate) fn devices_file(&self, name: &str, lines: &[String]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, lines.join("\n")).unwrap();
        path
    }

    /// Runs `facelic verify FILE --keyring RING` with `rest` (e.g. `--device
    /// CODE`, `--crl FILE`).
    pub(crate) fn verify(&self, file: &Path, ring: &Path, rest: &[&str]) -> Output {
        let (file, ring) = (file.to_str().unwrap(), ring.to_str().unwrap());
        self.run(&[&["verify", file, "--keyring", ring], rest].concat())
    }

    /// [`TestDesk::verify`] that must give the verdict "invalid" (exit 1)
    /// with `message` in what it says.
    pub(crate) fn verify_refused(&self, file: &Path, ring: &Path, rest: &[&str], message: &str) {
        let out = self.verify(file, ring, rest);
        let said = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{said}");
        assert!(said.contains(message), "expected {message:?} in {said}");
    }

    /// [`TestDesk::verify`] that must succeed; its stdout.
    pub(crate) fn verify_ok(&self, file: &Path, ring: &Path, rest: &[&str]) -> String {
        let (file, ring) = (file.to_str().unwrap(), ring.to_str().unwrap());
        self.ok(&[&["verify", file, "--keyring", ring], rest].concat())
    }

    pub(crate) fn keyring(&self) -> PathBuf {
        let path = self.dir.path().join("keyring.pem");
        self.ok(&["keys", "export", "--out", path.to_str().unwrap()]);
        path
    }
}

/// The files in `dir` whose extension is `ext` (e.g. `lic`, `key`), sorted.
pub(crate) fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    files
}

/// `issue --order ORDER --device CODE --out OUT`: the arguments that
/// license one device.
pub(crate) fn issue_device<'a>(order: &'a str, device: &'a str, out: &'a Path) -> [&'a str; 7] {
    let out = out.to_str().unwrap();
    ["issue", "--order", order, "--device", device, "--out", out]
}

/// Runs `cmd` until it reaches `point` of an issue (`chunk-N`: its N-th
/// chunk of licenses is recorded but not committed; `committed`: no file is
/// written yet), where the desk's test hook pauses it, then sends it SIGKILL.
/// Deterministic: no guessed delay, whatever the machine's speed.
/// Runs every command at once (stdout discarded, stderr kept) and waits
/// for all: each must succeed.
pub(crate) fn all_at_once(commands: impl IntoIterator<Item = Command>) {
    let children: Vec<_> = commands
        .into_iter()
        .map(|mut cmd| {
            cmd.stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

pub(crate) fn kill_at(cmd: Command, point: &str) {
    signal_at(cmd, point, "KILL");
}

/// [`kill_at`] with another signal (e.g. `ABRT`, which dumps core); the
/// command's exit status.
pub(crate) fn signal_at(mut cmd: Command, point: &str, signal: &str) -> std::process::ExitStatus {
    use std::io::BufRead as _;
    let mut child = cmd
        .env("FACELIC_TEST_PAUSE", point)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut said = Vec::new();
    for line in stderr.lines() {
        let line = line.unwrap();
        if line == format!("paused at {point}") {
            let pid = child.id().to_string();
            let sent = Command::new("kill")
                .args(["-s", signal, &pid])
                .status()
                .unwrap();
            assert!(sent.success(), "kill -s {signal} {pid}");
            return child.wait().unwrap();
        }
        said.push(line);
    }
    let status = child.wait().unwrap();
    panic!("the command ended ({status}) without reaching {point}: {said:?}");
}

/// The arguments of `facelic order new --customer CUSTOMER --product
/// PRODUCT` followed by `rest`.
pub(crate) fn order_args<'a>(
    customer: &'a str,
    product: &'a str,
    rest: &[&'a str],
) -> Vec<&'a str> {
    let head = ["order", "new", "--customer", customer, "--product", product];
    [&head[..], rest].concat()
}

/// Asserts that `path` is readable by its owner only (mode 0600).
pub(crate) fn assert_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "{}", path.display());
}

/// An amount as JSON and documents write it: two decimals.
pub(crate) fn fen(amount: facelic_invoice::Decimal) -> String {
    format!("{amount:.2}")
}

/// A `YYYY-MM-DD` day.
pub(crate) fn day(text: &str) -> facelic_invoice::dates::Date {
    facelic_invoice::dates::Date::parse(text).unwrap()
}

/// A `YYYY-MM` month.
pub(crate) fn month(text: &str) -> facelic_invoice::dates::Month {
    facelic_invoice::dates::Month::parse(text).unwrap()
}

/// A test needs a tool or a behaviour of the system this machine lacks:
/// with `CI` set (as `.ci/run` sets it) the test fails, so CI never passes
/// a check it did not run; elsewhere it is skipped with a note. The one
/// switch for SoftHSM2, Chromium, pdftotext and core files alike.
pub(crate) fn missing(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set, and this machine lacks what the test needs: {what}"
    );
    eprintln!("skipped: {what}");
}

pub(crate) fn at(desk: &mut TestDesk, now: &str) {
    desk.now = now.into();
}

#[test]
fn every_rule_refuses_cleanly_and_leaves_the_ledger_unchanged() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme Gate Systems");
    let order = d.order(&c, "face-detect", &["--devices", "50"]);
    let trial = d.trial_order(&c, "face-detect", 2);
    let platform = d.order(&c, "face-search", &["--platform", "com.acme.gate"]);
    let ptrial = d.order(
        &c,
        "face-search",
        &["--platform", "com.acme.gate", "--trial"],
    );
    let out = d.out();
    let out = out.to_str().unwrap();

    d.refused(
        &order_args(&c, "face-detect", &["--devices", "49"]),
        5,
        "at least 50 devices",
    );
    d.refused(
        &order_args(&c, "ir-liveness", &["--trial", "--devices", "4"]),
        5,
        "1 to 3 devices",
    );
    d.refused(
        &order_args(&c, "face-detect", &["--trial", "--devices", "1"]),
        5,
        "one trial per customer and product",
    );
    d.refused(
        &order_args(&c, "face-search", &["--platform", "com.other", "--trial"]),
        5,
        "one trial per customer and product",
    );
    d.refused(
        &order_args(&c, "face-detector", &["--devices", "50"]),
        3,
        "unknown product",
    );
    d.refused(
        &order_args("Nobody", "face-detect", &["--devices", "50"]),
        6,
        "no customer",
    );
    d.refused(
        &order_args(&c, "face-detect", &["--platform", "gate"]),
        3,
        "not an Android application id",
    );
    d.refused(
        &order_args(&c, "face-detect", &["--platform", "com.1acme.gate"]),
        3,
        "not an Android application id",
    );
    d.refused(
        &order_args(
            &c,
            "face-detect",
            &["--devices", "60", "--start", "2026-12-01"],
        ),
        3,
        "platform orders only",
    );
    d.refused(
        &["customer", "add", "Acme Gate Systems"],
        5,
        "already exists",
    );

    // Seats: a batch larger than the free seats is refused whole.
    let too_many: Vec<String> = (0..51).map(code).collect();
    let file = d.devices_file("51.txt", &too_many);
    d.refused(
        &[
            "issue",
            "--order",
            &order,
            "--devices-file",
            file.to_str().unwrap(),
            "--out",
            out,
        ],
        5,
        "50 free seat(s) of 50; this needs 51 new",
    );
    // A devices file with bad lines is refused whole, every bad line named.
    let mut lines: Vec<String> = (0..5).map(code).collect();
    let mut typo = code(99).into_bytes();
    typo[0] = if typo[0] == b'A' { b'B' } else { b'A' };
    lines[1] = String::from_utf8(typo).unwrap();
    lines[3] = "ABCD-EFGH".into();
    lines.push("# a comment".into());
    lines.push(String::new());
    let file = d.devices_file("bad.txt", &lines);
    d.refused(
        &[
            "issue",
            "--order",
            &order,
            "--devices-file",
            file.to_str().unwrap(),
            "--out",
            out,
        ],
        3,
        "line 2",
    );
    let err = String::from_utf8(
        d.run(&[
            "issue",
            "--order",
            &order,
            "--devices-file",
            file.to_str().unwrap(),
            "--out",
            out,
        ])
        .stderr,
    )
    .unwrap();
    assert!(
        err.contains("line 4") && err.contains("check digit") && err.contains("digits"),
        "{err}"
    );
    d.refused(
        &[
            "issue",
            "--order",
            &order,
            "--device",
            "7K3M-9QXD-F2RT-HW5U",
            "--out",
            out,
        ],
        3,
        "invalid character",
    );
    assert!(
        !d.out().exists() || std::fs::read_dir(d.out()).unwrap().next().is_none(),
        "files written by a refused batch"
    );

    // Kind mismatches.
    d.refused(
        &[
            "issue",
            "--order",
            &platform,
            "--device",
            &code(1),
            "--out",
            out,
        ],
        5,
        "is a platform order",
    );
    d.refused(
        &["issue", "--order", &order, "--out", out],
        5,
        "is a device order",
    );
    d.refused(
        &[
            "issue",
            "--order",
            "O-999999",
            "--device",
            &code(1),
            "--out",
            out,
        ],
        6,
        "no order",
    );
    d.refused(
        &["renew", "--order", &order, "--out", out],
        5,
        "perpetual and are not renewed",
    );
    d.refused(
        &["renew", "--order", &trial, "--out", out],
        5,
        "trials cannot be renewed",
    );
    d.refused(
        &["renew", "--order", &ptrial, "--out", out],
        5,
        "trials cannot be renewed",
    );
    d.refused(
        &["renew", "--order", &platform, "--out", out, "--price=-1"],
        3,
        "--price",
    );

    // Revocation and replacement rules.
    let issued = d.issue(&order, &[code(1)]);
    let serial = issued.issued[0].serial.to_string();
    let platform_serial =
        d.json(&["issue", "--order", &platform, "--out", out])["issued"][0]["serial"]
            .as_str()
            .unwrap()
            .to_owned();
    d.refused(
        &[
            "revoke",
            "00000000-0000-4000-8000-000000000000",
            "--reason",
            "x",
        ],
        6,
        "no license",
    );
    d.refused(&["revoke", &serial, "--reason", "  "], 3, "needs a reason");
    d.refused(
        &[
            "replace",
            &platform_serial,
            "--device",
            &code(2),
            "--out",
            out,
        ],
        5,
        "only device licenses are replaced",
    );
    d.refused(
        &["replace", &serial, "--device", &code(1), "--out", out],
        3,
        "same device",
    );
    d.ok(&["revoke", &serial, "--reason", "stolen"]);
    d.refused(
        &["revoke", &serial, "--reason", "again"],
        5,
        "already revoked",
    );
    d.refused(
        &[
            "issue",
            "--order",
            &order,
            "--device",
            &code(1),
            "--out",
            out,
        ],
        5,
        "was revoked",
    );

    // Trial ended.
    d.issue(&trial, &[code(10)]);
    at(&mut d, "2026-12-01T00:00:00Z");
    d.refused(
        &[
            "issue",
            "--order",
            &trial,
            "--device",
            &code(11),
            "--out",
            out,
        ],
        5,
        "trial on order",
    );

    // No desk / desk twice.
    let other = tempfile::tempdir().unwrap();
    let out2 = Command::new(env!("CARGO_BIN_EXE_facelic"))
        .args([
            "--desk",
            other.path().join("none").to_str().unwrap(),
            "customer",
            "list",
        ])
        .output()
        .unwrap();
    assert_eq!(out2.status.code(), Some(7));
    d.refused(&["init"], 7, "already exists");
}

#[test]
fn issuing_is_idempotent_and_counts_seats() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "ir-liveness", 50);
    let first = d.issue(&order, &[code(1), code(2)]);
    assert_eq!(first.issued.len(), 2);
    let again = d.issue(&order, &[code(2), code(3)]);
    assert_eq!(again.issued.len(), 1);
    assert_eq!(again.existing[0].serial, first.issued[1].serial);
    let show = d.library().order(&order).unwrap();
    assert_eq!((show.seats_used, show.seats_free), (3, Some(47)));
    // Files are named for the device and hold the ledger's text.
    let file = d.out().join(format!("{order}_{}.lic", code(3)));
    let text = std::fs::read_to_string(&file).unwrap();
    let serial = &again.issued[0].serial;
    assert_eq!(d.license(serial).text.as_deref(), Some(text.as_str()));
    // No temporary files left behind.
    assert!(
        std::fs::read_dir(d.out()).unwrap().all(|e| !e
            .unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with('.'))
    );
    assert!(leftovers(d.dir.path()).is_empty());
    #[cfg(unix)]
    {
        // The output directory (the renamed staging directory) has the
        // permissions of any directory made here, not the staging 0700.
        use std::os::unix::fs::PermissionsExt as _;
        let plain = d.dir.path().join("plain");
        std::fs::create_dir(&plain).unwrap();
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode();
        assert_eq!(mode(&d.out()), mode(&plain));
    }
    // The license verifies for its device with the exported keyring.
    let device: DeviceCode = code(3).parse().unwrap();
    d.check(&file, |c| c.device(device), None).unwrap();
    let other: DeviceCode = code(4).parse().unwrap();
    let err = d.check(&file, |c| c.device(other), None).unwrap_err();
    assert_eq!(err, VerifyError::WrongDevice);
}

/// Names in `dir` that a staged batch could have left behind.
fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".facelic-"))
        .collect()
}

/// `code(n)` as a typed device code.
fn device(n: u64) -> DeviceCode {
    code(n).parse().unwrap()
}

#[test]
fn a_large_order_is_delivered_as_one_zip_archive() {
    use std::io::Read as _;
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 60);
    let codes: Vec<DeviceCode> = (0..55).map(device).collect();
    let archive = d.dir.path().join("delivery").join(format!("{order}.zip"));
    let issue = |archive: &Path| {
        d.library()
            .issue_devices(&order, &codes, archive, &mut |_, _| {})
            .unwrap()
    };
    let report = issue(&archive);
    assert_eq!(report.issued.len(), 55);
    assert_eq!(report.files, std::slice::from_ref(&archive));
    assert!(leftovers(archive.parent().unwrap()).is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o644,
            "license archives are readable documents"
        );
    }

    // One entry per device, named like the loose files, holding the ledger's text.
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
    assert_eq!(zip.len(), 55);
    for (n, license) in report.issued.iter().enumerate().step_by(18) {
        let device = license.device.unwrap();
        let mut text = String::new();
        zip.by_name(&format!("{order}_{device}.lic"))
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(d.license(&license.serial).text.as_deref(), Some(&*text));
        let file = d.dir.path().join(format!("entry-{n}.lic"));
        std::fs::write(&file, &text).unwrap();
        d.check(&file, |c| c.device(device), None).unwrap();
    }

    // An existing archive is never replaced: refused before anything is recorded.
    let before = std::fs::read(&archive).unwrap();
    let one = [device(99)];
    let err = d.rejects(
        |k| k.issue_devices(&order, &one, &archive, &mut |_, _| {}),
        "exists; name a new archive",
    );
    assert!(matches!(err, DeskError::Io { .. }), "{err:?}");
    assert_eq!(std::fs::read(&archive).unwrap(), before);
    assert!(leftovers(archive.parent().unwrap()).is_empty());

    // Re-issuing into a new archive returns the existing licenses (no seat taken).
    let again = d.dir.path().join("delivery").join("again.zip");
    let report = issue(&again);
    assert_eq!((report.issued.len(), report.existing.len()), (0, 55));
    let zip = zip::ZipArchive::new(std::fs::File::open(&again).unwrap()).unwrap();
    assert_eq!(zip.len(), 55);
    assert_eq!(d.library().order(&order).unwrap().seats_used, 55);
}

#[test]
fn a_trial_ends_for_every_device_thirty_days_after_its_first_license() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let trial = d.trial_order(&c, "3d-liveness", 3);
    let ends = Some(facelic_issuer::Timestamp::parse("2026-12-01T00:00:00Z").unwrap());
    let day0 = d.issue(&trial, &[code(1)]);
    assert_eq!(day0.issued[0].not_after, ends);
    at(&mut d, "2026-11-21T00:00:00Z");
    let day20 = d.issue(&trial, &[code(2), code(3)]);
    for l in &day20.issued {
        assert_eq!((l.not_after, l.kind), (ends, Kind::DeviceTrial));
    }
    let fourth = [device(4)];
    let err = d.rejects(
        |k| k.issue_devices(&trial, &fourth, &d.out(), &mut |_, _| {}),
        "0 free seat(s) of 3",
    );
    // The refusal carries its facts: a console reads them, not the text.
    assert!(
        matches!(
            &err,
            DeskError::Issue(e) if matches!(&**e, IssueError::SeatsExhausted {
                order,
                seats: 3,
                free: 0,
                new: 1,
                issued: 0,
            } if *order == trial)
        ),
        "{err:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Refused);
    at(&mut d, "2026-12-01T00:00:00Z");
    let file = d.out().join(format!("{trial}_{}.lic", code(2)));
    let err = d.check(&file, |c| c.device(device(2)), None).unwrap_err();
    assert!(matches!(err, VerifyError::Expired(_)), "{err:?}");
}

#[test]
fn platform_terms_renew_without_gap_or_overlap() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    let time = |t: &str| facelic_issuer::Timestamp::parse(t).unwrap();
    let new = NewOrder {
        package: Some("com.acme.gate".into()),
        start: Some(time("2026-11-10T00:00:00Z")),
        ..NewOrder::new(&c, "face-detect", Kind::Platform)
    };
    let order = d.library().create_order(&new).unwrap().id;
    let out = d.out();
    let term = |r: &IssueReport| (r.issued[0].not_before, r.issued[0].not_after.unwrap());
    let first = d.library().issue_platform(&order, &out).unwrap();
    assert_eq!(
        term(&first),
        (time("2026-11-10T00:00:00Z"), time("2027-11-10T00:00:00Z"))
    );
    // Issuing again returns the same license.
    let again = d.library().issue_platform(&order, &out).unwrap();
    assert_eq!(again.existing[0].serial, first.issued[0].serial);
    // Renewed early: the new term starts exactly where the old ends.
    at(&mut d, "2027-09-01T00:00:00Z");
    let renewed = d.renew(&order);
    assert_eq!(
        term(&renewed),
        (time("2026-11-10T00:00:00Z"), time("2028-11-10T00:00:00Z"))
    );
    let terms = d.library().order(&order).unwrap().terms;
    assert_eq!(terms[1].starts_at, terms[0].ends_at);
    // Lapsed: nothing to issue until renewed; the renewal starts now. (The
    // desk records something in between: a jump of over a year would need
    // the operator's confirmation.)
    at(&mut d, "2028-06-01T00:00:00Z");
    d.customer("Interim");
    at(&mut d, "2029-01-15T12:00:00Z");
    let err = d.rejects(|k| k.issue_platform(&order, &out), "ended at");
    assert!(matches!(err, DeskError::TermEnded { .. }), "{err:?}");
    let late = d.renew(&order);
    assert_eq!(
        term(&late),
        (time("2029-01-15T12:00:00Z"), time("2030-01-15T12:00:00Z"))
    );
    let log = d.library().audit_log(100).unwrap();
    assert_eq!(log.iter().filter(|e| e.action == "order.renew").count(), 2);
    // The license verifies for its package only.
    let file = out.join(format!("{order}_com.acme.gate_until-2030-01-15.lic"));
    d.check(&file, |c| c.package("com.acme.gate"), None)
        .unwrap();
    let err = d
        .check(&file, |c| c.package("com.acme.gates"), None)
        .unwrap_err();
    assert_eq!(err, VerifyError::WrongPackage);
}

#[test]
fn replace_moves_the_seat_and_the_revocation_list_stops_the_old_license() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    let issued = d.issue(&order, &[code(1), code(2)]);
    let old = &issued.issued[0].serial;
    let out = d.out();
    let replaced = d
        .library()
        .replace(&old.to_string(), device(9), &out)
        .unwrap();
    let new = &replaced.issued[0].serial;
    assert_eq!(d.library().order(&order).unwrap().seats_used, 2);
    let old_rec = d.license(old);
    assert_eq!(old_rec.status, LicenseStatus::Replaced);
    assert_eq!(old_rec.replaced_by.as_ref(), Some(new));

    let crl = d.dir.path().join("crl.txt");
    let revoked = d.library().export_revocation_list(&crl, false).unwrap();
    assert_eq!(revoked, 1);
    let old_file = out.join(format!("{order}_{}.lic", code(1)));
    let err = d
        .check(&old_file, |c| c.device(device(1)), Some(&crl))
        .unwrap_err();
    assert_eq!(err, VerifyError::Revoked);
    let new_file = out.join(format!("{order}_{}.lic", code(9)));
    d.check(&new_file, |c| c.device(device(9)), Some(&crl))
        .unwrap();
    // A tampered list is refused, not ignored.
    let tampered = std::fs::read_to_string(&crl)
        .unwrap()
        .replacen("FR3.", "FR3.0", 1);
    std::fs::write(&crl, tampered).unwrap();
    let err = d
        .check(&new_file, |c| c.device(device(9)), Some(&crl))
        .unwrap_err();
    assert!(
        matches!(err, VerifyError::Malformed(_) | VerifyError::BadSignature),
        "{err:?}"
    );
}

#[test]
fn licenses_issued_before_a_key_rotation_keep_verifying() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    let before = d.issue(&order, &[code(1)]);
    let old_key = before.issued[0].key_id.clone();
    let new_key = d.library().rotate_key().unwrap().key_id;
    assert_ne!(old_key, new_key);
    let after = d.issue(&order, &[code(2)]);
    assert_eq!(after.issued[0].key_id, new_key);
    for (n, key) in [(1, &old_key), (2, &new_key)] {
        let file = d.out().join(format!("{order}_{}.lic", code(n)));
        let verified = d.check(&file, |c| c.device(device(n)), None).unwrap();
        assert_eq!(&verified.key_id().to_string(), key);
    }
    assert_eq!(d.library().keys().unwrap().len(), 2);
    // Private keys are 0600 and never printed.
    for k in [&old_key, &new_key] {
        let path = d.desk().join("keys").join(format!("{k}.key"));
        assert_private(&path);
    }
}

#[test]
fn apps_from_before_two_rotations_still_check_the_revocation_list() {
    // A desk without a root: its keys are what apps trust. An app built
    // before two rotations holds only the first key, and must still get
    // revocations (they were signed with the newest key, unknown to it).
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    d.issue(&order, &[code(1)]);
    let first_app = Keyring::from_pem(&d.library().keyring_pem().unwrap()).unwrap();
    d.library().rotate_key().unwrap();
    d.library().rotate_key().unwrap();
    let report = d.issue(&order, &[code(2)]);
    let serial = report.issued[0].serial;
    d.library()
        .revoke(&serial.to_string(), "stolen gate")
        .unwrap();
    let crl = d.out().join("revocations.crl");
    d.library().export_revocation_list(&crl, false).unwrap();
    let text = std::fs::read(&crl).unwrap();
    let latest_app = Keyring::from_pem(&d.library().keyring_pem().unwrap()).unwrap();
    for (app, ring) in [("first", &first_app), ("latest", &latest_app)] {
        let list = RevocationList::parse(&text, ring)
            .unwrap_or_else(|e| panic!("the {app} app refuses the list: {e}"));
        assert!(list.contains(&serial), "{app}");
    }
    // A second export is a newer list for both apps; the first does not
    // replace it.
    let newer = d.out().join("newer.crl");
    d.library().export_revocation_list(&newer, false).unwrap();
    let newer = RevocationList::parse(std::fs::read(&newer).unwrap(), &first_app).unwrap();
    let older = RevocationList::parse(&text, &first_app).unwrap();
    assert!(newer.check_supersedes(&older).is_ok());
    assert!(matches!(
        older.check_supersedes(&newer),
        Err(VerifyError::RevocationListOutdated(_))
    ));
}

#[test]
fn lookups_filter_and_the_log_records_the_operator() {
    let mut d = TestDesk::new();
    let a = d.customer("Acme");
    let b = d.customer("深圳市某某科技有限公司");
    let oa = d.order(&a, "face-detect", &["--devices", "50"]);
    let ob = d.trial_order(&b, "face-search", 2);
    d.issue(&oa, &[code(1), code(2)]);
    d.issue(&ob, &[code(3)]);
    let count = |filter: LicenseFilter| d.library().licenses(&filter).unwrap().len();
    let all = LicenseFilter::default;
    let by_customer = |c: &str| LicenseFilter {
        customer: Some(c.into()),
        ..all()
    };
    assert_eq!(count(by_customer(&a)), 2);
    assert_eq!(count(by_customer("深圳市某某科技有限公司")), 1);
    let face_search = LicenseFilter {
        product: Some("face-search".into()),
        ..all()
    };
    assert_eq!(count(face_search), 1);
    let within = |days: i64| LicenseFilter {
        expiring_within_secs: Some(days * 86_400),
        ..all()
    };
    assert_eq!((count(within(31)), count(within(29))), (1, 0));
    at(&mut d, "2026-11-02T00:00:00Z");
    // The binary's table, and the operator it records.
    let human = d.ok(&["license", "list"]);
    assert!(
        human.contains("| serial") && human.contains("perpetual"),
        "{human}"
    );
    let added = d
        .cmd(&["customer", "add", "Gamma"])
        .env("FACELIC_OPERATOR", "clerk")
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let entries = d.library().audit_log(100).unwrap();
    assert_eq!(
        (entries[0].action.as_str(), entries[0].operator.as_str()),
        ("customer.add", "clerk")
    );
    assert!(entries[1..].iter().all(|e| e.operator == "tester"));
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for a in [
        "desk.init",
        "keys.create",
        "customer.add",
        "order.new",
        "license.issue",
    ] {
        assert!(actions.contains(&a), "{a} not in {actions:?}");
    }
    // The private key never reaches the ledger.
    let pem = std::fs::read_dir(d.desk().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "key"))
        .map(|p| std::fs::read_to_string(p).unwrap())
        .unwrap();
    let secret = pem.lines().nth(1).unwrap();
    let dump: Vec<u8> = std::fs::read(d.desk().join("ledger.sqlite")).unwrap();
    assert!(!String::from_utf8_lossy(&dump).contains(secret));
}

#[test]
fn concurrent_desk_processes_never_sell_more_seats_than_bought() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.out();
    // 12 processes x 5 distinct devices = 60 devices for 50 seats.
    let children: Vec<_> = (0..12u64)
        .map(|p| {
            let mut cmd = d.cmd(&["issue", "--order", &order, "--out", out.to_str().unwrap()]);
            for i in 0..5 {
                cmd.arg("--device").arg(code(1000 + p * 5 + i));
            }
            cmd.stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ok = 0;
    for child in children {
        let out = child.wait_with_output().unwrap();
        match out.status.code() {
            Some(0) => ok += 1,
            Some(5) => assert!(String::from_utf8_lossy(&out.stderr).contains("free seat")),
            other => panic!(
                "unexpected exit {other:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }
    assert_eq!(ok, 10);
    let count: i64 = d
        .ledger()
        .query_row(
            "SELECT COUNT(*) FROM licenses WHERE order_id = ?1",
            [&order],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(count, 50);
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 50);
}

fn integrity(d: &TestDesk) -> String {
    d.ledger()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_bulk_issue_killed_midway_leaves_all_or_nothing() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 20_000);
    // 1,000 devices: four chunks of 256, so a kill can land between chunks.
    let codes: Vec<String> = (0..1000).map(code).collect();
    let file = d.devices_file("bulk.txt", &codes);
    let out = d.out();
    let licenses = || -> i64 {
        d.ledger()
            .query_row("SELECT COUNT(*) FROM licenses", [], |r| r.get(0))
            .unwrap()
    };
    let lic_files = || {
        std::fs::read_dir(&out).map_or(0, |r| {
            r.filter(|e| {
                let path = e.as_ref().unwrap().path();
                path.extension().is_some_and(|x| x == "lic")
            })
            .count()
        })
    };
    // Killed with 2 of its 4 chunks recorded: nothing recorded, nothing
    // on disk, not even in the hidden staging directory.
    kill_at(d.issue_file_cmd(&order, &file, &out), "chunk-2");
    assert_eq!(integrity(&d), "ok");
    assert_eq!(licenses(), 0, "a partial batch was committed");
    assert_eq!(lic_files(), 0, "license files of an uncommitted batch");
    let found = crate::integrity::every_license_on_disk_is_recorded(&d, d.dir.path());
    assert_eq!(found, 0, "signed licenses on disk before the commit");
    // Killed right after the commit: all 1000 recorded, no file written yet.
    kill_at(d.issue_file_cmd(&order, &file, &out), "committed");
    assert_eq!(integrity(&d), "ok");
    assert_eq!(licenses(), 1000);
    assert_eq!(lic_files(), 0);
    // Re-running completes the delivery (idempotent: no seat taken twice)
    // and writes every file.
    let report = d.json(&[
        "issue",
        "--order",
        &order,
        "--devices-file",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(report["issued"].as_array().unwrap().len(), 0);
    assert_eq!(report["existing"].as_array().unwrap().len(), 1000);
    assert_eq!(licenses(), 1000);
    assert_eq!(lic_files(), 1000);
}

#[test]
fn a_backup_is_a_working_desk() {
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    d.issue(&order, &[code(1), code(2)]);
    let backup = d.dir.path().join("backup");
    d.library().backup(&backup).unwrap();
    let err = d.rejects(|k| k.backup(&backup), "already exists");
    assert!(matches!(err, DeskError::Exists(_)), "{err:?}");
    let session = Session::new(Clock::Fixed(d.time()), "restorer").unwrap();
    let restored = Desk::open(&backup, session).unwrap();
    let listed = restored.licenses(&Default::default()).unwrap();
    assert_eq!(listed.len(), 2);
    for entry in std::fs::read_dir(backup.join("keys")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "key") {
            assert_private(&path);
        }
    }
}

#[test]
fn a_backup_is_whole_or_absent_and_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    let d = TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    d.issue(&order, &[code(1)]);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let entries = || {
        let mut names: Vec<String> = std::fs::read_dir(d.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    // Killed right after its ledger copy: no directory at --out that could
    // open as a desk (it used to, with none of its private keys).
    let before = entries();
    let killed = d.dir.path().join("killed");
    kill_at(
        d.cmd(&["backup", "--out", killed.to_str().unwrap()]),
        "backup-ledger",
    );
    assert!(!killed.exists(), "a partial backup stands at --out");
    let left: Vec<String> = entries()
        .into_iter()
        .filter(|e| !before.contains(e))
        .collect();
    assert!(
        left.len() == 1 && left[0].starts_with(".killed.partial-"),
        "{left:?}"
    );
    // Written under umask 000 (and 022): the backup and its keys/ are 0700.
    for umask in ["000", "022"] {
        let out = d.dir.path().join(format!("backup-{umask}"));
        let script = format!("umask {umask}; exec \"$0\" backup --out \"$1\"");
        let run = Command::new("sh")
            .args(["-c", &script])
            .arg(env!("CARGO_BIN_EXE_facelic"))
            .arg(&out)
            .env("FACELIC_DESK", d.desk())
            .env("FACELIC_NOW", &d.now)
            .env("FACELIC_OPERATOR", "tester")
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(mode(&out), 0o700, "umask {umask}");
        assert_eq!(mode(&out.join("keys")), 0o700, "umask {umask}");
    }
    // An existing target: exit 4, and no hint of a --force backup lacks.
    let existing = d.dir.path().join("backup-000");
    let err = d.fails(
        &["backup", "--out", existing.to_str().unwrap()],
        4,
        "a backup is written into a new directory",
    );
    assert!(!err.contains("--force"), "{err}");
}

#[test]
fn a_platform_order_pins_the_app_signing_certificate_in_every_license() {
    let mut d = TestDesk::new();
    let c = d.customer("Acme");
    // The binary reads a digest as keytool prints it, colons and all.
    let pinned = "AB:".repeat(31) + "AB";
    let order = d.order(
        &c,
        "face-detect",
        &["--platform", "com.acme.gate", "--cert-sha256", &pinned],
    );
    let shown = d.library().order(&order).unwrap();
    assert_eq!(shown.cert_sha256, Some([0xab; 32]));
    let out = d.out();
    d.library().issue_platform(&order, &out).unwrap();
    at(&mut d, "2027-10-01T00:00:00Z");
    d.renew(&order);
    at(&mut d, "2027-10-02T00:00:00Z");
    let files = files_with_extension(&out, "lic");
    assert_eq!(files.len(), 2);
    for file in &files {
        let verify = |cert: Option<[u8; 32]>| {
            d.check(
                file,
                |c| {
                    let c = c.package("com.acme.gate");
                    match cert {
                        Some(cert) => c.signing_cert_sha256(cert),
                        None => c,
                    }
                },
                None,
            )
        };
        assert!(verify(Some([0xab; 32])).is_ok(), "{}", file.display());
        assert_eq!(verify(None).unwrap_err(), VerifyError::WrongCertificate);
        assert_eq!(
            verify(Some([0xcd; 32])).unwrap_err(),
            VerifyError::WrongCertificate
        );
    }
    // Device orders pin nothing.
    let device = NewOrder {
        devices: Some(50),
        cert_sha256: Some([0xab; 32]),
        ..NewOrder::new(&c, "face-detect", Kind::Device)
    };
    let err = d.rejects(|k| k.create_order(&device), "platform orders only");
    assert!(err.kind() == ErrorKind::BadInput, "{err:?}");
}
