//! Customer accounts: money received before it is applied, customer
//! credit, refunds owed and paid.
//!
//! A receipt (`R-000001`) is one bank transfer from a customer. Payments
//! (`P-…`) apply its cash to statements — several statements from one
//! receipt — and what is not applied stays on the account as unapplied
//! cash. A credit note beyond what its statement still asks for (the
//! statement was paid) moves the rest to the account, as customer credit
//! or as a refund owed: the finance operator chooses ([`OwedBack`]).
//! Customer credit pays later statements; refunds paid out are recorded
//! against what they were paid from. Every entry is kept forever (ledger
//! triggers refuse changes) and audited.

use facelic_invoice::Decimal;
use facelic_invoice::account::{AccountEntry, Bucket, EntryKind, OnAccount};
use facelic_invoice::dates::Date;
use facelic_invoice::invoice::{DocumentKind, Invoice, Payment};
use facelic_invoice::statement_of_account::{
    AccountStatement, Header, LineKind, Movement, OpenStatement,
};
use serde::Serialize;

use super::customers::{Customer, find_customer};
use super::documents::load_finalized;
use super::fields::LedgerText as _;
use super::{Db, Desk, DeskError, InputError, NotFound, PaymentError, Result, Tx, ledger};

/// Longest payment reference, in bytes.
pub(crate) const MAX_REFERENCE: usize = 100;

/// Where a credit note's part beyond its statement's balance goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OwedBack {
    /// A refund owed, to be paid out ([`Desk::pay_refund`]).
    Refund,
    /// Customer credit, to pay later statements ([`Desk::apply_credit`]).
    Credit,
}

/// What a refund paid out is paid from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefundFrom {
    /// A refund owed.
    RefundOwed,
    /// Customer credit.
    Credit,
    /// The unapplied cash of a receipt (`R-…`): money sent by mistake.
    Receipt(String),
}

/// Whether money received beyond what the named statements ask for is
/// refused or kept on the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rest {
    /// Refuse it: an overpayment is a typo until shown otherwise.
    Refuse,
    /// Keep it on the customer's account as unapplied cash.
    OnAccount,
}

/// A receipt with the payments applied from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// `R-000001`.
    pub id: String,
    /// Customer id.
    pub customer_id: String,
    /// The day the money arrived.
    pub date: Date,
    /// Amount received.
    #[serde(with = "facelic_invoice::money::amount")]
    pub amount: Decimal,
    /// Bank reference (may be empty).
    pub reference: String,
    /// Payments applied from it, oldest first.
    pub payments: Vec<Payment>,
    /// Not applied yet, nor paid back.
    #[serde(with = "facelic_invoice::money::amount")]
    pub unapplied: Decimal,
}

/// A customer's account on a day: what is on it and every entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerAccount {
    /// Customer id.
    pub customer_id: String,
    /// Customer name.
    pub customer: String,
    /// The day the amounts are for (end of day).
    pub as_of: Date,
    /// Currency of every amount.
    pub currency: String,
    /// What is on account.
    pub on_account: OnAccount,
    /// Receipts with unapplied cash on `as_of`.
    pub open_receipts: Vec<Receipt>,
    /// Every entry up to `as_of`, oldest first.
    pub entries: Vec<AccountEntry>,
}

/// Checks a short free-text reference (a bank reference).
pub(crate) fn reference(what: &str, text: &str) -> Result<String> {
    let text = text.trim();
    if text.len() > MAX_REFERENCE || text.chars().any(char::is_control) {
        return Err(InputError::BadText {
            what: what.to_owned(),
            max: MAX_REFERENCE,
        }
        .into());
    }
    Ok(text.to_owned())
}

/// Refuses an amount that is not a positive number of fen.
pub(crate) fn positive(what: &str, amount: Decimal) -> Result<()> {
    if amount <= Decimal::ZERO || amount.normalize().scale() > 2 {
        return Err(InputError::NotPositive {
            what: what.to_owned(),
            amount,
        }
        .into());
    }
    Ok(())
}

