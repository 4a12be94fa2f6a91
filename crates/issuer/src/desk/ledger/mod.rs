//! The ledger layer: the only code that holds a database connection.
//!
//! [`Ledger`] owns the connection and the [`Session`] that stamps every
//! change. A read borrows the [`Db`]; a write runs a closure inside one
//! transaction and hands it a [`Tx`]: the transaction, who acts and when
//! ([`Tx::session`]), the audit writer ([`Tx::audit`]) and the gapless
//! number sequences ([`Tx::next_number`]). The catalog is not the
//! ledger's: the desk borrows it beside a write.
//!
//! How the file is recognised, locked and kept in time order: [`file`];
//! the tables and their migrations: [`schema`]; values read through types:
//! [`fields`]. SQLite-specific statements and their PostgreSQL
//! equivalents are listed in `docs/code-map.md`.

pub(crate) mod accounts;
pub(crate) mod audit;
pub(crate) mod customers;
mod error;
pub(crate) mod fields;
pub(crate) mod file;
pub(crate) mod invoices;
pub(crate) mod keys;
pub(crate) mod licenses;
pub(crate) mod orders;
pub(crate) mod packs;
pub(crate) mod payments;
pub(crate) mod quotes;
pub(crate) mod schema;
mod sequences;
pub(crate) mod usage;

use std::ops::Deref;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde::Serialize;

pub use error::LedgerError;
pub use file::{CLOCK_RANGE, LOCK_FILE, MAX_CLOCK_JUMP_DAYS};
pub(crate) use sequences::Numbered;

use super::{CATALOG_FILE, ClockError, DeskError, KEYS_DIR, LEDGER_FILE, Result, Session};
use crate::Timestamp;

/// The database of one desk: what a read borrows.
#[derive(Debug)]
pub(crate) struct Db {
    conn: Connection,
}

/// The open ledger of a desk and the session that writes to it.
#[derive(Debug)]
pub(crate) struct Ledger {
    dir: PathBuf,
    db: Db,
    session: Session,
}

/// A write in progress: one transaction, committed only if the write's
/// closure succeeds, with who acts and when.
pub(crate) struct Tx<'l> {
    tx: Transaction<'l>,
    db: &'l Db,
    session: &'l Session,
}

impl Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Tx<'_> {
    /// Who acts, and "now" (taken when the write took the writers' lock).
    pub(crate) fn session(&self) -> &Session {
        self.session
    }

    /// The write's "now".
    pub(crate) fn now(&self) -> Timestamp {
        self.session.now()
    }

    /// Records one change in the audit trail, in this transaction;
    /// `detail` is stored as JSON.
    pub(crate) fn audit(&self, action: &str, subject: &str, detail: &impl Serialize) -> Result<()> {
        audit::record(self, action, subject, detail)
    }

    /// Takes the next number of the gapless sequence `name`.
    pub(crate) fn next_number(&self, name: &str) -> Result<i64> {
        sequences::next(self, name)
    }

    /// The next number of `kind` in `year` (1 for the year's first).
    pub(crate) fn next_of_year(&self, kind: Numbered, year: i32) -> Result<i64> {
        sequences::next_of_year(self, kind, year)
    }

    /// The next draft number (never one a discarded draft had).
    pub(crate) fn next_draft(&self) -> Result<i64> {
        sequences::next_draft(self)
    }
}

impl Ledger {
    /// Creates the ledger of a new desk in `dir`, for `session`.
    pub(crate) fn create(dir: &Path, session: Session) -> Result<Self> {
        Ok(Self {
            dir: dir.to_owned(),
            db: Db {
                conn: file::create(dir)?,
            },
            session,
        })
    }

    /// Opens the existing ledger of the desk in `dir` (see [`file::open`]).
    pub(crate) fn open(dir: &Path, session: Session) -> Result<Self> {
        Ok(Self {
            dir: dir.to_owned(),
            db: Db {
                conn: file::open(dir)?,
            },
            session,
        })
    }

    /// The desk directory.
    pub(crate) fn dir(&self) -> &Path {
        &self.dir
    }

    /// The session that writes.
    pub(crate) fn session(&self) -> &Session {
        &self.session
    }

    /// The database, for reads (they never wait for a writer).
    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed only if it
    /// succeeds: waits for the writers' lock, takes "now", and refuses a
    /// clock earlier than the ledger's latest time (see [`file`]).
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let _lock = file::WriterLock::acquire(&self.dir)?;
        self.session.now = self.session.clock.now()?;
        let tx = self.begin()?;
        let jumped = file::check_clock(&tx, tx.now(), tx.session.accept_clock_jump)?;
        if let Some(latest) = jumped {
            tx.audit(
                "desk.clock-jump",
                "desk_clock",
                &serde_json::json!({ "from": latest.to_string(), "to": tx.now().to_string() }),
            )?;
        }
        let value = f(&tx)?;
        file::advance_clock(&tx, tx.now())?;
        tx.tx.commit()?;
        Ok(value)
    }

    /// A write that may run with the clock behind the ledger (the rewind
    /// of a wrong jump): `f` gets the ledger's latest time; the clock must
    /// still be inside the desk's range.
    pub(crate) fn write_rewinding<T>(
        &mut self,
        f: impl FnOnce(&Tx<'_>, Timestamp) -> Result<T>,
    ) -> Result<T> {
        let _lock = file::WriterLock::acquire(&self.dir)?;
        self.session.now = self.session.clock.now()?;
        let now = self.session.now;
        if !(CLOCK_RANGE.0..CLOCK_RANGE.1).contains(&now.unix()) {
            return Err(DeskError::ClockOutOfRange { now });
        }
        let tx = self.begin()?;
        let latest = file::latest_time(&tx)?.ok_or(ClockError::NothingRecorded)?;
        let value = f(&tx, latest)?;
        tx.tx.commit()?;
        Ok(value)
    }

    /// Records one audit row in a transaction of its own, on a connection
    /// of its own: for a refusal that a read-only operation must leave a
    /// trace of (a refused HSM PIN), outside the command's own changes.
    pub(crate) fn record_apart(
        &self,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        let mut apart = Ledger::open(&self.dir, self.session.clone_for_audit())?;
        apart.write(|tx| tx.audit(action, subject, detail))
    }

    /// Begins the write transaction (the writers' lock is held).
    fn begin(&self) -> Result<Tx<'_>> {
        Ok(Tx {
            tx: Transaction::new_unchecked(&self.db.conn, TransactionBehavior::Immediate)?,
            db: &self.db,
            session: &self.session,
        })
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        file::checkpoint(&self.db.conn);
    }
}
