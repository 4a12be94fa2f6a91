//! `facelic keys ...`: issuer key files.

use std::path::PathBuf;
use std::process::ExitCode;

use facelic_issuer::IssuerKey;

use super::{CliError, Globals, open, print_json, render};

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
        /// Protect the private key file with a passphrase (from
        /// --passphrase-env, or typed twice at the terminal).
        #[arg(long)]
        protect: bool,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Make a new active signing key for the desk; earlier keys stay in the keyring.
    Rotate {
        /// Protect the new key's file with a passphrase (from
        /// --passphrase-env, or typed twice at the terminal).
        #[arg(long)]
        protect: bool,
        /// Print the new key as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Protect every plain private key of the desk with a passphrase (from
    /// --passphrase-env, or typed twice at the terminal). Protected keys are
    /// left as they are.
    Protect {
        /// Print the keys protected as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Write the desk's keyring (every public key) for apps to embed.
    Export {
        /// File to write (a new file; see --force).
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List the desk's keys.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(globals: &Globals, cmd: KeysCommand) -> Result<ExitCode, CliError> {
    match cmd {
        KeysCommand::Rotate { protect, json } => {
            let mut desk = open(globals)?;
            let key = match protect {
                true => desk.rotate_key_protected(&new_passphrase(globals)?)?,
                false => desk.rotate_key()?,
            };
            if json {
                return print_json(&key);
            }
            println!("{}", key.key_id);
            eprintln!(
                "new active signing key {}; run `facelic keys export` and ship the keyring with your apps",
                key.key_id
            );
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Protect { json } => {
            let mut desk = open(globals)?;
            let passphrase = new_passphrase(globals)?;
            let protected = desk.protect_keys(&passphrase)?;
            if json {
                return print_json(&serde_json::json!({ "protected": protected }));
            }
            for id in &protected {
                println!("{id}");
            }
            eprintln!(
                "protected {} key(s) with the passphrase; keep it apart from the desk and its backups",
                protected.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Export { out, force, json } => {
            let desk = open(globals)?;
            let pem = desk.keyring_pem()?;
            facelic_issuer::desk::write_output(&out, pem.as_bytes(), force)?;
            let ids: Vec<String> = desk.keys()?.into_iter().map(|k| k.key_id).collect();
            if json {
                return print_json(
                    &serde_json::json!({ "file": out.display().to_string(), "key_ids": ids }),
                );
            }
            eprintln!("wrote keyring {} ({} key(s))", out.display(), ids.len());
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::List { json } => {
            let keys = open(globals)?.keys()?;
            if json {
                return print_json(&keys);
            }
            let rows = keys
                .iter()
                .map(|k| {
                    vec![
                        k.key_id.clone(),
                        k.created_at.to_string(),
                        if k.active {
                            "active".into()
                        } else {
                            "retired".into()
                        },
                    ]
                })
                .collect();
            println!("{}", render::table(&["key id", "created", "status"], rows));
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::New {
            out,
            force,
            protect,
            json,
        } => {
            let key = IssuerKey::generate()?;
            let passphrase = match protect {
                true => Some(new_passphrase(globals)?),
                false => None,
            };
            let (private, public) = key.write_to_dir_with(&out, passphrase.as_ref(), force)?;
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

/// A new passphrase for protecting keys (see `cli/passphrase.rs`).
fn new_passphrase(globals: &Globals) -> Result<facelic_issuer::Passphrase, CliError> {
    Ok(super::passphrase::new_passphrase(
        globals.passphrase_env.as_deref(),
    )?)
}
