//! Why a desk operation was refused or failed.

use std::path::PathBuf;

use facelic_invoice::CatalogError;

pub use super::refusal::{
    ClockError, CustomerError, InputError, InvoiceError, IssueError, KeyError, NotFound,
    OrderError, PaymentError, QuoteError, RevokeError, TermError, UsageError,
};
use crate::{KeyFileError, SignError, Timestamp};

/// Every way a desk operation can fail. Nothing is written when one is
/// returned. [`DeskError::kind`] sorts them for a caller (an exit code, an
/// HTTP status); the variant, not its text, says what happened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeskError {
    /// No desk at this directory yet.
    #[error("no desk at {0}")]
    NotInitialized(PathBuf),
    /// The desk has no active signing key.
    #[error("the desk has no active signing key")]
    NoActiveKey,
    /// A device order's licenses are issued per device, not as one license.
    #[error("order {order} is a {kind} order: its licenses are issued per device")]
    PerDevice {
        /// The order.
        order: String,
        /// Its kind (`device` or `device-trial`).
        kind: crate::Kind,
    },
    /// `init` on a directory that already holds a desk.
    #[error("a desk already exists at {0}")]
    AlreadyInitialized(PathBuf),
    /// A customer or its billing profile refused.
    #[error(transparent)]
    Customer(Box<CustomerError>),
    /// An order refused.
    #[error(transparent)]
    Order(Box<OrderError>),
    /// A platform term refused.
    #[error(transparent)]
    Term(Box<TermError>),
    /// Device licenses refused (codes, seats, trials).
    #[error(transparent)]
    Issue(Box<IssueError>),
    /// A revocation or replacement refused.
    #[error(transparent)]
    Revoke(Box<RevokeError>),
    /// A key, root or certificate refused.
    #[error(transparent)]
    Key(Box<KeyError>),
    /// A quote refused.
    #[error(transparent)]
    Quote(Box<QuoteError>),
    /// An invoice, statement or credit note refused.
    #[error(transparent)]
    Invoice(Box<InvoiceError>),
    /// A payment, refund or fapiao refused.
    #[error(transparent)]
    Payment(Box<PaymentError>),
    /// Usage, an activation or a pack refused.
    #[error(transparent)]
    Usage(Box<UsageError>),
    /// A clock rewind refused.
    #[error(transparent)]
    Clock(#[from] ClockError),
    /// A price the catalog's rules refuse.
    #[error(transparent)]
    Pricing(#[from] facelic_invoice::pricing::PricingError),
    /// A date before the first day the desk records.
    #[error(transparent)]
    BeforeFirstDay(#[from] facelic_invoice::dates::BeforeFirstDay),
    /// An input file has bad lines; nothing of it was used.
    #[error("{file}: {} bad line{}, nothing imported: {}", .lines.len(), if .lines.len() == 1 { "" } else { "s" }, bad_lines(.lines))]
    BadLines {
        /// The file.
        file: String,
        /// Each bad line (1-based) and what is wrong with it.
        lines: Vec<(usize, String)>,
    },
    /// A platform order's term (or a platform trial) has ended.
    #[error("the {} of order {order} ended at {ended}", if *.trial { "trial" } else { "term" })]
    TermEnded {
        /// The order.
        order: String,
        /// Whether it is a trial (which cannot be renewed).
        trial: bool,
        /// When it ended.
        ended: Timestamp,
    },
    /// A customer, order, license or document that does not exist.
    #[error(transparent)]
    NotFound(#[from] NotFound),
    /// Bad input (the variant names it).
    #[error(transparent)]
    Input(#[from] InputError),
    /// The ledger file is missing from a desk, empty, not a facelic ledger,
    /// or damaged. Nothing was read from it or written to it.
    #[error("the ledger is damaged or not a facelic ledger: {0}")]
    Damaged(String),
    /// The ledger's schema is newer than this build of facelic.
    #[error("the ledger has schema version {found}, newer than this facelic ({supported})")]
    NewerLedger {
        /// The ledger's schema version.
        found: i64,
        /// The newest this build reads.
        supported: i64,
    },
    /// A ledger value that does not read as its type (a corrupt row).
    #[error(transparent)]
    Corrupt(#[from] CorruptValue),
    /// The desk clock is earlier than a time the ledger already recorded.
    #[error(
        "the desk clock ({now}) is earlier than the latest time in the ledger ({latest}): the clock went backwards; nothing recorded"
    )]
    ClockBehind {
        /// The desk's now.
        now: Timestamp,
        /// The latest time the ledger recorded.
        latest: Timestamp,
    },
    /// The desk clock is far ahead of the latest time the ledger recorded
    /// (a typo in the clock, an RTC that jumped): recording at it would
    /// refuse every later write at the right time as "clock went backwards".
    #[error(
        "the desk clock ({now}) is more than {} days after the latest time in the ledger ({latest}); nothing recorded",
        super::ledger::MAX_CLOCK_JUMP_DAYS
    )]
    ClockAhead {
        /// The desk's now.
        now: Timestamp,
        /// The latest time the ledger recorded.
        latest: Timestamp,
    },
    /// The desk clock lies outside the years the desk records (2000 to 2999).
    #[error("the desk clock ({now}) is outside 2000-01-01 to 2999-12-31; nothing recorded")]
    ClockOutOfRange {
        /// The desk's now.
        now: Timestamp,
    },
    /// A statement would be finalized for a buyer without a tax id, and
    /// the operator did not confirm it.
    #[error(
        "buyer {customer} ({name}) has no tax id in its billing profile; its statement is finalized only when that is confirmed"
    )]
    BuyerWithoutTaxId {
        /// The customer id.
        customer: String,
        /// The customer's name.
        name: String,
    },
    /// A credit note would give back money already paid, and the operator
    /// did not say whether as a refund or as customer credit.
    #[error("{statement} was paid: {} of this credit is owed back to the customer; nothing recorded", facelic_invoice::money::format_money(*.amount))]
    OwedBackUnchosen {
        /// The statement credited.
        statement: String,
        /// What would be owed back.
        amount: facelic_invoice::Decimal,
    },
    /// A payment is more than the statements it is recorded against ask for.
    #[error("{} {} {} due; a payment of {} would overpay {}; nothing recorded",
        .statements.join(" + "),
        if .statements.len() == 1 { "has" } else { "have" },
        facelic_invoice::money::format_money(*.due),
        facelic_invoice::money::format_money(*.amount),
        if .statements.len() == 1 { "it" } else { "them" })]
    Overpayment {
        /// The customer paying.
        customer: String,
        /// The statements named.
        statements: Vec<String>,
        /// What they ask for together.
        due: facelic_invoice::Decimal,
        /// The payment.
        amount: facelic_invoice::Decimal,
    },
    /// The ledger database failed.
    #[error("ledger: {0}")]
    Ledger(super::ledger::LedgerError),
    /// An output file exists and replacing it was not asked for.
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A key file holds another key than the one its name and the ledger say.
    #[error("{}: the key file does not match its id: it holds key {found}, the ledger expects {expected}", path.display())]
    KeyMismatch {
        /// The key file.
        path: PathBuf,
        /// The key id the ledger records.
        expected: String,
        /// The key id of the key in the file.
        found: String,
    },
    /// The HSM key under a desk key's label is another key.
    #[error("token {token:?} key {label:?} is key {found}, the ledger expects {expected}")]
    HsmKeyMismatch {
        /// The token.
        token: String,
        /// The key's label.
        label: String,
        /// The key id the ledger records.
        expected: String,
        /// The key id of the key under that label.
        found: String,
    },
    /// An issuer key file problem.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The desk's catalog is invalid.
    #[error("{path}: {source}")]
    Catalog {
        /// The catalog file.
        path: PathBuf,
        /// What is wrong with it.
        source: CatalogError,
    },
    /// A license could not be signed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// The desk's HSM could not be used (token missing, PIN refused, ...).
    #[error(transparent)]
    Hsm(#[from] crate::hsm::HsmError),
    /// A worker thread of the desk stopped (a bug; nothing was recorded).
    #[error("internal error: {0}; nothing was recorded")]
    Internal(&'static str),
    /// A document could not be written as JSON (a bug, not bad input;
    /// nothing was recorded).
    #[error("internal error: a document could not be encoded: {0}; nothing was recorded")]
    Encode(#[from] serde_json::Error),
}

/// The area refusals are boxed (their facts make them large), so a
/// `Result` stays small; `?` and `.into()` box them.
macro_rules! boxed_from {
    ($($variant:ident($area:ty)),* $(,)?) => {
        $(impl From<$area> for DeskError {
            fn from(e: $area) -> Self {
                DeskError::$variant(Box::new(e))
            }
        })*
    };
}

boxed_from!(
    Customer(CustomerError),
    Order(OrderError),
    Term(TermError),
    Issue(IssueError),
    Revoke(RevokeError),
    Key(KeyError),
    Quote(QuoteError),
    Invoice(InvoiceError),
    Payment(PaymentError),
    Usage(UsageError),
);

/// What kind of failure a [`DeskError`] is: the CLI's exit code and a
/// server's HTTP status are chosen from it, in one place each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Input that does not read as what it should be.
    BadInput,
    /// A licensing or commercial rule refused the operation.
    Refused,
    /// Something named does not exist.
    NotFound,
    /// A file could not be read or written, or exists already.
    Io,
    /// The ledger is damaged or not a facelic ledger.
    Damaged,
    /// The signing key or its HSM could not be used (locked, PIN refused).
    Key,
    /// The desk itself: missing, already there, newer, its database failed,
    /// or a bug.
    Desk,
}

impl From<&KeyFileError> for ErrorKind {
    /// A key file that does not read as a key (or a passphrase too weak to
    /// protect one) is bad input; a protected key without its passphrase is
    /// a locked key; the rest is I/O.
    fn from(e: &KeyFileError) -> ErrorKind {
        match e {
            KeyFileError::BadPrivateKey(_)
            | KeyFileError::UnsafeKdf { .. }
            | KeyFileError::WeakPassphrase { .. } => ErrorKind::BadInput,
            e if e.is_locked() => ErrorKind::Key,
            _ => ErrorKind::Io,
        }
    }
}

impl DeskError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        use crate::hsm::HsmError;
        match self {
            DeskError::Customer(e) => e.kind(),
            DeskError::Order(e) => e.kind(),
            DeskError::Issue(e) => e.kind(),
            DeskError::Revoke(e) => e.kind(),
            DeskError::Key(e) => e.kind(),
            DeskError::Quote(e) => e.kind(),
            DeskError::Clock(e) => e.kind(),
            DeskError::NotFound(_) => ErrorKind::NotFound,
            DeskError::Input(_) => ErrorKind::BadInput,
            DeskError::Term(_)
            | DeskError::Invoice(_)
            | DeskError::Payment(_)
            | DeskError::Usage(_)
            | DeskError::Pricing(_)
            | DeskError::BeforeFirstDay(_)
            | DeskError::PerDevice { .. }
            | DeskError::ClockBehind { .. }
            | DeskError::ClockAhead { .. }
            | DeskError::ClockOutOfRange { .. }
            | DeskError::BuyerWithoutTaxId { .. }
            | DeskError::OwedBackUnchosen { .. }
            | DeskError::Overpayment { .. }
            | DeskError::TermEnded { .. } => ErrorKind::Refused,
            DeskError::BadLines { .. }
            | DeskError::Catalog { .. }
            | DeskError::Hsm(HsmError::BadLabel { .. })
            | DeskError::KeyMismatch { .. }
            | DeskError::HsmKeyMismatch { .. } => ErrorKind::BadInput,
            DeskError::Hsm(_) | DeskError::Sign(SignError::Hsm(_)) => ErrorKind::Key,
            DeskError::KeyFile(e) => ErrorKind::from(e),
            DeskError::Sign(_) => ErrorKind::BadInput,
            DeskError::Damaged(_) | DeskError::Corrupt(_) => ErrorKind::Damaged,
            DeskError::Io { .. } | DeskError::Exists(_) => ErrorKind::Io,
            DeskError::NotInitialized(_)
            | DeskError::NoActiveKey
            | DeskError::AlreadyInitialized(_)
            | DeskError::NewerLedger { .. }
            | DeskError::Ledger(_)
            | DeskError::Internal(_)
            | DeskError::Encode(_) => ErrorKind::Desk,
        }
    }
}

