//! The ledger file: created only by `init`, identified on every open, and
//! written by one desk process at a time.
//!
//! - **Identity.** `init` stamps the file with facelic's SQLite application
//!   id. Every other open reads the file without creating it and refuses
//!   one that is missing from a desk, empty, not a SQLite database, another
//!   application's database, or damaged ([`DeskError::Damaged`]): a desk
//!   never starts over on a damaged ledger.
//! - **Readers never wait.** Opening reads the schema version without a
//!   lock (WAL mode lets reads run beside a writer); only a ledger that
//!   needs a migration is locked, once.
//! - **Writers queue.** A write first takes an exclusive lock on
//!   `ledger.lock` beside the ledger and waits for it as long as it takes, so
//!   concurrent desk processes run their changes one after another instead
//!   of timing out with "database is locked".
//! - **The clock never goes backwards, nor leaps ahead unasked.** A write
//!   takes "now" when it holds the lock and refuses a now earlier than the
//!   latest time the ledger has recorded (`desk_clock`, which every write
//!   transaction advances), or more than [`MAX_CLOCK_JUMP_DAYS`] after it
//!   unless the operator confirms the jump; a wrong jump that was recorded
//!   is undone by [`crate::desk::Desk::rewind_clock`], audited.

use std::fs::File;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension as _};

use super::fields::LedgerText;
use super::{CATALOG_FILE, DeskError, KEYS_DIR, LEDGER_FILE, Result, schema};
use crate::Timestamp;

/// The SQLite application id of a facelic ledger (`PRAGMA application_id`):
/// the bytes "FLDK".
pub(crate) const APPLICATION_ID: i32 = 0x464C_444B;

/// File name of the writers' lock beside the ledger.
pub const LOCK_FILE: &str = "ledger.lock";

/// How long a desk process waits for SQLite's own locks (reads during a
/// checkpoint or WAL recovery; writers queue on [`LOCK_FILE`] first).
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Creates a new ledger at `path` (which must not exist), stamped and migrated.
pub(crate) fn create(dir: &Path) -> Result<Connection> {
    let path = dir.join(LEDGER_FILE);
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(&path, flags)?;
    configure(&conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    let _lock = WriterLock::acquire(dir)?;
    schema::migrate(&mut conn)?;
    Ok(conn)
}

/// Opens the existing ledger of the desk in `dir`, after making sure it is one.
pub(crate) fn open(dir: &Path) -> Result<Connection> {
    let path = dir.join(LEDGER_FILE);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.len() == 0 => {
            return Err(DeskError::Damaged(format!(
                "{} is empty (0 bytes)",
                path.display()
            )));
        }
        Ok(meta) if !meta.is_file() => {
            return Err(DeskError::Damaged(format!(
                "{} is not a file",
                path.display()
            )));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A desk directory without its ledger lost it; no desk at all is
            // a directory that was never initialised.
            return Err(
                if dir.join(KEYS_DIR).exists() || dir.join(CATALOG_FILE).exists() {
                    DeskError::Damaged(format!("{} is missing from the desk", path.display()))
                } else {
                    DeskError::NotInitialized(dir.to_owned())
                },
            );
        }
        Err(e) => return Err(DeskError::io(&path)(e)),
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(&path, flags)?;
    configure(&conn)?;
    let version = identify(&conn, &path)?;
    if version < schema::SCHEMA_VERSION {
        let _lock = WriterLock::acquire(dir)?;
        let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            conn.pragma_update(None, "journal_mode", "WAL")?;
        }
        schema::migrate(&mut conn)?;
    }
    Ok(conn)
}

/// Per-connection settings (no lock taken).
fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 16 MiB of page cache (the default is 2 MiB): a large batch's hot index
    // pages stay in memory, while its table pages spill into the WAL as the
    // batch runs, beside the signing, instead of all at the commit. Measured
    // with `issue_10k/desk_zip` against bare signing: 8 MiB 1.31x,
    // 16 MiB 1.30x, 64 MiB 1.53x (docs/performance.md).
    conn.pragma_update(None, "cache_size", -16_384)?;
    // Checkpoints (copying the WAL into the ledger file) run when the desk
    // closes, not inside the commit that happens to pass 1,000 pages: a
    // batch's licenses are published without waiting for housekeeping.
    conn.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(())
}

/// Copies the WAL into the ledger file as far as no reader holds it back
/// (run when a desk closes; see [`configure`]).
pub(crate) fn checkpoint(conn: &Connection) {
    let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
}

/// Tables every facelic ledger has had since its first schema version.
const FIRST_TABLES: [&str; 5] = ["keys", "customers", "orders", "licenses", "audit"];

