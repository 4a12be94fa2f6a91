//! The account_entries table: receipts, customer credit, refunds owed
//! and paid, holds; kept forever (triggers refuse changes).

use rusqlite::{OptionalExtension as _, params};

use super::fields::{Fields, Text};
use super::{Db, Result, Tx};
use facelic_invoice::Decimal;
use facelic_invoice::account::{AccountEntry, Bucket, EntryKind};

const ENTRY_COLUMNS: &str =
    "id, kind, amount, entry_on, statement, credit_note, receipt, bucket, reference";

fn entry_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<AccountEntry> {
    let f = Fields::new(r, "account_entries", "id")?;
    let kind: String = f.plain("kind")?;
    let kind =
        EntryKind::parse(&kind).ok_or_else(|| f.corrupt_text("kind", "an account entry kind"))?;
    let from = match f.plain::<Option<String>>("bucket")? {
        None => None,
        Some(b) => {
            Some(Bucket::parse(&b).ok_or_else(|| f.corrupt_text("bucket", "an account bucket"))?)
        }
    };
    Ok(AccountEntry {
        id: f.plain("id")?,
        kind,
        date: f.get("entry_on")?,
        amount: f.get("amount")?,
        statement: f.plain("statement")?,
        credit_note: f.plain("credit_note")?,
        receipt: f.plain("receipt")?,
        from,
        reference: f.plain("reference")?,
    })
}

/// The entries of statement `number` that move money between it and the
/// account (customer credit applied, credits moved to the account).
pub(crate) fn of_statement(db: &Db, number: &str) -> Result<Vec<AccountEntry>> {
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS} FROM account_entries WHERE statement = ?1 \
            AND kind IN ('credit', 'refund-owed', 'credit-applied') ORDER BY seq"
    ))?;
    let rows = stmt.query_map([number], entry_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Every account entry of customer `id`, oldest first: its ledger rows and
/// the payments applied from its receipts.
pub(crate) fn of_customer(db: &Db, id: &str) -> Result<Vec<AccountEntry>> {
    let mut entries: Vec<(String, AccountEntry)> = Vec::new();
    let mut stmt = db.conn.prepare_cached(&format!(
        "SELECT {ENTRY_COLUMNS}, recorded_at FROM account_entries WHERE customer_id = ?1"
    ))?;
    for row in stmt.query_map([id], |r| {
        Ok((r.get::<_, String>("recorded_at")?, entry_from(r)?))
    })? {
        entries.push(row?);
    }
    let mut stmt = db.conn.prepare_cached(
        "SELECT p.id, p.amount, p.paid_on, p.invoice_number, p.receipt, p.reference, p.recorded_at \
            FROM payments p JOIN account_entries r ON r.id = p.receipt WHERE r.customer_id = ?1",
    )?;
    for row in stmt.query_map([id], |r| {
        let f = Fields::new(r, "payments", "id")?;
        Ok((
            f.plain::<String>("recorded_at")?,
            AccountEntry {
                id: f.plain("id")?,
                kind: EntryKind::Applied,
                date: f.get("paid_on")?,
                amount: f.get("amount")?,
                statement: f.plain("invoice_number")?,
                credit_note: None,
                receipt: f.plain("receipt")?,
                from: None,
                reference: f.plain("reference")?,
            },
        ))
    })? {
        entries.push(row?);
    }
    // By day, then in recorded order; a receipt before the payments
    // applied from it in the same transaction.
    entries.sort_by_key(|(at, e)| (e.date, at.clone(), e.kind == EntryKind::Applied));
    Ok(entries.into_iter().map(|(_, e)| e).collect())
}

/// Receipt `id` (exact) and its customer's id.
pub(crate) fn receipt(db: &Db, id: &str) -> Result<Option<(String, AccountEntry)>> {
    Ok(db
        .conn
        .query_row(
            &format!(
                "SELECT {ENTRY_COLUMNS}, customer_id FROM account_entries \
                    WHERE id = ?1 AND kind = 'receipt'"
            ),
            [id],
            |r| Ok((r.get("customer_id")?, entry_from(r)?)),
        )
        .optional()?)
}

/// What was paid back to the customer from receipt `id`.
pub(crate) fn refunded_from(db: &Db, id: &str) -> Result<Decimal> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT amount FROM account_entries WHERE kind = 'refund-paid' AND receipt = ?1",
        )?
        .query_map([id], |r| {
            Fields::new(r, "account_entries", "amount")?.get("amount")
        })?
        .collect::<Result<Vec<Decimal>, _>>()?
        .into_iter()
        .sum())
}

/// The customers with account entries (id, name), in customer order.
pub(crate) fn customers_with_entries(db: &Db) -> Result<Vec<(String, String)>> {
    let customers = db
        .conn
        .prepare_cached(
            "SELECT c.id, c.name FROM customers c WHERE EXISTS \
                (SELECT 1 FROM account_entries e WHERE e.customer_id = c.id) ORDER BY c.seq",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(customers)
}

/// Adds an account entry of customer `customer` (its id is the next `A-`
/// or, for a receipt, `R-` number); returns it.
pub(crate) fn insert(tx: &Tx<'_>, customer: &str, mut entry: AccountEntry) -> Result<AccountEntry> {
    let (sequence, prefix) = match entry.kind {
        EntryKind::Receipt => ("receipt", "R"),
        _ => ("account-entry", "A"),
    };
    entry.id = format!("{prefix}-{:06}", tx.next_number(sequence)?);
    tx.tx.execute(
        "INSERT INTO account_entries (id, customer_id, kind, amount, entry_on, statement, \
            credit_note, receipt, bucket, reference, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            entry.id,
            customer,
            entry.kind.as_str(),
            Text(&entry.amount),
            Text(&entry.date),
            entry.statement,
            entry.credit_note,
            entry.receipt,
            entry.from.map(Bucket::as_str),
            entry.reference,
            Text(&tx.now()),
        ],
    )?;
    Ok(entry)
}