/// Refuses a `what` dated after today or before statement `number` was dated.
pub(crate) fn check_day(
    what: &str,
    date: Date,
    today: Date,
    number: &str,
    issued: Option<Date>,
) -> Result<()> {
    if date > today {
        return Err(PaymentError::Future {
            what: what.to_owned(),
            date,
            today,
        }
        .into());
    }
    date.check_floor(&format!("a {what} dated"))?;
    match issued {
        Some(issued) if date < issued => Err(PaymentError::BeforeIssue {
            what: what.to_owned(),
            date,
            number: number.to_owned(),
            issued,
        }
        .into()),
        _ => Ok(()),
    }
}

/// What every customer with account entries had on account at the end
/// of `as_of`, in customer order.
pub(crate) fn all_on_account(
    conn: &Db,
    as_of: Date,
) -> Result<Vec<facelic_invoice::receivables::AccountItem>> {
    let customers = ledger::accounts::customers_with_entries(conn)?;
    customers
        .into_iter()
        .map(|(id, name)| {
            let on_account =
                OnAccount::as_of(&ledger::accounts::of_customer(conn, &id)?, as_of).total();
            Ok(facelic_invoice::receivables::AccountItem {
                customer_id: id,
                customer: name,
                on_account,
            })
        })
        .collect()
}

/// Receipt `id` with its payments and what is left of it.
fn load_receipt(db: &Db, id: &str) -> Result<Receipt> {
    let id = id.trim().to_ascii_uppercase();
    let (customer_id, entry) =
        ledger::accounts::receipt(db, &id)?.ok_or_else(|| NotFound::Receipt(id.clone()))?;
    let payments = ledger::payments::from_receipt(db, &entry.id)?;
    let refunded = ledger::accounts::refunded_from(db, &entry.id)?;
    let applied: Decimal = payments.iter().map(|p| p.amount).sum();
    Ok(Receipt {
        id: entry.id,
        customer_id,
        date: entry.date,
        amount: entry.amount,
        reference: entry.reference,
        unapplied: entry.amount - applied - refunded,
        payments,
    })
}

/// A new entry of `kind` for `amount` on `date`, for the caller to fill in.
fn entry(kind: EntryKind, amount: Decimal, date: Date) -> AccountEntry {
    AccountEntry {
        id: String::new(),
        kind,
        date,
        amount,
        statement: None,
        credit_note: None,
        receipt: None,
        from: None,
        reference: String::new(),
    }
}

/// The finalized statement `key` of `customer`, refused when it is another
/// customer's.
fn statement_of(tx: &Db, key: &str, customer: &Customer) -> Result<(Invoice, String)> {
    let (invoice, number) = load_finalized(tx, key, "finalize it before paying it")?;
    if invoice.buyer.id != customer.id
        || invoice.kind != facelic_invoice::invoice::DocumentKind::Statement
    {
        return Err(PaymentError::NotTheirs {
            number,
            customer: customer.id.clone(),
            name: customer.name.clone(),
        }
        .into());
    }
    Ok((invoice, number))
}

fn customer(conn: &Db, id_or_name: &str) -> Result<Customer> {
    find_customer(conn, id_or_name)?
        .ok_or_else(|| NotFound::Customer(id_or_name.trim().to_owned()).into())
}

