//! Key files: formats OpenSSL reads, 0600, no silent overwrite.

use std::os::unix::fs::PermissionsExt as _;
use std::process::Command;

use facelic_issuer::{IssuerKey, KeyFileError};

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