impl DeskError {
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| DeskError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// A ledger column whose value does not read as its type: names the table,
/// the row and the column, so a damaged row is found, never read as a default.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ledger table {table}, row {row}: column {column} holds {value}, which is not {expected}")]
pub struct CorruptValue {
    /// The table.
    pub table: &'static str,
    /// The row's key (an id or serial).
    pub row: String,
    /// The column.
    pub column: String,
    /// The value found, quoted (or `NULL`).
    pub value: String,
    /// What the column should hold.
    pub expected: &'static str,
}

/// Shorthand for desk results.
pub type Result<T, E = DeskError> = std::result::Result<T, E>;

/// The first [`BAD_LINES_NAMED`] bad lines, then how many more there are:
/// one readable line, however bad the file.
fn bad_lines(lines: &[(usize, String)]) -> String {
    let mut text = lines
        .iter()
        .take(BAD_LINES_NAMED)
        .map(|(n, why)| format!("line {n}: {why}"))
        .collect::<Vec<_>>()
        .join("; ");
    if lines.len() > BAD_LINES_NAMED {
        text.push_str(&format!(
            "; and {} more bad lines",
            lines.len() - BAD_LINES_NAMED
        ));
    }
    text
}

/// How many bad lines an error message names.
pub const BAD_LINES_NAMED: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_that_cannot_be_encoded_is_a_desk_fault_not_bad_input() {
        let e = DeskError::from(serde_json::from_str::<u8>("x").unwrap_err());
        assert_eq!(e.kind(), ErrorKind::Desk);
    }

