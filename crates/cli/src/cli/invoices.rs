//! `facelic invoice`, `facelic payment` and `facelic receivables`: the
//! documents finance files and the money that comes in.

use std::path::PathBuf;
use std::process::ExitCode;

use facelic_invoice::dates::Date;
use facelic_invoice::invoice::Invoice;
use facelic_invoice::money::{format_money, parse_amount};
use facelic_invoice::table::{Cell, Table};

use facelic_issuer::desk::{InvoiceFilter, OwedBack, ShownDate};

use super::{CliError, Globals, pdf, render};
use super::{open, print_json};

/// Where money owed back goes (`--owed-back`).
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum OwedBackArg {
    /// A refund owed, to pay out with `account refund`.
    Refund,
    /// Customer credit, for later statements (`account apply-credit`).
    Credit,
}

impl From<OwedBackArg> for OwedBack {
    fn from(a: OwedBackArg) -> OwedBack {
        match a {
            OwedBackArg::Refund => OwedBack::Refund,
            OwedBackArg::Credit => OwedBack::Credit,
        }
    }
}

/// `facelic invoice` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum InvoiceCommand {
    /// Make a draft statement from a desk order, at the order's agreed prices.
    Create {
        /// Order id.
        #[arg(long)]
        order: String,
        /// Print the draft as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Give a draft the next invoice number and date it; it cannot change afterwards.
    Finalize {
        /// Draft id (D-000001).
        draft: String,
        /// Confirm finalizing for a buyer whose billing profile has no tax
        /// id (a buyer abroad, a person); refused without it.
        #[arg(long)]
        without_buyer_tax_id: bool,
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
        /// Where a credit beyond what is still due goes (the statement was
        /// paid): a refund to pay out, or customer credit.
        #[arg(long, value_enum, value_name = "refund|credit")]
        owed_back: Option<OwedBackArg>,
        /// Print the credit note as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Record the official fapiao (发票) the tax system issued for an invoice.
    RecordFapiao {
        /// Invoice number (FL-2026-000001).
        number: String,
        /// The fapiao's number.
        #[arg(long = "number", value_name = "FAPIAO")]
        fapiao: String,
        /// The fapiao's date (YYYY-MM-DD).
        #[arg(long)]
        date: String,
        /// Print the fapiao as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Void a wrongly recorded fapiao (the record stays, audited); then
    /// record the right one with `record-fapiao`.
    VoidFapiao {
        /// Invoice number (FL-2026-000001).
        number: String,
        /// Why (recorded in the audit log).
        #[arg(long)]
        reason: String,
        /// Print the voided fapiao as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List invoices and drafts with what is paid and due.
    List(ListArgs),
    /// Show an invoice, draft or credit note (CN-…) as a document.
    Show(ShowArgs),
}

/// Arguments of `facelic invoice list`.
#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Only finalized invoices with a balance due.
    #[arg(long)]
    unpaid: bool,
    /// Only this customer's (id or name).
    #[arg(long)]
    customer: Option<String>,
    /// Only documents dated on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Only documents dated on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    format: TableFormat,
    /// Print as JSON (same as --format json).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    #[command(flatten)]
    out: Out,
}

/// Where a document or table goes: stdout, or a new file.
#[derive(Debug, clap::Args)]
pub(crate) struct Out {
    /// Write to this file instead of stdout (a new file; see --force).
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,
    /// Replace the --out file if it exists.
    #[arg(long, requires = "out")]
    pub(crate) force: bool,
}

/// Arguments of `invoice show` and `quote show`.
#[derive(Debug, clap::Args)]
pub(crate) struct ShowArgs {
    /// Document number (invoice, draft id, credit note or quote).
    pub(crate) number: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Print as JSON (same as --format json).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    #[command(flatten)]
    out: Out,
}

/// Renderings of a document.
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
    /// A4 PDF printed by headless Chromium (needs --out).
    Pdf,
}

/// Renderings of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum TableFormat {
    /// An aligned table.
    Text,
    /// JSON.
    Json,
    /// CSV (UTF-8 with a byte-order mark, for Excel).
    Csv,
    /// An Excel workbook (needs --out).
    Xlsx,
}

