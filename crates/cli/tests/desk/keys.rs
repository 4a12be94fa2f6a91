//! Key files: formats OpenSSL reads, 0600, no silent overwrite.

use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;

use facelic_issuer::{IssuerKey, KeyFileError, Passphrase};

#[test]
fn private_key_is_0600_and_loads_back() {
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::generate().unwrap();
    let (private, public) = key.write_to_dir(dir.path(), false).unwrap();
    let mode = std::fs::metadata(&private).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let loaded = IssuerKey::load(&private).unwrap();
    assert_eq!(loaded.key_id(), key.key_id());
    let ring = facelic_issuer::keyring::load(&public).unwrap();
    assert_eq!(ring.ids().collect::<Vec<_>>(), vec![key.key_id()]);
    // The same via the directory form.
    let ring = facelic_issuer::keyring::load(dir.path()).unwrap();
    assert_eq!(ring.len(), 1);
}

#[test]
fn existing_keys_are_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let first = IssuerKey::generate().unwrap();
    first.write_to_dir(dir.path(), false).unwrap();
    let before = std::fs::read(dir.path().join("issuer.key")).unwrap();
    let second = IssuerKey::generate().unwrap();
    let err = second.write_to_dir(dir.path(), false).unwrap_err();
    assert!(matches!(err, KeyFileError::Exists(_)), "{err}");
    assert_eq!(
        std::fs::read(dir.path().join("issuer.key")).unwrap(),
        before
    );
    // With force, replaced and still 0600.
    second.write_to_dir(dir.path(), true).unwrap();
    let private = dir.path().join("issuer.key");
    assert_eq!(IssuerKey::load(&private).unwrap().key_id(), second.key_id());
    assert_eq!(
        std::fs::metadata(&private).unwrap().permissions().mode() & 0o777,
        0o600
    );
}

#[test]
fn group_readable_private_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (private, _) = IssuerKey::generate()
        .unwrap()
        .write_to_dir(dir.path(), false)
        .unwrap();
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert!(matches!(
        IssuerKey::load(&private),
        Err(KeyFileError::TooOpen(_))
    ));
}

#[test]
fn garbage_private_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("issuer.key");
    std::fs::write(
        &path,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(matches!(
        IssuerKey::load(&path),
        Err(KeyFileError::BadPrivateKey(_))
    ));
}

#[test]
fn openssl_reads_our_keys_and_we_read_openssls() {
    if !crate::have("openssl", "version") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::generate().unwrap();
    let (private, public) = key.write_to_dir(dir.path(), false).unwrap();
    let out = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&private)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        std::fs::read_to_string(&public).unwrap()
    );

    // A key made by OpenSSL loads, and its id matches its OpenSSL public key.
    let theirs = dir.path().join("openssl.key");
    let st = Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&theirs)
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o600)).unwrap();
    let loaded = IssuerKey::load(&theirs).unwrap();
    let pubout = Command::new("openssl")
        .args(["pkey", "-pubout", "-in"])
        .arg(&theirs)
        .output()
        .unwrap();
    let ring =
        facelic_verifier::Keyring::from_pem(&String::from_utf8(pubout.stdout).unwrap()).unwrap();
    assert_eq!(ring.ids().next(), Some(loaded.key_id()));
}

/// A source that always gives `text`.
fn give(text: &'static str) -> facelic_issuer::PassphraseSource {
    std::sync::Arc::new(move |_: &std::path::Path| Ok(Passphrase::new(text)))
}

const PASS: &str = "correct horse battery staple";

