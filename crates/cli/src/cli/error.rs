//! One error type for every command, with stable exit codes.

use facelic_issuer::desk::{DeskError, ErrorKind};
use facelic_issuer::hsm::HsmError;
use facelic_issuer::root::RootError;
use facelic_issuer::{KeyFileError, KeyringError, SignError};

/// Exit code: a license was checked and refused (`facelic verify`).
pub(crate) const EXIT_INVALID_LICENSE: u8 = 1;
/// Exit code: bad input (an argument, a device code, file contents).
pub(crate) const EXIT_BAD_INPUT: u8 = 3;
/// Exit code: a file could not be read or written, or already exists.
pub(crate) const EXIT_IO: u8 = 4;
/// Exit code: a licensing or commercial rule refused the operation.
pub(crate) const EXIT_REFUSED: u8 = 5;
/// Exit code: the customer, order or license does not exist.
pub(crate) const EXIT_NOT_FOUND: u8 = 6;
/// Exit code: the desk is missing, already exists, is newer than this
/// facelic, or its ledger failed.
pub(crate) const EXIT_DESK: u8 = 7;
/// Exit code: the ledger is damaged, empty, missing from its desk, or not a
/// facelic ledger; restore the desk from a backup.
pub(crate) const EXIT_DAMAGED: u8 = 8;
/// Exit code: the signing key could not be opened: it is protected and its
/// passphrase is missing, wrong or unreadable.
pub(crate) const EXIT_KEY: u8 = 9;

/// Exit code: the command line did not parse (clap's own code).
pub(crate) const EXIT_USAGE: u8 = 2;

/// Every exit code of `facelic` and what it means: the table of
/// `docs/desk.md`, "Exit codes", is tested against this list.
pub(crate) const EXIT_CODES: &[(u8, &str)] = &[
    (0, "success"),
    (
        EXIT_INVALID_LICENSE,
        "`verify`: the license was checked and is not valid",
    ),
    (
        EXIT_USAGE,
        "usage error (unknown command or flag, missing argument)",
    ),
    (
        EXIT_BAD_INPUT,
        "bad input: an argument, a device code, a devices file, a usage file (every bad line named), a catalog, a revocation list, a key file that is not a key or asks for unbounded key-derivation work",
    ),
    (
        EXIT_IO,
        "a file could not be read or written, or already exists (pass `--force` where offered)",
    ),
    (
        EXIT_REFUSED,
        "refused by a rule: seats, minimum quantity, trials, renewals, revocations, backdated starts, billed usage, pack refunds, a desk clock behind the ledger or far ahead of it",
    ),
    (
        EXIT_NOT_FOUND,
        "not found: customer, order, license, invoice or pack",
    ),
    (
        EXIT_DESK,
        "desk problem: no desk, desk already exists, no active signing key (a root revoked it: rotate, or import a certificate), a ledger newer than this facelic, ledger error, internal error (a worker thread stopped; nothing recorded)",
    ),
    (
        EXIT_DAMAGED,
        "the ledger is damaged: missing from its desk, empty, not a facelic ledger, or a row that does not read as its type; restore from a backup",
    ),
    (
        EXIT_KEY,
        "the signing key could not be opened or used: its passphrase is missing, wrong or unreadable; its HSM module or token is missing, or the PIN refused (nothing recorded)",
    ),
];

/// The exit codes as `facelic --help` ends with them.
pub(crate) fn exit_codes_help() -> String {
    let mut text = String::from("Exit codes:\n");
    for (code, meaning) in EXIT_CODES {
        text.push_str(&format!("  {code}  {}\n", meaning.replace('`', "")));
    }
    text
}

