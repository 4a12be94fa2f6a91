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
//! Every change runs in one write transaction of the ledger layer
//! (`ledger/`, the only code that holds the connection) that also writes
//! its audit rows, so concurrent desk processes serialise and a failed or
//! killed operation leaves the ledger as it was.

mod audit;
mod backup;
mod billing;
mod catalog;
mod customers;
mod error;
pub(crate) mod ledger;
mod licensing;
mod orders;
mod pause;
mod refusal;
mod time;

use std::path::Path;

use facelic_invoice::Catalog;

pub use ledger::{CLOCK_RANGE, LOCK_FILE, LedgerError, MAX_CLOCK_JUMP_DAYS};
use ledger::{Db, Ledger, Tx, fields, schema};

pub use audit::{AuditEntry, ClockRewind};
pub use billing::accounts::{CustomerAccount, OwedBack, Receipt, RefundFrom, Rest};
pub use billing::activations::UsageAccount;
pub use billing::invoices::{BuyerTaxId, InvoiceFilter, InvoiceSummary, ShownDate};
pub use billing::packs::{NewPack, PackFilter, PackOrigin, PackRecord, PackStatus};
pub use billing::quotes::{NewQuote, Quote};
pub use billing::usage::{BilledPeriod, ImportReport, MAX_USAGE_LINE, UsageMonth};
pub use customers::{BillingProfile, Customer, FapiaoType, ProfileEdit};
pub use error::{
    BAD_LINES_NAMED, ClockError, CorruptValue, CustomerError, DeskError, ErrorKind, InputError,
    InvoiceError, IssueError, KeyError, NotFound, OrderError, PaymentError, QuoteError, Result,
    RevokeError, TermError, UsageError,
};
pub use licensing::issue::{IssueReport, parse_devices_file};
pub use licensing::keys::{CertifiedWindow, DeskKey, KeyStatus, NewKey};
pub use licensing::query::{LicenseFilter, LicenseRecord, LicenseStatus};
pub use licensing::revoke::{ReissueReport, Reissued};
pub use licensing::staging::is_archive;
pub use orders::{MAX_DEVICES, NewOrder, Order, Reprice, Term};
pub use schema::SCHEMA_VERSION;

use crate::Timestamp;

/// File name of the ledger inside the desk directory.
pub const LEDGER_FILE: &str = "ledger.sqlite";
/// File name of the desk's catalog.
pub const CATALOG_FILE: &str = "catalog.toml";
/// Directory of the issuer keys inside the desk directory.
pub const KEYS_DIR: &str = "keys";

/// Where the desk's "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The system clock, read when the desk opens and again when each write
    /// takes the writers' lock.
    System,
    /// A fixed instant (the CLI's `FACELIC_NOW`), for reproducible runs.
    Fixed(Timestamp),
}

impl Clock {
    /// The clock's current time.
    pub fn now(self) -> Result<Timestamp> {
        match self {
            Clock::Fixed(t) => Ok(t),
            Clock::System => Timestamp::from_unix(chrono::Utc::now().timestamp())
                .ok_or_else(|| InputError::OutOfRange("the system clock".into()).into()),
        }
    }
}

/// Who acts and when: every change is stamped with these.
#[derive(Clone)]
pub struct Session {
    clock: Clock,
    now: Timestamp,
    operator: String,
    /// Where the passphrase of a protected signing key comes from.
    passphrase: Option<crate::PassphraseSource>,
    /// Asks for the HSM's PIN when its settings name no variable.
    pin_prompt: Option<crate::hsm::PinPrompt>,
    /// The operator confirmed a clock far ahead of the ledger.
    accept_clock_jump: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("clock", &self.clock)
            .field("now", &self.now)
            .field("operator", &self.operator)
            .field(
                "passphrase",
                &self.passphrase.as_ref().map(|_| "(a source)"),
            )
            .field(
                "pin_prompt",
                &self.pin_prompt.as_ref().map(|_| "(a prompt)"),
            )
            .field("accept_clock_jump", &self.accept_clock_jump)
            .finish()
    }
}

