//! `facelic verify`: check a license file exactly as an app would.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use facelic_issuer::DeviceCode;
use facelic_verifier::{Context, RevocationList, Verifier};

use super::error::EXIT_INVALID_LICENSE;
use super::{CliError, clock, render};

/// Arguments of `facelic verify`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// The license file (`-` reads standard input).
    file: PathBuf,
    /// Trusted public keys: a PEM file, or a directory of `*.pub` files.
    #[arg(long, value_name = "FILE_OR_DIR")]
    keyring: PathBuf,
    /// The device code of the device checking (for device licenses).
    #[arg(long, value_name = "CODE")]
    device: Option<String>,
    /// The package name of the app checking (for platform licenses).
    #[arg(long, value_name = "NAME")]
    package: Option<String>,
    /// SHA-256 of the app's signing certificate (hex; `:` separators allowed).
    #[arg(long, value_name = "HEX")]
    cert_sha256: Option<String>,
    /// A signed revocation list (`facelic crl export`); revoked licenses are refused.
    #[arg(long, value_name = "FILE")]
    crl: Option<PathBuf>,
    /// Check as of this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    at: Option<String>,
    /// Print the verdict as one JSON object.
    #[arg(long)]
    json: bool,
}

fn read_license(path: &Path) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    if path == Path::new("-") {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(CliError::io(path))?;
    } else {
        bytes = std::fs::read(path).map_err(CliError::io(path))?;
    }
    Ok(bytes)
}

/// Parses a certificate digest as printed by `keytool` or `apksigner`.
pub(crate) fn parse_cert_digest(text: &str) -> Result<[u8; 32], CliError> {
    let hex: String = text
        .chars()
        .filter(|c| *c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let bytes = hex.as_bytes();
    let mut out = [0u8; 32];
    let ok = bytes.len() == 64
        && bytes.chunks_exact(2).zip(out.iter_mut()).all(|(pair, o)| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .map(|v| *o = v)
                .is_some()
        });
    ok.then_some(out)
        .ok_or_else(|| CliError::input(format!("--cert-sha256 {text:?}: expected 64 hex digits")))
}

/// Why a revocation list was refused, in revocation-list terms (the
/// verifier shares its error codes with licenses).
fn revocation_list_error(e: &facelic_verifier::VerifyError) -> String {
    use facelic_verifier::VerifyError as E;
    match e {
        E::Malformed(why) => format!("not a well-formed revocation list: {why}"),
        E::UnsupportedVersion => "unsupported revocation list format version".into(),
        E::UnknownKey(key) => format!("signed by unknown key {key}"),
        E::BadSignature => "bad signature".into(),
        other => other.to_string(),
    }
}

pub(crate) fn run(args: &Args) -> Result<ExitCode, CliError> {
    let keyring = facelic_issuer::keyring::load(&args.keyring)?;
    let now = match &args.at {
        Some(at) => clock::parse_time(at, "--at")?,
        None => clock::now()?,
    };
    let mut context = Context::at(now);
    if let Some(code) = &args.device {
        let code: DeviceCode = code
            .parse()
            .map_err(|e| CliError::input(format!("--device {code:?}: {e}")))?;
        context = context.device(code);
    }
    if let Some(package) = &args.package {
        context = context.package(package.clone());
    }
    if let Some(cert) = &args.cert_sha256 {
        context = context.signing_cert_sha256(parse_cert_digest(cert)?);
    }
    let mut verifier = Verifier::new(keyring.clone());
    if let Some(path) = &args.crl {
        let text = std::fs::read(path).map_err(CliError::io(path))?;
        let list = RevocationList::parse(&text, &keyring).map_err(|e| {
            CliError::input(format!(
                "{}: revocation list refused: {}",
                path.display(),
                revocation_list_error(&e)
            ))
        })?;
        verifier = verifier.with_revocation_list(list);
    }
    let text = read_license(&args.file)?;
    match verifier.verify(&text, &context) {
        Ok(verified) => {
            if args.json {
                println!("{}", render::verified_json(&verified));
            } else {
                let root = verified
                    .root_key_id()
                    .map_or_else(String::new, |root| format!(", certified by root {root}"));
                println!(
                    "valid: {} license, signed by key {}{root}",
                    verified.kind,
                    verified.key_id()
                );
                println!("{}", render::license_text(verified.license()));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(facelic_verifier::VerifyError::WrongDevice) if args.device.is_none() => {
            Err(CliError::input(
                "the license is bound to a device and no device code was given (pass --device CODE)",
            ))
        }
        Err(err) => {
            if args.json {
                let verdict = serde_json::json!({
                    "valid": false,
                    "error": { "code": err.code(), "name": err.name(), "message": err.to_string() },
                });
                println!("{verdict}");
            }
            eprintln!(
                "facelic: invalid license: {err} [{} {}]",
                err.code(),
                err.name()
            );
            Ok(ExitCode::from(EXIT_INVALID_LICENSE))
        }
    }
}
