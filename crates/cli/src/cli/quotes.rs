//! `facelic quote`: price a purchase, save numbered quotes, show and list them.

use std::process::ExitCode;

use facelic_issuer::desk::NewQuote;

use facelic_invoice::Decimal;
use facelic_invoice::money::{format_money, parse_percent};
use facelic_invoice::pricing::{cheaper_quantity, price_devices, price_platform};

use super::{CliError, Globals, catalog, open, print_json, render};

/// Parses an optional `--discount` percentage.
pub(crate) fn percent(text: &Option<String>) -> Result<Option<Decimal>, CliError> {
    text.as_deref()
        .map(|t| parse_percent(t).map_err(|e| CliError::input(format!("--discount {e}"))))
        .transpose()
}

/// Arguments of `facelic quote`.
#[derive(Debug, clap::Args)]
#[command(
    group(clap::ArgGroup::new("what").required(true).args(["devices", "platform"])),
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub(crate) struct QuoteArgs {
    /// Saved quotes.
    #[command(subcommand)]
    command: Option<QuoteCommand>,
    /// Product id, e.g. face-detect.
    #[arg(long, required = true)]
    product: Option<String>,
    /// Number of devices (per-device purchase).
    #[arg(long, value_name = "N")]
    devices: Option<u64>,
    /// Price platform terms instead of devices.
    #[arg(long)]
    platform: bool,
    /// Platform years.
    #[arg(long, default_value_t = 1, requires = "platform")]
    years: u32,
    /// Percentage discount, e.g. 20 for a "20% off" campaign.
    #[arg(long, value_name = "PCT")]
    discount: Option<String>,
    /// Save the quote for a customer under the next quote number (Q-2026-000001).
    #[arg(long, requires = "customer")]
    save: bool,
    /// The customer a saved quote is for (id or name).
    #[arg(long, requires = "save")]
    customer: Option<String>,
    /// Days a saved quote stays valid (default: the catalog's quote_validity_days).
    #[arg(long, value_name = "DAYS", requires = "save")]
    valid_days: Option<u32>,
    /// Print the quote as one JSON object.
    #[arg(long)]
    json: bool,
}

/// `facelic quote` subcommands: saved quotes.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum QuoteCommand {
    /// Show a saved quote as a document.
    Show(super::invoices::ShowArgs),
    /// List saved quotes.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn saved_quotes(globals: &Globals, cmd: &QuoteCommand) -> Result<ExitCode, CliError> {
    let desk = open(globals)?;
    match cmd {
        QuoteCommand::Show(show) => {
            let quote = desk.quote(&show.number)?;
            super::invoices::show_document(&desk.quote_document(&quote)?, show)
        }
        QuoteCommand::List { json } => {
            let all = desk.quotes()?;
            if *json {
                return print_json(&all);
            }
            let today = desk.today();
            let rows = all
                .iter()
                .map(|q| {
                    let state = match (&q.order, today > q.valid_until) {
                        (Some(order), _) => format!("used by {order}"),
                        (None, true) => "expired".to_owned(),
                        (None, false) => "open".to_owned(),
                    };
                    vec![
                        q.number.clone(),
                        q.customer_name.clone(),
                        q.product.clone(),
                        q.devices.map_or_else(
                            || format!("{} year(s)", q.price.quantity),
                            |n| format!("{n} devices"),
                        ),
                        format_money(q.price.amount),
                        q.valid_until.to_string(),
                        state,
                    ]
                })
                .collect();
            println!(
                "{}",
                render::table(
                    &[
                        "number",
                        "customer",
                        "product",
                        "quantity",
                        "amount",
                        "valid until",
                        "state"
                    ],
                    rows
                )
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn save_quote(globals: &Globals, args: &QuoteArgs, customer: &str) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    let quote = desk.save_quote(&NewQuote {
        customer: customer.to_owned(),
        product: args.product.clone().unwrap_or_default(),
        devices: args.devices,
        years: args.years,
        discount_pct: percent(&args.discount)?,
        valid_days: args.valid_days,
    })?;
    if args.json {
        return print_json(&quote);
    }
    print!("{}", desk.quote_document(&quote)?.to_text());
    eprintln!(
        "saved quote {}, valid until {}: `facelic order new --quote {}` makes the order at these prices",
        quote.number, quote.valid_until, quote.number
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn quote(globals: &Globals, args: &QuoteArgs) -> Result<ExitCode, CliError> {
    if let Some(cmd) = &args.command {
        return saved_quotes(globals, cmd);
    }
    if let (true, Some(customer)) = (args.save, &args.customer) {
        return save_quote(globals, args, customer);
    }
    let catalog = catalog(globals)?;
    let wanted = args.product.as_deref().unwrap_or_default();
    let product = catalog.product(wanted).ok_or_else(|| {
        CliError::input(format!(
            "unknown product {wanted:?}; the catalog has: {}",
            catalog.product_ids()
        ))
    })?;
    let discount = percent(&args.discount)?;
    let refused = |e: facelic_invoice::pricing::PricingError| CliError::Refused(e.to_string());
    let (line, cliff) = match args.devices {
        Some(n) => {
            let line = price_devices(product, catalog.rules.device_min_quantity, n, discount)
                .map_err(refused)?;
            let cliff = cheaper_quantity(product, catalog.rules.device_min_quantity, &line);
            (line, cliff)
        }
        None => (
            price_platform(product, args.years, discount).map_err(refused)?,
            None,
        ),
    };
    if args.json {
        return print_json(&serde_json::json!({
            "product": product.id, "name_zh": product.name_zh, "name_en": product.name_en,
            "currency": catalog.currency, "quote": line, "cheaper": cliff,
        }));
    }
    let c = &catalog.currency;
    println!("{} {} / {}", product.id, product.name_zh, product.name_en);
    if args.platform {
        println!(
            "  per platform: {} x {} {c} a year",
            args.years,
            facelic_invoice::money::format_unit_price(line.unit_price)
        );
    } else {
        for p in &line.portions {
            println!(
                "  tier {} ({}): {} x {} {c}",
                p.tier,
                line.mode,
                p.quantity,
                facelic_invoice::money::format_unit_price(p.unit_price)
            );
        }
    }
    if let Some(pct) = line.discount_pct {
        println!(
            "  less {pct}%: {} -> {}",
            format_money(line.subtotal),
            format_money(line.amount)
        );
    }
    let what = if args.platform {
        format!("{} year(s)", args.years)
    } else {
        format!("{} devices", line.quantity)
    };
    match &cliff {
        Some(cheaper) => println!(
            "{what}: {}; {} devices cost {} — {} less",
            format_money(line.amount),
            cheaper.quantity,
            format_money(cheaper.amount),
            format_money(cheaper.saving)
        ),
        None => println!("{what}: {} {c}", format_money(line.amount)),
    }
    Ok(ExitCode::SUCCESS)
}