impl Session {
    /// A session of `operator` on `clock`. The operator is recorded in the
    /// audit log, so it must be visible text without control characters
    /// (a newline could forge a row in `facelic log`).
    pub fn new(clock: Clock, operator: &str) -> Result<Self> {
        let operator = operator.trim();
        if operator.is_empty() || operator.len() > 200 || operator.chars().any(char::is_control) {
            return Err(InputError::Operator(operator.to_owned()).into());
        }
        Ok(Session {
            clock,
            now: clock.now()?,
            operator: operator.to_owned(),
            passphrase: None,
            pin_prompt: None,
            accept_clock_jump: false,
        })
    }

    /// This session, recording even when its clock is more than
    /// [`ledger::MAX_CLOCK_JUMP_DAYS`] ahead of the ledger: the operator
    /// confirmed the clock is right (the jump is audited as `desk.clock-jump`).
    #[must_use]
    pub fn accepting_clock_jump(mut self) -> Self {
        self.accept_clock_jump = true;
        self
    }

    /// This session, asking `prompt` for the HSM's PIN when the desk's HSM
    /// settings name no environment variable for it.
    #[must_use]
    pub fn with_pin_prompt(mut self, prompt: crate::hsm::PinPrompt) -> Self {
        self.pin_prompt = Some(prompt);
        self
    }

    /// This session, opening a passphrase-protected signing key with the
    /// passphrase `source` gives (asked for only when such a key is used).
    #[must_use]
    pub fn with_passphrase(mut self, source: crate::PassphraseSource) -> Self {
        self.passphrase = Some(source);
        self
    }

    /// The clock, operator and confirmations of this session, without its
    /// passphrase source or PIN prompt (for an audit row written apart).
    fn clone_for_audit(&self) -> Self {
        Session {
            clock: self.clock,
            now: self.now,
            operator: self.operator.clone(),
            passphrase: None,
            pin_prompt: None,
            accept_clock_jump: self.accept_clock_jump,
        }
    }

    /// "Now" for every decision: the time the current write took the
    /// writers' lock (or the session started, outside a write).
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The operator recorded in the audit log.
    pub fn operator(&self) -> &str {
        &self.operator
    }
}

/// An open license desk.
#[derive(Debug)]
pub struct Desk {
    ledger: Ledger,
    catalog: Catalog,
}

impl Desk {
    /// Creates a desk in `dir`: the ledger, a copy of the default catalog
    /// (kept if one is already there and valid) and a first issuer key.
    pub fn init(dir: &Path, session: Session) -> Result<(Self, DeskKey)> {
        Self::init_with(dir, session, None, NewKey::File(None))
    }

    /// [`Desk::init`], the first key made as `first` says: a key file
    /// (protected or not), or a key in the HSM of `hsm`. `hsm`, when
    /// given, is recorded as the desk's HSM settings; its token is opened
    /// before anything is written, so a missing token or a refused PIN
    /// leaves no desk behind.
    pub fn init_with(
        dir: &Path,
        session: Session,
        hsm: Option<&crate::hsm::HsmSettings>,
        first: NewKey<'_>,
    ) -> Result<(Self, DeskKey)> {
        if std::fs::symlink_metadata(dir.join(LEDGER_FILE)).is_ok() {
            return Err(DeskError::AlreadyInitialized(dir.to_owned()));
        }
        if let NewKey::InHsm(Some(label)) | NewKey::FromHsm(label) = first {
            crate::hsm::check_key_label(label)?;
        }
        // A failed init leaves nothing behind: what it made is removed.
        let made = InitLeftovers::before(dir);
        Self::init_in(dir, session, hsm, first).inspect_err(|_| made.remove(dir))
    }

