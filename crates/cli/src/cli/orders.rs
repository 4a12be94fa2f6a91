//! `facelic order`: new, show and list orders.

use std::process::ExitCode;

use facelic_issuer::Kind;
use facelic_issuer::desk::{Desk, NewOrder, Order};

use super::{CliError, Globals, clock, open, print_json, render};

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

fn print_order(order: &Order) -> Result<(), CliError> {
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
            facelic_invoice::money::format_unit_price(agreed.unit_price),
            facelic_invoice::money::format_money(agreed.amount)
        );
    }
    if let Some(q) = &order.quote {
        println!("  quote    {q}");
    }
    println!("  created  {}", order.created_at);
    Ok(())
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
                discount_pct: super::quotes::percent(&a.discount)?,
                quote: a.quote,
                package: a.platform,
                start: a
                    .start
                    .as_deref()
                    .map(|t| clock::parse_instant(t, "--start"))
                    .transpose()?,
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
            print_order(&order)?;
        }
        OrderCommand::Show { order, json } => {
            let order = desk.order(&order)?;
            if json {
                return print_json(&order);
            }
            print_order(&order)?;
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
