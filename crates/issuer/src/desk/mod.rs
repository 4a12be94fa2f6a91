//! The license desk: a SQLite ledger of customers, orders, licenses and an
//! audit trail, plus the issuer keys, in one directory.
//!
//! ```text
//! DESK/
//!   ledger.sqlite        the ledger (WAL mode: also ledger.sqlite-wal, -shm)
//!   catalog.toml         products, features, prices and rules (editable)
//!   keys/<key id>.key    issuer private keys (PKCS#8 PEM, 0600)
//!   keys/<key id>.pub    issuer public keys (SPKI PEM)
//! ```
//!
//! Every change runs in one `BEGIN IMMEDIATE` transaction that also writes
//! its audit rows, so concurrent desk processes serialise and a failed or
//! killed operation leaves the ledger as it was.

mod audit;
mod backup;
mod customers;
mod error;
mod invoices;
mod issue;
mod keys;
mod orders;
mod query;
mod revoke;
mod schema;
mod staging;
mod time;
mod window;

use std::path::{Path, PathBuf};

use facelic_invoice::Catalog;
use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use audit::AuditEntry;
pub use customers::Customer;
pub use error::{DeskError, Result};
pub use invoices::InvoiceSummary;
pub use issue::{IssueReport, parse_devices_file};
pub use keys::DeskKey;
pub use orders::{MAX_DEVICES, NewOrder, Order, Term};
pub use query::{LicenseFilter, LicenseRecord};
pub use schema::SCHEMA_VERSION;
pub use staging::is_archive;
pub use time::parse_duration;

use crate::{IssuerKey, Timestamp};

/// File name of the ledger inside the desk directory.
pub const LEDGER_FILE: &str = "ledger.sqlite";
/// File name of the desk's catalog.
pub const CATALOG_FILE: &str = "catalog.toml";
/// Directory of the issuer keys inside the desk directory.
pub const KEYS_DIR: &str = "keys";
/// How long a desk process waits for another one's write transaction.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Who acts and when: every change is stamped with these.
#[derive(Debug, Clone)]
pub struct Session {
    /// "Now" for every decision (the CLI takes it from `FACELIC_NOW` or the clock).
    pub now: Timestamp,
    /// The operator recorded in the audit log.
    pub operator: String,
}

/// An open license desk.
#[derive(Debug)]
pub struct Desk {
    dir: PathBuf,
    conn: Connection,
    catalog: Catalog,
    session: Session,
}

impl Desk {
    /// Creates a desk in `dir`: the ledger, a copy of the default catalog
    /// (kept if one is already there and valid) and a first issuer key.
    pub fn init(dir: &Path, session: Session) -> Result<(Self, DeskKey)> {
        if dir.join(LEDGER_FILE).exists() {
            return Err(DeskError::AlreadyInitialized(dir.to_owned()));
        }
        std::fs::create_dir_all(dir.join(KEYS_DIR)).map_err(DeskError::io(dir))?;
        let catalog_path = dir.join(CATALOG_FILE);
        if !catalog_path.exists() {
            std::fs::write(&catalog_path, facelic_invoice::DEFAULT_CATALOG)
                .map_err(DeskError::io(&catalog_path))?;
        }
        let mut desk = Self::open_ledger(dir, session)?;
        let key = desk.add_key()?;
        desk.write(|tx, s| {
            audit::record(
                tx,
                s,
                "desk.init",
                &dir.display().to_string(),
                &serde_json::json!({ "key_id": key.key_id }),
            )
        })?;
        Ok((desk, key))
    }

    /// Opens the desk in `dir`.
    pub fn open(dir: &Path, session: Session) -> Result<Self> {
        if !dir.join(LEDGER_FILE).exists() {
            return Err(DeskError::NotInitialized(dir.to_owned()));
        }
        Self::open_ledger(dir, session)
    }

    fn open_ledger(dir: &Path, session: Session) -> Result<Self> {
        let catalog_path = dir.join(CATALOG_FILE);
        let text = std::fs::read_to_string(&catalog_path).map_err(DeskError::io(&catalog_path))?;
        let catalog = Catalog::parse(&text).map_err(|source| DeskError::Catalog {
            path: catalog_path,
            source,
        })?;
        let mut conn = Connection::open(dir.join(LEDGER_FILE))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&mut conn)?;
        Ok(Self {
            dir: dir.to_owned(),
            conn,
            catalog,
            session,
        })
    }

    /// The desk directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The desk's catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The session's "now".
    pub fn now(&self) -> Timestamp {
        self.session.now
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction, committed only if it succeeds.
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>, &Session) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx, &self.session)?;
        tx.commit()?;
        Ok(value)
    }

    /// The read-only connection, for queries.
    fn read(&self) -> &Connection {
        &self.conn
    }

    /// Loads the active signing key.
    fn signing_key(&self) -> Result<IssuerKey> {
        let key_id: String = self
            .read()
            .query_row("SELECT key_id FROM keys WHERE active = 1", [], |r| r.get(0))
            .map_err(|_| {
                DeskError::NotFound(
                    "the desk has no active signing key (run `facelic keys rotate`)".into(),
                )
            })?;
        Ok(IssuerKey::load(
            &self.dir.join(KEYS_DIR).join(format!("{key_id}.key")),
        )?)
    }
}
