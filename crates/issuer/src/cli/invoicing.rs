//! Pricing and invoicing commands: quote, usage bill, invoice ...

use std::path::PathBuf;
use std::process::ExitCode;

use facelic_invoice::money::{format_money, parse_amount, parse_percent};
use facelic_invoice::pricing::{cheaper_quantity, price_devices, price_platform};
use facelic_invoice::usage::{bill, parse_calls};
use facelic_invoice::{Catalog, Decimal};

use super::desk::{open, print_json};
use super::{CliError, Globals, render};

/// The desk's catalog when there is a desk, else the catalog facelic ships.
fn catalog(globals: &Globals) -> Result<Catalog, CliError> {
    if globals
        .desk
        .join(facelic_issuer::desk::LEDGER_FILE)
        .exists()
    {
        return Ok(open(globals)?.catalog().clone());
    }
    Catalog::default_catalog().map_err(|e| CliError::input(e.to_string()))
}

fn percent(text: &Option<String>) -> Result<Option<Decimal>, CliError> {
    text.as_deref()
        .map(|t| parse_percent(t).map_err(|e| CliError::input(format!("--discount {e}"))))
        .transpose()
}

/// Arguments of `facelic quote`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["devices", "platform"])))]
pub(crate) struct QuoteArgs {
    /// Product id, e.g. face-detect.
    #[arg(long)]
    product: String,
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
    /// Print the quote as one JSON object.
    #[arg(long)]
    json: bool,
}