/// Writes `bytes` to `--out`, or to stdout.
pub(crate) fn emit(bytes: &[u8], out: &Out) -> Result<ExitCode, CliError> {
    match &out.out {
        Some(path) => {
            facelic_issuer::desk::write_output(path, bytes, out.force)?;
            eprintln!("wrote {}", path.display());
        }
        None => super::write_stdout(&String::from_utf8_lossy(bytes))?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders a document in the format asked for.
pub(crate) fn show_document(doc: &Invoice, args: &ShowArgs) -> Result<ExitCode, CliError> {
    let format = if args.json { Format::Json } else { args.format };
    let bytes = match format {
        Format::Text => doc.to_text().into_bytes(),
        Format::Json => {
            (serde_json::to_string_pretty(doc).map_err(|e| CliError::input(e.to_string()))? + "\n")
                .into_bytes()
        }
        Format::Csv => doc.to_csv().into_bytes(),
        Format::Html => doc.to_html().into_bytes(),
        Format::Pdf => {
            if args.out.out.is_none() {
                return Err(CliError::input(
                    "a PDF is written to a file: add --out FILE.pdf",
                ));
            }
            pdf::print(&doc.to_html())?
        }
    };
    emit(&bytes, &args.out)
}

/// Renders a table in the format asked for.
pub(crate) fn show_table<T: serde::Serialize>(
    table: &Table,
    json: &T,
    format: TableFormat,
    out: &Out,
) -> Result<ExitCode, CliError> {
    let bytes = match format {
        TableFormat::Text => {
            let rows = table
                .rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| match c {
                            Cell::Money(m) => format_money(*m),
                            c => c.text(),
                        })
                        .collect()
                })
                .collect();
            let columns: Vec<&str> = table.columns.iter().map(String::as_str).collect();
            format!("{}\n", render::table(&columns, rows)).into_bytes()
        }
        TableFormat::Json => {
            (serde_json::to_string_pretty(json).map_err(|e| CliError::input(e.to_string()))? + "\n")
                .into_bytes()
        }
        TableFormat::Csv => table.to_csv().into_bytes(),
        TableFormat::Xlsx => {
            if out.out.is_none() {
                return Err(CliError::input(
                    "a workbook is written to a file: add --out FILE.xlsx",
                ));
            }
            table
                .to_xlsx()
                .map_err(|e| CliError::input(e.to_string()))?
        }
    };
    emit(&bytes, out)
}

/// Parses a `YYYY-MM-DD` date argument.
pub(crate) fn parse_day(text: &str, flag: &str) -> Result<Date, CliError> {
    Date::parse(text).ok_or_else(|| {
        CliError::input(format!(
            "{flag} {text:?} is not a date (YYYY-MM-DD, a real calendar day)"
        ))
    })
}

/// Parses an amount of money given with `flag`.
pub(crate) fn parse_money(text: &str, flag: &str) -> Result<facelic_invoice::Decimal, CliError> {
    parse_amount(text).map_err(|e| CliError::input(format!("{flag} {e}")))
}

