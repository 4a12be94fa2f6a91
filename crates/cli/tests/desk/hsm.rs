//! Keys inside an HSM, through PKCS#11, against SoftHSM2: the desk signs
//! (issue, renew, revocation lists) and the root certifies and revokes with
//! keys that never leave their token; a missing token, module or PIN is a
//! clear refusal with nothing recorded; backups carry no HSM key.
//!
//! Needs SoftHSM2 (Debian: `softhsm2`). Without it these tests say so and
//! pass, unless `CI` is set (as `.ci/run` sets it), where its
//! absence fails them.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::desk::{TestDesk, code, files_with_extension, issue_device};
use crate::keys::at_terminal;

const DESK_PIN: &str = "123456";
const ROOT_PIN: &str = "654321";

/// A SoftHSM2 token store of the test's own, with two tokens: `desk`
/// (PIN in `DESK_PIN`) and `root` (PIN in `ROOT_PIN`).
struct SoftHsm {
    module: PathBuf,
}

impl SoftHsm {
    /// The store, its tokens, and the environment the desk's commands get;
    /// `None` (the test is skipped) when SoftHSM2 is not installed.
    fn attach(d: &mut TestDesk) -> Option<Self> {
        let module = std::env::var_os("FACELIC_SOFTHSM_MODULE")
            .map(PathBuf::from)
            .into_iter()
            .chain(
                [
                    "/usr/lib/softhsm/libsofthsm2.so",
                    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
                    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
                    "/usr/local/lib/softhsm/libsofthsm2.so",
                ]
                .map(PathBuf::from),
            )
            .find(|p| p.exists());
        let Some(module) = module else {
            crate::desk::missing("SoftHSM2 is not installed (Debian: apt-get install softhsm2)");
            return None;
        };
        let dir = d.dir.path().join("softhsm");
        std::fs::create_dir_all(dir.join("tokens")).unwrap();
        let conf = dir.join("softhsm2.conf");
        std::fs::write(
            &conf,
            format!("directories.tokendir = {}\n", dir.join("tokens").display()),
        )
        .unwrap();
        for (label, pin) in [("desk", DESK_PIN), ("root", ROOT_PIN)] {
            let out = Command::new("softhsm2-util")
                .env("SOFTHSM2_CONF", &conf)
                .args(["--init-token", "--free", "--label", label])
                .args(["--so-pin", "10203040", "--pin", pin])
                .output()
                .expect("softhsm2-util (Debian: softhsm2)");
            assert!(out.status.success(), "{out:?}");
        }
        d.env.extend(
            [
                ("SOFTHSM2_CONF", conf.to_str().unwrap()),
                ("DESK_PIN", DESK_PIN),
                ("ROOT_PIN", ROOT_PIN),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        Some(Self { module })
    }

    /// A fresh desk with its SoftHSM2 store; `None` as for [`SoftHsm::attach`].
    fn desk() -> Option<(TestDesk, Self)> {
        let mut d = TestDesk::new();
        let hsm = Self::attach(&mut d)?;
        Some((d, hsm))
    }

    fn module(&self) -> &str {
        self.module.to_str().unwrap()
    }

    /// `facelic keys hsm` for the `desk` token.
    fn configure(&self, d: &TestDesk) {
        d.ok(&[
            "keys",
            "hsm",
            "--module",
            self.module(),
            "--token",
            "desk",
            "--pin-env",
            "DESK_PIN",
        ]);
    }

    /// A new active signing key in the desk's token, labelled `label`; its id.
    fn rotate(&self, d: &TestDesk, label: &str) -> String {
        let key = d.json(&["keys", "rotate", "--hsm", "--label", label]);
        assert_eq!(key["hsm_label"], label, "{key}");
        key["key_id"].as_str().unwrap().to_owned()
    }

    /// `args` for the root key labelled `root` in the `root` token.
    fn root_args(&self) -> [&str; 7] {
        [
            "--root-label",
            "root",
            "--module",
            self.module(),
            "--token",
            "root",
            "--pin-env",
        ]
    }
}

/// Runs `d` with `var` set to `value` for one command.
fn with_env<T>(d: &mut TestDesk, var: &str, value: &str, f: impl FnOnce(&TestDesk) -> T) -> T {
    d.env.push((var.to_owned(), value.to_owned()));
    let out = f(d);
    d.env.pop();
    out
}

/// The arguments as `&str`s.
fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Runs `args`, which a refused PIN stops (exit 9, `message`): the ledger
/// is unchanged but for one audit row, `hsm.pin-refused`.
fn pin_refused(d: &TestDesk, args: &[&str], message: &str) {
    let before = d.counts();
    d.fails(args, 9, message);
    let after = d.counts();
    let changed: Vec<_> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b != a)
        .map(|(b, a)| (b.0.as_str(), a.1 - b.1))
        .collect();
    assert_eq!(changed, [("audit", 1)], "{args:?}");
    let log: Value = d.json(&["log", "--limit", "1"]);
    assert_eq!(log[0]["action"], "hsm.pin-refused", "{log}");
}

/// The one `.lic` file in `dir`.
fn only_license(dir: &Path) -> PathBuf {
    let files = files_with_extension(dir, "lic");
    assert_eq!(files.len(), 1, "{files:?}");
    files.into_iter().next().unwrap()
}

#[test]
fn an_hsm_key_issues_renews_and_signs_the_revocation_list() {
    let Some((d, hsm)) = SoftHsm::desk() else {
        return;
    };
    hsm.configure(&d);
    let key_id = hsm.rotate(&d, "desk-signing");
    // The key lives in the token only: no key file for it in the desk.
    let keys_dir = d.desk().join("keys");
    assert!(!keys_dir.join(format!("{key_id}.key")).exists());
    assert!(!keys_dir.join(format!("{key_id}.pub")).exists());
    let listed = d.ok(&["keys", "list"]);
    assert!(listed.contains("HSM desk-signing"), "{listed}");

    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.dir.path().join("issued");
    let device = code(7);
    let issued = d.json(&issue_device(&order, &device, &out));
    let serial = issued["issued"][0]["serial"].as_str().unwrap().to_owned();
    let license = out.join(format!("{order}_{device}.lic"));
    let ring = d.keyring();
    let verified = d.verify_ok(&license, &ring, &["--device", &device]);
    assert!(
        verified.contains(&format!("signed by key {key_id}")),
        "{verified}"
    );

    let customer = d.customer("Gate Co");
    let platform = d.order(&customer, "face-search", &["--platform", "com.acme.gate"]);
    let p_out = d.dir.path().join("platform");
    d.ok(&[
        "issue",
        "--order",
        &platform,
        "--out",
        p_out.to_str().unwrap(),
    ]);
    let renewed = d.dir.path().join("renewed");
    d.ok(&[
        "renew",
        "--order",
        &platform,
        "--out",
        renewed.to_str().unwrap(),
    ]);
    let renewal = d.verify_ok(
        &only_license(&renewed),
        &ring,
        &["--package", "com.acme.gate"],
    );
    assert!(
        renewal.contains(&format!("signed by key {key_id}")),
        "{renewal}"
    );

    d.ok(&["revoke", &serial, "--reason", "device stolen"]);
    let crl = d.dir.path().join("revoked.crl");
    d.ok(&["crl", "export", "--out", crl.to_str().unwrap()]);
    let crl_text = std::fs::read_to_string(&crl).unwrap();
    d.verify_refused(
        &license,
        &ring,
        &["--device", &device, "--crl", crl.to_str().unwrap()],
        "revoked",
    );
    assert!(
        crl_text.contains(&key_id),
        "the list is signed by the HSM key: {crl_text}"
    );

    // The audit log says where the key lives; no PIN anywhere in the ledger.
    let log = d.ok(&["log", "--json"]);
    assert!(
        log.contains("desk-signing") && log.contains("hsm.configure"),
        "{log}"
    );
    let ledger = std::fs::read(d.desk().join("ledger.sqlite")).unwrap();
    assert!(
        !ledger
            .windows(DESK_PIN.len())
            .any(|w| w == DESK_PIN.as_bytes()),
        "the PIN reached the ledger"
    );
}

#[test]
fn a_missing_token_module_or_pin_is_refused_with_nothing_recorded() {
    let Some((mut d, hsm)) = SoftHsm::desk() else {
        return;
    };
    let m = hsm.module();
    let configure = |token: &str, pin_env: &str| {
        [
            "keys",
            "hsm",
            "--module",
            m,
            "--token",
            token,
            "--pin-env",
            pin_env,
        ]
        .map(str::to_owned)
    };
    d.refused(
        &strs(&configure("absent", "DESK_PIN")),
        9,
        "no token labelled \"absent\"",
    );
    d.refused(
        &strs(&configure("desk", "NO_SUCH_VAR")),
        9,
        "NO_SUCH_VAR is not set",
    );
    d.refused(
        &[
            "keys",
            "hsm",
            "--module",
            "/nonexistent/libpkcs11.so",
            "--token",
            "desk",
            "--pin-env",
            "DESK_PIN",
        ],
        9,
        "PKCS#11 module /nonexistent/libpkcs11.so",
    );
    with_env(&mut d, "DESK_PIN", "999999", |d| {
        pin_refused(d, &strs(&configure("desk", "DESK_PIN")), "refused the PIN");
    });
    d.refused(
        &["keys", "rotate", "--hsm"],
        5,
        "the desk has no HSM configured",
    );

    hsm.configure(&d);
    d.refused(
        &["keys", "rotate", "--hsm", "--label", "absent", "--existing"],
        9,
        "holds no Ed25519 key pair labelled \"absent\"",
    );
    let key_id = hsm.rotate(&d, "desk-signing");
    d.refused(
        &["keys", "rotate", "--hsm", "--label", "desk-signing"],
        9,
        "already holds a key labelled \"desk-signing\"",
    );
    d.refused(
        &[
            "keys",
            "rotate",
            "--hsm",
            "--label",
            "desk-signing",
            "--existing",
        ],
        5,
        &format!("key {key_id} (labelled \"desk-signing\") is a key of the desk already"),
    );
    d.refused(
        &strs(&configure("root", "ROOT_PIN")),
        5,
        "keys of the desk live in token \"desk\"",
    );

    // Issuing with a wrong or empty PIN, or with the token gone.
    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.dir.path().join("out");
    let device = code(1);
    let issue = issue_device(&order, &device, &out);
    with_env(&mut d, "DESK_PIN", "999999", |d| {
        pin_refused(d, &issue, "token \"desk\" refused the PIN");
    });
    with_env(&mut d, "DESK_PIN", "", |d| {
        d.refused(&issue, 9, "DESK_PIN is empty");
    });
    let empty = d.dir.path().join("no-tokens");
    std::fs::create_dir_all(empty.join("tokens")).unwrap();
    let conf = empty.join("softhsm2.conf");
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\n",
            empty.join("tokens").display()
        ),
    )
    .unwrap();
    with_env(&mut d, "SOFTHSM2_CONF", conf.to_str().unwrap(), |d| {
        d.refused(&issue, 9, "no token labelled \"desk\"");
    });
    assert!(!out.exists(), "a refused issue wrote files");
    d.ok(&issue);

    // `init` with a refused PIN leaves no desk behind.
    let fresh = d.dir.path().join("fresh-desk");
    let init = d
        .cmd(&[
            "init",
            "--hsm",
            "--module",
            m,
            "--token",
            "desk",
            "--pin-env",
            "DESK_PIN",
        ])
        .env("FACELIC_DESK", &fresh)
        .env("DESK_PIN", "999999")
        .output()
        .unwrap();
    assert_eq!(init.status.code(), Some(9), "{init:?}");
    assert!(!fresh.join("ledger.sqlite").exists());
}

