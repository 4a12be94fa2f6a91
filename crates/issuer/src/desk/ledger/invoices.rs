//! The invoices and credit_notes tables: statements (drafts, then
//! finalized and immutable, enforced by triggers) and the credit notes
//! that correct them.

use rusqlite::{OptionalExtension as _, params};

use super::fields::{Fields, Text};
use super::{Db, Result, Tx};
use facelic_invoice::Decimal;
use facelic_invoice::dates::Stamp;
use facelic_invoice::invoice::{CreditNote, Invoice};

/// The statement credit note `number` corrects, and when it was issued.
pub(crate) fn credit_note_statement(db: &Db, number: &str) -> Result<Option<(String, Stamp)>> {
    Ok(db
        .conn
        .query_row(
            "SELECT number, invoice_number, issued_at FROM credit_notes WHERE number = ?1",
            [number],
            |r| {
                let f = Fields::new(r, "credit_notes", "number")?;
                Ok((f.plain("invoice_number")?, f.get("issued_at")?))
            },
        )
        .optional()?)
}

/// The invoice or draft with this draft id or number (exact), with its
/// credit notes; payments, account entries and fapiao are the caller's to
/// add. The stored gross must be the document's.
pub(crate) fn by_key(db: &Db, key: &str) -> Result<Option<Invoice>> {
    let Some(mut invoice) = db
        .conn
        .query_row(
            "SELECT draft_id, document, gross, number, status, finalized_at, due_on FROM invoices \
                WHERE draft_id = ?1 OR number = ?1",
            [key],
            |r| {
                let f = Fields::new(r, "invoices", "draft_id")?;
                let gross: Decimal = f.get("gross")?;
                let mut invoice: Invoice = f.json("document")?;
                if gross != invoice.totals.gross {
                    return Err(
                        f.corrupt_text("gross", "the gross total of the invoice's document")
                    );
                }
                invoice.number = f.plain("number")?;
                invoice.status = f.get("status")?;
                invoice.finalized_at = f.opt("finalized_at")?;
                invoice.due_on = f.opt("due_on")?.or(invoice.due_on);
                Ok(invoice)
            },
        )
        .optional()?
    else {
        return Ok(None);
    };
    if let Some(number) = &invoice.number {
        let mut stmt = db.conn.prepare_cached(
            "SELECT number, issued_at, amount, reason FROM credit_notes WHERE invoice_number = ?1 \
                ORDER BY number",
        )?;
        invoice.credits = stmt
            .query_map([number], |r| {
                let f = Fields::new(r, "credit_notes", "number")?;
                Ok(CreditNote {
                    number: f.plain("number")?,
                    issued_at: f.get("issued_at")?,
                    amount: f.get("amount")?,
                    reason: f.plain("reason")?,
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    Ok(Some(invoice))
}

/// Every draft id, oldest first (finalized invoices keep theirs).
pub(crate) fn draft_ids(db: &Db) -> Result<Vec<String>> {
    let keys = db
        .conn
        .prepare("SELECT draft_id FROM invoices ORDER BY seq")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(keys)
}

/// The terms of `order` already on an invoice (0: a device order's one item).
pub(crate) fn invoiced_terms(db: &Db, order: &str) -> Result<Vec<i64>> {
    let terms = db
        .conn
        .prepare("SELECT term_seq FROM invoice_items WHERE order_id = ?1")?
        .query_map([order], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(terms)
}

/// Records draft `invoice` (number `seq` of the drafts) of its order, with
/// the order's terms it invoices.
pub(crate) fn insert_draft(tx: &Tx<'_>, seq: i64, invoice: &Invoice, terms: &[i64]) -> Result<()> {
    let doc = serde_json::to_string(invoice)?;
    tx.tx.execute(
        "INSERT INTO invoices (seq, draft_id, order_id, status, created_at, gross, \
            document) VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6)",
        params![
            seq,
            invoice.draft_id,
            invoice.order_id,
            Text(&invoice.created_at),
            Text(&invoice.totals.gross),
            doc
        ],
    )?;
    for term in terms {
        tx.tx.execute(
            "INSERT INTO invoice_items (draft_id, order_id, term_seq) VALUES (?1, ?2, ?3)",
            params![invoice.draft_id, invoice.order_id, term],
        )?;
    }
    Ok(())
}

/// Finalizes draft `draft_id` as `doc`, numbered `number` at `finalized_at`.
pub(crate) fn finalize(
    tx: &Tx<'_>,
    draft_id: &str,
    number: &str,
    finalized_at: Stamp,
    doc: &Invoice,
) -> Result<()> {
    let text = serde_json::to_string(doc)?;
    tx.tx.execute(
        "UPDATE invoices SET number = ?1, status = 'final', finalized_at = ?2, due_on = \
            ?3, document = ?4
         WHERE draft_id = ?5 AND status = 'draft'",
        params![
            number,
            Text(&finalized_at),
            doc.due_on.as_ref().map(Text),
            text,
            draft_id
        ],
    )?;
    Ok(())
}

/// Records `invoice`, issued final at once (no draft), as number `seq` of
/// the drafts.
pub(crate) fn insert_final(tx: &Tx<'_>, seq: i64, invoice: &Invoice) -> Result<()> {
    let doc = serde_json::to_string(invoice)?;
    tx.tx.execute(
        "INSERT INTO invoices (seq, draft_id, number, status, created_at, finalized_at, gross, \
            document, due_on)
         VALUES (?1, ?2, ?3, 'final', ?4, ?5, ?6, ?7, ?8)",
        params![
            seq,
            invoice.draft_id,
            invoice.number,
            Text(&invoice.created_at),
            invoice.finalized_at.as_ref().map(Text),
            Text(&invoice.totals.gross),
            doc,
            invoice.due_on.as_ref().map(Text)
        ],
    )?;
    Ok(())
}

/// Deletes draft `draft_id`.
pub(crate) fn delete_draft(tx: &Tx<'_>, draft_id: &str) -> Result<()> {
    tx.tx
        .execute("DELETE FROM invoices WHERE draft_id = ?1", [draft_id])?;
    Ok(())
}

/// Records credit note `note` against statement `statement`.
pub(crate) fn insert_credit_note(tx: &Tx<'_>, statement: &str, note: &CreditNote) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO credit_notes (number, invoice_number, issued_at, amount, reason) \
            VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            note.number,
            statement,
            Text(&note.issued_at),
            Text(&note.amount),
            note.reason
        ],
    )?;
    Ok(())
}
