//! Integration tests of the issuer library and the `facelic` binary (one test binary).

mod cli;
mod desk;
mod finance;
mod integrity;
mod invoicing;
mod keys;
mod usage;
mod vectors;

/// True when `tool` runs (`tool version_flag` exits 0). In CI (`CI` set) a
/// missing tool fails the test instead of skipping it.
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