#[test]
fn a_protected_key_opens_only_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let seed = [0x3c; 32];
    let key = IssuerKey::from_seed(&seed);
    let path = dir.path().join("issuer.key");
    let pass = Passphrase::new_for_protecting(PASS).unwrap();
    key.write_protected(&path, &pass, false).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"),
        "{text}"
    );
    // Neither the seed nor the plain PKCS#8 body is in the file.
    let plain = tempfile::tempdir().unwrap();
    let (plain_key, _) = key.write_to_dir(plain.path(), false).unwrap();
    let plain_body: String = std::fs::read_to_string(plain_key)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    assert!(!text.contains(&plain_body));
    assert!(!std::fs::read(&path).unwrap().windows(32).any(|w| w == seed));
    // The right passphrase opens it; none, or a wrong one, is refused by name.
    let opened = IssuerKey::load_with(&path, &give(PASS)).unwrap();
    assert_eq!(opened.key_id(), key.key_id());
    assert!(matches!(
        IssuerKey::load(&path),
        Err(KeyFileError::NeedsPassphrase(_))
    ));
    assert!(matches!(
        IssuerKey::load_with(&path, &give("correct horse battery stapler")),
        Err(KeyFileError::WrongPassphrase(_))
    ));
    // A trailing line break (a terminal's, a file's) is not part of it.
    assert!(IssuerKey::load_with(&path, &give("correct horse battery staple\n")).is_ok());
    // Never over an existing file without asking; short passphrases refused.
    assert!(matches!(
        key.write_protected(&path, &pass, false),
        Err(KeyFileError::Exists(_))
    ));
    assert!(matches!(
        Passphrase::new_for_protecting("short"),
        Err(KeyFileError::WeakPassphrase { min: 12, got: 5 })
    ));
    assert_eq!(format!("{pass:?}"), "Passphrase(..)");
}