impl Desk {
    /// Records `amount` received from `customer` on `date` (one bank
    /// transfer, receipt `R-…`) and applies it to `statements` in the order
    /// given, each up to its balance. What is left is unapplied cash on the
    /// customer's account when `rest` is [`Rest::OnAccount`], and refused
    /// (nothing recorded) when it is [`Rest::Refuse`]. Refused too: a day
    /// in the future or before a statement's date, another customer's
    /// statement, a statement with nothing due. Audited as
    /// `payment.receive`.
    pub fn receive_payment(
        &mut self,
        customer_key: &str,
        amount: Decimal,
        date: Date,
        bank_reference: &str,
        statements: &[String],
        rest: Rest,
    ) -> Result<Receipt> {
        let bank_reference = reference("a payment reference", bank_reference)?;
        positive("a payment", amount)?;
        let zone = self.catalog.invoicing.time_zone;
        self.ledger.write(|tx| {
            let customer = customer(tx, customer_key)?;
            let today = zone.date(tx.now());
            check_day("payment", date, today, "", None)?;
            let receipt = ledger::accounts::insert(
                tx,
                &customer.id,
                AccountEntry {
                    reference: bank_reference.clone(),
                    ..entry(EntryKind::Receipt, amount, date)
                },
            )?;
            let mut left = amount;
            let mut payments = Vec::new();
            let mut seen = Vec::new();
            for key in statements {
                let (invoice, number) = statement_of(tx, key, &customer)?;
                if seen.contains(&number) {
                    return Err(InputError::NamedTwice(number).into());
                }
                seen.push(number.clone());
                check_day("payment", date, today, &number, invoice.date)?;
                let due = invoice.balance().max(Decimal::ZERO);
                if due.is_zero() && rest == Rest::OnAccount {
                    return Err(PaymentError::NothingDue(number).into());
                }
                let part = due.min(left);
                if part > Decimal::ZERO {
                    payments.push(ledger::payments::insert(
                        tx,
                        &number,
                        part,
                        date,
                        &bank_reference,
                        Some(&receipt.id),
                    )?);
                    left -= part;
                }
            }
            if left > Decimal::ZERO && rest == Rest::Refuse {
                return Err(DeskError::Overpayment {
                    customer: customer.id,
                    statements: seen,
                    due: amount - left,
                    amount,
                });
            }
            tx.audit(
                "payment.receive",
                &receipt.id,
                &serde_json::json!({
                    "customer": customer.id, "amount": amount.to_ledger(),
                    "date": date.to_string(), "reference": bank_reference,
                    "applied": payments.iter().map(|p| serde_json::json!({
                        "payment": p.id, "invoice": p.invoice, "amount": p.amount.to_ledger(),
                    })).collect::<Vec<_>>(),
                    "unapplied": left.to_ledger(),
                }),
            )?;
            Ok(Receipt {
                id: receipt.id,
                customer_id: customer.id,
                date,
                amount,
                reference: bank_reference,
                payments,
                unapplied: left,
            })
        })
    }

    /// Records a payment of `amount` received on `date` against finalized
    /// statement `number` (a receipt applied whole to it). Refused: a
    /// draft, a payment dated in the future or before the statement, a zero
    /// or negative amount, and an amount above the balance due.
    pub fn record_payment(
        &mut self,
        number: &str,
        amount: Decimal,
        date: Date,
        bank_reference: &str,
    ) -> Result<Payment> {
        let (invoice, number) =
            load_finalized(self.db(), number, "finalize it before recording payments")?;
        let receipt = self.receive_payment(
            &invoice.buyer.id,
            amount,
            date,
            bank_reference,
            &[number],
            Rest::Refuse,
        )?;
        receipt
            .payments
            .into_iter()
            .next()
            .ok_or_else(|| PaymentError::NothingApplied.into())
    }

    /// Applies the unapplied cash of receipt `receipt` to finalized
    /// statement `number` of the same customer, today: `amount`, or as much
    /// as both allow. Audited as `payment.apply`.
    pub fn apply_receipt(
        &mut self,
        receipt: &str,
        number: &str,
        amount: Option<Decimal>,
    ) -> Result<Payment> {
        if let Some(a) = amount {
            positive("an amount applied", a)?;
        }
        let zone = self.catalog.invoicing.time_zone;
        self.ledger.write(|tx| {
            let receipt = load_receipt(tx, receipt)?;
            let customer = super::customers::load_customer(tx, &receipt.customer_id)?;
            let (invoice, number) = statement_of(tx, number, &customer)?;
            let today = zone.date(tx.now());
            let part = take(
                "receipt",
                &receipt.id,
                receipt.unapplied,
                &number,
                invoice.balance(),
                amount,
            )?;
            let payment = ledger::payments::insert(
                tx,
                &number,
                part,
                today,
                &receipt.reference,
                Some(&receipt.id),
            )?;
            tx.audit(
                "payment.apply",
                &payment.id,
                &serde_json::json!({
                    "receipt": receipt.id, "invoice": number, "amount": part.to_ledger(),
                    "unapplied_after": (receipt.unapplied - part).to_ledger(),
                }),
            )?;
            Ok(payment)
        })
    }

