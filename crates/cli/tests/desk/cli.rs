//! The `facelic` binary: exit codes, output, refusals.

use std::process::Command;

use crate::vectors::{DEVICE_ATTRS, device_code};

fn facelic() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_facelic"));
    cmd.env_remove("FACELIC_NOW");
    cmd
}

fn examples() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../licenses/examples")
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn keys_new_prints_the_key_id_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let out = facelic()
        .args(["keys", "new", "--json", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let id = v["key_id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 16);
    let key = facelic_issuer::IssuerKey::load(&dir.path().join("issuer.key")).unwrap();
    assert_eq!(key.key_id().to_string(), id);
    // Never printed: the private key.
    let pem = std::fs::read_to_string(dir.path().join("issuer.key")).unwrap();
    let secret_line = pem.lines().nth(1).unwrap();
    assert!(!stdout(&out).contains(secret_line) && !stderr(&out).contains(secret_line));

    let again = facelic()
        .args(["keys", "new", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(4));
    assert!(
        stderr(&again).contains("already exists"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("issuer.key")).unwrap(),
        pem
    );
}

#[test]
fn device_code_matches_the_library() {
    let mut cmd = facelic();
    cmd.arg("device-code");
    for (name, value) in DEVICE_ATTRS {
        cmd.arg("--attr").arg(format!("{name}={value}"));
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success());
    assert_eq!(stdout(&out).trim(), device_code().to_string());

    let bad = facelic()
        .args(["device-code", "--attr", "Android-ID=1"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(3));
    assert!(stderr(&bad).contains("invalid device attribute name"));
    let bad = facelic()
        .args(["device-code", "--attr", "novalue"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(3));
}

#[test]
fn verify_accepts_a_valid_license_and_names_the_reason_otherwise() {
    let keyring = examples().join("test-only-issuer.pub");
    let code = device_code().to_string();
    let ok = facelic()
        .args([
            "verify",
            "--at",
            "2026-11-15T20:00:00+08:00",
            "--device",
            &code,
            "--keyring",
        ])
        .arg(&keyring)
        .arg(examples().join("device.lic"))
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("valid: device license"));

    let json = facelic()
        .args([
            "verify",
            "--json",
            "--at",
            "2026-11-15T12:00:00Z",
            "--package",
            "com.acme.gate",
            "--keyring",
        ])
        .arg(&keyring)
        .arg(examples().join("platform.lic"))
        .output()
        .unwrap();
    assert!(json.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(v["license"]["customer_name"], "深圳市某某科技有限公司");
    assert_eq!(v["license"]["not_after"], "2027-11-01T00:00:00Z");

    let wrong = facelic()
        .args([
            "verify",
            "--json",
            "--at",
            "2026-11-15T12:00:00Z",
            "--package",
            "com.other.app",
            "--keyring",
        ])
        .arg(&keyring)
        .arg(examples().join("platform.lic"))
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&wrong)).unwrap();
    assert_eq!(v["error"]["code"], 8);
    assert_eq!(stderr(&wrong).lines().count(), 1);
    assert!(stderr(&wrong).contains("wrong-package"));
}

#[test]
fn verify_pins_the_clock_from_facelic_now() {
    let keyring = examples().join("test-only-issuer.pub");
    let out = facelic()
        .env("FACELIC_NOW", "2026-12-05T00:00:00Z")
        .args([
            "verify",
            "--device",
            &device_code().to_string(),
            "--keyring",
        ])
        .arg(&keyring)
        .arg(examples().join("device-trial.lic"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("expired"), "{}", stderr(&out));
}

#[test]
fn verify_refuses_bad_arguments_with_input_exit_code() {
    let keyring = examples().join("test-only-issuer.pub");
    let lic = examples().join("device.lic");
    for args in [
        vec!["--device", "7K3M-9QXD-F2RT-HW5X"],
        vec!["--at", "yesterday"],
        vec!["--cert-sha256", "abcd"],
    ] {
        let out = facelic()
            .arg("verify")
            .args(&args)
            .arg("--keyring")
            .arg(&keyring)
            .arg(&lic)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1, "{args:?}");
    }
    let missing = facelic()
        .args(["verify", "--keyring"])
        .arg(&keyring)
        .arg("/nonexistent.lic")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(4));
    let bad_ring = facelic()
        .args(["verify", "--keyring"])
        .arg(&lic)
        .arg(&lic)
        .output()
        .unwrap();
    assert_eq!(bad_ring.status.code(), Some(3), "{}", stderr(&bad_ring));
}

#[test]
fn quickstart_walks_the_desk_flow() {
    let out = facelic().arg("quickstart").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for step in [
        "facelic init",
        "customer add",
        "--devices 50",
        "is refused",
        "device trial",
        "platform order",
        "license list",
    ] {
        assert!(text.contains(step), "missing {step:?} in:\n{text}");
    }
    let verdicts: Vec<&str> = text.lines().filter(|l| l.contains("valid (")).collect();
    assert_eq!(verdicts.len(), 5, "{text}");
    assert!(!text.contains("REJECTED"), "{text}");
    assert!(text.contains("[7 wrong-device]"), "{text}");
    // 20 days × 60,000 face-search calls: 10,000 free, 1M from the pack,
    // 190,000 post-paid × 0.0032.
    assert!(
        text.contains("covered 1,000,000 calls; usage statement FL-"),
        "{text}"
    );
    assert!(text.contains(" for 608.00"), "{text}");
    // A credit after a part payment leaves customer credit, and the
    // statement of account closes at what is owed.
    assert!(text.contains("--owed-back credit: CN-"), "{text}");
    assert!(text.contains("facelic account statement"), "{text}");
}

#[test]
fn a_closed_stdout_ends_the_command_quietly_and_cleans_up() {
    // The reader goes away at once (`facelic quickstart | head -0`): the
    // command ends with status 0, says nothing, and its temporary desk is
    // removed (before, it exited on the spot and left the desk behind).
    let tmp = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_facelic"))
        .arg("quickstart")
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!((out.status.code(), err.as_ref()), (Some(0), ""));
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn a_stdout_that_cannot_be_written_is_an_io_error() {
    // A full disk behind a redirect: one line on stderr and exit 4, the
    // error returned to `main`, not unwound.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = facelic()
        .args([
            "usage",
            "bill",
            "--product",
            "api-face-search",
            "--calls",
            "5M",
        ])
        .stdout(full)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(4), "{err}");
    assert!(
        err.starts_with("facelic: error: writing to stdout: "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn the_cli_not_the_desk_library_words_the_hints() {
    let d = crate::desk::TestDesk::new();
    let c = d.customer("Acme");
    let order = d.order(&c, "face-detect", &["--devices", "50"]);
    let out = d.out();
    d.refused(
        &["issue", "--order", &order, "--out", out.to_str().unwrap()],
        5,
        "order O-000001 is a device order: its licenses are issued per device; issue it with --device or --devices-file",
    );
    let none = d.dir.path().join("nowhere");
    let run = d
        .cmd(&["order", "list"])
        .env("FACELIC_DESK", &none)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(7), "{err}");
    assert!(
        err.contains("; run `facelic init` first, or pass --desk"),
        "{err}"
    );
    // The library's own messages name no command or flag.
    for e in [
        facelic_issuer::desk::DeskError::NotInitialized(none.clone()),
        facelic_issuer::desk::DeskError::NoActiveKey,
        facelic_issuer::desk::DeskError::PerDevice {
            order: "O-000001".into(),
            kind: facelic_issuer::Kind::Device,
        },
    ] {
        let text = e.to_string();
        assert!(!text.contains("facelic ") && !text.contains("--"), "{text}");
    }
}

#[test]
fn expiring_within_reads_one_grammar_everywhere() {
    // `license list` took 30d but not 30, `pack list` 30 but not 2w.
    let d = crate::desk::TestDesk::new();
    for list in [["license", "list"], ["pack", "list"]] {
        for ok in ["30", "30d", "2w", "12h"] {
            d.ok(&[list[0], list[1], "--expiring-within", ok]);
        }
        for bad in ["3x", "d", "2 d", ""] {
            d.fails(
                &[list[0], list[1], "--expiring-within", bad],
                3,
                "is not a duration (e.g. 30d, 12h, 2w)",
            );
        }
    }
}