#[test]
fn openssl_reads_a_protected_key_with_the_passphrase_and_not_without() {
    if !crate::have("openssl", "version") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = IssuerKey::generate().unwrap();
    let path = dir.path().join("issuer.key");
    key.write_protected(&path, &Passphrase::new_for_protecting(PASS).unwrap(), false)
        .unwrap();
    let pubout = |pass: &str| {
        Command::new("openssl")
            .args(["pkey", "-pubout", "-passin", &format!("pass:{pass}"), "-in"])
            .arg(&path)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let ok = pubout(PASS);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(String::from_utf8(ok.stdout).unwrap(), key.public_pem());
    assert!(!pubout("wrong passphrase!").status.success());
    assert!(!pubout("").status.success());
    // And what OpenSSL protects (PBES2, scrypt), facelic opens.
    let theirs = dir.path().join("openssl.key");
    let st = Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-aes-256-cbc", "-pass"])
        .arg(format!("pass:{PASS}"))
        .arg("-out")
        .arg(&theirs)
        .status()
        .unwrap();
    assert!(st.success());
    std::fs::set_permissions(&theirs, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert!(IssuerKey::load_with(&theirs, &give(PASS)).is_ok());
    assert!(matches!(
        IssuerKey::load_with(&theirs, &give("wrong passphrase!")),
        Err(KeyFileError::WrongPassphrase(_))
    ));
}

/// A desk command with the passphrase in `DESK_PASS` (when given) and
/// `--passphrase-env DESK_PASS`.
fn with_pass(d: &crate::desk::TestDesk, pass: Option<&str>, args: &[&str]) -> std::process::Output {
    let mut cmd = d.cmd(&[&["--passphrase-env", "DESK_PASS"], args].concat());
    match pass {
        Some(p) => cmd.env("DESK_PASS", p),
        None => cmd.env_remove("DESK_PASS"),
    };
    cmd.stdin(std::process::Stdio::null()).output().unwrap()
}

/// The `&str` arguments of owned ones.
fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn a_desk_with_protected_keys_signs_only_with_the_passphrase() {
    let d = crate::desk::TestDesk::new();
    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.out();
    let issue = |code: &str| -> Vec<String> {
        let out = out.to_str().unwrap();
        ["issue", "--order", &order, "--device", code, "--out", out]
            .map(str::to_owned)
            .to_vec()
    };
    // Protect the plain key the desk was made with.
    let protected = with_pass(&d, Some(PASS), &["keys", "protect", "--json"]);
    assert!(protected.status.success(), "{protected:?}");
    let ids: serde_json::Value = serde_json::from_slice(&protected.stdout).unwrap();
    let key_id = ids["protected"][0].as_str().unwrap().to_owned();
    let key_file = d.desk().join("keys").join(format!("{key_id}.key"));
    assert!(facelic_issuer::is_protected(&key_file).unwrap());
    // Refused without it, with a wrong one, or when the variable is unset:
    // exit 9, one line, nothing recorded.
    let code1 = crate::desk::code(1);
    let before = d.counts();
    for (pass, says) in [
        (None, "DESK_PASS is not set"),
        (Some("not the passphrase"), "does not open this key"),
        (Some(""), "DESK_PASS is empty"),
    ] {
        let out = with_pass(&d, pass, &args(&issue(&code1)));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(9), "{err}");
        assert!(err.contains(says), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert_eq!(d.counts(), before);
    }
    // Without --passphrase-env and without a terminal: named, with the way out.
    let err = d.run(&args(&issue(&code1)));
    let text = String::from_utf8_lossy(&err.stderr);
    assert_eq!(err.status.code(), Some(9), "{text}");
    assert!(text.contains("--passphrase-env"), "{text}");
    // Commands that sign nothing need no passphrase.
    d.ok(&["customer", "list"]);
    d.ok(&[
        "keys",
        "export",
        "--out",
        d.dir.path().join("ring.pem").to_str().unwrap(),
    ]);
    // With it, licenses are issued and verify.
    let issued = with_pass(&d, Some(PASS), &args(&issue(&code1)));
    assert!(
        issued.status.success(),
        "{}",
        String::from_utf8_lossy(&issued.stderr)
    );
    let file = out.join(format!("{order}_{code1}.lic"));
    let ring = d.dir.path().join("ring.pem");
    d.verify_ok(&file, &ring, &["--device", &code1]);
    // A rotated key can be protected from the start; already protected keys
    // are left alone by `keys protect`.
    let rotated = with_pass(&d, Some(PASS), &["keys", "rotate", "--protect", "--json"]);
    assert!(rotated.status.success(), "{rotated:?}");
    let again = with_pass(&d, Some(PASS), &["keys", "protect", "--json"]);
    let again: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(again["protected"], serde_json::json!([]));
    // A backup keeps the keys protected.
    let backup = d.dir.path().join("backup");
    d.ok(&["backup", "--out", backup.to_str().unwrap()]);
    for entry in std::fs::read_dir(backup.join("keys")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "key") {
            assert!(facelic_issuer::is_protected(&path).unwrap(), "{path:?}");
        }
    }
    // The passphrase is nowhere: not in the ledger, the log, any output.
    let log = d.ok(&["log", "--json"]);
    assert!(log.contains("keys.protect"));
    for bytes in [
        std::fs::read(d.desk().join("ledger.sqlite")).unwrap(),
        log.into_bytes(),
        protected.stdout,
        protected.stderr,
        issued.stdout,
        issued.stderr,
    ] {
        assert!(!bytes.windows(PASS.len()).any(|w| w == PASS.as_bytes()));
    }
}

#[test]
fn a_short_passphrase_protects_nothing() {
    let d = crate::desk::TestDesk::new();
    let before = std::fs::read(d.desk().join("keys")).ok();
    for weak in ["too short", "                "] {
        let out = with_pass(&d, Some(weak), &["keys", "protect"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{weak:?}: {err}");
        assert!(
            err.contains("at least 12 characters, not all of them white space"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(d.desk().join("keys")).ok(), before);
    for entry in std::fs::read_dir(d.desk().join("keys")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "key") {
            assert!(!facelic_issuer::is_protected(&path).unwrap());
        }
    }
}

#[test]
fn keys_new_protect_writes_a_protected_pair_and_never_overwrites() {
    let d = crate::desk::TestDesk::new();
    let dir = d.dir.path().join("root");
    let out = with_pass(
        &d,
        Some(PASS),
        &[
            "keys",
            "new",
            "--protect",
            "--out",
            dir.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let private = dir.join("issuer.key");
    assert!(facelic_issuer::is_protected(&private).unwrap());
    let key = IssuerKey::load_with(&private, &give(PASS)).unwrap();
    assert_eq!(made["key_id"], key.key_id().to_string());
    assert_eq!(
        std::fs::read_to_string(dir.join("issuer.pub")).unwrap(),
        key.public_pem()
    );
    let before = std::fs::read(&private).unwrap();
    let again = with_pass(
        &d,
        Some(PASS),
        &["keys", "new", "--protect", "--out", dir.to_str().unwrap()],
    );
    assert_eq!(
        again.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(std::fs::read(&private).unwrap(), before);
}

/// Files named `core*` in `dir`.
fn cores(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("core"))
        .collect()
}

/// `program args` run through `sh` with core dumps allowed, in `dir`.
fn with_cores<'a>(
    dir: &std::path::Path,
    program: &std::ffi::OsStr,
    args: impl IntoIterator<Item = &'a std::ffi::OsStr>,
) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -c unlimited && exec \"$0\" \"$@\"")
        .arg(program)
        .args(args)
        .current_dir(dir);
    cmd
}

#[test]
fn a_crash_while_signing_leaves_no_key_in_a_core_dump() {
    use std::os::unix::process::ExitStatusExt as _;
    let scratch = tempfile::tempdir().unwrap();
    // Only meaningful where a crash writes a core file into its directory
    // (core_pattern "core"): check that first with a process that does.
    let control = scratch.path().join("control");
    std::fs::create_dir(&control).unwrap();
    let mut sleeper = with_cores(&control, "sleep".as_ref(), ["30".as_ref()])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let pid = sleeper.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-s", "ABRT", &pid])
            .status()
            .unwrap()
            .success()
    );
    sleeper.wait().unwrap();
    if cores(&control).is_empty() {
        crate::desk::missing(
            "core files in the crashing process's directory (kernel.core_pattern = core)",
        );
        return;
    }
    let d = crate::desk::TestDesk::new();
    // The desk's key seed: the last 32 bytes of its PKCS#8 DER.
    let key_file = std::fs::read_dir(d.desk().join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "key"))
        .unwrap();
    let pem = std::fs::read_to_string(&key_file).unwrap();
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, b64).unwrap();
    let seed = der[der.len() - 32..].to_vec();
    // Crash `facelic issue` while it signs: after its first chunk of 256.
    let order = d.device_order("Acme", "face-detect", 300);
    let codes: Vec<String> = (1..=300).map(crate::desk::code).collect();
    let file = d.devices_file("devices.txt", &codes);
    let out = d.out();
    let cmd = d.issue_file_cmd(&order, &file, &out);
    let dumps = scratch.path().join("desk-crash");
    std::fs::create_dir(&dumps).unwrap();
    let mut crash = with_cores(&dumps, cmd.get_program(), cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => crash.env(key, value),
            None => crash.env_remove(key),
        };
    }
    let status = crate::desk::signal_at(crash, "chunk-1", "ABRT");
    assert_eq!(status.signal(), Some(6), "{status:?}");
    for core in cores(&dumps) {
        let bytes = std::fs::read(&core).unwrap();
        assert!(
            !bytes.windows(32).any(|w| w == seed.as_slice()),
            "{} holds the signing key's seed",
            core.display()
        );
    }
}