    /// Applies customer credit of `customer` to its finalized statement
    /// `number`, today: `amount`, or as much as both allow. Audited as
    /// `account.apply-credit`.
    pub fn apply_credit(
        &mut self,
        customer_key: &str,
        number: &str,
        amount: Option<Decimal>,
    ) -> Result<AccountEntry> {
        if let Some(a) = amount {
            positive("an amount applied", a)?;
        }
        let zone = self.catalog.invoicing.time_zone;
        self.ledger.write(|tx| {
            let customer = customer(tx, customer_key)?;
            let (invoice, number) = statement_of(tx, number, &customer)?;
            let today = zone.date(tx.now());
            let credit =
                OnAccount::as_of(&ledger::accounts::of_customer(tx, &customer.id)?, today).credit;
            let part = take(
                "customer credit of",
                &customer.id,
                credit,
                &number,
                invoice.balance(),
                amount,
            )?;
            let applied = ledger::accounts::insert(
                tx,
                &customer.id,
                AccountEntry {
                    statement: Some(number.clone()),
                    ..entry(EntryKind::CreditApplied, part, today)
                },
            )?;
            tx.audit(
                "account.apply-credit",
                &applied.id,
                &serde_json::json!({
                    "customer": customer.id, "invoice": number, "amount": part.to_ledger(),
                    "credit_after": (credit - part).to_ledger(),
                }),
            )?;
            Ok(applied)
        })
    }

    /// Records `amount` paid back to `customer` on `date`, from a refund
    /// owed, its customer credit or a receipt's unapplied cash; refused
    /// beyond what that holds. Audited as `account.refund`.
    pub fn pay_refund(
        &mut self,
        customer_key: &str,
        amount: Decimal,
        date: Date,
        bank_reference: &str,
        from: RefundFrom,
    ) -> Result<AccountEntry> {
        let bank_reference = reference("a refund's reference", bank_reference)?;
        positive("a refund", amount)?;
        let zone = self.catalog.invoicing.time_zone;
        self.ledger.write(|tx| {
            let customer = customer(tx, customer_key)?;
            check_day("refund", date, zone.date(tx.now()), "", None)?;
            let on_account = OnAccount::as_of(
                &ledger::accounts::of_customer(tx, &customer.id)?,
                zone.date(tx.now()),
            );
            // Unapplied cash and credit are paid back only beyond the hold.
            let (bucket, receipt, holds) = match &from {
                RefundFrom::RefundOwed => (Bucket::RefundOwed, None, on_account.refund_owed),
                RefundFrom::Credit => (
                    Bucket::Credit,
                    None,
                    on_account.credit.min(on_account.free()),
                ),
                RefundFrom::Receipt(id) => {
                    let r = load_receipt(tx, id)?;
                    if r.customer_id != customer.id {
                        return Err(PaymentError::OtherReceipt {
                            receipt: r.id,
                            owner: r.customer_id,
                            customer: customer.id.clone(),
                        }
                        .into());
                    }
                    if date < r.date {
                        return Err(PaymentError::RefundBeforeReceipt {
                            date,
                            receipt: r.id,
                            received: r.date,
                        }
                        .into());
                    }
                    (
                        Bucket::Unapplied,
                        Some(r.id),
                        r.unapplied.min(on_account.free()),
                    )
                }
            };
            if amount > holds {
                return Err(PaymentError::RefundTooLarge {
                    from: receipt.unwrap_or_else(|| customer.id.clone()),
                    holds,
                    bucket: match bucket {
                        Bucket::RefundOwed => "refund owed",
                        Bucket::Credit => "customer credit",
                        _ => "unapplied",
                    },
                    amount,
                    held: match bucket {
                        Bucket::RefundOwed => Decimal::ZERO,
                        _ => on_account.held,
                    },
                }
                .into());
            }
            let paid = ledger::accounts::insert(
                tx,
                &customer.id,
                AccountEntry {
                    from: Some(bucket),
                    receipt,
                    reference: bank_reference.clone(),
                    ..entry(EntryKind::RefundPaid, amount, date)
                },
            )?;
            tx.audit(
                "account.refund",
                &paid.id,
                &serde_json::json!({
                    "customer": customer.id, "amount": amount.to_ledger(), "date": date.to_string(),
                    "from": bucket.as_str(), "receipt": paid.receipt, "reference": bank_reference,
                }),
            )?;
            Ok(paid)
        })
    }