    /// [`Desk::init_with`] once its target is known to be free.
    fn init_in(
        dir: &Path,
        session: Session,
        hsm: Option<&crate::hsm::HsmSettings>,
        first: NewKey<'_>,
    ) -> Result<(Self, DeskKey)> {
        let token = match (hsm, first) {
            (Some(settings), _) => {
                Some((settings, licensing::hsm::open_token(&session, settings)?))
            }
            (None, NewKey::InHsm(_) | NewKey::FromHsm(_)) => {
                return Err(KeyError::NoHsm.into());
            }
            (None, _) => None,
        };
        std::fs::create_dir_all(dir).map_err(DeskError::io(dir))?;
        create_private_dir(&dir.join(KEYS_DIR))?;
        let catalog_path = dir.join(CATALOG_FILE);
        if !catalog_path.exists() {
            write_public_file(&catalog_path, facelic_invoice::DEFAULT_CATALOG.as_bytes())?;
        }
        let catalog = load_catalog(dir)?;
        let mut desk = Self {
            ledger: Ledger::create(dir, session)?,
            catalog,
        };
        if let Some((settings, _)) = &token {
            desk.ledger
                .write(|tx| licensing::hsm::record_settings(tx, settings))?;
        }
        let key =
            desk.add_key_with(first, token.map(|(_, token)| token), false, &mut |_| Ok(()))?;
        desk.ledger.write(|tx| {
            tx.audit(
                "desk.init",
                &dir.display().to_string(),
                &serde_json::json!({ "key_id": key.key_id }),
            )
        })?;
        Ok((desk, key))
    }

    /// Opens the desk in `dir`. A missing, empty, foreign or damaged ledger
    /// is refused ([`DeskError::Damaged`]); only [`Desk::init`] creates one.
    pub fn open(dir: &Path, session: Session) -> Result<Self> {
        let ledger = Ledger::open(dir, session)?;
        let catalog = load_catalog(dir)?;
        let desk = Self { ledger, catalog };
        // A `keys protect` killed part-way is finished (or undone) first.
        desk.finish_protecting()?;
        Ok(desk)
    }

    /// The desk directory.
    pub fn dir(&self) -> &Path {
        self.ledger.dir()
    }

    /// The desk's catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The session's "now".
    pub fn now(&self) -> Timestamp {
        self.ledger.session().now
    }

    /// The database, for reads.
    fn db(&self) -> &Db {
        self.ledger.db()
    }

    /// The session of this desk.
    fn session(&self) -> &Session {
        self.ledger.session()
    }
}

/// What existed in a directory before `init` ran there, so that a failed
/// init removes only what it made.
struct InitLeftovers {
    dir: bool,
    keys: bool,
    catalog: bool,
}

impl InitLeftovers {
    fn before(dir: &Path) -> Self {
        let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
        Self {
            dir: exists(dir),
            keys: exists(&dir.join(KEYS_DIR)),
            catalog: exists(&dir.join(CATALOG_FILE)),
        }
    }

    /// Removes what init made in `dir` (best effort: it is failing already).
    fn remove(&self, dir: &Path) {
        if !self.dir {
            let _ = std::fs::remove_dir_all(dir);
            return;
        }
        for name in [
            LEDGER_FILE,
            "ledger.sqlite-wal",
            "ledger.sqlite-shm",
            LOCK_FILE,
        ] {
            let _ = std::fs::remove_file(dir.join(name));
        }
        if !self.keys {
            let _ = std::fs::remove_dir_all(dir.join(KEYS_DIR));
        }
        if !self.catalog {
            let _ = std::fs::remove_file(dir.join(CATALOG_FILE));
        }
    }
}

/// Writes an output file (a keyring, a revocation list, a document),
/// readable by everyone, atomically: a new file, or one replacing an
/// existing file only with `force` ([`DeskError::Exists`] otherwise).
pub fn write_output(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    if !force && std::fs::symlink_metadata(path).is_ok() {
        return Err(DeskError::Exists(path.to_owned()));
    }
    crate::write_file(path, bytes, 0o644, force).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            DeskError::Exists(path.to_owned())
        } else {
            DeskError::io(path)(e)
        }
    })
}

fn load_catalog(dir: &Path) -> Result<Catalog> {
    let path = dir.join(CATALOG_FILE);
    let text = std::fs::read_to_string(&path).map_err(DeskError::io(&path))?;
    Catalog::parse(&text).map_err(|source| DeskError::Catalog { path, source })
}

/// Creates `dir` (and its parents) and makes it 0700 whatever the umask:
/// it holds private keys.
fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(DeskError::io(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .map_err(DeskError::io(dir))?;
    }
    Ok(())
}

/// Writes a new file readable by everyone (0644 whatever the umask).
fn write_public_file(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    let mut file = options.open(path).map_err(DeskError::io(path))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(DeskError::io(path))?;
    }
    file.write_all(bytes).map_err(DeskError::io(path))
}
