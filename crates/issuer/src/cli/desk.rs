//! The desk commands: init, customers, orders, issuing, renewal, revocation,
//! revocation lists, license lookups and the audit log.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use facelic_issuer::desk::{
    Desk, LicenseFilter, NewOrder, Order, Session, parse_devices_file, parse_duration,
};
use facelic_issuer::{DeviceCode, Kind};
use serde::Serialize;

use super::{CliError, Globals, clock, render};

/// Opens the desk of `globals` with the session clock and operator.
pub(crate) fn open(globals: &Globals) -> Result<Desk, CliError> {
    Ok(Desk::open(&globals.desk, session(globals)?)?)
}

pub(crate) fn session(globals: &Globals) -> Result<Session, CliError> {
    Ok(Session::new(clock::clock()?, &globals.operator)?)
}

/// Prints `value` as one JSON line.
pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<ExitCode, CliError> {
    let text = serde_json::to_string(value)
        .map_err(|e| CliError::input(format!("cannot render JSON: {e}")))?;
    println!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `facelic init`.
#[derive(Debug, clap::Args)]
pub(crate) struct InitArgs {
    /// Print the result as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn init(globals: &Globals, args: &InitArgs) -> Result<ExitCode, CliError> {
    let (desk, key) = Desk::init(&globals.desk, session(globals)?)?;
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
    println!(
        "  key id   {} (private key in keys/, mode 0600)",
        key.key_id
    );
    Ok(ExitCode::SUCCESS)
}

/// `facelic order` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum OrderCommand {
    /// Create an order: `--devices N` (per device, N >= 50), `--trial --devices N`
    /// (device trial, N <= 3), `--platform PACKAGE` (one-year term) or
    /// `--platform PACKAGE --trial` (30-day platform trial).
    New(NewOrderArgs),
    /// Show an order: seats bought, used and free; platform terms.
    Show {
        /// Order id.
        order: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List orders.
    List {
        /// Only this customer's (id or exact name).
        #[arg(long)]
        customer: Option<String>,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `facelic order new`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["devices", "platform", "quote"])))]
pub(crate) struct NewOrderArgs {
    /// Customer id or exact name (default with --quote: the quote's customer).
    #[arg(long, required_unless_present = "quote")]
    customer: Option<String>,
    /// Product id from the catalog, e.g. face-detect (default with --quote: the quote's).
    #[arg(long, required_unless_present = "quote")]
    product: Option<String>,
    /// Make the order from a saved quote, at its prices (Q-2026-000001);
    /// device quotes give the devices, platform quotes need --platform.
    #[arg(long, value_name = "NUMBER", conflicts_with_all = ["trial", "discount"])]
    quote: Option<String>,
    /// Percentage discount agreed, e.g. 20; invoices and renewals keep it.
    #[arg(long, value_name = "PCT")]
    discount: Option<String>,
    /// Number of devices (per-device purchase or device trial).
    #[arg(long, value_name = "N")]
    devices: Option<u64>,
    /// Android package name the platform license binds to.
    #[arg(long, value_name = "PACKAGE")]
    platform: Option<String>,
    /// A trial instead of a purchase.
    #[arg(long)]
    trial: bool,
    /// Start of the platform term: YYYY-MM-DD (UTC midnight) or RFC 3339 (default: now).
    #[arg(long, value_name = "DATE")]
    start: Option<String>,
    /// Pin the app signing certificate (platform orders): SHA-256 as 64 hex
    /// digits, colons allowed (`apksigner verify --print-certs`, or the Play
    /// Console's App signing page: pin the Play App Signing certificate).
    #[arg(long, value_name = "HEX")]
    cert_sha256: Option<String>,
    /// Print the created order as one JSON object.
    #[arg(long)]
    json: bool,
}

fn parse_date(text: &str) -> Result<facelic_issuer::Timestamp, CliError> {
    if text.len() == 10 {
        return clock::parse_time(&format!("{text}T00:00:00Z"), "--start");
    }
    clock::parse_time(text, "--start")
}

/// Points out, on stderr, a device order that would cost less with more
/// devices (a volume cliff), as `facelic quote` does.
fn warn_of_volume_cliff(desk: &Desk, order: &Order) {
    use facelic_invoice::money::format_money;
    use facelic_invoice::pricing::{cheaper_quantity, price_devices};
    let (Some(devices), Kind::Device) = (order.devices, order.kind) else {
        return;
    };
    let catalog = desk.catalog();
    let Some(product) = catalog.product(&order.product) else {
        return;
    };
    let minimum = catalog.rules.device_min_quantity;
    let Ok(line) = price_devices(product, minimum, devices, None) else {
        return;
    };
    if let Some(cheaper) = cheaper_quantity(product, minimum, &line) {
        eprintln!(
            "note: {devices} devices cost {}; {} devices would cost {} — {} less",
            format_money(line.amount),
            cheaper.quantity,
            format_money(cheaper.amount),
            format_money(cheaper.saving)
        );
    }
}