    #[test]
    fn kinds_come_from_the_variant() {
        let seats = DeskError::from(IssueError::SeatsExhausted {
            order: "O-000001".into(),
            seats: 50,
            free: 0,
            new: 1,
            issued: 0,
        });
        assert_eq!(seats.kind(), ErrorKind::Refused);
        assert_eq!(
            DeskError::from(IssueError::NoCodes).kind(),
            ErrorKind::BadInput
        );
        assert_eq!(
            DeskError::from(NotFound::Order("O-9".into())).kind(),
            ErrorKind::NotFound
        );
        assert_eq!(
            DeskError::from(KeyError::BadCertificate("x".into())).kind(),
            ErrorKind::BadInput
        );
        assert_eq!(DeskError::from(KeyError::NoRoot).kind(), ErrorKind::Refused);
        assert_eq!(
            DeskError::from(ClockError::BadReason).kind(),
            ErrorKind::BadInput
        );
        assert_eq!(
            DeskError::from(ClockError::NothingRecorded).kind(),
            ErrorKind::Refused
        );
    }

    #[test]
    fn a_key_file_error_has_one_kind_on_every_path() {
        let path = PathBuf::from("keys/k.key");
        for (e, kind) in [
            (
                KeyFileError::BadPrivateKey(path.clone()),
                ErrorKind::BadInput,
            ),
            (
                KeyFileError::WeakPassphrase { min: 12, got: 5 },
                ErrorKind::BadInput,
            ),
            (KeyFileError::NeedsPassphrase(path.clone()), ErrorKind::Key),
            (KeyFileError::WrongPassphrase(path.clone()), ErrorKind::Key),
            (KeyFileError::TooOpen(path.clone()), ErrorKind::Io),
            (KeyFileError::Exists(path), ErrorKind::Io),
        ] {
            assert_eq!(ErrorKind::from(&e), kind, "{e}");
            // Through the desk (a signing key loaded for an issue) the same.
            assert_eq!(DeskError::KeyFile(e).kind(), kind);
        }
    }
}
