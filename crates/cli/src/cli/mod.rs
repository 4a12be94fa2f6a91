//! Command-line parsing, dispatch, and the mapping of errors to exit codes.

/// `println!` whose failure to write (stdout closed, e.g. piped into `head`)
/// unwinds to [`main`], which ends the command there (see [`write_stdout`]).
/// Shadows std's in every command module.
macro_rules! println {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!("{}\n", format_args!($($arg)*)))?
    };
}

/// `print!` with the same stdout handling.
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::cli::write_stdout(&format!($($arg)*))?
    };
}

mod accounts;
mod admin;
mod args;
mod clock;
mod customers;
mod device_code;
mod error;
mod hsm;
mod invoices;
mod issuing;
mod keys;
mod licenses;
mod orders;
mod passphrase;
mod pdf;
mod quickstart;
mod quotes;
mod render;
mod usage;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

pub(crate) use error::CliError;

/// facelic — the offline license desk for face SDKs.
#[derive(Debug, Parser)]
#[command(name = "facelic", version, about, propagate_version = true)]
struct Cli {
    /// The desk directory (ledger, catalog, keys).
    #[arg(
        long,
        global = true,
        env = "FACELIC_DESK",
        default_value = "facelic-desk",
        value_name = "DIR"
    )]
    desk: PathBuf,
    /// Who is acting, for the audit log (default: the OS user).
    #[arg(long, global = true, env = "FACELIC_OPERATOR", value_name = "NAME")]
    operator: Option<String>,
    /// Read the passphrase of protected keys from this environment variable
    /// (default: ask on the terminal). The passphrase itself is never an
    /// argument.
    #[arg(long, global = true, value_name = "VAR")]
    passphrase_env: Option<String>,
    /// Record even though the clock is more than 366 days after the latest
    /// time in the ledger (the jump is audited). Only when the clock is right.
    #[arg(long, global = true)]
    accept_clock_jump: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a desk: ledger, catalog and a first issuer key.
    Init(admin::InitArgs),
    /// Add, list, show customers and edit their billing profiles.
    #[command(subcommand)]
    Customer(customers::CustomerCommand),
    /// Create, show and list orders.
    #[command(subcommand)]
    Order(orders::OrderCommand),
    /// Issue licenses on an order (devices, or the platform term).
    Issue(issuing::IssueArgs),
    /// Renew a platform order by one term and issue its license.
    Renew(issuing::RenewArgs),
    /// Revoke a license.
    Revoke(licenses::RevokeArgs),
    /// Move a device license's seat to a replacement device.
    Replace(issuing::ReplaceArgs),
    /// Re-issue every live license a (revoked) signing key signed, with the
    /// active key: same bindings and terms, new serials, old ones revoked.
    Reissue(issuing::ReissueArgs),
    /// Signed revocation lists.
    #[command(subcommand)]
    Crl(licenses::CrlCommand),
    /// List and show licenses.
    #[command(subcommand)]
    License(licenses::LicenseCommand),
    /// Show the audit log, newest first.
    Log(admin::LogArgs),
    /// Copy the desk (ledger snapshot, catalog, keys) into a new directory.
    Backup(admin::BackupArgs),
    /// The desk clock: undo a wrong time the ledger recorded.
    #[command(subcommand)]
    Clock(admin::ClockCommand),
    /// Price a device purchase or platform terms (volume cliffs included);
    /// save numbered quotes for customers.
    Quote(quotes::QuoteArgs),
    /// Metered calls: estimate, activate a family, import calls, run a
    /// month's bills, explain a bill.
    #[command(subcommand)]
    Usage(usage::UsageCommand),
    /// Prepaid packs of calls: buy, list balances, refund.
    #[command(subcommand)]
    Pack(usage::PackCommand),
    /// Statements: create from an order, finalize, credit, record the fapiao, list, show.
    #[command(subcommand)]
    Invoice(invoices::InvoiceCommand),
    /// Money received: record it against statements, keep it on account,
    /// apply it later.
    #[command(subcommand)]
    Payment(accounts::PaymentCommand),
    /// Customer accounts: unapplied cash, customer credit, refunds owed
    /// and paid.
    #[command(subcommand)]
    Account(accounts::AccountCommand),
    /// What customers owe, aged by days past due.
    Receivables(invoices::ReceivablesArgs),
    /// Issuer keys: create, rotate, export the keyring; roots, certificates
    /// and key revocations (format 2).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Print the device code an app computes from these device attributes.
    DeviceCode(device_code::Args),
    /// Verify a license file, as an app would at start-up.
    Verify(verify::Args),
    /// Walk through the desk on a fresh temporary desk.
    Quickstart(quickstart::Args),
}

