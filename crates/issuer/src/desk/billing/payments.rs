//! Payments read with their statements, the official fapiao recorded once
//! the tax system issued it, and the receivables report. (Receiving and
//! applying money: [`super::accounts`].)
//!
//! A statement's balance is its gross less credit notes, payments and
//! customer credit applied, plus what credits moved to the account;
//! payments and fapiao records are kept forever (ledger triggers refuse
//! changes).

use facelic_invoice::Decimal;
use facelic_invoice::dates::Date;
use facelic_invoice::invoice::Fapiao;
use facelic_invoice::receivables::{Aging, OpenItem, age};

use super::{Db, Desk, InputError, PaymentError, Result, ledger};

/// The document a fapiao is recorded for: a statement (its blue fapiao)
/// or a credit note (its red-letter 红字 fapiao, against its statement).
struct FapiaoFor {
    /// The statement's number (the record's `invoice_number`).
    statement: String,
    /// The credit note's number, for a red-letter fapiao.
    credit_note: Option<String>,
}

impl FapiaoFor {
    /// The document's number.
    fn number(&self) -> &str {
        self.credit_note.as_deref().unwrap_or(&self.statement)
    }
}

/// The fapiao recorded for `doc` and not voided, if any, with its
/// record's seq.
fn live_fapiao(db: &Db, doc: &FapiaoFor) -> Result<Option<(i64, Fapiao)>> {
    ledger::payments::live_fapiao(db, &doc.statement, doc.credit_note.as_deref())
}

/// The blue fapiao recorded for statement `number` (and not voided), if any.
pub(crate) fn fapiao_of(conn: &Db, number: &str) -> Result<Option<Fapiao>> {
    let doc = FapiaoFor {
        statement: number.to_owned(),
        credit_note: None,
    };
    Ok(live_fapiao(conn, &doc)?.map(|(_, f)| f))
}

/// The document `key` names for a fapiao (a finalized statement or a
/// credit note), with its date.
fn fapiao_document(
    tx: &Db,
    key: &str,
    zone: facelic_invoice::dates::TimeZone,
    instead: &str,
) -> Result<(FapiaoFor, Option<Date>)> {
    let note = ledger::invoices::credit_note_statement(tx, key)?;
    if let Some((statement, issued_at)) = note {
        let date = Some(issued_at.date_in(zone));
        return Ok((
            FapiaoFor {
                statement,
                credit_note: Some(key.to_owned()),
            },
            date,
        ));
    }
    let (invoice, number) = super::documents::load_finalized(tx, key, instead)?;
    Ok((
        FapiaoFor {
            statement: number,
            credit_note: None,
        },
        invoice.date,
    ))
}

impl Desk {
    /// Records the official fapiao the tax system issued for finalized
    /// statement `number` (its blue fapiao), or for credit note `number`
    /// (its red-letter 红字 fapiao, which needs the statement's blue one
    /// recorded first). Once: a recorded fapiao is voided, never changed.
    pub fn record_fapiao(
        &mut self,
        number: &str,
        fapiao_number: &str,
        date: Date,
    ) -> Result<Fapiao> {
        let fapiao_number = facelic_invoice::fapiao::parse_fapiao_number(fapiao_number)
            .map_err(InputError::from)?;
        let zone = self.catalog.invoicing.time_zone;
        let key = number.trim().to_ascii_uppercase();
        self.ledger.write(|tx| {
            let (doc, doc_date) = fapiao_document(
                tx,
                &key,
                zone,
                "the fapiao is recorded against a finalized statement",
            )?;
            let number = doc.number().to_owned();
            if let Some((_, f)) = live_fapiao(tx, &doc)? {
                return Err(PaymentError::FapiaoRecorded {
                    number,
                    fapiao: f.number,
                    date: f.date.to_string(),
                }
                .into());
            }
            let mut earliest = doc_date;
            if doc.credit_note.is_some() {
                // A red-letter fapiao cites the blue one it corrects.
                let Some(blue) = fapiao_of(tx, &doc.statement)? else {
                    return Err(PaymentError::RedBeforeBlue(doc.statement.clone()).into());
                };
                earliest = earliest.max(Some(blue.date));
            }
            super::accounts::check_day("fapiao", date, zone.date(tx.now()), &number, earliest)?;
            let taken = ledger::payments::holder_of(tx, &fapiao_number)?;
            if let Some(other) = taken {
                return Err(PaymentError::FapiaoElsewhere {
                    fapiao: fapiao_number.clone(),
                    other,
                }
                .into());
            }
            ledger::payments::record_fapiao(
                tx,
                &doc.statement,
                doc.credit_note.as_deref(),
                &fapiao_number,
                date,
            )?;
            tx.audit(
                "invoice.fapiao",
                &number,
                &serde_json::json!({
                    "fapiao": fapiao_number, "date": date.to_string(),
                    "red_letter": doc.credit_note.is_some(),
                }),
            )?;
            Ok(Fapiao {
                number: fapiao_number.clone(),
                date,
            })
        })
    }

    /// Voids the fapiao recorded for finalized statement or credit note
    /// `number` (a wrong number, a wrong date): the record stays, a void
    /// record with `reason` is added, and a correct fapiao can then be
    /// recorded. Audited as `invoice.fapiao-void`.
    pub fn void_fapiao(&mut self, number: &str, reason: &str) -> Result<Fapiao> {
        let reason = super::fields::one_line("a fapiao void's reason", reason, 500)?;
        let zone = self.catalog.invoicing.time_zone;
        let key = number.trim().to_ascii_uppercase();
        self.ledger.write(|tx| {
            let (doc, _) = fapiao_document(
                tx,
                &key,
                zone,
                "a fapiao is voided on a finalized statement",
            )?;
            let number = doc.number().to_owned();
            let Some((seq, wrong)) = live_fapiao(tx, &doc)? else {
                return Err(PaymentError::NoFapiao(number).into());
            };
            ledger::payments::void_fapiao(
                tx,
                &doc.statement,
                doc.credit_note.as_deref(),
                seq,
                &reason,
            )?;
            tx.audit(
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
    /// run later gives the same figures; beside it, what each customer had
    /// on account then.
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
        let accounts = super::accounts::all_on_account(self.db(), as_of)?;
        Ok(age(items, &accounts, as_of, &self.catalog.currency))
    }
}
