//! The optional clock-rollback guard.
//!
//! Offline, the device clock is all a verifier has, and users can set it back
//! to keep an expiring license alive. The guard keeps, in a small state file
//! the app provides, the latest time it has seen; when the clock later reads
//! more than a tolerance before that, verification fails with
//! [`VerifyError::ClockRollback`] (code 11).
//!
//! The state file is authenticated (HMAC-SHA-256 under a key derived from the
//! binding the app passes: the bindings use the package name alone, never
//! the device code, so a device whose code changes keeps its guard), so an
//! edited, truncated or foreign state file is refused with the same error
//! rather than trusted or silently reset. A state file that cannot be read
//! for an I/O reason is [`VerifyError::ClockStateUnavailable`] (code 12),
//! not a rollback. A *deleted* state file restarts the guard; the verifier
//! still never accepts a time before the license's signed `issued-at` (minus
//! the clock skew). Keep the file in app-private storage
//! (`Context.getNoBackupFilesDir()`), which users cannot edit without root.
//!
//! The rules of [`Verifier::verify_guarded`](crate::Verifier::verify_guarded):
//!
//! 1. Only licenses that expire are guarded: setting the clock back gains
//!    nothing on a perpetual license, so it is neither checked nor recorded.
//! 2. The license is verified first; the guard is consulted only for a
//!    license that verifies at `now`.
//! 3. A `now` more than the tolerance before the recorded time is refused.
//! 4. A `now` after the recorded time is recorded only then (the license
//!    verified at it), and never beyond the license's `not-after`: a device
//!    clock wildly in the future (a board whose RTC says 2099) finds the
//!    license expired and records nothing, so it cannot lock the app out
//!    once the clock is right again; a clock wrong by less than the
//!    license's remaining term can hold the guard at most until `not-after`.
//! 5. State is written to a uniquely named temporary file, synced, and
//!    renamed over the state file, so concurrent writers never leave a
//!    reader a truncated file.

#![forbid(unsafe_code)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac as _};
use sha2::{Digest, Sha256};

use crate::error::VerifyError;
use crate::time::Timestamp;

/// Default tolerance for a clock that reads before the latest time seen: 1 hour.
pub const DEFAULT_ROLLBACK_TOLERANCE_SECS: i64 = 3600;
/// First line of a state file.
const MAGIC: &str = "facelic-clock-guard-v2";
/// First line of a state file written by facelic 0.1, whose key included the
/// device code: it cannot be authenticated any more, so it reads as absent
/// (the guard restarts, as after a deletion) rather than as a rollback that
/// would lock every upgraded app out.
const MAGIC_V1: &str = "facelic-clock-guard-v1";

/// Remembers the latest trusted time in a state file and refuses clocks set back.
#[derive(Clone)]
pub struct ClockGuard {
    path: PathBuf,
    key: [u8; 32],
    tolerance_secs: i64,
}

impl core::fmt::Debug for ClockGuard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClockGuard")
            .field("path", &self.path)
            .field("tolerance_secs", &self.tolerance_secs)
            .finish_non_exhaustive()
    }
}

impl ClockGuard {
    /// A guard keeping its state in `path`, authenticated under a key derived
    /// from `binding` (pass something specific to the installation, e.g. the
    /// package name and device code; a state file made for another binding
    /// is refused).
    pub fn new(path: impl Into<PathBuf>, binding: &[u8]) -> Self {
        let key: [u8; 32] = Sha256::new()
            .chain_update(b"facelic-clock-guard-key-v1\0")
            .chain_update(binding)
            .finalize()
            .into();
        Self {
            path: path.into(),
            key,
            tolerance_secs: DEFAULT_ROLLBACK_TOLERANCE_SECS,
        }
    }

    /// The guard the bindings use for an installed app: keyed by the app's
    /// package name (which may be absent), so a state file copied from
    /// another app is refused. Never keyed by the device code: a device
    /// whose identity reads differently must not turn into a rollback.
    pub fn for_app(path: impl Into<PathBuf>, package: Option<&str>) -> Self {
        let binding = format!("facelic-app\0{}", package.unwrap_or_default());
        Self::new(path, binding.as_bytes())
    }

    /// Sets how far (seconds, at least 0) the clock may read before the latest
    /// time seen (clock corrections, NTP adjustments) before it counts as a rollback.
    #[must_use]
    pub fn with_tolerance(mut self, secs: i64) -> Self {
        self.tolerance_secs = secs.max(0);
        self
    }

