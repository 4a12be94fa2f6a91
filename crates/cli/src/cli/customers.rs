//! `facelic customer`: add, list, show, and edit billing profiles.

use std::process::ExitCode;

use facelic_issuer::desk::{Customer, ProfileEdit};

use super::{CliError, Globals, render};
use super::{open, print_json};

/// `facelic customer` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum CustomerCommand {
    /// Add a customer.
    Add {
        /// The customer's name (unique at the desk).
        name: String,
        /// Print the created customer as one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List customers.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show a customer with its billing profile.
    Show {
        /// Customer id or name.
        customer: String,
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Edit a customer's billing profile (an empty value clears a field).
    Edit(Box<EditArgs>),
}

/// Arguments of `facelic customer edit`.
#[derive(Debug, clap::Args)]
pub(crate) struct EditArgs {
    /// Customer id or name.
    customer: String,
    /// Legal name on documents.
    #[arg(long)]
    legal_name: Option<String>,
    /// Unified social credit code (统一社会信用代码, 18 characters, checked).
    #[arg(long, value_name = "USCC")]
    tax_id: Option<String>,
    /// Registered address.
    #[arg(long)]
    address: Option<String>,
    /// Phone.
    #[arg(long)]
    phone: Option<String>,
    /// Bank (开户行).
    #[arg(long)]
    bank: Option<String>,
    /// Bank account (账号).
    #[arg(long)]
    account: Option<String>,
    /// E-mail for documents.
    #[arg(long)]
    email: Option<String>,
    /// Fapiao wanted: ordinary (普通发票) or special (专用发票).
    #[arg(long, value_name = "TYPE")]
    fapiao_type: Option<String>,
    /// Days to pay (net N; default: the catalog's payment_terms_days).
    #[arg(long, value_name = "DAYS")]
    payment_terms: Option<u32>,
    /// Print the customer as one JSON object.
    #[arg(long)]
    json: bool,
}

fn print_customer(c: &Customer) -> Result<(), CliError> {
    println!("{} {}", c.id, c.name);
    println!("  added          {}", c.created_at);
    let b = &c.billing;
    let fields = [
        ("legal name", b.legal_name.clone()),
        ("tax id", b.tax_id.clone()),
        ("address", b.address.clone()),
        ("phone", b.phone.clone()),
        ("bank", b.bank.clone()),
        ("account", b.bank_account.clone()),
        ("e-mail", b.email.clone()),
        ("fapiao", b.fapiao_type.map(|t| t.name_zh().to_owned())),
        (
            "payment terms",
            b.payment_terms_days.map(|d| format!("net {d} days")),
        ),
    ];
    for (label, value) in fields {
        println!("  {label:<14} {}", value.unwrap_or_else(|| "-".to_owned()));
    }
    Ok(())
}

pub(crate) fn customer(globals: &Globals, cmd: CustomerCommand) -> Result<ExitCode, CliError> {
    let mut desk = open(globals)?;
    match cmd {
        CustomerCommand::Add { name, json } => {
            let c = desk.add_customer(&name)?;
            if json {
                return print_json(&c);
            }
            println!("{} {}", c.id, c.name);
        }
        CustomerCommand::List { json } => {
            let all = desk.customers()?;
            if json {
                return print_json(&all);
            }
            let rows = all
                .iter()
                .map(|c| {
                    vec![
                        c.id.clone(),
                        c.name.clone(),
                        c.billing.tax_id.clone().unwrap_or_default(),
                        c.created_at.to_string(),
                    ]
                })
                .collect();
            println!(
                "{}",
                render::table(&["id", "name", "tax id", "added"], rows)
            );
        }
        CustomerCommand::Show { customer, json } => {
            let c = desk.customer(&customer)?;
            if json {
                return print_json(&c);
            }
            print_customer(&c)?;
        }
        CustomerCommand::Edit(a) => {
            let edit = ProfileEdit {
                legal_name: a.legal_name,
                tax_id: a.tax_id,
                address: a.address,
                phone: a.phone,
                bank: a.bank,
                bank_account: a.account,
                email: a.email,
                fapiao_type: a.fapiao_type,
                payment_terms_days: a.payment_terms,
            };
            if edit == ProfileEdit::default() {
                return Err(CliError::input(
                    "nothing to change: name a field, e.g. --tax-id or --payment-terms",
                ));
            }
            let c = desk.edit_customer(&a.customer, &edit)?;
            if a.json {
                return print_json(&c);
            }
            print_customer(&c)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
