//! `facelic keys ...`: the desk's signing keys, the roots it trusts, and
//! what the offline root's machine does (`certify`, `revoke`).

use std::path::PathBuf;
use std::process::ExitCode;

use facelic_issuer::desk::KeyStatus;
use facelic_issuer::root::{self, Certification};
use facelic_issuer::{IssuerKey, KeyId};

use super::hsm::{NewKeyArgs, RootKeyArgs, TokenArgs};
use super::{CliError, Globals, OutFile, clock, open, print_json, render};

/// `facelic keys` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum KeysCommand {
    /// Create a new issuer key pair (a root, say): DIR/issuer.key (0600)
    /// and DIR/issuer.pub — or, with --module/--token/--label, a key pair
    /// inside an HSM token, and DIR/issuer.pub only.
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
        #[arg(long, conflicts_with = "module")]
        protect: bool,
        #[command(flatten)]
        token: TokenArgs,
        /// The new key's label in the token (with --module).
        #[arg(long, value_name = "LABEL", requires = "module")]
        label: Option<String>,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Make a new active signing key for the desk; earlier keys stay in the keyring.
    Rotate {
        #[command(flatten)]
        new: NewKeyArgs,
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
        #[command(flatten)]
        output: OutFile,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Trust a root public key (SPKI PEM): the offline key that certifies
    /// the desk's signing keys. Apps then embed only the roots.
    TrustRoot {
        /// The root's public key file.
        file: PathBuf,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Make a new signing key that waits for a root's certificate, and
    /// write its certification request (the public key) for the root's
    /// machine. The active key signs on until the certificate is imported.
    Request {
        #[command(flatten)]
        output: OutFile,
        #[command(flatten)]
        new: NewKeyArgs,
        /// Print the new key as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// On the root's machine (no desk): certify a signing key from its
    /// request, for licenses issued in a window, optionally for some products only.
    Certify {
        #[command(flatten)]
        root: RootKeyArgs,
        /// The certification request (`keys request --out`).
        #[arg(long, value_name = "FILE")]
        request: PathBuf,
        /// Start of the window the key may issue in (RFC 3339 or YYYY-MM-DD; default now).
        #[arg(long, value_name = "TIME")]
        from: Option<String>,
        /// End of the window, exclusive (RFC 3339 or YYYY-MM-DD).
        #[arg(long, value_name = "TIME")]
        until: String,
        /// Restrict the key to this product (repeat for several; default: any).
        #[arg(long = "product", value_name = "ID")]
        products: Vec<String>,
        #[command(flatten)]
        output: OutFile,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Import a root's certificate for a signing key of the desk; that key
    /// becomes the active one and licenses are format 2 from now on (a
    /// certificate whose window opens later leaves it pending).
    ImportCertificate {
        /// The certificate file (`keys certify --out`).
        file: PathBuf,
        /// Print the key as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Make a pending key (certified for a window that has opened since)
    /// the active signing key.
    Activate {
        /// The key id.
        key_id: String,
        /// Print the key as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// On the root's machine (no desk): write a root-signed list revoking
    /// signing keys (name every key revoked so far).
    Revoke {
        /// Key ids of the signing keys to revoke.
        #[arg(required = true, value_name = "KEY_ID")]
        key_ids: Vec<String>,
        #[command(flatten)]
        root: RootKeyArgs,
        #[command(flatten)]
        output: OutFile,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Import a root's list of revoked signing keys: they stop signing, and
    /// the list goes out with every `crl export`.
    ImportRevocation {
        /// The list file (`keys revoke --out`).
        file: PathBuf,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Set where the desk's HSM is (a PKCS#11 module and token; the PIN
    /// from --pin-env or the terminal, never stored); the token is opened
    /// first. Without --module, show the settings.
    Hsm {
        #[command(flatten)]
        token: TokenArgs,
        /// Print the settings as one JSON object.
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
        KeysCommand::Rotate { new, json } => {
            let mut desk = open(globals)?;
            let passphrase = new.passphrase(globals)?;
            let key = desk.rotate_key_with(new.new_key(passphrase.as_ref()))?;
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
            let passphrase = globals.new_passphrase()?;
            let protected = desk.protect_keys(&passphrase)?;
            let note = format!(
                "protected {} key(s) with the passphrase; keep it apart from the desk and its backups",
                protected.len()
            );
            print_key_ids(json, "protected", &protected, &note)
        }
        KeysCommand::Export { output, json } => {
            let desk = open(globals)?;
            output.write(desk.keyring_pem()?.as_bytes())?;
            let out = output.out;
            let ids: Vec<String> = desk.keys()?.into_iter().map(|k| k.key_id).collect();
            if json {
                return print_json(
                    &serde_json::json!({ "file": out.display().to_string(), "key_ids": ids }),
                );
            }
            eprintln!("wrote keyring {} ({} key(s))", out.display(), ids.len());
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::TrustRoot { file, json } => {
            let pem = read_text(&file)?;
            let id = open(globals)?.add_root(&pem)?;
            if json {
                return print_json(&serde_json::json!({ "root": id.to_string() }));
            }
            println!("{id}");
            eprintln!("trusting root {id}; `facelic keys export` now writes it for apps to embed");
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Request { output, new, json } => {
            let mut desk = open(globals)?;
            let passphrase = new.passphrase(globals)?;
            // Refused before a key is made for a request that cannot be written.
            output.refuse_existing()?;
            let key =
                desk.request_signing_key_to(new.new_key(passphrase.as_ref()), &mut |pem| {
                    facelic_issuer::desk::write_output(&output.out, pem.as_bytes(), output.force)
                })?;
            if json {
                return print_json(&key);
            }
            println!("{}", key.key_id);
            eprintln!(
                "key {} awaits its certificate: take {} to the root's machine (`facelic keys certify`)",
                key.key_id,
                output.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Certify {
            root,
            request,
            from,
            until,
            products,
            output,
            json,
        } => {
            let terms = Certification {
                not_before: match from {
                    Some(text) => clock::parse_instant(&text, "--from")?,
                    None => clock::now()?,
                },
                not_after: clock::parse_instant(&until, "--until")?,
                products: (!products.is_empty()).then_some(products),
            };
            let root = root.open(globals)?;
            let request = read_text(&request)?;
            let text = root::certify(&root, &request, &terms)?;
            output.write(text.as_bytes())?;
            if json {
                let key = KeyId::of(&root::read_request(&request)?);
                return print_json(&serde_json::json!({
                    "root": root.key_id().to_string(),
                    "key": key.to_string(),
                    "not_before": terms.not_before.to_string(),
                    "not_after": terms.not_after.to_string(),
                    "products": terms.products,
                    "file": output.out,
                }));
            }
            eprintln!(
                "certified by root {}: wrote {}; import it at the desk (`facelic keys import-certificate`)",
                root.key_id(),
                output.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::ImportCertificate { file, json } => {
            let key = open(globals)?.import_certificate(&read_text(&file)?)?;
            if json {
                return print_json(&key);
            }
            println!("{}", key.key_id);
            match (key.status, &key.certified) {
                (KeyStatus::Pending, Some(window)) => eprintln!(
                    "key {} is certified but pending: the active key keeps signing; run `facelic keys activate {}` once its window opens ({}) for a product the desk sells",
                    key.key_id, key.key_id, window.from
                ),
                _ => eprintln!(
                    "key {} is certified and active: new licenses are format 2",
                    key.key_id
                ),
            }
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Activate { key_id, json } => {
            let key = open(globals)?.activate_key(&key_id)?;
            if json {
                return print_json(&key);
            }
            println!("{}", key.key_id);
            eprintln!("key {} is the active signing key", key.key_id);
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::Revoke {
            key_ids,
            root,
            output,
            json,
        } => {
            let ids = key_ids
                .iter()
                .map(|id| {
                    id.parse::<KeyId>()
                        .map_err(|e| CliError::input(format!("key id {id:?}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let root = root.open(globals)?;
            let text = root::revoke_signing_keys(&root, &ids, clock::now()?)?;
            output.write(text.as_bytes())?;
            if json {
                return print_json(&serde_json::json!({
                    "root": root.key_id().to_string(),
                    "revoked": ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    "file": output.out,
                }));
            }
            eprintln!(
                "wrote {}: import it at the desk (`facelic keys import-revocation`), then `facelic reissue`",
                output.out.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::ImportRevocation { file, json } => {
            let revoked = open(globals)?.import_key_revocations(&read_text(&file)?)?;
            let note = format!(
                "{} key(s) of the desk revoked; run `facelic reissue --signed-by KEY_ID` for each, then `facelic crl export`",
                revoked.len()
            );
            print_key_ids(json, "revoked", &revoked, &note)
        }
        KeysCommand::Hsm { token, json } => {
            let mut desk = open(globals)?;
            if let Some(settings) = token.settings()? {
                desk.configure_hsm(&settings)?;
                eprintln!(
                    "token {:?} opened; new keys can be made in it (`facelic keys rotate --hsm`)",
                    settings.token
                );
            }
            let settings = desk.hsm_settings()?;
            if json {
                return print_json(&settings);
            }
            match settings {
                Some(s) => println!(
                    "module  {}\ntoken   {}\nPIN     {}",
                    s.module.display(),
                    s.token,
                    s.pin_env
                        .map_or_else(|| "asked at the terminal".into(), |v| format!("from ${v}"))
                ),
                None => eprintln!("the desk has no HSM configured"),
            }
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
                        k.status.as_str().into(),
                        k.certified.as_ref().map_or_else(String::new, |c| {
                            format!("root {} from {} until {}", c.root, c.from, c.until)
                        }),
                        k.hsm_label
                            .as_ref()
                            .map_or_else(|| "file".into(), |label| format!("HSM {label}")),
                    ]
                })
                .collect();
            println!(
                "{}",
                render::table(&["key id", "created", "status", "certified", "where"], rows)
            );
            Ok(ExitCode::SUCCESS)
        }
        KeysCommand::New {
            out,
            force,
            protect,
            token,
            label,
            json,
        } => {
            if let Some(settings) = token.settings()? {
                let label = label.ok_or_else(|| CliError::input("--module needs --label LABEL"))?;
                let public = out.join(facelic_issuer::PUBLIC_KEY_FILE);
                let output = OutFile { out: public, force };
                output.refuse_existing()?;
                std::fs::create_dir_all(&out).map_err(CliError::io(&out))?;
                let key =
                    super::hsm::open_token(&settings)?.generate_key(&label, "facelic root")?;
                output.write(key.public_pem().as_bytes())?;
                return report_new_key(json, key.key_id(), None, &output.out);
            }
            let key = IssuerKey::generate()?;
            let passphrase = protect.then(|| globals.new_passphrase()).transpose()?;
            let (private, public) = key.write_to_dir_with(&out, passphrase.as_ref(), force)?;
            report_new_key(json, key.key_id(), Some(&private), &public)
        }
    }
}

/// Prints what `keys new` made: the key id (and the files, on stderr).
fn report_new_key(
    json: bool,
    key_id: KeyId,
    private: Option<&std::path::Path>,
    public: &std::path::Path,
) -> Result<ExitCode, CliError> {
    if json {
        return print_json(&serde_json::json!({
            "key_id": key_id.to_string(),
            "private_key": private.map(|p| p.display().to_string()),
            "public_key": public.display().to_string(),
        }));
    }
    println!("{key_id}");
    match private {
        Some(private) => eprintln!(
            "private key: {} (mode 0600; keep it secret)",
            private.display()
        ),
        None => eprintln!("private key: in the HSM token (it never leaves it)"),
    }
    eprintln!("public key:  {}", public.display());
    Ok(ExitCode::SUCCESS)
}

/// Reads a text file the operator names.
/// Key ids a command acted on: `{"FIELD": [ids]}` with `--json`; else one
/// id per line on stdout and `note` on stderr.
fn print_key_ids(
    json: bool,
    field: &str,
    ids: &[String],
    note: &str,
) -> Result<ExitCode, CliError> {
    if json {
        return print_json(&serde_json::json!({ field: ids }));
    }
    for id in ids {
        println!("{id}");
    }
    eprintln!("{note}");
    Ok(ExitCode::SUCCESS)
}

fn read_text(path: &std::path::Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(CliError::io(path))
}