fn print_order(order: &Order) {
    println!(
        "order {}  {} ({})",
        order.id, order.customer_name, order.customer_id
    );
    println!("  product  {}", order.product);
    println!("  kind     {}", order.kind);
    if let (Some(bought), Some(free)) = (order.devices, order.seats_free) {
        println!(
            "  seats    {bought} bought, {} used, {free} free",
            order.seats_used
        );
    }
    if let Some(end) = &order.trial_ends_at {
        println!("  trial    ends {end}");
    }
    if let Some(package) = &order.package {
        println!("  package  {package}");
        if let Some(cert) = &order.cert_sha256 {
            let hex: String = cert.iter().map(|b| format!("{b:02x}")).collect();
            println!("  pinned   app signing certificate SHA-256 {hex}");
        }
        for t in &order.terms {
            let price = t
                .fee
                .map(|fee| {
                    let less = t
                        .discount_pct
                        .map(|d| format!(" less {d}%"))
                        .unwrap_or_default();
                    format!("  at {}{less}", facelic_invoice::money::format_money(fee))
                })
                .unwrap_or_default();
            println!("  term {}   {} to {}{price}", t.seq, t.starts_at, t.ends_at);
        }
        println!("  licenses {}", order.seats_used);
    }
    if let (Some(agreed), true) = (&order.agreed, order.kind.is_device_bound()) {
        let less = agreed
            .discount_pct
            .map(|d| format!(" less {d}%"))
            .unwrap_or_default();
        println!(
            "  agreed   {} at tier {} ({}){less}: {}",
            agreed.quantity,
            agreed.tier,
            facelic_invoice::money::format_money(agreed.unit_price),
            facelic_invoice::money::format_money(agreed.amount)
        );
    }
    if let Some(q) = &order.quote {
        println!("  quote    {q}");
    }
    println!("  created  {}", order.created_at);
}

pub(crate) fn order(globals: &Globals, cmd: OrderCommand) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    match cmd {
        OrderCommand::New(a) => {
            let kind = match (a.platform.is_some(), a.trial) {
                (false, false) => Kind::Device,
                (false, true) => Kind::DeviceTrial,
                (true, false) => Kind::Platform,
                (true, true) => Kind::PlatformTrial,
            };
            let quote = a.quote.as_deref().map(|q| desk.quote(q)).transpose()?;
            let kind = match &quote {
                Some(q) if q.devices.is_none() && a.platform.is_none() => {
                    return Err(CliError::input(format!(
                        "quote {} is for platform terms: give the app's package with --platform",
                        q.number
                    )));
                }
                _ => kind,
            };
            let new = NewOrder {
                customer: a
                    .customer
                    .or_else(|| quote.as_ref().map(|q| q.customer_id.clone()))
                    .unwrap_or_default(),
                product: a
                    .product
                    .or_else(|| quote.as_ref().map(|q| q.product.clone()))
                    .unwrap_or_default(),
                kind,
                devices: a.devices.or_else(|| quote.as_ref().and_then(|q| q.devices)),
                discount_pct: super::invoicing::percent(&a.discount)?,
                quote: a.quote,
                package: a.platform,
                start: a.start.as_deref().map(parse_date).transpose()?,
                cert_sha256: a
                    .cert_sha256
                    .as_deref()
                    .map(super::verify::parse_cert_digest)
                    .transpose()?,
            };
            let order = desk.create_order(&new)?;
            warn_of_volume_cliff(&desk, &order);
            if a.json {
                return print_json(&order);
            }
            print_order(&order);
        }
        OrderCommand::Show { order, json } => {
            let order = desk.order(&order)?;
            if json {
                return print_json(&order);
            }
            print_order(&order);
        }
        OrderCommand::List { customer, json } => {
            let orders = desk.orders(customer.as_deref())?;
            if json {
                return print_json(&orders);
            }
            let rows = orders
                .iter()
                .map(|o| {
                    let seats = match (o.devices, o.seats_free) {
                        (Some(n), Some(free)) => format!("{}/{n} used, {free} free", o.seats_used),
                        _ => o.package.clone().unwrap_or_default(),
                    };
                    vec![
                        o.id.clone(),
                        o.customer_id.clone(),
                        o.product.clone(),
                        o.kind.to_string(),
                        seats,
                        o.created_at.to_string(),
                    ]
                })
                .collect();
            println!(
                "{}",
                render::table(
                    &[
                        "order",
                        "customer",
                        "product",
                        "kind",
                        "seats / package",
                        "created"
                    ],
                    rows
                )
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

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

fn print_report(report: &facelic_issuer::desk::IssueReport, out: &std::path::Path) {
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
    print_report(&report, &args.out);
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
            _ => super::invoicing::percent(&args.discount)?,
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
    print_report(&report, &args.out);
    Ok(ExitCode::SUCCESS)
}

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
    print_report(&report, &args.out);
    Ok(ExitCode::SUCCESS)
}

/// `facelic crl` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CrlCommand {
    /// Write the signed revocation list of every revoked license.
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
}

pub(crate) fn crl(globals: &Globals, cmd: CrlCommand) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    let CrlCommand::Export { out, force, json } = cmd;
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
        /// Only live licenses that expire within this long, e.g. 30d, 2w, 12h.
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
    open(globals)?.backup(&args.out)?;
    if args.json {
        return print_json(&serde_json::json!({ "backup": args.out.display().to_string() }));
    }
    println!(
        "backed up the desk to {} (restore: use it as --desk)",
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
