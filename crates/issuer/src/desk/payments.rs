//! Payments received against finalized invoices, the official fapiao
//! recorded once the tax system issued it, and the receivables report.
//!
//! An invoice's balance is its gross less credit notes less payments; a
//! payment may never exceed the balance (no overpayment), and payments and
//! fapiao records are kept forever (ledger triggers refuse changes).

use facelic_invoice::Decimal;
use facelic_invoice::dates::Date;
use facelic_invoice::invoice::{Fapiao, Payment};
use facelic_invoice::money::format_money;
use facelic_invoice::receivables::{Aging, OpenItem, age};
use rusqlite::{Connection, OptionalExtension as _, params};

use super::fields::{Fields, LedgerText as _, Text};
use super::{Desk, DeskError, Result, audit};

/// Longest payment reference or fapiao number, in bytes.
const MAX_REFERENCE: usize = 100;

/// The payments of invoice `number`, oldest first.
pub(crate) fn payments_of(conn: &Connection, number: &str) -> Result<Vec<Payment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, paid_on, amount, reference FROM payments WHERE invoice_number = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([number], |r| {
        let f = Fields::new(r, "payments", "id")?;
        Ok(Payment {
            id: f.plain("id")?,
            date: f.get("paid_on")?,
            amount: f.get("amount")?,
            reference: f.plain("reference")?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The live fapiao records (those no later record voids), as a SQL filter
/// on `r`.
const LIVE_FAPIAO: &str = "r.number IS NOT NULL AND NOT EXISTS \
    (SELECT 1 FROM fapiao_records v WHERE v.voids = r.seq)";

/// The fapiao recorded for invoice `number` and not voided, if any, with
/// its record's seq.
fn live_fapiao(conn: &Connection, number: &str) -> Result<Option<(i64, Fapiao)>> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT seq, number, issued_on FROM fapiao_records r \
                 WHERE r.invoice_number = ?1 AND {LIVE_FAPIAO} ORDER BY seq DESC LIMIT 1"
            ),
            [number],
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

/// The fapiao recorded for invoice `number` (and not voided), if any.
pub(crate) fn fapiao_of(conn: &Connection, number: &str) -> Result<Option<Fapiao>> {
    Ok(live_fapiao(conn, number)?.map(|(_, f)| f))
}

/// Checks a short free-text reference.
fn reference(what: &str, text: &str, required: bool) -> Result<String> {
    let text = text.trim();
    if (required && text.is_empty())
        || text.len() > MAX_REFERENCE
        || text.chars().any(char::is_control)
    {
        return Err(DeskError::Input(format!(
            "{what} must be {} at most {MAX_REFERENCE} bytes without control characters",
            if required { "1 to" } else { "" }
        )));
    }
    Ok(text.to_owned())
}

/// Refuses a `what` dated in the future or before statement `number` was issued.
fn check_day(
    what: &str,
    date: Date,
    today: Date,
    number: &str,
    issued: Option<Date>,
) -> Result<()> {
    if date > today {
        return Err(DeskError::Refused(format!(
            "{what} date {date} is in the future (today is {today})"
        )));
    }
    match issued {
        Some(issued) if date < issued => Err(DeskError::Refused(format!(
            "{what} date {date} is before {number} was issued ({issued})"
        ))),
        _ => Ok(()),
    }
}

impl Desk {
    /// Records a payment of `amount` received on `date` against finalized
    /// invoice `number`. Refused: a draft, a payment dated in the future or
    /// before the invoice, a zero or negative amount, and an amount above
    /// the balance due.
    pub fn record_payment(
        &mut self,
        number: &str,
        amount: Decimal,
        date: Date,
        bank_reference: &str,
    ) -> Result<Payment> {
        let bank_reference = reference("a payment reference", bank_reference, false)?;
        if amount <= Decimal::ZERO || amount.scale() > 2 {
            return Err(DeskError::Input(format!(
                "a payment is a positive amount in fen, not {amount}"
            )));
        }
        let zone = self.catalog.invoicing.time_zone;
        let key = number.trim().to_ascii_uppercase();
        self.write(|tx, s| {
            let (invoice, number) =
                super::invoices::load_finalized(tx, &key, "finalize it before recording payments")?;
            check_day("payment", date, zone.date(s.now()), &number, invoice.date)?;
            let balance = invoice.balance();
            if amount > balance {
                return Err(DeskError::Refused(format!(
                    "{number} has {} due; a payment of {} would overpay it",
                    format_money(balance),
                    format_money(amount)
                )));
            }
            let seq: i64 =
                tx.query_row("SELECT IFNULL(MAX(seq), 0) + 1 FROM payments", [], |r| {
                    r.get(0)
                })?;
            let payment = Payment {
                id: format!("P-{seq:06}"),
                date,
                amount,
                reference: bank_reference.clone(),
            };
            tx.execute(
                "INSERT INTO payments (seq, id, invoice_number, amount, paid_on, reference, \
                    recorded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    seq,
                    payment.id,
                    number,
                    Text(&amount),
                    Text(&date),
                    payment.reference,
                    Text(&s.now())
                ],
            )?;
            audit::record(
                tx,
                s,
                "payment.record",
                &payment.id,
                &serde_json::json!({
                    "invoice": number, "amount": amount.to_ledger(), "date": date.to_string(),
                    "reference": payment.reference, "balance_after": (balance - amount).to_ledger(),
                }),
            )?;
            Ok(payment)
        })
    }

    /// Records the official fapiao the tax system issued for finalized
    /// invoice `number` (once: a recorded fapiao cannot change).
    pub fn record_fapiao(
        &mut self,
        number: &str,
        fapiao_number: &str,
        date: Date,
    ) -> Result<Fapiao> {
        let fapiao_number = facelic_invoice::fapiao::parse_fapiao_number(fapiao_number)
            .map_err(|e| DeskError::Input(e.to_string()))?;
        let zone = self.catalog.invoicing.time_zone;
        let key = number.trim().to_ascii_uppercase();
        self.write(|tx, s| {
            let (invoice, number) = super::invoices::load_finalized(
                tx,
                &key,
                "the fapiao is recorded against a finalized statement",
            )?;
            if let Some(f) = &invoice.fapiao {
                return Err(DeskError::Refused(format!(
                    "{number} already has fapiao {} of {}; a recorded fapiao cannot change",
                    f.number, f.date
                )));
            }
            check_day("fapiao", date, zone.date(s.now()), &number, invoice.date)?;
            let taken: Option<String> = tx
                .query_row(
                    &format!(
                        "SELECT invoice_number FROM fapiao_records r WHERE r.number = ?1 AND {LIVE_FAPIAO}"
                    ),
                    [&fapiao_number],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(other) = taken {
                return Err(DeskError::Refused(format!(
                    "fapiao {fapiao_number} is recorded against {other} already; a fapiao belongs to one statement"
                )));
            }
            tx.execute(
                "INSERT INTO fapiao_records (invoice_number, number, issued_on, recorded_at) \
                    VALUES (?1, ?2, ?3, ?4)",
                params![number, fapiao_number, Text(&date), Text(&s.now())],
            )?;
            audit::record(
                tx,
                s,
                "invoice.fapiao",
                &number,
                &serde_json::json!({ "fapiao": fapiao_number, "date": date.to_string() }),
            )?;
            Ok(Fapiao {
                number: fapiao_number.clone(),
                date,
            })
        })
    }

    /// Voids the fapiao recorded for finalized invoice `number` (a wrong
    /// number, a wrong date): the record stays, a void record with
    /// `reason` is added, and a correct fapiao can then be recorded.
    /// Audited as `invoice.fapiao-void`.
    pub fn void_fapiao(&mut self, number: &str, reason: &str) -> Result<Fapiao> {
        let reason = super::fields::one_line("a fapiao void's reason", reason, 500)?;
        let key = number.trim().to_ascii_uppercase();
        self.write(|tx, s| {
            let (_, number) = super::invoices::load_finalized(
                tx,
                &key,
                "a fapiao is voided on a finalized statement",
            )?;
            let Some((seq, wrong)) = live_fapiao(tx, &number)? else {
                return Err(DeskError::Refused(format!(
                    "{number} has no fapiao recorded to void"
                )));
            };
            tx.execute(
                "INSERT INTO fapiao_records (invoice_number, recorded_at, voids, reason) \
                    VALUES (?1, ?2, ?3, ?4)",
                params![number, Text(&s.now()), seq, reason],
            )?;
            audit::record(
                tx,
                s,
                "invoice.fapiao-void",
                &number,
                &serde_json::json!({
                    "fapiao": wrong.number, "date": wrong.date.to_string(), "reason": reason,
                }),
            )?;
            Ok(wrong)
        })
    }

    /// What customers owed at the end of `as_of` (default today), aged by
    /// days past due: the ledger as it stood then — statements dated by
    /// then, less credits and payments made by then — so a month-end report
    /// run later gives the same figures.
    pub fn receivables(&self, as_of: Option<Date>) -> Result<Aging> {
        let as_of = as_of.unwrap_or_else(|| self.today());
        let mut items = Vec::new();
        // The ledger as it stood at the end of `as_of`: statements dated
        // by then, less the credits and payments made by then.
        for invoice in self.documents()? {
            let balance = invoice.balance_as_of(as_of);
            let (Some(number), Some(due_on)) = (invoice.number.clone(), invoice.due_on) else {
                continue;
            };
            let date = invoice.date.unwrap_or(due_on);
            if date > as_of {
                continue;
            }
            if balance > Decimal::ZERO {
                items.push(OpenItem {
                    customer_id: invoice.buyer.id,
                    customer: invoice.buyer.name,
                    number,
                    date,
                    due_on,
                    balance,
                });
            }
        }
        Ok(age(items, as_of, &self.catalog.currency))
    }
}
