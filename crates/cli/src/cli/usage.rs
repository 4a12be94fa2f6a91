//! `facelic usage` (estimate, activate, import, run, show) and `facelic
//! pack` (buy, list, refund): metered billing at the desk.

use std::path::PathBuf;
use std::process::ExitCode;

use facelic_invoice::dates::{Date, Month};
use facelic_invoice::money::{format_money, group_digits as calls};
use facelic_invoice::usage::{ProductUsage, estimate, parse_calls};
use facelic_issuer::desk::{NewPack, PackFilter, PackRecord, UsageMonth};

use super::invoices::{parse_day, parse_money};
use super::{CliError, Globals, catalog, clock, open, print_json, render};

/// `facelic usage` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum UsageCommand {
    /// Estimate one month of one product's calls (nothing is recorded):
    /// free quota, packs bought that month, post-paid tiers.
    Bill {
        /// Usage-billed product id, e.g. api-face-search or kyc-id-check.
        #[arg(long)]
        product: String,
        /// Calls made in the month (e.g. 52000000 or 52M).
        #[arg(long)]
        calls: String,
        /// A pack bought, by size (repeatable).
        #[arg(long = "pack", value_name = "SIZE")]
        packs: Vec<String>,
        /// The day whose prices apply (default today).
        #[arg(long)]
        date: Option<String>,
        /// Print the estimate as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Record that a customer activated a family of products (e.g. kyc):
    /// its settlement cycle and its trial packs follow from the day.
    Activate {
        /// Customer id or name.
        #[arg(long)]
        customer: String,
        /// Family id from the catalog's `[[usage_family]]`, e.g. kyc.
        #[arg(long)]
        family: String,
        /// Activation day (default today).
        #[arg(long)]
        date: Option<String>,
        /// Print the account as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Import calls from a CSV file (customer,product,day,calls or
    /// customer,product,month,calls); all lines or none.
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Print the report as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Bill a month: a statement per customer (per day for daily-settled accounts).
    Run {
        /// The month, YYYY-MM.
        #[arg(long, required_unless_present = "day", conflicts_with = "day")]
        month: Option<String>,
        /// A day that is over, YYYY-MM-DD: bills the daily-settled accounts'
        /// calls of it (and of earlier days of its month not billed yet).
        #[arg(long)]
        day: Option<String>,
        /// Only this customer (id or name).
        #[arg(long)]
        customer: Option<String>,
        /// Print the bills as one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Explain a customer's month step by step (a preview if not billed yet).
    Show {
        /// Customer id or name.
        #[arg(long)]
        customer: String,
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Print it as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// `facelic pack` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PackCommand {
    /// Buy a prepaid pack for a customer and issue its statement.
    Buy {
        /// Customer id or name.
        #[arg(long)]
        customer: String,
        /// Usage-billed product id.
        #[arg(long)]
        product: String,
        /// Calls in the pack (a size on sale that day, e.g. 1000000 or 1M).
        #[arg(long)]
        size: String,
        /// Purchase day (default today): the pack covers calls from 00:00 that day.
        #[arg(long)]
        date: Option<String>,
        /// An agreed price instead of the catalog's.
        #[arg(long)]
        price: Option<String>,
        /// Print the pack and statement as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List packs with their balances (as of the last usage run).
    List {
        /// Only this customer (id or name).
        #[arg(long)]
        customer: Option<String>,
        /// Only the packs below their family's low-balance reminder.
        #[arg(long)]
        low: bool,
        /// Only active packs whose last day is within this long: 30d (or 30), 2w, 12h.
        #[arg(long, value_name = "DURATION")]
        expiring_within: Option<String>,
        /// Print them as one JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Refund a wholly unused pack by a credit note, as its family allows.
    Refund {
        /// Pack id (PK-000001).
        pack: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Where the price of a pack already paid for goes: a refund to
        /// pay out, or customer credit.
        #[arg(long, value_enum, value_name = "refund|credit")]
        owed_back: Option<super::invoices::OwedBackArg>,
        /// Print the pack and credit note as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

fn parse_month(text: &str) -> Result<Month, CliError> {
    Month::parse(text)
        .ok_or_else(|| CliError::input(format!("--month {text:?} is not a month (YYYY-MM)")))
}

fn optional_day(text: &Option<String>) -> Result<Option<Date>, CliError> {
    text.as_deref().map(|t| parse_day(t, "--date")).transpose()
}

pub(crate) fn usage(globals: &Globals, cmd: UsageCommand) -> Result<ExitCode, CliError> {
    match cmd {
        UsageCommand::Bill {
            product,
            calls: n,
            packs,
            date,
            json,
        } => {
            let catalog = catalog(globals)?;
            let day = match date {
                Some(d) => parse_day(&d, "--date")?,
                None => catalog.invoicing.time_zone.date(clock::now()?),
            };
            let n = parse_calls(&n).map_err(|e| CliError::input(format!("--calls {e}")))?;
            let packs = packs
                .iter()
                .map(|p| parse_calls(p).map_err(|e| CliError::input(format!("--pack {e}"))))
                .collect::<Result<Vec<_>, _>>()?;
            let e = estimate(&catalog, &product, n, &packs, day).map_err(|e| {
                let ids: Vec<&str> = catalog.api_products.iter().map(|p| p.id.as_str()).collect();
                match e {
                    facelic_invoice::usage::UsageError::UnknownProduct(_) => {
                        CliError::input(format!("{e}; the catalog has: {}", ids.join(", ")))
                    }
                    facelic_invoice::usage::UsageError::Unpublished { .. } => {
                        CliError::Refused(e.to_string())
                    }
                    _ => CliError::input(e.to_string()),
                }
            })?;
            if json {
                return print_json(
                    &serde_json::json!({ "currency": catalog.currency, "date": day, "bill": e }),
                );
            }
            let c = &catalog.currency;
            let u = &e.usage;
            println!(
                "{} {} / {}: {} calls (prices of {day})",
                u.product,
                u.name_zh,
                u.name_en,
                calls(u.calls)
            );
            for (size, price) in &e.packs {
                println!(
                    "  prepaid pack    {:>14} calls  {:>14} {c}",
                    calls(*size),
                    format_money(*price)
                );
            }
            print!("{}", steps(u, c));
            println!(
                "  ({} pack calls left for later months)",
                calls(e.pack_calls_unused)
            );
            println!("total {} {c}", format_money(e.total));
            Ok(ExitCode::SUCCESS)
        }
        UsageCommand::Activate {
            customer,
            family,
            date,
            json,
        } => {
            let mut desk = open(globals)?;
            let day = optional_day(&date)?.unwrap_or_else(|| desk.today());
            let a = desk.activate_usage(&customer, &family, day)?;
            if json {
                return print_json(&a);
            }
            println!(
                "{} activated {} on {}: settles {}",
                a.customer_id,
                a.family,
                a.activated_on,
                a.cycle.as_str()
            );
            for p in &a.trial_packs {
                println!("  trial pack {p}");
            }
            Ok(ExitCode::SUCCESS)
        }
        UsageCommand::Import { file, json } => {
            let opened = std::fs::File::open(&file).map_err(CliError::io(&file))?;
            let mut desk = open(globals)?;
            let name = file.display().to_string();
            let r = desk.import_usage_from(&name, &mut std::io::BufReader::new(opened))?;
            if json {
                return print_json(&r);
            }
            println!(
                "{name}: {} rows: {} added, {} corrected, {} unchanged",
                r.rows, r.added, r.corrected, r.unchanged
            );
            Ok(ExitCode::SUCCESS)
        }
        UsageCommand::Run {
            month,
            day,
            customer,
            json,
        } => {
            let mut desk = open(globals)?;
            let bills = match (month, day) {
                (Some(month), None) => desk.run_usage(parse_month(&month)?, customer.as_deref())?,
                (None, Some(day)) => {
                    desk.run_usage_day(parse_day(&day, "--day")?, customer.as_deref())?
                }
                _ => return Err(CliError::Input("give one of --month or --day".into())),
            };
            if json {
                return print_json(&bills);
            }
            let c = desk.catalog().currency.clone();
            let rows = bills
                .iter()
                .map(|b| {
                    vec![
                        b.customer_id.clone(),
                        b.bill.period_text(),
                        b.cycle.as_str().to_owned(),
                        b.invoice.clone().unwrap_or_else(|| "(nothing owed)".into()),
                        b.date.to_string(),
                        format!("{} {c}", format_money(b.bill.amount)),
                    ]
                })
                .collect();
            println!(
                "{}",
                render::table(
                    &[
                        "customer",
                        "period",
                        "cycle",
                        "statement",
                        "dated",
                        "amount"
                    ],
                    rows
                )
            );
            Ok(ExitCode::SUCCESS)
        }
        UsageCommand::Show {
            customer,
            month,
            json,
        } => {
            let month = parse_month(&month)?;
            let desk = open(globals)?;
            let m = desk.usage_month(&customer, month)?;
            if json {
                return print_json(&m);
            }
            print!("{}", explain(&m, &desk.catalog().currency));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One product's bill, step by step.
fn steps(u: &ProductUsage, c: &str) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let _ = writeln!(s, "  free quota      {:>14} calls", calls(u.free_calls));
    for p in &u.pack_uses {
        let days = if p.first_day == p.last_day {
            p.first_day.to_string()
        } else {
            format!("{} to {}", p.first_day, p.last_day)
        };
        let _ = writeln!(
            s,
            "  from {:<10} {:>14} calls  ({days})",
            p.pack,
            calls(p.calls)
        );
    }
    if u.pack_uses.is_empty() {
        let _ = writeln!(s, "  from packs      {:>14} calls", calls(u.pack_calls));
    }
    if u.charges.is_empty() {
        let _ = writeln!(s, "  post-paid       {:>14} calls", 0);
    }
    for ch in &u.charges {
        let list = if ch.price_list == facelic_invoice::PriceSource::List {
            String::new()
        } else {
            format!(", {} price", ch.price_list)
        };
        let _ = writeln!(
            s,
            "  post-paid       {:>14} calls x {} (tier {} by {} calls{list}) = {} {c}",
            calls(ch.calls),
            ch.unit_price.normalize(),
            ch.tier,
            calls(u.tier_calls),
            format_money(ch.amount)
        );
    }
    if let Some(cliff) = &u.cliff {
        let _ = writeln!(
            s,
            "  note: {} calls would cost {} — {} less (next tier)",
            calls(cliff.quantity),
            format_money(cliff.amount),
            format_money(cliff.saving)
        );
    }
    s
}

fn explain(m: &UsageMonth, c: &str) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let state = match (m.billed, m.bills.iter().any(|b| b.recorded)) {
        (true, _) => "billed",
        (false, true) => "billed in part: the days left are what a run would bill now",
        (false, false) => "not billed yet: what a run would bill now",
    };
    let _ = writeln!(
        s,
        "{} {} — {} ({state})",
        m.customer_id, m.customer, m.month
    );
    for b in &m.bills {
        let statement = b.invoice.clone().unwrap_or_else(|| {
            if b.recorded {
                "no statement: nothing owed".into()
            } else {
                "preview".into()
            }
        });
        let _ = writeln!(
            s,
            "{} ({}), dated {}: {}",
            b.bill.period_text(),
            b.cycle.as_str(),
            b.date,
            statement
        );
        for u in &b.bill.products {
            let _ = writeln!(
                s,
                "{} {} / {}: {} calls",
                u.product,
                u.name_zh,
                u.name_en,
                calls(u.calls)
            );
            s.push_str(&steps(u, c));
        }
        let _ = writeln!(s, "amount {} {c}", format_money(b.bill.amount));
    }
    for e in &m.expired {
        let _ = writeln!(
            s,
            "pack {} expired after {} with {} calls unused (not billed again)",
            e.pack,
            e.last_day,
            calls(e.unused)
        );
    }
    s
}

pub(crate) fn pack(globals: &Globals, cmd: PackCommand) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    match cmd {
        PackCommand::Buy {
            customer,
            product,
            size,
            date,
            price,
            json,
        } => {
            let new = NewPack {
                customer,
                product,
                calls: parse_calls(&size).map_err(|e| CliError::input(format!("--size {e}")))?,
                date: optional_day(&date)?,
                price: price
                    .as_deref()
                    .map(|p| parse_money(p, "--price"))
                    .transpose()?,
            };
            let (pack, invoice) = desk.buy_pack(&new)?;
            if json {
                return print_json(&serde_json::json!({ "pack": pack, "invoice": invoice }));
            }
            println!(
                "{}: {} calls of {} for {}, {} to {} ({} price); statement {}",
                pack.id,
                calls(pack.calls),
                pack.product,
                pack.customer_id,
                pack.bought_on,
                pack.last_day,
                pack.price_list,
                invoice.reference()
            );
            Ok(ExitCode::SUCCESS)
        }
        PackCommand::List {
            customer,
            low,
            expiring_within,
            json,
        } => {
            // The grammar of `license list --expiring-within`; packs end on
            // a day, so a part of a day counts as the whole day.
            let expiring_within = expiring_within
                .as_deref()
                .map(|t| {
                    let secs = super::args::parse_duration(t)?;
                    u32::try_from((secs + 86_399) / 86_400).map_err(|_| {
                        CliError::input(format!("--expiring-within {t:?} is too long"))
                    })
                })
                .transpose()?;
            let packs = desk.packs(&PackFilter {
                customer,
                low,
                expiring_within,
            })?;
            if json {
                return print_json(&packs);
            }
            println!("{}", packs_table(&packs, &desk.catalog().currency));
            Ok(ExitCode::SUCCESS)
        }
        PackCommand::Refund {
            pack,
            reason,
            owed_back,
            json,
        } => {
            let (pack, note) = desk.refund_pack(&pack, &reason, owed_back.map(Into::into))?;
            if json {
                return print_json(&serde_json::json!({ "pack": pack, "credit_note": note }));
            }
            println!(
                "{} refunded: credit note {} for {}",
                pack.id,
                note.number,
                format_money(note.amount)
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn packs_table(packs: &[PackRecord], c: &str) -> String {
    let rows = packs
        .iter()
        .map(|p| {
            let mut status = p.status.as_str().to_owned();
            if p.expired_unused > 0 {
                status = format!("expired ({} unused)", calls(p.expired_unused));
            }
            if p.low {
                status.push_str(", LOW");
            }
            vec![
                p.id.clone(),
                p.customer_id.clone(),
                p.product.clone(),
                calls(p.calls),
                calls(p.remaining),
                p.bought_on.to_string(),
                p.last_day.to_string(),
                format!("{} {c}", format_money(p.price)),
                status,
            ]
        })
        .collect();
    render::table(
        &[
            "pack", "customer", "product", "calls", "left", "bought", "last day", "price", "status",
        ],
        rows,
    )
}