/// `--out FILE [--force]`: the new file a command writes (a keyring, a
/// revocation list, a certificate), replaced only with `--force`.
#[derive(Debug, clap::Args)]
pub(crate) struct OutFile {
    /// File to write (a new file; see --force).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: std::path::PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub(crate) force: bool,
}

impl OutFile {
    /// Writes `bytes` to the file (refused if it exists, unless `--force`).
    pub(crate) fn write(&self, bytes: &[u8]) -> Result<(), CliError> {
        Ok(facelic_issuer::desk::write_output(
            &self.out, bytes, self.force,
        )?)
    }

    /// Refuses, before anything else is done, a file that exists (unless
    /// `--force`): for commands that make something (a key) before writing.
    pub(crate) fn refuse_existing(&self) -> Result<(), CliError> {
        if !self.force && std::fs::symlink_metadata(&self.out).is_ok() {
            return Err(CliError::Exists(self.out.clone()));
        }
        Ok(())
    }
}

/// Opens the desk of `globals` with the session clock and operator.
pub(crate) fn open(globals: &Globals) -> Result<facelic_issuer::desk::Desk, CliError> {
    Ok(facelic_issuer::desk::Desk::open(
        &globals.desk,
        session(globals)?,
    )?)
}

/// The session of a desk command: the clock and the operator.
pub(crate) fn session(globals: &Globals) -> Result<facelic_issuer::desk::Session, CliError> {
    let source = passphrase::source(globals.passphrase_env.as_deref());
    let session = facelic_issuer::desk::Session::new(clock::clock()?, &globals.operator)?
        .with_passphrase(source)
        .with_pin_prompt(passphrase::pin_prompt());
    Ok(match globals.accept_clock_jump {
        true => session.accepting_clock_jump(),
        false => session,
    })
}

/// The desk's catalog when there is a desk, else the catalog facelic ships.
pub(crate) fn catalog(globals: &Globals) -> Result<facelic_invoice::Catalog, CliError> {
    if globals
        .desk
        .join(facelic_issuer::desk::LEDGER_FILE)
        .exists()
    {
        return Ok(open(globals)?.catalog().clone());
    }
    facelic_invoice::Catalog::default_catalog().map_err(|e| CliError::input(e.to_string()))
}

/// Prints `value` as one JSON line.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<ExitCode, CliError> {
    let text = serde_json::to_string(value)
        .map_err(|e| CliError::input(format!("cannot render JSON: {e}")))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Global options every desk command needs.
#[derive(Debug, Clone)]
pub(crate) struct Globals {
    pub(crate) desk: PathBuf,
    pub(crate) operator: String,
    /// `--passphrase-env`: where protected keys' passphrase comes from.
    pub(crate) passphrase_env: Option<String>,
    /// `--accept-clock-jump`: the operator confirmed a clock far ahead.
    pub(crate) accept_clock_jump: bool,
}

impl Globals {
    /// A new passphrase for protecting keys: from `--passphrase-env`, or
    /// typed twice at the terminal (see `cli/passphrase.rs`).
    pub(crate) fn new_passphrase(&self) -> Result<facelic_issuer::Passphrase, CliError> {
        Ok(passphrase::new_passphrase(self.passphrase_env.as_deref())?)
    }
}

/// The OS account running the command: the name `/etc/passwd` gives its
/// real user id, else `uid N`. Never `USER` or `LOGNAME`, which anyone can
/// set to another name.
fn default_operator() -> String {
    let uid = rustix::process::getuid().as_raw();
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| account_name(&passwd, uid))
        .unwrap_or_else(|| format!("uid {uid}"))
}

