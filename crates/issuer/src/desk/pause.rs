//! A hook for the crash tests, in debug builds only: with
//! `FACELIC_TEST_PAUSE=chunk-N` an issue stops after recording its N-th
//! chunk of licenses (inside the transaction), with `FACELIC_TEST_PAUSE=committed`
//! after the commit and before any file is written, with
//! `FACELIC_TEST_PAUSE=backup-ledger` a backup after its ledger copy, with
//! `FACELIC_TEST_PAUSE=key-loaded` an issue after loading its signing key
//! (before its write transaction), with `FACELIC_TEST_PAUSE=protect-audited`
//! `keys protect` after its audit row. With `FACELIC_TEST_RESUME=FILE` it goes
//! on once FILE exists. It prints
//! `paused at <point>` on stderr and waits to be killed, so a test can send
//! SIGKILL at a known point instead of after a guessed delay. Release builds
//! compile the hook to nothing.

/// The environment variable that names the point to pause at.
#[cfg(debug_assertions)]
const PAUSE_VAR: &str = "FACELIC_TEST_PAUSE";
/// The environment variable naming a file whose creation resumes a pause.
#[cfg(debug_assertions)]
const RESUME_VAR: &str = "FACELIC_TEST_RESUME";

/// A point an issue passes: the crash tests can pause it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Point {
    /// The `n`-th chunk (from 1) of a batch is recorded, not committed.
    ChunkRecorded(usize),
    /// The batch is committed; no file is written yet.
    Committed,
    /// A backup has copied the ledger, not yet the keys.
    BackupLedgerCopied,
    /// An issue has loaded its signing key; its write transaction has not begun.
    KeyLoaded,
    /// `keys protect` has committed its audit row, renamed no key yet.
    ProtectAudited,
}

/// Pauses for good at `point` if `FACELIC_TEST_PAUSE` names it (debug
/// builds only).
#[cfg(debug_assertions)]
pub(crate) fn at(point: Point) {
    let Ok(wanted) = std::env::var(PAUSE_VAR) else {
        return;
    };
    let name = match point {
        Point::ChunkRecorded(n) => format!("chunk-{n}"),
        Point::Committed => "committed".to_owned(),
        Point::BackupLedgerCopied => "backup-ledger".to_owned(),
        Point::KeyLoaded => "key-loaded".to_owned(),
        Point::ProtectAudited => "protect-audited".to_owned(),
    };
    if wanted == name {
        use std::io::Write as _;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "paused at {name}");
        let _ = err.flush();
        drop(err);
        // With FACELIC_TEST_RESUME=FILE the command goes on once FILE
        // exists (a test does something in between); else it waits for good.
        let resume = std::env::var_os(RESUME_VAR).map(std::path::PathBuf::from);
        loop {
            match &resume {
                Some(file) if file.exists() => return,
                Some(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
                None => std::thread::park(),
            }
        }
    }
}

/// Release builds: no hook.
#[cfg(not(debug_assertions))]
pub(crate) fn at(_point: Point) {}