    /// Customer `customer`'s account at the end of `as_of` (default today):
    /// what is on it, the receipts with cash left, and every entry by then.
    pub fn account(&self, customer_key: &str, as_of: Option<Date>) -> Result<CustomerAccount> {
        let as_of = as_of.unwrap_or_else(|| self.today());
        let customer = customer(self.db(), customer_key)?;
        let entries: Vec<AccountEntry> = ledger::accounts::of_customer(self.db(), &customer.id)?
            .into_iter()
            .filter(|e| e.date <= as_of)
            .collect();
        let mut open_receipts = Vec::new();
        for e in entries.iter().filter(|e| e.kind == EntryKind::Receipt) {
            let mut r = load_receipt(self.db(), &e.id)?;
            let later: Decimal = entries
                .iter()
                .filter(|x| x.receipt.as_deref() == Some(&r.id))
                .map(|x| x.amount)
                .sum();
            r.payments.retain(|p| p.date <= as_of);
            r.unapplied = r.amount - later;
            if r.unapplied > Decimal::ZERO {
                open_receipts.push(r);
            }
        }
        Ok(CustomerAccount {
            customer_id: customer.id,
            customer: customer.name,
            as_of,
            currency: self.catalog.currency.clone(),
            on_account: OnAccount::as_of(&entries, as_of),
            open_receipts,
            entries,
        })
    }
}

impl Desk {
    /// The statement of account (对账单) of `customer` from `from` to `to`
    /// (both inclusive, days in the desk's time zone): opening balance,
    /// every statement, credit note, payment and refund of the period with
    /// the running balance, closing balance, the statements still open and
    /// what was on account at the end of `to`.
    pub fn statement_of_account(
        &self,
        customer_key: &str,
        from: Date,
        to: Date,
    ) -> Result<AccountStatement> {
        if from > to {
            return Err(InputError::Reversed {
                what: "period",
                from,
                to,
            }
            .into());
        }
        let customer = customer(self.db(), customer_key)?;
        let mut movements = Vec::new();
        let mut open_statements = Vec::new();
        let documents = self.documents()?;
        for doc in documents.iter().filter(|d| {
            d.buyer.id == customer.id && d.kind == DocumentKind::Statement && d.number.is_some()
        }) {
            let (Some(number), Some(date)) = (doc.number.clone(), doc.date) else {
                continue;
            };
            let what = doc
                .billed_for
                .clone()
                .unwrap_or_else(|| format!("order {}", doc.order_id));
            movements.push(Movement {
                date,
                document: number.clone(),
                kind: LineKind::Statement,
                description: what,
                amount: doc.totals.gross,
            });
            for c in &doc.credits {
                movements.push(Movement {
                    date: c.issued_at.local_date(),
                    document: c.number.clone(),
                    kind: LineKind::CreditNote,
                    description: format!("{number}: {}", c.reason),
                    amount: c.amount,
                });
            }
            // Payments recorded before receipts are money received too.
            for p in doc.payments.iter().filter(|p| p.receipt.is_none()) {
                movements.push(Movement {
                    date: p.date,
                    document: p.id.clone(),
                    kind: LineKind::Payment,
                    description: format!("{number} {}", p.reference).trim().to_owned(),
                    amount: p.amount,
                });
            }
            let balance = doc.balance_as_of(to);
            if date <= to && balance > Decimal::ZERO {
                open_statements.push(OpenStatement {
                    number,
                    date,
                    due_on: doc.due_on.unwrap_or(date),
                    balance,
                });
            }
        }
        let entries = ledger::accounts::of_customer(self.db(), &customer.id)?;
        for e in &entries {
            let kind = match e.kind {
                EntryKind::Receipt => LineKind::Payment,
                EntryKind::RefundPaid => LineKind::Refund,
                _ => continue,
            };
            let applied: Vec<&str> = entries
                .iter()
                .filter(|a| a.kind == EntryKind::Applied && a.receipt.as_deref() == Some(&e.id))
                .filter_map(|a| a.statement.as_deref())
                .collect();
            let description = match (kind, e.from) {
                (LineKind::Refund, Some(from)) => format!("from {} {}", from.as_str(), e.reference),
                _ if applied.is_empty() => e.reference.clone(),
                _ => format!("{} → {}", e.reference, applied.join(", ")),
            };
            movements.push(Movement {
                date: e.date,
                document: e.id.clone(),
                kind,
                description: description.trim().to_owned(),
                amount: e.amount,
            });
        }
        Ok(AccountStatement::new(
            Header {
                seller: self.seller(),
                customer: super::documents::buyer(&customer),
                currency: self.catalog.currency.clone(),
                from,
                to,
                made_on: self.today(),
            },
            movements,
            open_statements,
            OnAccount::as_of(&entries, to),
        ))
    }
}

