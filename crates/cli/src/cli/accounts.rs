//! `facelic payment` and `facelic account`: money received, applied to
//! statements, kept on a customer's account, and paid back.

use std::process::ExitCode;

use facelic_invoice::Decimal;
use facelic_invoice::dates::Date;
use facelic_invoice::money::format_money;
use facelic_issuer::desk::{CustomerAccount, Desk, Receipt, RefundFrom, Rest};

use super::invoices::{Out, TableFormat, emit, parse_day, parse_money, show_table};
use super::{CliError, Globals, open, pdf, print_json};

/// `facelic payment` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum PaymentCommand {
    /// Record money received against finalized statements: one bank
    /// transfer may pay several (applied in the order named); more than
    /// they ask for is refused (see `payment receive`).
    Record {
        /// Statement number; repeat it to apply one transfer to several.
        #[arg(long, required = true)]
        invoice: Vec<String>,
        #[command(flatten)]
        money: Money,
    },
    /// Record money received from a customer: applied to the statements
    /// named (in that order, each up to its balance); the rest stays on the
    /// customer's account as unapplied cash.
    Receive {
        /// Customer id or name.
        #[arg(long)]
        customer: String,
        /// Statement number to apply it to; repeatable, optional.
        #[arg(long)]
        invoice: Vec<String>,
        #[command(flatten)]
        money: Money,
    },
    /// Apply a receipt's unapplied cash to a statement of the same customer.
    Apply {
        /// Receipt id (R-000001).
        receipt: String,
        /// Statement number.
        #[arg(long)]
        invoice: String,
        /// Amount to apply (default: as much as both allow).
        #[arg(long)]
        amount: Option<String>,
        /// Print the payment as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// The money of a receipt: amount, day, reference.
#[derive(Debug, clap::Args)]
pub(crate) struct Money {
    /// Amount received.
    #[arg(long)]
    amount: String,
    /// Day the money arrived (YYYY-MM-DD; default: today).
    #[arg(long)]
    date: Option<String>,
    /// Bank reference or note.
    #[arg(long, default_value = "")]
    reference: String,
    /// Print the receipt and its payments as one JSON object.
    #[arg(long)]
    json: bool,
}

/// `facelic account` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum AccountCommand {
    /// What is on a customer's account: unapplied cash, customer credit,
    /// refunds owed, and every entry.
    Show {
        /// Customer id or name.
        customer: String,
        /// The day (YYYY-MM-DD, end of day; default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Print the account as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Pay a statement with the customer's credit.
    ApplyCredit {
        /// Customer id or name.
        customer: String,
        /// Statement number.
        #[arg(long)]
        invoice: String,
        /// Amount to apply (default: as much as both allow).
        #[arg(long)]
        amount: Option<String>,
        /// Print the entry as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// The statement of account (对账单) of a customer over a period:
    /// opening balance, documents and money, closing balance, a space for
    /// the customer's seal.
    Statement {
        /// Customer id or name.
        customer: String,
        /// First day (YYYY-MM-DD).
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Last day (YYYY-MM-DD; default: today).
        #[arg(long, value_name = "DATE")]
        to: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = StatementFormat::Text)]
        format: StatementFormat,
        /// Print as JSON (same as --format json).
        #[arg(long, conflicts_with = "format")]
        json: bool,
        #[command(flatten)]
        out: Out,
    },
    /// Record money paid back to a customer.
    Refund {
        /// Customer id or name.
        customer: String,
        /// What it is paid from: `refund-owed` (default), `credit`, or a
        /// receipt id (R-000001) whose unapplied cash is sent back.
        #[arg(
            long,
            default_value = "refund-owed",
            value_name = "refund-owed|credit|R-…"
        )]
        from: String,
        #[command(flatten)]
        money: Money,
    },
}

/// Formats of `account statement`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum StatementFormat {
    /// Plain text with a line for the seal.
    Text,
    /// JSON.
    Json,
    /// CSV (UTF-8 with a byte-order mark).
    Csv,
    /// An Excel workbook (needs --out).
    Xlsx,
    /// Print-ready A4 HTML with a box for the seal.
    Html,
    /// PDF printed from the HTML (needs --out).
    Pdf,
}

impl Money {
    fn parse(&self, desk: &Desk) -> Result<(Decimal, Date), CliError> {
        let amount = parse_money(&self.amount, "--amount")?;
        let date = match &self.date {
            Some(d) => parse_day(d, "--date")?,
            None => desk.today(),
        };
        Ok((amount, date))
    }
}

fn optional_amount(amount: Option<&str>) -> Result<Option<Decimal>, CliError> {
    amount.map(|a| parse_money(a, "--amount")).transpose()
}

fn print_receipt(r: &Receipt) -> Result<(), CliError> {
    println!(
        "{} {}: {} received on {}",
        r.id,
        r.customer_id,
        format_money(r.amount),
        r.date
    );
    for p in &r.payments {
        println!(
            "  {} {} {}",
            p.id,
            p.invoice.as_deref().unwrap_or(""),
            format_money(p.amount)
        );
    }
    if r.unapplied > Decimal::ZERO {
        println!("  unapplied on account: {}", format_money(r.unapplied));
    }
    Ok(())
}

