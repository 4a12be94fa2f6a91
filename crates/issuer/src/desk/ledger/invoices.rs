//! The invoices and credit_notes tables: statements (drafts, then
//! finalized and immutable, enforced by triggers) and the credit notes
//! that correct them.

use rusqlite::{OptionalExtension as _, params};

use super::fields::{Fields, Text, json_without};
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

/// The shape of the statement documents this build writes (the
/// `doc_version` column): version 1 held every field of [`Invoice`], some
/// of them stale where a column changed since (the columns win when it is
/// read); version 2 holds none of [`NOT_STORED`].
pub(crate) const DOCUMENT_VERSION: i64 = 2;

/// Fields of an [`Invoice`] that a version-2 document does not hold: a
/// column of the row holds them, or they are joined when it is read.
const NOT_STORED: [&str; 13] = [
    "draft_id",
    "number",
    "status",
    "order_id",
    "created_at",
    "finalized_at",
    "due_on",
    "credits",
    "payments",
    "account",
    "fapiao",
    "blue_fapiao",
    "settlement",
];

/// The stored document of `invoice` (version [`DOCUMENT_VERSION`]).
fn stored(invoice: &Invoice) -> Result<String> {
    json_without(invoice, &NOT_STORED)
}

/// Reads one `invoices` row (the columns of [`by_key`]'s query).
fn invoice_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Invoice> {
    let f = Fields::new(r, "invoices", "draft_id")?;
    let gross: Decimal = f.get("gross")?;
    let invoice = match f.plain::<i64>("doc_version")? {
        1 => {
            let mut invoice: Invoice = f.json("document")?;
            invoice.number = f.plain("number")?;
            invoice.status = f.get("status")?;
            invoice.finalized_at = f.opt("finalized_at")?;
            invoice.due_on = f.opt("due_on")?.or(invoice.due_on);
            invoice
        }
        2 => {
            // Every field the document leaves out, from its column or, for
            // what is joined later, empty.
            let mut columns = Vec::with_capacity(NOT_STORED.len());
            for name in NOT_STORED {
                let value = match name {
                    "order_id" => f.plain::<Option<String>>(name)?.unwrap_or_default().into(),
                    "credits" | "payments" | "account" => serde_json::Value::Array(Vec::new()),
                    "fapiao" | "blue_fapiao" | "settlement" => serde_json::Value::Null,
                    column => f
                        .plain::<Option<String>>(column)?
                        .map_or(serde_json::Value::Null, Into::into),
                };
                columns.push((name, value));
            }
            f.json_with_columns(
                "document",
                columns,
                "a version-2 statement, without the facts its row's columns hold",
            )?
        }
        _ => {
            return Err(f.corrupt_text(
                "doc_version",
                "a document version this facelic reads (1 or 2)",
            ));
        }
    };
    if gross != invoice.totals.gross {
        return Err(f.corrupt_text("gross", "the gross total of the invoice's document"));
    }
    Ok(invoice)
}

/// The invoice or draft with this draft id or number (exact), with its
/// credit notes; payments, account entries and fapiao are the caller's to
/// add. The stored gross must be the document's.
pub(crate) fn by_key(db: &Db, key: &str) -> Result<Option<Invoice>> {
    let Some(mut invoice) = db
        .conn
        .query_row(
            "SELECT draft_id, document, doc_version, gross, number, status, order_id, created_at,
                    finalized_at, due_on
             FROM invoices WHERE draft_id = ?1 OR number = ?1",
            [key],
            invoice_from,
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
    tx.tx.execute(
        "INSERT INTO invoices (seq, draft_id, order_id, status, created_at, gross, \
            document, doc_version) VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6, ?7)",
        params![
            seq,
            invoice.draft_id,
            invoice.order_id,
            Text(&invoice.created_at),
            Text(&invoice.totals.gross),
            stored(invoice)?,
            DOCUMENT_VERSION
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
    tx.tx.execute(
        "UPDATE invoices SET number = ?1, status = 'final', finalized_at = ?2, due_on = \
            ?3, document = ?4, doc_version = ?5
         WHERE draft_id = ?6 AND status = 'draft'",
        params![
            number,
            Text(&finalized_at),
            doc.due_on.as_ref().map(Text),
            stored(doc)?,
            DOCUMENT_VERSION,
            draft_id
        ],
    )?;
    Ok(())
}

/// Records `invoice`, issued final at once (no draft), as number `seq` of
/// the drafts.
pub(crate) fn insert_final(tx: &Tx<'_>, seq: i64, invoice: &Invoice) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO invoices (seq, draft_id, number, status, created_at, finalized_at, gross, \
            document, due_on, doc_version)
         VALUES (?1, ?2, ?3, 'final', ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            seq,
            invoice.draft_id,
            invoice.number,
            Text(&invoice.created_at),
            invoice.finalized_at.as_ref().map(Text),
            Text(&invoice.totals.gross),
            stored(invoice)?,
            invoice.due_on.as_ref().map(Text),
            DOCUMENT_VERSION
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