/// How much of `holds` (what `source` has) goes to `number` (which asks
/// for `due`): `wanted`, or as much as both allow; refused when nothing can.
fn take(
    what: &str,
    source: &str,
    holds: Decimal,
    number: &str,
    due: Decimal,
    wanted: Option<Decimal>,
) -> Result<Decimal> {
    if holds <= Decimal::ZERO {
        return Err(PaymentError::NothingLeft {
            what: what.to_owned(),
            source_id: source.to_owned(),
        }
        .into());
    }
    if due <= Decimal::ZERO {
        return Err(PaymentError::NothingDue(number.to_owned()).into());
    }
    let most = holds.min(due);
    match wanted {
        None => Ok(most),
        Some(w) if w <= most => Ok(w),
        Some(w) => Err(PaymentError::MoreThanApplies {
            what: what.to_owned(),
            source_id: source.to_owned(),
            number: number.to_owned(),
            holds,
            due,
            wanted: w,
        }
        .into()),
    }
}

/// Releases customer `customer`'s hold, if any, and holds `hold` (if not
/// zero) from `date` until the next settlement; audited as `account.hold`.
pub(crate) fn replace_hold(
    tx: &Tx<'_>,
    customer: &str,
    hold: Decimal,
    date: Date,
    statement: Option<&str>,
    reference: &str,
) -> Result<()> {
    let held = OnAccount::as_of(&ledger::accounts::of_customer(tx, customer)?, date).held;
    let mut ids = Vec::new();
    for (kind, amount) in [(EntryKind::HoldRelease, held), (EntryKind::Hold, hold)] {
        if amount > Decimal::ZERO {
            let e = ledger::accounts::insert(
                tx,
                customer,
                AccountEntry {
                    statement: statement.map(str::to_owned),
                    reference: reference.to_owned(),
                    ..entry(kind, amount, date)
                },
            )?;
            ids.push(e.id);
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    tx.audit(
        "account.hold",
        customer,
        &serde_json::json!({
            "released": held.to_ledger(), "held": hold.to_ledger(), "date": date.to_string(),
            "statement": statement, "entries": ids,
        }),
    )
}

/// Moves the part of credit note `note` beyond its statement's balance to
/// the account of the statement's buyer, as `owed_back` says (inside the
/// caller's transaction, on `date`).
pub(crate) fn owe_back(
    tx: &Tx<'_>,
    invoice: &Invoice,
    note: &str,
    excess: Decimal,
    owed_back: OwedBack,
    date: Date,
) -> Result<AccountEntry> {
    let kind = match owed_back {
        OwedBack::Refund => EntryKind::RefundOwed,
        OwedBack::Credit => EntryKind::Credit,
    };
    ledger::accounts::insert(
        tx,
        &invoice.buyer.id,
        AccountEntry {
            statement: invoice.number.clone(),
            credit_note: Some(note.to_owned()),
            ..entry(kind, excess, date)
        },
    )
}
