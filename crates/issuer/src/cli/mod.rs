//! Command-line parsing, dispatch, and the mapping of errors to exit codes.

mod clock;
mod device_code;
mod error;
mod keys;
mod quickstart;
mod render;
mod verify;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub(crate) use error::CliError;

/// facelic — the offline license desk for face SDKs.
#[derive(Debug, Parser)]
#[command(name = "facelic", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Manage issuer signing keys.
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Print the device code an app computes from these device attributes.
    DeviceCode(device_code::Args),
    /// Verify a license file, as an app would at start-up.
    Verify(verify::Args),
    /// Walk through keys, signing and verification in a temporary directory.
    Quickstart(quickstart::Args),
}

/// Runs the command line and returns the process exit code.
pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Keys(cmd) => keys::run(cmd),
        Command::DeviceCode(args) => device_code::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Quickstart(args) => quickstart::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("facelic: error: {err}");
            ExitCode::from(err.exit_code())
        }
    }
}