/// Runs `facelic args` for `d` in a pseudo-terminal, typing each answer
/// once its prompt shows (`tests/support/at_terminal.py`); the exit code
/// and everything the terminal showed.
pub(crate) fn at_terminal(
    d: &crate::desk::TestDesk,
    prompts: &[(&str, &str)],
    args: &[&str],
) -> (i32, String) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/support/at_terminal.py"
    );
    let cmd = d.cmd(&[]);
    let program = cmd.get_program().to_owned();
    let out = Command::new("python3")
        .arg(script)
        .args(prompts.iter().flat_map(|(p, a)| [*p, *a]))
        .arg("--")
        .arg(program)
        .args(args)
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_passphrase_typed_at_the_terminal_protects_and_opens_the_key_unseen() {
    let d = crate::desk::TestDesk::new();
    let fresh = d.dir.path().join("tty-desk");
    let mut t = crate::desk::TestDesk::new();
    t.env
        .push(("FACELIC_DESK".into(), fresh.to_str().unwrap().into()));
    // Typed twice at `init --protect`; never echoed.
    let (exit, shown) = at_terminal(
        &t,
        &[("New passphrase", PASS), ("same passphrase again", PASS)],
        &["init", "--protect"],
    );
    assert_eq!(exit, 0, "{shown}");
    assert!(!shown.contains(PASS), "the passphrase was echoed: {shown}");
    let keys = crate::desk::files_with_extension(&fresh.join("keys"), "key");
    assert_eq!(keys.len(), 1);
    assert!(
        std::fs::read_to_string(&keys[0])
            .unwrap()
            .contains("ENCRYPTED PRIVATE KEY")
    );

    // `keys protect`: two different answers protect nothing; the same twice do.
    let (exit, shown) = at_terminal(
        &d,
        &[
            ("New passphrase", PASS),
            ("same passphrase again", "another one entirely"),
        ],
        &["keys", "protect"],
    );
    assert_eq!(exit, 9, "{shown}");
    assert!(shown.contains("the two passphrases differ"), "{shown}");
    let (exit, shown) = at_terminal(
        &d,
        &[("New passphrase", PASS), ("same passphrase again", PASS)],
        &["keys", "protect"],
    );
    assert_eq!(exit, 0, "{shown}");
    assert!(!shown.contains(PASS), "the passphrase was echoed: {shown}");

    // Signing asks for it: a wrong one is refused with nothing recorded,
    // the right one signs.
    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.dir.path().join("out");
    let device = crate::desk::code(1);
    let issue = crate::desk::issue_device(&order, &device, &out);
    let before = d.counts();
    let (exit, shown) = at_terminal(&d, &[("Passphrase for", "not the passphrase")], &issue);
    assert_eq!(exit, 9, "{shown}");
    assert!(shown.contains("does not open this key"), "{shown}");
    assert_eq!(d.counts(), before);
    let (exit, shown) = at_terminal(&d, &[("Passphrase for", PASS)], &issue);
    assert_eq!(exit, 0, "{shown}");
    assert!(!shown.contains(PASS), "{shown}");
    assert!(
        out.join(format!("{order}_{}.lic", crate::desk::code(1)))
            .exists()
    );
}