pub(crate) fn invoice(globals: &Globals, cmd: InvoiceCommand) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    match cmd {
        InvoiceCommand::Create { order, json } => {
            let inv = desk.create_invoice(&order)?;
            if json {
                return print_json(&inv);
            }
            print!("{}", inv.to_text());
            eprintln!(
                "draft {}: check it, then `facelic invoice finalize {}`",
                inv.draft_id, inv.draft_id
            );
        }
        InvoiceCommand::Finalize {
            draft,
            without_buyer_tax_id,
            json,
        } => {
            let buyer_tax_id = match without_buyer_tax_id {
                true => facelic_issuer::desk::BuyerTaxId::MayBeMissing,
                false => facelic_issuer::desk::BuyerTaxId::Required,
            };
            let inv = desk.finalize_invoice(&draft, buyer_tax_id)?;
            if json {
                return print_json(&inv);
            }
            println!(
                "{} (was {}): {} {}, due {}",
                inv.reference(),
                inv.draft_id,
                inv.currency,
                format_money(inv.totals.gross),
                inv.due_on.map(|d| d.to_string()).unwrap_or_default()
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
            owed_back,
            json,
        } => {
            let amount = amount
                .as_deref()
                .map(|a| parse_money(a, "--amount"))
                .transpose()?;
            let note =
                desk.credit_invoice(&number, &reason, amount, owed_back.map(OwedBack::from))?;
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
        InvoiceCommand::RecordFapiao {
            number,
            fapiao,
            date,
            json,
        } => {
            let f = desk.record_fapiao(&number, &fapiao, parse_day(&date, "--date")?)?;
            if json {
                return print_json(&f);
            }
            println!("{number}: fapiao {} of {}", f.number, f.date);
        }
        InvoiceCommand::VoidFapiao {
            number,
            reason,
            json,
        } => {
            let f = desk.void_fapiao(&number, &reason)?;
            if json {
                return print_json(&f);
            }
            println!(
                "{number}: fapiao {} of {} voided; record the right one with `facelic invoice record-fapiao`",
                f.number, f.date
            );
        }
        InvoiceCommand::List(args) => {
            let all = desk.invoices(&InvoiceFilter {
                unpaid: args.unpaid,
                customer: args.customer.clone(),
                from: args
                    .from
                    .as_deref()
                    .map(|d| parse_day(d, "--from"))
                    .transpose()?,
                to: args
                    .to
                    .as_deref()
                    .map(|d| parse_day(d, "--to"))
                    .transpose()?,
            })?;
            let format = if args.json {
                TableFormat::Json
            } else {
                args.format
            };
            let mut table = Table::new(
                "Invoices 结算单",
                &[
                    "number",
                    "draft",
                    "status",
                    "for",
                    "customer",
                    "buyer_tax_id",
                    "date",
                    "due",
                    "gross",
                    "credited",
                    "paid",
                    "balance",
                    "payment",
                    "fapiao",
                ],
            );
            for i in &all {
                table.rows.push(vec![
                    Cell::from(i.number.clone().unwrap_or_else(|| "-".into())),
                    Cell::from(i.draft_id.clone()),
                    Cell::from(i.status.as_str()),
                    Cell::from(i.billed_for.clone().unwrap_or_else(|| i.order_id.clone())),
                    Cell::from(i.customer.clone()),
                    Cell::from(i.buyer_tax_id.clone()),
                    // A date cell (an XLSX date), as `due` is.
                    Cell::Date(match i.date {
                        ShownDate::Day(day) => day,
                        ShownDate::At(at) => at.local_date(),
                    }),
                    Cell::from(i.due_on),
                    Cell::Money(i.gross),
                    Cell::Money(i.credited),
                    Cell::Money(i.paid),
                    Cell::Money(i.balance),
                    Cell::from(
                        i.payment_status
                            .map(|s| s.to_string())
                            .unwrap_or_else(|| "-".into()),
                    ),
                    Cell::from(i.fapiao_number.clone().unwrap_or_default()),
                ]);
            }
            return show_table(&table, &all, format, &args.out);
        }
        InvoiceCommand::Show(args) => {
            let doc = desk.invoice(&args.number)?;
            return show_document(&doc, &args);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `facelic receivables`.
#[derive(Debug, clap::Args)]
pub(crate) struct ReceivablesArgs {
    /// The report day (YYYY-MM-DD; default: today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableFormat::Text)]
    format: TableFormat,
    /// Print as JSON (same as --format json).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    #[command(flatten)]
    out: Out,
}

pub(crate) fn receivables(globals: &Globals, args: &ReceivablesArgs) -> Result<ExitCode, CliError> {
    let desk = open(globals)?;
    let as_of = args
        .as_of
        .as_deref()
        .map(|d| parse_day(d, "--as-of"))
        .transpose()?;
    let aging = desk.receivables(as_of)?;
    let format = if args.json {
        TableFormat::Json
    } else {
        args.format
    };
    if format == TableFormat::Text && args.out.out.is_none() {
        println!(
            "receivables as of {} ({}), by days past due",
            aging.as_of, aging.currency
        );
    }
    show_table(&aging.to_table(), &aging, format, &args.out)
}