#[test]
fn a_desk_made_in_the_hsm_and_its_backup_hold_no_private_key() {
    let Some((d, hsm)) = SoftHsm::desk() else {
        return;
    };
    // A desk whose first key is made in the token: no private key file at all.
    let fresh = d.dir.path().join("hsm-desk");
    let init = d
        .cmd(&[
            "init",
            "--hsm",
            "--module",
            hsm.module(),
            "--token",
            "desk",
            "--pin-env",
            "DESK_PIN",
            "--label",
            "first",
            "--json",
        ])
        .env("FACELIC_DESK", &fresh)
        .output()
        .unwrap();
    assert!(init.status.success(), "{init:?}");
    let key_id = serde_json::from_slice::<Value>(&init.stdout).unwrap()["key_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let private_files = |dir: &Path| files_with_extension(&dir.join("keys"), "key");
    assert_eq!(private_files(&fresh), Vec::<PathBuf>::new());

    let in_fresh = |args: &[&str]| {
        let out = d.cmd(args).env("FACELIC_DESK", &fresh).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let backup = d.dir.path().join("backup");
    in_fresh(&["backup", "--out", backup.to_str().unwrap()]);
    assert_eq!(private_files(&backup), Vec::<PathBuf>::new());
    // The backup is a desk that signs with the same key, in the same token.
    let restored = |args: &[&str]| {
        let out = d.cmd(args).env("FACELIC_DESK", &backup).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    restored(&["customer", "add", "Acme"]);
    restored(&[
        "order",
        "new",
        "--customer",
        "C-000001",
        "--product",
        "face-search",
        "--platform",
        "com.acme.gate",
    ]);
    let out = d.dir.path().join("from-backup");
    restored(&[
        "issue",
        "--order",
        "O-000001",
        "--out",
        out.to_str().unwrap(),
    ]);
    let ring = d.dir.path().join("ring.pem");
    restored(&["keys", "export", "--out", ring.to_str().unwrap()]);
    let verified = d.verify_ok(&only_license(&out), &ring, &["--package", "com.acme.gate"]);
    assert!(
        verified.contains(&format!("signed by key {key_id}")),
        "{verified}"
    );
}

#[test]
fn a_root_in_an_hsm_certifies_and_revokes_hsm_signing_keys() {
    let Some((mut d, hsm)) = SoftHsm::desk() else {
        return;
    };
    let root_dir = d.dir.path().join("root");
    let made = d.ok(&[
        "keys",
        "new",
        "--module",
        hsm.module(),
        "--token",
        "root",
        "--pin-env",
        "ROOT_PIN",
        "--label",
        "root",
        "--out",
        root_dir.to_str().unwrap(),
    ]);
    let root_id = made.trim().to_owned();
    assert!(root_dir.join("issuer.pub").exists());
    assert!(
        !root_dir.join("issuer.key").exists(),
        "a root in the HSM has no key file"
    );

    hsm.configure(&d);
    d.ok(&[
        "keys",
        "trust-root",
        root_dir.join("issuer.pub").to_str().unwrap(),
    ]);
    let request = d.dir.path().join("s1.request");
    let s1 = d.ok(&[
        "keys",
        "request",
        "--hsm",
        "--label",
        "s1",
        "--out",
        request.to_str().unwrap(),
    ]);
    let s1 = s1.trim();
    let cert = d.dir.path().join("s1.cert");
    let certify = [
        &["keys", "certify"][..],
        &hsm.root_args(),
        &["ROOT_PIN", "--request", request.to_str().unwrap()],
        &["--until", "2030-01-01", "--out", cert.to_str().unwrap()],
    ]
    .concat();
    // A wrong root PIN: refused, no certificate written.
    with_env(&mut d, "ROOT_PIN", "000000", |d| {
        d.fails(&certify, 9, "token \"root\" refused the PIN");
    });
    assert!(!cert.exists());
    d.ok(&certify);
    d.ok(&["keys", "import-certificate", cert.to_str().unwrap()]);

    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.dir.path().join("v2");
    let device = code(3);
    d.ok(&issue_device(&order, &device, &out));
    let license = out.join(format!("{order}_{device}.lic"));
    let root_only = root_dir.join("issuer.pub");
    let verified = d.verify_ok(&license, &root_only, &["--device", &device]);
    assert!(
        verified.contains(&format!("signed by key {s1}")),
        "{verified}"
    );
    assert!(verified.contains(&root_id), "{verified}");

    // The root revokes s1 from its token; devices with the list refuse its licenses.
    let list = d.dir.path().join("revoke-s1.crl");
    let revoke = [
        &["keys", "revoke", s1][..],
        &hsm.root_args(),
        &["ROOT_PIN", "--out", list.to_str().unwrap()],
    ]
    .concat();
    d.ok(&revoke);
    let revoked = d.json(&["keys", "import-revocation", list.to_str().unwrap()]);
    assert_eq!(revoked["revoked"], serde_json::json!([s1]));
    d.verify_refused(
        &license,
        &root_only,
        &["--device", &device, "--crl", list.to_str().unwrap()],
        "revoked signing key",
    );
}

#[test]
fn an_existing_hsm_key_is_found_by_its_label() {
    let Some((a, hsm)) = SoftHsm::desk() else {
        return;
    };
    hsm.configure(&a);
    let key_id = hsm.rotate(&a, "shared");
    // A second desk on the same token takes the key over by its label,
    // when told to adopt another desk's key (a_desk_does_not_adopt_…).
    let mut b = TestDesk::new();
    b.env = a.env.clone();
    hsm.configure(&b);
    let found = b.json(&[
        "keys",
        "rotate",
        "--hsm",
        "--label",
        "shared",
        "--existing",
        "--adopt",
    ]);
    assert_eq!(found["key_id"], key_id.as_str(), "{found}");
    assert_eq!(found["hsm_label"], "shared");
}

#[test]
fn the_pin_is_asked_at_the_terminal_when_no_variable_is_named() {
    let Some((d, hsm)) = SoftHsm::desk() else {
        return;
    };
    let configure = ["keys", "hsm", "--module", hsm.module(), "--token", "desk"];
    let (exit, shown) = at_terminal(&d, &[("PIN for token \"desk\"", "999999")], &configure);
    assert_eq!(exit, 9, "{shown}");
    assert!(shown.contains("refused the PIN"), "{shown}");
    assert_eq!(
        d.ok(&["keys", "hsm"]),
        "",
        "a refused PIN recorded settings"
    );
    let (exit, shown) = at_terminal(&d, &[("PIN for token \"desk\"", DESK_PIN)], &configure);
    assert_eq!(exit, 0, "{shown}");
    assert!(d.ok(&["keys", "hsm"]).contains("asked at the terminal"));
    let (exit, shown) = at_terminal(
        &d,
        &[("PIN for token \"desk\"", DESK_PIN)],
        &["keys", "rotate", "--hsm", "--label", "typed"],
    );
    assert_eq!(exit, 0, "{shown}");
    assert!(!shown.contains(DESK_PIN), "the PIN was echoed: {shown}");
    // Without a terminal and without a variable, signing stops, clearly.
    let order = d.device_order("Acme", "face-detect", 50);
    d.refused(
        &issue_device(&order, &code(1), Path::new("unused")),
        9,
        "no terminal to ask for token \"desk\"'s PIN on",
    );
}

#[test]
fn eight_issues_at_once_on_one_token_queue_and_none_fails() {
    // 3 to 6 of 8 failed with exit 9 ("no token labelled", "reading token
    // info failed"); a retry worked.
    let Some((d, hsm)) = SoftHsm::desk() else {
        return;
    };
    hsm.configure(&d);
    hsm.rotate(&d, "desk-signing");
    let order = d.device_order("Acme", "face-detect", 500);
    crate::desk::all_at_once((0..8).map(|n| {
        let out = d.dir.path().join(format!("out-{n}"));
        let codes: Vec<String> = (0..5).map(|k| code(n * 100 + k)).collect();
        let file = d.devices_file(&format!("fleet-{n}.txt"), &codes);
        d.issue_file_cmd(&order, &file, &out)
    }));
    assert_eq!(d.json(&["order", "show", &order])["seats_used"], 40);
}

#[test]
fn a_failed_hsm_init_leaves_nothing_and_labels_are_checked() {
    let Some((d, hsm)) = SoftHsm::desk() else {
        return;
    };
    hsm.configure(&d);
    hsm.rotate(&d, "taken");
    let fresh = d.dir.path().join("hsm-desk");
    let init = |label: &str| {
        d.cmd(&[
            "init",
            "--hsm",
            "--module",
            hsm.module(),
            "--token",
            "desk",
            "--pin-env",
            "DESK_PIN",
            "--label",
            label,
        ])
        .env("FACELIC_DESK", &fresh)
        .output()
        .unwrap()
    };
    // A label another key has: exit 9, and no keyless desk left behind
    // (a second init said "desk already exists").
    let out = init("taken");
    assert_eq!(out.status.code(), Some(9), "{out:?}");
    assert!(!fresh.exists(), "a failed init left {}", fresh.display());
    // Labels that could forge a row of `keys list`, or name nothing: exit 3.
    let long = "x".repeat(300);
    for bad in ["two\nlines", "", long.as_str()] {
        let out = init(bad);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{bad:?}: {err}");
        assert!(err.contains("is not 1 to 64 characters"), "{err}");
        assert!(!fresh.exists());
    }
    let before = d.counts();
    d.fails(
        &["keys", "rotate", "--hsm", "--label", "bad\nlabel"],
        3,
        "is not 1 to 64 characters",
    );
    assert_eq!(d.counts(), before);
    // And the init that can work, works.
    assert!(init("fresh-first").status.success());
}

#[test]
fn a_refused_pin_leaves_a_trace_in_the_audit_log() {
    let Some((mut d, hsm)) = SoftHsm::desk() else {
        return;
    };
    hsm.configure(&d);
    hsm.rotate(&d, "desk-signing");
    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.out();
    with_env(&mut d, "DESK_PIN", "999999", |d| {
        d.fails(&issue_device(&order, &code(1), &out), 9, "PIN");
    });
    let log: Value = d.json(&["log", "--limit", "1"]);
    assert_eq!(log[0]["action"], "hsm.pin-refused", "{log}");
    assert_eq!(log[0]["subject"], "desk");
    assert_eq!(log[0]["operator"], "tester");
    assert!(
        !log.to_string().contains("999999"),
        "the PIN reached the log"
    );
}

#[test]
fn a_desk_does_not_adopt_another_desks_key_unasked() {
    // A second desk could take the first desk's key from the token
    // (`--existing`) and sign licenses the first desk's ledger never saw.
    let Some((d, hsm)) = SoftHsm::desk() else {
        return;
    };
    hsm.configure(&d);
    let first_desks = hsm.rotate(&d, "desk-one");
    let other = d.dir.path().join("other-desk");
    let in_other = |args: &[&str]| d.cmd(args).env("FACELIC_DESK", &other).output().unwrap();
    assert!(in_other(&["init"]).status.success());
    let configure = [
        "keys",
        "hsm",
        "--module",
        hsm.module(),
        "--token",
        "desk",
        "--pin-env",
        "DESK_PIN",
    ];
    assert!(in_other(&configure).status.success());
    let adopt = [
        "keys",
        "rotate",
        "--hsm",
        "--label",
        "desk-one",
        "--existing",
    ];
    let refused = in_other(&adopt);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(5), "{err}");
    assert!(err.contains("was made by another desk"), "{err}");
    // The explicit override adopts it, and the audit log says whose it was.
    let adopted = in_other(&[&adopt[..], &["--adopt", "--json"]].concat());
    assert!(adopted.status.success(), "{adopted:?}");
    let key: Value = serde_json::from_slice(&adopted.stdout).unwrap();
    assert_eq!(key["key_id"], first_desks.as_str());
    let log = in_other(&["log", "--limit", "1", "--json"]);
    let log: Value = serde_json::from_slice(&log.stdout).unwrap();
    assert!(
        log[0]["detail"]["adopted_from"]
            .as_str()
            .unwrap()
            .starts_with("facelic desk "),
        "{log}"
    );
}