    /// The state file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// HMAC-SHA-256 over the magic line and the time, keyed by the binding.
    fn mac(&self, latest: i64) -> Hmac<Sha256> {
        // A key shorter than the block is zero-padded by HMAC itself.
        let mut key = [0u8; 64];
        key[..32].copy_from_slice(&self.key);
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&key.into());
        mac.update(MAGIC.as_bytes());
        mac.update(&latest.to_be_bytes());
        mac
    }

    /// The latest time recorded: `Ok(None)` when there is no state file,
    /// `Err(ClockRollback)` when it exists but is not an authentic state,
    /// `Err(ClockStateUnavailable)` when it cannot be read.
    pub fn latest(&self) -> Result<Option<Timestamp>, VerifyError> {
        let text = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(VerifyError::ClockStateUnavailable(e.kind())),
        };
        let text = core::str::from_utf8(&text).map_err(|_| VerifyError::ClockRollback)?;
        if text.lines().next() == Some(MAGIC_V1) {
            return Ok(None);
        }
        let mut lines = text.lines();
        let (Some(MAGIC), Some(secs), Some(tag), None) =
            (lines.next(), lines.next(), lines.next(), lines.next())
        else {
            return Err(VerifyError::ClockRollback);
        };
        let latest: i64 = secs.parse().map_err(|_| VerifyError::ClockRollback)?;
        let mut expected = [0u8; 32];
        if !crate::keys::hex_decode(tag.as_bytes(), &mut expected) {
            return Err(VerifyError::ClockRollback);
        }
        // Constant-time comparison of the tags.
        self.mac(latest)
            .verify_slice(&expected)
            .map_err(|_| VerifyError::ClockRollback)?;
        Timestamp::from_unix(latest)
            .map(Some)
            .ok_or(VerifyError::ClockRollback)
    }

    /// Checks `now` against the recorded time; returns the recorded time.
    pub fn check(&self, now: Timestamp) -> Result<Option<Timestamp>, VerifyError> {
        let latest = self.latest()?;
        if let Some(latest) = latest
            && now.saturating_add(self.tolerance_secs) < latest
        {
            return Err(VerifyError::ClockRollback);
        }
        Ok(latest)
    }

    /// Checks `now` (see [`check`](Self::check)), then records it if it is
    /// later than the recorded time.
    pub fn observe(&self, now: Timestamp) -> Result<(), VerifyError> {
        let latest = self.check(now)?;
        if latest.is_none_or(|l| now > l) {
            self.record(now);
        }
        Ok(())
    }

    /// Records `time` as the latest trusted time. Availability over
    /// strictness: a state file that cannot be written (a full disk) does
    /// not stop the app; the next check reads the previous state.
    pub(crate) fn record(&self, time: Timestamp) {
        let _ = self.store(time);
    }

    fn store(&self, latest: Timestamp) -> std::io::Result<()> {
        let tag: String = self
            .mac(latest.unix())
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let text = format!("{MAGIC}\n{}\n{tag}\n", latest.unix());
        let dir = match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
            _ => PathBuf::from("."),
        };
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (tmp, mut file) = unique_temp(&dir, &name)?;
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }
}

/// A new temporary file beside the state file, named uniquely for this
/// process, thread and moment (created exclusively: never shared).
fn unique_temp(dir: &Path, name: &str) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    for _ in 0..16 {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.{}.{nanos}.{n}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        "no unique temporary name",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn refuses_a_clock_set_back_beyond_the_tolerance() {
        let dir = tempfile_dir();
        let guard = ClockGuard::new(dir.join("state"), b"com.acme.gate");
        guard.observe(ts("2026-11-20T00:00:00Z")).unwrap();
        guard.observe(ts("2026-11-19T23:30:00Z")).unwrap(); // within 1 h
        assert_eq!(
            guard.observe(ts("2026-11-19T22:59:59Z")),
            Err(VerifyError::ClockRollback)
        );
        guard.observe(ts("2026-11-21T00:00:00Z")).unwrap();
        assert_eq!(guard.latest().unwrap(), Some(ts("2026-11-21T00:00:00Z")));
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn tampered_or_foreign_state_is_refused() {
        let dir = tempfile_dir();
        let path = dir.join("state");
        let guard = ClockGuard::new(&path, b"com.acme.gate");
        guard.observe(ts("2026-11-20T00:00:00Z")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        // Move the recorded time back by editing the file.
        let earlier = text.replace(
            &ts("2026-11-20T00:00:00Z").unix().to_string(),
            &ts("2026-01-01T00:00:00Z").unix().to_string(),
        );
        std::fs::write(&path, earlier).unwrap();
        assert_eq!(
            guard.observe(ts("2026-11-20T00:00:00Z")),
            Err(VerifyError::ClockRollback)
        );
        // A state file made for another app is refused too.
        std::fs::write(&path, &text).unwrap();
        let other = ClockGuard::new(&path, b"com.other.app");
        assert_eq!(
            other.observe(ts("2026-11-20T00:00:00Z")),
            Err(VerifyError::ClockRollback)
        );
        for junk in ["", "facelic-clock-guard-v2\n", "garbage\n1\nab\n"] {
            std::fs::write(&path, junk).unwrap();
            assert_eq!(
                guard.observe(ts("2026-11-20T00:00:00Z")),
                Err(VerifyError::ClockRollback),
                "{junk:?}"
            );
        }
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn a_state_file_of_version_1_restarts_the_guard() {
        let dir = tempfile_dir();
        let path = dir.join("state");
        std::fs::write(&path, "facelic-clock-guard-v1\n1893456000\nabcdef\n").unwrap();
        let guard = ClockGuard::new(&path, b"com.acme.gate");
        assert_eq!(guard.latest(), Ok(None));
        guard.observe(ts("2026-11-20T00:00:00Z")).unwrap();
        assert_eq!(guard.latest().unwrap(), Some(ts("2026-11-20T00:00:00Z")));
        std::fs::remove_dir_all(dir).ok();
    }

    fn tempfile_dir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "facelic-guard-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