/// The name of account `uid` in `passwd` (the `/etc/passwd` format).
fn account_name(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id: u32 = fields.nth(1)?.parse().ok()?;
        let visible = !name.is_empty() && !name.chars().any(char::is_control);
        (id == uid && visible).then(|| name.to_owned())
    })
}

/// Writes to stdout. A failure is returned, as ripgrep does, never
/// unwound: the reader going away (`| head`) is [`CliError::StdoutClosed`]
/// (nothing was lost: exit 0, no message), anything else (a full disk
/// behind a redirect) [`CliError::Stdout`] (exit 4). The `println!` and
/// `print!` of this module apply `?` to it.
pub(crate) fn write_stdout(text: &str) -> Result<(), CliError> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                CliError::StdoutClosed
            } else {
                CliError::Stdout(e)
            }
        })
}

/// Runs the command line and returns the process exit code.
pub(crate) fn main() -> ExitCode {
    run()
}

/// Runs the command line and returns the process exit code.
fn run() -> ExitCode {
    // `--help` ends with the exit codes, from the one list of them.
    let matches = Cli::command()
        .after_long_help(error::exit_codes_help())
        .get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // An empty --operator or FACELIC_OPERATOR falls back to the OS user.
    let operator = cli
        .operator
        .filter(|o| !o.trim().is_empty())
        .unwrap_or_else(default_operator);
    let globals = Globals {
        desk: cli.desk,
        operator,
        passphrase_env: cli.passphrase_env,
        accept_clock_jump: cli.accept_clock_jump,
    };
    let result = match cli.command {
        Command::Init(args) => admin::init(&globals, &args),
        Command::Customer(cmd) => customers::customer(&globals, cmd),
        Command::Order(cmd) => orders::order(&globals, cmd),
        Command::Issue(args) => issuing::issue(&globals, &args),
        Command::Renew(args) => issuing::renew(&globals, &args),
        Command::Revoke(args) => licenses::revoke(&globals, &args),
        Command::Replace(args) => issuing::replace(&globals, &args),
        Command::Reissue(args) => issuing::reissue(&globals, &args),
        Command::Crl(cmd) => licenses::crl(&globals, cmd),
        Command::License(cmd) => licenses::license(&globals, cmd),
        Command::Log(args) => admin::log(&globals, &args),
        Command::Backup(args) => admin::backup(&globals, &args),
        Command::Clock(cmd) => admin::clock(&globals, cmd),
        Command::Quote(args) => quotes::quote(&globals, &args),
        Command::Usage(cmd) => usage::usage(&globals, cmd),
        Command::Pack(cmd) => usage::pack(&globals, cmd),
        Command::Invoice(cmd) => invoices::invoice(&globals, cmd),
        Command::Payment(cmd) => accounts::payment(&globals, cmd),
        Command::Account(cmd) => accounts::account(&globals, cmd),
        Command::Receivables(args) => invoices::receivables(&globals, &args),
        Command::Keys(cmd) => keys::run(&globals, cmd),
        Command::DeviceCode(args) => device_code::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Quickstart(args) => quickstart::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(CliError::StdoutClosed) => ExitCode::SUCCESS,
        Err(err) => {
            match err.hint() {
                Some(hint) => eprintln!("facelic: error: {err}; {hint}"),
                None => eprintln!("facelic: error: {err}"),
            }
            ExitCode::from(err.exit_code())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::account_name;

    #[test]
    fn the_account_name_comes_from_the_passwd_line_of_the_uid() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n\
                      alice:x:1000:1000::/home/alice:/bin/sh\n\
                      bad\u{7}name:x:1001:1001::/:/bin/sh\n\
                      broken line\n";
        assert_eq!(account_name(passwd, 1000).as_deref(), Some("alice"));
        assert_eq!(account_name(passwd, 0).as_deref(), Some("root"));
        assert_eq!(
            account_name(passwd, 1001),
            None,
            "a name with a control character"
        );
        assert_eq!(account_name(passwd, 4242), None);
    }
}
