//! Desk administration: `facelic init`, `log` and `backup`.

use std::path::PathBuf;
use std::process::ExitCode;

use facelic_issuer::desk::{Desk, DeskError};

use super::{CliError, Globals, open, print_json, render, session};

/// Arguments of `facelic init`.
#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    #[command(flatten)]
    new: super::hsm::NewKeyArgs,
    #[command(flatten)]
    token: super::hsm::TokenArgs,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn init(globals: &Globals, args: &InitArgs) -> Result<ExitCode, CliError> {
    let passphrase = args.new.passphrase(globals)?;
    let hsm = args.token.settings()?;
    if args.new.in_hsm() && hsm.is_none() {
        return Err(CliError::input(
            "--hsm at init needs the token: --module PATH --token LABEL [--pin-env VAR]",
        ));
    }
    let (desk, key) = Desk::init_with(
        &globals.desk,
        session(globals)?,
        hsm.as_ref(),
        args.new.new_key(passphrase.as_ref()),
    )?;
    if args.json {
        return print_json(&serde_json::json!({
            "desk": desk.dir().display().to_string(),
            "key_id": key.key_id,
            "schema_version": facelic_issuer::desk::SCHEMA_VERSION,
        }));
    }
    println!("created desk {}", desk.dir().display());
    println!(
        "  ledger   {}",
        desk.dir().join(facelic_issuer::desk::LEDGER_FILE).display()
    );
    println!(
        "  catalog  {} ({} products)",
        desk.dir()
            .join(facelic_issuer::desk::CATALOG_FILE)
            .display(),
        desk.catalog().products.len()
    );
    match &key.hsm_label {
        Some(label) => println!("  key id   {} (in the HSM, labelled {label})", key.key_id),
        None => println!(
            "  key id   {} (private key in keys/, mode 0600)",
            key.key_id
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `facelic log`.
#[derive(Debug, clap::Args)]
pub(crate) struct LogArgs {
    /// How many entries, newest first.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Print as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn log(globals: &Globals, args: &LogArgs) -> Result<ExitCode, CliError> {
    let desk = open(globals)?;
    let entries = desk.audit_log(args.limit)?;
    if args.json {
        return print_json(&entries);
    }
    let rows = entries
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.at.to_string(),
                e.operator.clone(),
                e.action.clone(),
                e.subject.clone(),
                e.detail.to_string(),
            ]
        })
        .collect();
    println!(
        "{}",
        render::table(
            &["#", "at", "operator", "action", "subject", "detail"],
            rows
        )
    );
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `facelic backup`.
#[derive(Debug, clap::Args)]
pub(crate) struct BackupArgs {
    /// New directory to write the backup into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn backup(globals: &Globals, args: &BackupArgs) -> Result<ExitCode, CliError> {
    // A backup never replaces anything: no --force hint for an existing target.
    open(globals)?.backup(&args.out).map_err(|e| match e {
        DeskError::Exists(path) => CliError::Io {
            path: path.display().to_string(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "exists; a backup is written into a new directory (name another --out)",
            ),
        },
        other => other.into(),
    })?;
    if args.json {
        return print_json(&serde_json::json!({ "backup": args.out.display().to_string() }));
    }
    println!(
        "backed up the desk to {} (restore: use it as --desk)",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `facelic clock` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ClockCommand {
    /// Set the ledger's latest time back to the desk clock, after a wrong
    /// time ahead was recorded (a typo in FACELIC_NOW, an RTC that jumped):
    /// writes at the right time are accepted again. Audited.
    Rewind {
        /// Why (recorded in the audit log).
        #[arg(long)]
        reason: String,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn clock(globals: &Globals, cmd: ClockCommand) -> Result<ExitCode, CliError> {
    match cmd {
        ClockCommand::Rewind { reason, json } => {
            let rewind = open(globals)?.rewind_clock(&reason)?;
            if json {
                return print_json(&rewind);
            }
            println!(
                "the ledger's latest time is {} again (it was {}); {} change(s) were recorded after it at the wrong time: see `facelic log`",
                rewind.to, rewind.from, rewind.recorded_later
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