/// A protected key file whose scrypt parameters are rewritten to `n`, `r`, `p`.
fn with_scrypt(protected: &std::path::Path, n: u64, r: u16, p: u16) -> String {
    use pkcs8::der::{Decode as _, EncodePem as _};
    use pkcs8::pkcs5::{EncryptionScheme, pbes2::Kdf};
    let text = std::fs::read_to_string(protected).unwrap();
    let (_, der) = pkcs8::Document::from_pem(&text).unwrap();
    let mut info = pkcs8::EncryptedPrivateKeyInfoOwned::from_der(der.as_bytes()).unwrap();
    let EncryptionScheme::Pbes2(params) = &mut info.encryption_algorithm else {
        panic!("not PBES2");
    };
    let Kdf::Scrypt(scrypt) = &mut params.kdf else {
        panic!("not scrypt");
    };
    (
        scrypt.cost_parameter,
        scrypt.block_size,
        scrypt.parallelization,
    ) = (n, r, p);
    info.to_pem(pkcs8::LineEnding::LF).unwrap()
}

#[test]
fn a_key_file_asking_for_absurd_scrypt_work_is_refused_before_any() {
    // N = 0 panicked the decoder (exit 101), N = 2^30 aborted it, N = 2^24
    // took 16 GiB and a minute: each is refused, the passphrase never asked.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("issuer.key");
    let key = IssuerKey::from_seed(&[0x3d; 32]);
    key.write_protected(&path, &Passphrase::new_for_protecting(PASS).unwrap(), false)
        .unwrap();
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let source: facelic_issuer::PassphraseSource = {
        let asked = asked.clone();
        std::sync::Arc::new(move |_: &std::path::Path| {
            asked.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(Passphrase::new(PASS))
        })
    };
    let bad = dir.path().join("bad.key");
    for (n, r, p) in [
        (0, 8, 1),
        (1 << 30, 8, 1),
        (1 << 24, 8, 1),
        (3 << 14, 8, 1),
        (1 << 14, 0, 1),
        (1 << 14, 8, 0),
        (1 << 20, 32, 16),
    ] {
        std::fs::write(&bad, with_scrypt(&path, n, r, p)).unwrap();
        std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o600)).unwrap();
        let err = IssuerKey::load_with(&bad, &source).unwrap_err();
        assert!(
            matches!(&err, KeyFileError::UnsafeKdf { what, .. } if what.contains(&format!("N = {n}"))),
            "N={n} r={r} p={p}: {err}"
        );
        assert!(
            !asked.load(std::sync::atomic::Ordering::SeqCst),
            "asked for the passphrase"
        );
    }
    // Inside the bounds, the key still opens.
    std::fs::write(&bad, with_scrypt(&path, 1 << 14, 8, 1)).unwrap();
    assert!(IssuerKey::load_with(&bad, &source).is_ok());
    // The desk's exit code for such a key file: 3 (bad input), one line.
    let d = crate::desk::TestDesk::new();
    let protected = with_pass(&d, Some(PASS), &["keys", "protect", "--json"]);
    assert!(protected.status.success(), "{protected:?}");
    let ids: serde_json::Value = serde_json::from_slice(&protected.stdout).unwrap();
    let key_file = d
        .desk()
        .join("keys")
        .join(format!("{}.key", ids["protected"][0].as_str().unwrap()));
    std::fs::write(&key_file, with_scrypt(&key_file, 0, 8, 1)).unwrap();
    let order = d.device_order("Acme", "face-detect", 50);
    let out = d.out();
    let code = crate::desk::code(1);
    let run = with_pass(
        &d,
        Some(PASS),
        &crate::desk::issue_device(&order, &code, &out),
    );
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(3), "{err}");
    assert!(
        err.contains("outside what facelic accepts") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn keys_protect_killed_part_way_is_finished_by_the_next_command() {
    // Killed part-way it left plain and protected key files mixed, and no
    // audit row.
    let d = crate::desk::TestDesk::new();
    d.library().rotate_key().unwrap();
    let keys = d.desk().join("keys");
    let key_files = || -> Vec<std::path::PathBuf> {
        let mut files: Vec<_> = std::fs::read_dir(&keys)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "key"))
            .collect();
        files.sort();
        files
    };
    assert_eq!(key_files().len(), 2);
    let mut cmd = d.cmd(&["--passphrase-env", "DESK_PASS", "keys", "protect"]);
    cmd.env("DESK_PASS", PASS);
    crate::desk::kill_at(cmd, "protect-audited");
    // Audited, nothing renamed yet: the next command (any) finishes it.
    assert!(
        key_files()
            .iter()
            .all(|k| !facelic_issuer::is_protected(k).unwrap())
    );
    let log: serde_json::Value = d.json(&["log", "--limit", "1"]);
    assert_eq!(log[0]["action"], "keys.protect");
    assert!(
        key_files()
            .iter()
            .all(|k| facelic_issuer::is_protected(k).unwrap())
    );
    let staged = std::fs::read_dir(&keys)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|e| e == "protecting")
        })
        .count();
    assert_eq!(staged, 0);
    for key in key_files() {
        assert!(IssuerKey::load_with(&key, &give(PASS)).is_ok());
    }
    // A staged file that no audit row lists (a run killed before its
    // audit) is removed, and the key left as it was.
    let d = crate::desk::TestDesk::new();
    let key = key_files_of(&d.desk())[0].clone();
    let stray = key.with_extension("key.protecting");
    std::fs::write(&stray, "half").unwrap();
    let before = std::fs::read(&key).unwrap();
    d.ok(&["keys", "list"]);
    assert!(!stray.exists());
    assert_eq!(std::fs::read(&key).unwrap(), before);
}

fn key_files_of(desk: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(desk.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "key"))
        .collect()
}