/// Checks that the file is a facelic ledger this build reads; returns its
/// schema version.
fn identify(conn: &Connection, path: &Path) -> Result<i64> {
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let ours = application_id == APPLICATION_ID
        // Ledgers written before the application id was stamped.
        || (application_id == 0
            && (1..schema::STAMPED_FROM).contains(&version)
            && has_tables(conn, &FIRST_TABLES)?);
    if !ours {
        let what = if application_id == 0 && version == 0 && !has_any_table(conn)? {
            "holds no tables".to_owned()
        } else {
            format!(
                "is another application's database (application id {application_id:#x}, schema version {version})"
            )
        };
        return Err(DeskError::Damaged(format!("{} {what}", path.display())));
    }
    if version > schema::SCHEMA_VERSION {
        return Err(DeskError::NewerLedger {
            found: version,
            supported: schema::SCHEMA_VERSION,
        });
    }
    if version < 1 || !has_tables(conn, &FIRST_TABLES)? {
        return Err(DeskError::Damaged(format!(
            "{} lacks the ledger's tables",
            path.display()
        )));
    }
    Ok(version)
}

fn has_tables(conn: &Connection, names: &[&str]) -> Result<bool> {
    let mut stmt =
        conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1")?;
    for name in names {
        if stmt.query_row([name], |_| Ok(())).optional()?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

fn has_any_table(conn: &Connection) -> Result<bool> {
    Ok(conn
        .query_row("SELECT 1 FROM sqlite_master LIMIT 1", [], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The exclusive lock a desk process holds while it writes; released on drop.
pub(crate) struct WriterLock(File);

impl WriterLock {
    /// Waits for and takes the writers' lock of the desk in `dir`.
    pub(crate) fn acquire(dir: &Path) -> Result<Self> {
        let path = dir.join(LOCK_FILE);
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(DeskError::io(&path))?;
        file.lock().map_err(DeskError::io(&path))?;
        Ok(WriterLock(file))
    }
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// How far ahead of the latest time the ledger recorded a write's clock
/// may be before the write needs the operator's confirmation.
pub const MAX_CLOCK_JUMP_DAYS: i64 = 366;

/// The desk clock's range, Unix seconds: a write from 2000-01-01T00:00:00Z
/// up to (not including) 3000-01-01T00:00:00Z; outside it is refused.
pub const CLOCK_RANGE: (i64, i64) = (946_684_800, 32_503_680_000);

/// The latest time the ledger has recorded, if any.
pub(crate) fn latest_time(db: &super::Db) -> Result<Option<Timestamp>> {
    super::fields::scalar(
        db,
        "SELECT MAX(latest) FROM desk_clock",
        [],
        ("desk_clock", "1", "latest"),
    )
}

/// Checks a write's `now` against the ledger (see the module docs):
/// refused when earlier than the latest time recorded, outside
/// [`CLOCK_RANGE`], or more than [`MAX_CLOCK_JUMP_DAYS`] ahead of the latest
/// time unless `jump_confirmed`. Returns the latest time when the write
/// jumps that far (confirmed), for the audit.
pub(crate) fn check_clock(
    tx: &super::Tx<'_>,
    now: Timestamp,
    jump_confirmed: bool,
) -> Result<Option<Timestamp>> {
    if !(CLOCK_RANGE.0..CLOCK_RANGE.1).contains(&now.unix()) {
        return Err(DeskError::ClockOutOfRange { now });
    }
    let Some(latest) = latest_time(tx)? else {
        return Ok(None);
    };
    if now < latest {
        return Err(DeskError::ClockBehind { now, latest });
    }
    if now.unix() - latest.unix() > MAX_CLOCK_JUMP_DAYS * 86_400 {
        if !jump_confirmed {
            return Err(DeskError::ClockAhead { now, latest });
        }
        return Ok(Some(latest));
    }
    Ok(None)
}

/// Sets the ledger's latest time back to `to` (the rewind of a wrong jump).
pub(crate) fn rewind_clock(tx: &super::Tx<'_>, to: Timestamp) -> Result<()> {
    tx.tx.execute(
        "UPDATE desk_clock SET latest = ?1 WHERE id = 1",
        [to.to_ledger()],
    )?;
    Ok(())
}

/// Records `now` as the latest time the ledger knows (in the write's transaction).
pub(crate) fn advance_clock(tx: &super::Tx<'_>, now: Timestamp) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO desk_clock (id, latest) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET latest = max(latest, excluded.latest)",
        [now.to_ledger()],
    )?;
    Ok(())
}

/// Writes a consistent snapshot of the ledger to the new file `target`
/// (`VACUUM INTO`: safe while other desk processes run).
pub(crate) fn copy_to(db: &super::Db, target: &str) -> Result<()> {
    db.conn.execute("VACUUM INTO ?1", [target])?;
    Ok(())
}

/// Checks that the ledger copy at `path` reads back; returns the ids of
/// the keys it keeps in files (whose private keys a backup must hold).
pub(crate) fn check_copy(path: &Path) -> Result<Vec<String>> {
    let copy = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let check: String = copy.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(DeskError::Io {
            path: path.to_owned(),
            source: std::io::Error::other(format!("the copy does not read back ({check})")),
        });
    }
    let mut stmt = copy.prepare("SELECT key_id FROM keys WHERE hsm_label IS NULL")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<std::result::Result<_, _>>()?;
    Ok(ids)
}
