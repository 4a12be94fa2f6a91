//! `facelic keys ...`: issuer key files.

use std::path::PathBuf;
use std::process::ExitCode;

use facelic_issuer::IssuerKey;

use super::CliError;

/// `facelic keys` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum KeysCommand {
    /// Create a new issuer key pair: DIR/issuer.key (0600) and DIR/issuer.pub.
    New {
        /// Directory to write the key files into (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Replace existing key files. Licenses signed by the old key stop verifying
        /// unless its public key is kept in the apps' keyring.
        #[arg(long)]
        force: bool,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(cmd: KeysCommand) -> Result<ExitCode, CliError> {
    match cmd {
        KeysCommand::New { out, force, json } => {
            let key = IssuerKey::generate()?;
            let (private, public) = key.write_to_dir(&out, force)?;
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "key_id": key.key_id().to_string(),
                        "private_key": private.display().to_string(),
                        "public_key": public.display().to_string(),
                    })
                );
            } else {
                println!("{}", key.key_id());
                eprintln!(
                    "private key: {} (mode 0600; keep it secret)",
                    private.display()
                );
                eprintln!("public key:  {}", public.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
