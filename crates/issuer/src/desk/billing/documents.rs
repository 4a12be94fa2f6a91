//! Statements as stored, read with what settled them: credit notes,
//! payments, account entries and the fapiao (every billing area reads
//! them; only [`super::invoices`] makes them), and the buyer block of a
//! customer's documents.

use facelic_invoice::invoice::{Invoice, Party};

use super::customers::Customer;
use super::{Db, InvoiceError, NotFound, Result, ledger};

/// The buyer block of a customer's documents, from its billing profile.
pub(crate) fn buyer(c: &Customer) -> Party {
    let b = &c.billing;
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    Party {
        name: b.legal_name.clone().unwrap_or_else(|| c.name.clone()),
        address: text(&b.address),
        id: c.id.clone(),
        tax_id: text(&b.tax_id),
        phone: text(&b.phone),
        bank: text(&b.bank),
        account: text(&b.bank_account),
        email: text(&b.email),
    }
}

/// Reads a finalized statement and its number; a draft is refused with
/// "D-… is a draft: {instead}".
pub(crate) fn load_finalized(tx: &Db, key: &str, instead: &str) -> Result<(Invoice, String)> {
    let invoice = load_invoice(tx, key)?;
    match invoice.number.clone() {
        Some(number) => Ok((invoice, number)),
        None => Err(InvoiceError::IsDraft {
            draft: invoice.draft_id,
            instead: instead.to_owned(),
        }
        .into()),
    }
}

/// Reads an invoice row with its credit notes, payments and fapiao.
pub(crate) fn load_invoice(tx: &Db, key: &str) -> Result<Invoice> {
    let mut invoice = ledger::invoices::by_key(tx, &key.trim().to_ascii_uppercase())?
        .ok_or_else(|| NotFound::Invoice(key.to_owned()))?;
    if let Some(number) = &invoice.number {
        invoice.payments = ledger::payments::of_invoice(tx, number)?;
        invoice.account = ledger::accounts::of_statement(tx, number)?;
        invoice.fapiao = ledger::payments::live_fapiao(tx, number, None)?.map(|(_, f)| f);
    }
    Ok(invoice)
}
