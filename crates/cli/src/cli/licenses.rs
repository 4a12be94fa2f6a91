//! Licenses once issued: `facelic license`, `revoke` and `crl`.

use std::process::ExitCode;

use facelic_issuer::desk::LicenseFilter;

use super::args::parse_duration;

use super::{CliError, Globals, OutFile, open, print_json, render};

/// Arguments of `facelic revoke`.
#[derive(Debug, clap::Args)]
pub(crate) struct RevokeArgs {
    /// Serial of the license to revoke.
    serial: String,
    /// Why (recorded in the ledger and the audit log).
    #[arg(long)]
    reason: String,
    /// Print the revoked license as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn revoke(globals: &Globals, args: &RevokeArgs) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    let record = desk.revoke(&args.serial, &args.reason)?;
    if args.json {
        return print_json(&record);
    }
    println!(
        "revoked {} ({}); export a new revocation list with `facelic crl export`",
        record.serial,
        args.reason.trim()
    );
    Ok(ExitCode::SUCCESS)
}

/// `facelic crl` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CrlCommand {
    /// Write the signed revocation list of every revoked license.
    Export {
        #[command(flatten)]
        output: OutFile,
        /// Print the result as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn crl(globals: &Globals, cmd: CrlCommand) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    let CrlCommand::Export { output, json } = cmd;
    let OutFile { out, force } = output;
    let count = desk.export_revocation_list(&out, force)?;
    if json {
        return print_json(
            &serde_json::json!({ "file": out.display().to_string(), "revoked": count }),
        );
    }
    println!("wrote {} ({count} revoked serial(s))", out.display());
    Ok(ExitCode::SUCCESS)
}

/// `facelic license` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum LicenseCommand {
    /// List licenses, newest first.
    List {
        /// Only this customer's (id or exact name).
        #[arg(long)]
        customer: Option<String>,
        /// Only this product's.
        #[arg(long)]
        product: Option<String>,
        /// Only this order's.
        #[arg(long)]
        order: Option<String>,
        /// Only live licenses that expire within this long: 30d (or 30), 2w, 12h.
        #[arg(long, value_name = "DURATION")]
        expiring_within: Option<String>,
        /// At most this many.
        #[arg(long)]
        limit: Option<usize>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one license, with its text.
    Show {
        /// Serial.
        serial: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn license(globals: &Globals, cmd: LicenseCommand) -> Result<ExitCode, CliError> {
    let desk = open(globals)?;
    match cmd {
        LicenseCommand::List {
            customer,
            product,
            order,
            expiring_within,
            limit,
            json,
        } => {
            let filter = LicenseFilter {
                customer,
                product,
                order,
                expiring_within_secs: expiring_within.as_deref().map(parse_duration).transpose()?,
                limit,
            };
            let list = desk.licenses(&filter)?;
            if json {
                return print_json(&list);
            }
            println!("{}", render::licenses_table(&list));
            eprintln!("{} license(s)", list.len());
        }
        LicenseCommand::Show { serial, json } => {
            let l = desk.license(&serial)?;
            if json {
                return print_json(&l);
            }
            println!("license {}  ({})", l.serial, l.status);
            println!("  order    {}  customer {}", l.order_id, l.customer_id);
            println!("  product  {} ({})", l.product, l.kind);
            if let Some(d) = &l.device {
                println!("  device   {d}");
            }
            if let Some(p) = &l.package {
                println!("  package  {p}");
            }
            println!("  valid    {} to {}", l.not_before, render::valid_until(&l));
            println!("  issued   {} with key {}", l.issued_at, l.key_id);
            if let Some(at) = &l.revoked_at {
                println!(
                    "  revoked  {at}: {}",
                    l.revoke_reason.as_deref().unwrap_or("")
                );
            }
            println!("  file     {}\n", l.file_name);
            print!("{}", l.text.as_deref().unwrap_or_default());
        }
    }
    Ok(ExitCode::SUCCESS)
}
