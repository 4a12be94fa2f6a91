//! The payments and fapiao_records tables: money applied to statements,
//! and the official fapiao recorded for statements and credit notes
//! (voided by a later record, never changed).

use rusqlite::{OptionalExtension as _, params};

use super::fields::{Fields, Text};
use super::{Db, Result, Tx};
use facelic_invoice::Decimal;
use facelic_invoice::dates::Date;
use facelic_invoice::invoice::{Fapiao, Payment};

/// The payments of invoice `number`, oldest first.
pub(crate) fn of_invoice(db: &Db, number: &str) -> Result<Vec<Payment>> {
    payments_where(
        db,
        "SELECT id, paid_on, amount, reference, receipt, invoice_number FROM payments \
            WHERE invoice_number = ?1 ORDER BY seq",
        number,
    )
}

/// The payments `sql` selects for `key`.
fn payments_where(db: &Db, sql: &str, key: &str) -> Result<Vec<Payment>> {
    let mut stmt = db.conn.prepare_cached(sql)?;
    let rows = stmt.query_map([key], payment_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A payment row (`id, paid_on, amount, reference, receipt, invoice_number`).
pub(crate) fn payment_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Payment> {
    let f = Fields::new(r, "payments", "id")?;
    Ok(Payment {
        id: f.plain("id")?,
        date: f.get("paid_on")?,
        amount: f.get("amount")?,
        reference: f.plain("reference")?,
        receipt: f.plain("receipt")?,
        invoice: f.plain("invoice_number")?,
    })
}

/// The live fapiao records (those no later record voids), as a SQL filter
/// on `r`.
const LIVE_FAPIAO: &str = "r.number IS NOT NULL AND NOT EXISTS \
    (SELECT 1 FROM fapiao_records v WHERE v.voids = r.seq)";

/// The fapiao recorded for statement `statement` (with `credit_note`: the
/// red-letter one of that credit note) and not voided, with its record's
/// seq.
pub(crate) fn live_fapiao(
    db: &Db,
    statement: &str,
    credit_note: Option<&str>,
) -> Result<Option<(i64, Fapiao)>> {
    Ok(db
        .conn
        .query_row(
            &format!(
                "SELECT seq, number, issued_on FROM fapiao_records r \
                 WHERE r.invoice_number = ?1 AND r.credit_note IS ?2 AND {LIVE_FAPIAO} \
                 ORDER BY seq DESC LIMIT 1"
            ),
            params![statement, credit_note],
            |r| {
                let f = Fields::new(r, "fapiao_records", "seq")?;
                Ok((
                    f.plain("seq")?,
                    Fapiao {
                        number: f.plain("number")?,
                        date: f.get("issued_on")?,
                    },
                ))
            },
        )
        .optional()?)
}

/// The document (credit note, else statement) a live record of fapiao
/// `fapiao` is for.
pub(crate) fn holder_of(db: &Db, fapiao: &str) -> Result<Option<String>> {
    Ok(db
        .conn
        .query_row(
            &format!(
                "SELECT IFNULL(credit_note, invoice_number) FROM fapiao_records r \
                    WHERE r.number = ?1 AND {LIVE_FAPIAO}"
            ),
            [fapiao],
            |r| r.get(0),
        )
        .optional()?)
}

/// Records fapiao `fapiao`, issued on `date`, for a statement or one of
/// its credit notes.
pub(crate) fn record_fapiao(
    tx: &Tx<'_>,
    statement: &str,
    credit_note: Option<&str>,
    fapiao: &str,
    date: Date,
) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO fapiao_records (invoice_number, credit_note, number, issued_on, \
            recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![statement, credit_note, fapiao, Text(&date), Text(&tx.now())],
    )?;
    Ok(())
}

/// Records that the fapiao record `seq` is void, for `reason`.
pub(crate) fn void_fapiao(
    tx: &Tx<'_>,
    statement: &str,
    credit_note: Option<&str>,
    seq: i64,
    reason: &str,
) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO fapiao_records (invoice_number, credit_note, recorded_at, voids, \
            reason) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![statement, credit_note, Text(&tx.now()), seq, reason],
    )?;
    Ok(())
}

/// The payments applied from receipt `id`, oldest first.
pub(crate) fn from_receipt(db: &Db, id: &str) -> Result<Vec<Payment>> {
    payments_where(
        db,
        "SELECT id, paid_on, amount, reference, receipt, invoice_number FROM payments \
            WHERE receipt = ?1 ORDER BY seq",
        id,
    )
}

/// Applies `amount` to finalized statement `number` as a payment dated
/// `date` (from `receipt`, if any), inside the caller's transaction.
pub(crate) fn insert(
    tx: &Tx<'_>,
    number: &str,
    amount: Decimal,
    date: Date,
    reference: &str,
    receipt: Option<&str>,
) -> Result<Payment> {
    let seq: i64 = tx
        .tx
        .query_row("SELECT IFNULL(MAX(seq), 0) + 1 FROM payments", [], |r| {
            r.get(0)
        })?;
    let payment = Payment {
        id: format!("P-{seq:06}"),
        date,
        amount,
        reference: reference.to_owned(),
        receipt: receipt.map(str::to_owned),
        invoice: Some(number.to_owned()),
    };
    tx.tx.execute(
        "INSERT INTO payments (seq, id, invoice_number, amount, paid_on, reference, recorded_at, \
            receipt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            seq,
            payment.id,
            number,
            Text(&amount),
            Text(&date),
            payment.reference,
            Text(&tx.now()),
            payment.receipt,
        ],
    )?;
    Ok(payment)
}