/// Everything a command can fail with. The message is one line.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    /// Bad input from the operator.
    #[error("{0}")]
    Input(String),
    /// A pricing or commercial rule refused what was asked (no desk involved).
    #[error("{0}")]
    Refused(String),
    /// A key file problem.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// A keyring problem.
    #[error(transparent)]
    Keyring(#[from] KeyringError),
    /// A license could not be signed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// An HSM could not be used.
    #[error(transparent)]
    Hsm(#[from] HsmError),
    /// A desk operation failed.
    #[error(transparent)]
    Desk(#[from] DeskError),
    /// An output file exists and `--force` was not given (refused before
    /// the command made anything).
    #[error("{} already exists", .0.display())]
    Exists(std::path::PathBuf),
    /// The reader of stdout went away (`| head`): the command stops, and
    /// nothing was lost.
    #[error("stdout was closed")]
    StdoutClosed,
    /// Stdout could not be written (a full disk behind a redirect).
    #[error("writing to stdout: {0}")]
    Stdout(std::io::Error),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl From<facelic_issuer::root::RootError> for CliError {
    fn from(e: facelic_issuer::root::RootError) -> Self {
        match e {
            RootError::Sign(SignError::Hsm(e)) => CliError::Hsm(e),
            other => CliError::Input(other.to_string()),
        }
    }
}

/// The exit code of a kind of library error (see `docs/desk.md`).
fn exit_of(kind: ErrorKind) -> u8 {
    match kind {
        ErrorKind::BadInput => EXIT_BAD_INPUT,
        ErrorKind::Refused => EXIT_REFUSED,
        ErrorKind::NotFound => EXIT_NOT_FOUND,
        ErrorKind::Io => EXIT_IO,
        ErrorKind::Damaged => EXIT_DAMAGED,
        ErrorKind::Key => EXIT_KEY,
        _ => EXIT_DESK,
    }
}

impl CliError {
    /// The process exit code for this error (see `docs/desk.md`).
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            CliError::Hsm(HsmError::BadLabel { .. }) => EXIT_BAD_INPUT,
            CliError::Hsm(_) | CliError::Sign(SignError::Hsm(_)) => EXIT_KEY,
            CliError::Input(_) | CliError::Sign(_) => EXIT_BAD_INPUT,
            CliError::Refused(_) => EXIT_REFUSED,
            CliError::Keyring(KeyringError::Key { .. }) => EXIT_BAD_INPUT,
            CliError::KeyFile(e) => exit_of(ErrorKind::from(e)),
            CliError::Keyring(_)
            | CliError::Exists(_)
            | CliError::Stdout(_)
            | CliError::Io { .. } => EXIT_IO,
            CliError::StdoutClosed => 0,
            CliError::Desk(e) => exit_of(e.kind()),
        }
    }

    /// What the operator can do about it, when the CLI knows: appended to
    /// the one-line message.
    pub(crate) fn hint(&self) -> Option<String> {
        let hint = match self {
            CliError::Desk(DeskError::TermEnded {
                order,
                trial: false,
                ..
            }) => return Some(format!("renew it with `facelic renew --order {order}`")),
            CliError::Desk(DeskError::Damaged(_) | DeskError::Corrupt(_)) => Some(
                "nothing was changed; restore the desk from a backup (a directory written by `facelic backup`: pass it as --desk, or copy it over this desk)",
            ),
            CliError::Exists(_)
            | CliError::Desk(DeskError::Exists(_))
            | CliError::KeyFile(KeyFileError::Exists(_))
            | CliError::Desk(DeskError::KeyFile(KeyFileError::Exists(_))) => {
                Some("pass --force to replace it")
            }
            CliError::Desk(DeskError::NotInitialized(_)) => {
                Some("run `facelic init` first, or pass --desk")
            }
            CliError::Desk(DeskError::NoActiveKey) => Some("run `facelic keys rotate`"),
            CliError::Desk(DeskError::PerDevice { .. }) => {
                Some("issue it with --device or --devices-file")
            }
            CliError::Desk(DeskError::NewerLedger { .. }) => {
                Some("upgrade facelic to use this desk")
            }
            CliError::Desk(DeskError::ClockBehind { .. }) => Some(
                "fix the system clock (or FACELIC_NOW) and run the command again; if the ledger recorded a wrong time ahead, see `facelic clock rewind`",
            ),
            CliError::Desk(DeskError::ClockAhead { .. }) => Some(
                "fix the system clock (or FACELIC_NOW); if it is right, run the command again with --accept-clock-jump",
            ),
            CliError::Desk(DeskError::BuyerWithoutTaxId { customer, .. }) => {
                return Some(format!(
                    "set it with `facelic customer edit {customer} --tax-id USCC`, or confirm with `--without-buyer-tax-id`"
                ));
            }
            CliError::Desk(DeskError::Overpayment { customer, .. }) => {
                return Some(format!(
                    "to keep the rest on the customer's account, record it with `facelic payment receive --customer {customer}`"
                ));
            }
            CliError::Desk(DeskError::OwedBackUnchosen { .. }) => Some(
                "say where it goes: --owed-back refund (to be paid out) or --owed-back credit (for later statements)",
            ),
            CliError::Desk(DeskError::ClockOutOfRange { .. }) => {
                Some("fix the system clock (or FACELIC_NOW) and run the command again")
            }
            CliError::KeyFile(KeyFileError::NeedsPassphrase(_))
            | CliError::Desk(DeskError::KeyFile(KeyFileError::NeedsPassphrase(_))) => Some(
                "name the environment variable that holds it with --passphrase-env VAR, or run on a terminal to be asked",
            ),
            _ => None,
        };
        hint.map(str::to_owned)
    }

    /// An input error with this message.
    pub(crate) fn input(message: impl Into<String>) -> Self {
        CliError::Input(message.into())
    }

    /// A file error on `path`.
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| CliError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_docs_list_every_exit_code_as_the_code_does() {
        let docs = include_str!("../../../../docs/desk.md");
        let section = docs
            .split("## Exit codes")
            .nth(1)
            .expect("docs/desk.md has an exit-code table");
        let rows: Vec<(u8, &str)> = section
            .lines()
            .skip_while(|l| !l.starts_with("| 0 "))
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                Some((cells.first()?.parse().ok()?, *cells.get(1)?))
            })
            .collect();
        assert_eq!(
            rows, EXIT_CODES,
            "docs/desk.md's exit codes differ from cli/error.rs"
        );
        let mut codes: Vec<u8> = EXIT_CODES.iter().map(|(c, _)| *c).collect();
        codes.dedup();
        let contiguous: Vec<u8> = (0..).take(codes.len()).collect();
        assert_eq!(
            codes, contiguous,
            "one row per code, in order, none skipped"
        );
    }
}