pub(crate) fn quote(globals: &Globals, args: &QuoteArgs) -> Result<ExitCode, CliError> {
    let catalog = catalog(globals)?;
    let product = catalog.product(&args.product).ok_or_else(|| {
        CliError::input(format!(
            "unknown product {:?}; the catalog has: {}",
            args.product,
            catalog.product_ids()
        ))
    })?;
    let discount = percent(&args.discount)?;
    let refused = |e: facelic_invoice::pricing::PricingError| {
        CliError::Desk(facelic_issuer::desk::DeskError::Refused(e.to_string()))
    };
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
            format_money(line.unit_price)
        );
    } else {
        for p in &line.portions {
            println!(
                "  tier {} ({}): {} x {} {c}",
                p.tier,
                line.mode,
                p.quantity,
                format_money(p.unit_price)
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

/// `facelic usage` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum UsageCommand {
    /// Bill one month of face-API calls: free quota, prepaid packs, post-paid tiers.
    Bill {
        /// API product id, e.g. api-face-search.
        #[arg(long)]
        product: String,
        /// Calls made in the month (e.g. 52000000 or 52M).
        #[arg(long)]
        calls: String,
        /// A prepaid pack bought, by size (1M, 10M, 50M, 100M; repeatable).
        #[arg(long = "pack", value_name = "SIZE")]
        packs: Vec<String>,
        /// Print the bill as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn usage(globals: &Globals, cmd: UsageCommand) -> Result<ExitCode, CliError> {
    let UsageCommand::Bill {
        product,
        calls,
        packs,
        json,
    } = cmd;
    let catalog = catalog(globals)?;
    let api = catalog.api_product(&product).ok_or_else(|| {
        let ids: Vec<&str> = catalog.api_products.iter().map(|p| p.id.as_str()).collect();
        CliError::input(format!(
            "unknown API product {product:?}; the catalog has: {}",
            ids.join(", ")
        ))
    })?;
    let calls = parse_calls(&calls).map_err(|e| CliError::input(format!("--calls {e}")))?;
    let packs = packs
        .iter()
        .map(|p| parse_calls(p).map_err(|e| CliError::input(format!("--pack {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let b = bill(api, calls, &packs).map_err(|e| CliError::input(e.to_string()))?;
    if json {
        return print_json(&serde_json::json!({ "currency": catalog.currency, "bill": b }));
    }
    let c = &catalog.currency;
    println!(
        "{} {} / {}: {} calls",
        api.id, api.name_zh, api.name_en, b.calls
    );
    println!("  free quota      {:>14} calls", b.free_calls);
    for (size, price) in &b.packs {
        println!(
            "  prepaid pack    {size:>14} calls  {:>14} {c}",
            format_money(*price)
        );
    }
    println!(
        "  from packs      {:>14} calls  ({} unused)",
        b.pack_calls, b.pack_calls_unused
    );
    if let Some(unit) = b.postpaid_unit_price {
        println!(
            "  post-paid       {:>14} calls x {unit} = {} {c}",
            b.postpaid_calls,
            format_money(b.postpaid_amount)
        );
    } else {
        println!("  post-paid       {:>14} calls", 0);
    }
    println!("total {} {c}", format_money(b.total));
    Ok(ExitCode::SUCCESS)
}

/// `facelic invoice` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum InvoiceCommand {
    /// Make a draft invoice from a desk order.
    Create {
        /// Order id.
        #[arg(long)]
        order: String,
        /// Percentage discount on every line.
        #[arg(long, value_name = "PCT")]
        discount: Option<String>,
        /// Print the draft as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Give a draft the next invoice number; it cannot change afterwards.
    Finalize {
        /// Draft id (D-000001).
        draft: String,
        /// Print the invoice as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Delete a draft.
    Discard {
        /// Draft id.
        draft: String,
    },
    /// Issue a credit note against a finalized invoice.
    Credit {
        /// Invoice number.
        number: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Gross amount to credit (default: everything not yet credited).
        #[arg(long)]
        amount: Option<String>,
        /// Print the credit note as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List invoices and drafts.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show an invoice (or draft).
    Show {
        /// Invoice number or draft id.
        number: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Write to this file instead of stdout (a new file; see --force).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace the --out file if it exists.
        #[arg(long, requires = "out")]
        force: bool,
    },
}

/// Renderings of an invoice.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum Format {
    /// Plain text.
    Text,
    /// One JSON object.
    Json,
    /// CSV, one row per line and a total row.
    Csv,
    /// Print-ready A4 HTML (self-contained).
    Html,
}

pub(crate) fn invoice(globals: &Globals, cmd: InvoiceCommand) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    match cmd {
        InvoiceCommand::Create {
            order,
            discount,
            json,
        } => {
            let inv = desk.create_invoice(&order, percent(&discount)?)?;
            if json {
                return print_json(&inv);
            }
            print!("{}", inv.to_text());
            eprintln!(
                "draft {}: check it, then `facelic invoice finalize {}`",
                inv.draft_id, inv.draft_id
            );
        }
        InvoiceCommand::Finalize { draft, json } => {
            let inv = desk.finalize_invoice(&draft)?;
            if json {
                return print_json(&inv);
            }
            println!(
                "{} (was {}): {} {}",
                inv.reference(),
                inv.draft_id,
                inv.currency,
                format_money(inv.totals.gross)
            );
        }
        InvoiceCommand::Discard { draft } => {
            desk.discard_draft(&draft)?;
            println!("discarded {draft}");
        }
        InvoiceCommand::Credit {
            number,
            reason,
            amount,
            json,
        } => {
            let amount = amount
                .as_deref()
                .map(|a| parse_amount(a).map_err(|e| CliError::input(format!("--amount {e}"))))
                .transpose()?;
            let note = desk.credit_invoice(&number, &reason, amount)?;
            if json {
                return print_json(&note);
            }
            println!(
                "{} against {number}: -{} ({})",
                note.number,
                format_money(note.amount),
                note.reason
            );
        }
        InvoiceCommand::List { json } => {
            let all = desk.invoices()?;
            if json {
                return print_json(&all);
            }
            let rows = all
                .iter()
                .map(|i| {
                    vec![
                        i.number.clone().unwrap_or_else(|| "-".into()),
                        i.draft_id.clone(),
                        i.status.clone(),
                        i.order_id.clone(),
                        i.customer.clone(),
                        format_money(i.gross),
                        format_money(i.credited),
                        i.date.clone(),
                    ]
                })
                .collect();
            println!(
                "{}",
                render::table(
                    &[
                        "number", "draft", "status", "order", "customer", "gross", "credited",
                        "date"
                    ],
                    rows
                )
            );
        }
        InvoiceCommand::Show {
            number,
            format,
            out,
            force,
        } => {
            let inv = desk.invoice(&number)?;
            let text = match format {
                Format::Text => inv.to_text(),
                Format::Json => {
                    serde_json::to_string_pretty(&inv)
                        .map_err(|e| CliError::input(e.to_string()))?
                        + "\n"
                }
                Format::Csv => inv.to_csv(),
                Format::Html => inv.to_html(),
            };
            match out {
                Some(path) => {
                    facelic_issuer::desk::write_output(&path, text.as_bytes(), force)?;
                    eprintln!("wrote {}", path.display());
                }
                None => print!("{text}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