pub(crate) fn payment(globals: &Globals, cmd: PaymentCommand) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    let (customer, statements, money, rest) = match cmd {
        PaymentCommand::Apply {
            receipt,
            invoice,
            amount,
            json,
        } => {
            let p = desk.apply_receipt(&receipt, &invoice, optional_amount(amount.as_deref())?)?;
            if json {
                return print_json(&p);
            }
            println!(
                "{} {}: {} applied from {receipt}",
                p.id,
                p.invoice.as_deref().unwrap_or(""),
                format_money(p.amount)
            );
            return Ok(ExitCode::SUCCESS);
        }
        PaymentCommand::Record { invoice, money } => {
            let first = desk.invoice(&invoice[0])?;
            (first.buyer.id, invoice, money, Rest::Refuse)
        }
        PaymentCommand::Receive {
            customer,
            invoice,
            money,
        } => (customer, invoice, money, Rest::OnAccount),
    };
    let (amount, date) = money.parse(&desk)?;
    let receipt =
        desk.receive_payment(&customer, amount, date, &money.reference, &statements, rest)?;
    if money.json {
        return print_json(&receipt);
    }
    print_receipt(&receipt)?;
    Ok(ExitCode::SUCCESS)
}

fn print_account(a: &CustomerAccount) -> Result<(), CliError> {
    println!(
        "account of {} {} as of {} ({})",
        a.customer_id, a.customer, a.as_of, a.currency
    );
    let o = &a.on_account;
    println!("  unapplied cash   {:>16}", format_money(o.unapplied));
    println!("  customer credit  {:>16}", format_money(o.credit));
    println!("  refund owed      {:>16}", format_money(o.refund_owed));
    println!("  on account       {:>16}", format_money(o.total()));
    if o.held > Decimal::ZERO {
        println!(
            "  held until the next settlement {:>16}",
            format_money(o.held)
        );
    }
    for e in &a.entries {
        let on = e
            .statement
            .as_deref()
            .or(e.receipt.as_deref())
            .unwrap_or("");
        println!(
            "  {} {} {:<14} {:>14} {on} {}",
            e.date,
            e.id,
            e.kind.as_str(),
            format_money(e.amount),
            e.reference
        );
    }
    Ok(())
}

pub(crate) fn account(globals: &Globals, cmd: AccountCommand) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    match cmd {
        AccountCommand::Show {
            customer,
            as_of,
            json,
        } => {
            let as_of = as_of
                .as_deref()
                .map(|d| parse_day(d, "--as-of"))
                .transpose()?;
            let a = desk.account(&customer, as_of)?;
            if json {
                return print_json(&a);
            }
            print_account(&a)?;
        }
        AccountCommand::ApplyCredit {
            customer,
            invoice,
            amount,
            json,
        } => {
            let e = desk.apply_credit(&customer, &invoice, optional_amount(amount.as_deref())?)?;
            if json {
                return print_json(&e);
            }
            println!(
                "{} {invoice}: {} of customer credit applied",
                e.id,
                format_money(e.amount)
            );
        }
        AccountCommand::Statement {
            customer,
            from,
            to,
            format,
            json,
            out,
        } => {
            let format = if json { StatementFormat::Json } else { format };
            let from = parse_day(&from, "--from")?;
            let to = match to {
                Some(d) => parse_day(&d, "--to")?,
                None => desk.today(),
            };
            let st = desk.statement_of_account(&customer, from, to)?;
            let bytes = match format {
                StatementFormat::Text => st.to_text().into_bytes(),
                StatementFormat::Html => st.to_html().into_bytes(),
                StatementFormat::Pdf => {
                    if out.out.is_none() {
                        return Err(CliError::input(
                            "a PDF is written to a file: add --out FILE.pdf",
                        ));
                    }
                    pdf::print(&st.to_html())?
                }
                table => {
                    let format = match table {
                        StatementFormat::Json => TableFormat::Json,
                        StatementFormat::Csv => TableFormat::Csv,
                        _ => TableFormat::Xlsx,
                    };
                    return show_table(&st.to_table(), &st, format, &out);
                }
            };
            return emit(&bytes, &out);
        }
        AccountCommand::Refund {
            customer,
            from,
            money,
        } => {
            let from = match from.trim() {
                "refund-owed" => RefundFrom::RefundOwed,
                "credit" => RefundFrom::Credit,
                r if r.to_ascii_uppercase().starts_with("R-") => RefundFrom::Receipt(r.to_owned()),
                other => {
                    return Err(CliError::input(format!(
                        "--from {other:?} is not refund-owed, credit or a receipt id (R-000001)"
                    )));
                }
            };
            let (amount, date) = money.parse(&desk)?;
            let e = desk.pay_refund(&customer, amount, date, &money.reference, from)?;
            if money.json {
                return print_json(&e);
            }
            println!(
                "{} refund of {} paid on {} from {}",
                e.id,
                format_money(e.amount),
                e.date,
                e.from.map_or("", |b| b.as_str())
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
