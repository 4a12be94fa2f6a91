//! Licenses issued on orders: `facelic issue`, `renew` and `replace`.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use facelic_issuer::DeviceCode;
use facelic_issuer::desk::parse_devices_file;

use super::{CliError, Globals, open, print_json, render};

/// Arguments of `facelic issue`.
#[derive(Debug, clap::Args)]
pub(crate) struct IssueArgs {
    /// Order id.
    #[arg(long)]
    order: String,
    /// A device code to license (repeatable; device orders).
    #[arg(long = "device", value_name = "CODE")]
    devices: Vec<String>,
    /// A file of device codes, one per line; blank lines and `#` comments are skipped.
    #[arg(long, value_name = "FILE")]
    devices_file: Option<PathBuf>,
    /// Where the license files go: a directory (created if missing), or a
    /// new zip archive when the name ends in `.zip` (for large orders).
    #[arg(long, value_name = "DIR|FILE.zip")]
    out: PathBuf,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

fn print_report(
    report: &facelic_issuer::desk::IssueReport,
    out: &std::path::Path,
) -> Result<(), CliError> {
    let place = if facelic_issuer::desk::is_archive(out) {
        "archive"
    } else {
        "files in"
    };
    println!(
        "order {}: {} new license(s), {} already issued; {place} {}",
        report.order_id,
        report.issued.len(),
        report.existing.len(),
        out.display()
    );
    const SHOWN: usize = 20;
    let all: Vec<_> = report.issued.iter().chain(&report.existing).collect();
    let rows = all
        .iter()
        .take(SHOWN)
        .map(|l| {
            vec![
                l.serial.to_string(),
                render::bound_to(l),
                render::valid_until(l),
                l.file_name.clone(),
            ]
        })
        .collect();
    println!(
        "{}",
        render::table(&["serial", "device / package", "valid until", "file"], rows)
    );
    if all.len() > SHOWN {
        println!(
            "... and {} more (see `facelic license list --order {}`)",
            all.len() - SHOWN,
            report.order_id
        );
    }
    Ok(())
}

pub(crate) fn issue(globals: &Globals, args: &IssueArgs) -> Result<ExitCode, CliError> {
    let mut codes = Vec::new();
    let mut bad = Vec::new();
    for text in &args.devices {
        match text.parse::<DeviceCode>() {
            Ok(code) => codes.push(code),
            Err(e) => bad.push(format!("--device {text:?}: {e}")),
        }
    }
    if !bad.is_empty() {
        return Err(CliError::input(format!(
            "{}; nothing issued",
            bad.join("; ")
        )));
    }
    if let Some(path) = &args.devices_file {
        let bytes = std::fs::read(path).map_err(CliError::io(path))?;
        let parsed = parse_devices_file(&bytes)
            .map_err(|e| CliError::input(format!("{}: {e}", path.display())))?;
        codes.extend(parsed);
    }
    let mut desk = open(globals)?;
    let report = if codes.is_empty() {
        desk.issue_platform(&args.order, &args.out)?
    } else {
        let bar = if std::io::stderr().is_terminal() && codes.len() > 1 {
            let bar = indicatif::ProgressBar::new(codes.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} issuing [{bar:40}] {pos}/{len} {per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        } else {
            indicatif::ProgressBar::hidden()
        };
        let report = desk.issue_devices(&args.order, &codes, &args.out, &mut |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })?;
        bar.finish_and_clear();
        report
    };
    if args.json {
        return print_json(&report);
    }
    print_report(&report, &args.out)?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `facelic renew`.
#[derive(Debug, clap::Args)]
pub(crate) struct RenewArgs {
    /// Platform order id.
    #[arg(long)]
    order: String,
    /// Directory to write the new license file to.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Re-price the new term: its platform fee (default: the last term's agreed fee).
    #[arg(long, value_name = "AMOUNT")]
    price: Option<String>,
    /// Re-price the new term's discount in percent, 0 for none (default: the last term's).
    #[arg(long, value_name = "PCT")]
    discount: Option<String>,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn renew(globals: &Globals, args: &RenewArgs) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    let reprice = facelic_issuer::desk::Reprice {
        fee: args
            .price
            .as_deref()
            .map(|p| super::invoices::parse_money(p, "--price"))
            .transpose()?,
        // 0 takes the discount off.
        discount_pct: match args.discount.as_deref().map(str::trim) {
            Some("0") => Some(facelic_invoice::Decimal::ZERO),
            _ => super::quotes::percent(&args.discount)?,
        },
    };
    let report = desk.renew(&args.order, &args.out, &reprice)?;
    if args.json {
        return print_json(&report);
    }
    let order = desk.order(&args.order)?;
    if let Some(t) = order.terms.last() {
        println!(
            "renewed order {}: term {} runs {} to {}",
            order.id, t.seq, t.starts_at, t.ends_at
        );
    }
    print_report(&report, &args.out)?;
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `facelic replace`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReplaceArgs {
    /// Serial of the broken device's license.
    serial: String,
    /// Device code of the replacement device.
    #[arg(long, value_name = "CODE")]
    device: String,
    /// Directory to write the new license file to.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn replace(globals: &Globals, args: &ReplaceArgs) -> Result<ExitCode, CliError> {
    let code: DeviceCode = args
        .device
        .parse()
        .map_err(|e| CliError::input(format!("--device {:?}: {e}", args.device)))?;
    let mut desk = open(globals)?;
    let report = desk.replace(&args.serial, code, &args.out)?;
    if args.json {
        return print_json(&report);
    }
    println!("revoked {}; its seat moved to {code}", args.serial);
    print_report(&report, &args.out)?;
    Ok(ExitCode::SUCCESS)
}

/// `facelic reissue`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReissueArgs {
    /// Re-issue the live licenses this key signed (a revoked or retired key).
    #[arg(long, value_name = "KEY_ID")]
    signed_by: String,
    /// Directory (or `.zip` file) to write the new license files to.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn reissue(globals: &Globals, args: &ReissueArgs) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    let report = desk.reissue(&args.signed_by, &args.out)?;
    if args.json {
        return print_json(&report);
    }
    for item in report.reissued.iter().chain(&report.existing) {
        println!("{} {}", item.old, item.new.serial);
    }
    eprintln!(
        "re-issued {} license(s) of key {} with key {} (old ones revoked, seats unchanged) into {}",
        report.reissued.len(),
        report.signed_by,
        report.key_id,
        args.out.display()
    );
    if !report.existing.is_empty() {
        eprintln!(
            "wrote again the files of {} license(s) re-issued before",
            report.existing.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
