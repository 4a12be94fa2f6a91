//! Invoices made from desk orders: drafts, gapless numbering on finalize,
//! immutability (enforced by ledger triggers), and credit notes.

use serde::Serialize;

use facelic_invoice::Decimal;
use facelic_invoice::dates::{Date, Stamp};
use facelic_invoice::invoice::{
    CreditNote, DocumentKind, DocumentStatus, Invoice, Line, Party, PaymentStatus, lines_for,
};
use facelic_invoice::pricing::{price_devices, price_platform_at};

use super::accounts::OwedBack;
use super::customers::{Customer, FapiaoType, load_customer};
use super::documents::{buyer, load_finalized, load_invoice};
use super::fields::LedgerText as _;
use super::ledger::Numbered;
use super::orders::load_order;
use super::{Desk, DeskError, InputError, InvoiceError, NotFound, Result, Tx, ledger};

/// A row of `invoice list`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InvoiceSummary {
    /// Draft id.
    pub draft_id: String,
    /// Number, once finalized.
    pub number: Option<String>,
    /// Draft or final.
    pub status: DocumentStatus,
    /// Order invoiced (empty for pack sales and usage bills).
    pub order_id: String,
    /// What a statement that bills no order is for (`pack PK-000001`, `usage …`).
    pub billed_for: Option<String>,
    /// Buyer's customer id.
    pub customer_id: String,
    /// Buyer.
    pub customer: String,
    /// Buyer's unified social credit code, as on the document.
    pub buyer_tax_id: String,
    /// Gross total.
    #[serde(with = "facelic_invoice::money::amount")]
    pub gross: Decimal,
    /// Credited so far.
    #[serde(with = "facelic_invoice::money::amount")]
    pub credited: Decimal,
    /// Paid so far.
    #[serde(with = "facelic_invoice::money::amount")]
    pub paid: Decimal,
    /// Still due.
    #[serde(with = "facelic_invoice::money::amount")]
    pub balance: Decimal,
    /// The date the document carries, or when a draft was made.
    #[serde(serialize_with = "super::fields::display")]
    pub date: ShownDate,
    /// Due date (finalized invoices).
    pub due_on: Option<Date>,
    /// `unpaid`, `partially-paid`, `overdue`, `paid` or `credited` (finalized invoices).
    pub payment_status: Option<PaymentStatus>,
    /// Days past due today.
    pub days_overdue: i64,
    /// The official fapiao's number, once recorded.
    pub fapiao_number: Option<String>,
}

/// The date an invoice list shows for a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownDate {
    /// The date the document carries (`YYYY-MM-DD`, the desk's time zone).
    Day(Date),
    /// When a draft was made (or a document without a date of its own was
    /// finalized), RFC 3339.
    At(Stamp),
}

impl std::fmt::Display for ShownDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShownDate::Day(d) => d.fmt(f),
            ShownDate::At(t) => t.fmt(f),
        }
    }
}

/// Which invoices `invoice list` shows; the default is every one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceFilter {
    /// Only finalized statements with a balance due.
    pub unpaid: bool,
    /// Only this customer's (id or name).
    pub customer: Option<String>,
    /// Only documents dated on or after this day (drafts have no date).
    pub from: Option<Date>,
    /// Only documents dated on or before this day.
    pub to: Option<Date>,
}

/// Whether a statement may be finalized for a buyer whose billing profile
/// has no tax id (统一社会信用代码).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuyerTaxId {
    /// Refuse it: the buyer's tax id must be in its profile.
    Required,
    /// The operator confirmed the buyer has none (a buyer abroad, a person).
    MayBeMissing,
}

impl Desk {
    /// Makes a draft invoice for an order at the prices agreed when it was
    /// made: a device order's devices at their tier, or one line per
    /// not-yet-invoiced platform term at that term's fee; an agreed
    /// discount is a line of its own. Trials are never invoiced.
    pub fn create_invoice(&mut self, order_id: &str) -> Result<Invoice> {
        let catalog = &self.catalog;
        let seller = self.seller();
        self.ledger.write(|tx| {
            let order = load_order(tx, order_id)?;
            let kind = order.kind;
            if kind.is_trial() {
                return Err(InvoiceError::Trial {
                    order: order.id,
                    kind,
                }
                .into());
            }
            let product = catalog
                .product(&order.product)
                .ok_or_else(|| InvoiceError::ProductGone(order.product.clone()))?;
            let inv = &catalog.invoicing;
            let invoiced = ledger::invoices::invoiced_terms(tx, &order.id)?;
            let (lines, items): (Vec<Line>, Vec<i64>) = if kind.is_device_bound() {
                if !invoiced.is_empty() {
                    return Err(InvoiceError::Invoiced(order.id).into());
                }
                let devices = order.devices.unwrap_or(0);
                // Orders made before agreements were recorded: the catalog's price.
                let price = match &order.agreed {
                    Some(agreed) => agreed.clone(),
                    None => {
                        price_devices(product, catalog.rules.device_min_quantity, devices, None)?
                    }
                };
                (
                    lines_for(
                        product,
                        &price,
                        facelic_invoice::invoice::device_description(devices, &price.mode),
                        inv,
                    ),
                    vec![0],
                )
            } else {
                let mut lines = Vec::new();
                let mut items = Vec::new();
                for t in order.terms.iter().filter(|t| !invoiced.contains(&t.seq)) {
                    let fee = t.fee.unwrap_or(product.platform_fee);
                    let price = price_platform_at(fee, 1, t.discount_pct)?;
                    let describe = |_| {
                        format!(
                            "Platform license for {}, term {}: {} to {}",
                            order.package.as_deref().unwrap_or_default(),
                            t.seq,
                            date_of(inv.time_zone, t.starts_at),
                            date_of(inv.time_zone, t.ends_at)
                        )
                    };
                    lines.extend(lines_for(product, &price, describe, inv));
                    items.push(t.seq);
                }
                if lines.is_empty() {
                    return Err(InvoiceError::TermsInvoiced(order.id).into());
                }
                (lines, items)
            };
            let seq = tx.next_draft()?;
            let draft_id = format!("D-{seq:06}");
            let customer = load_customer(tx, &order.customer_id)?;
            let invoice = Invoice {
                draft_id: draft_id.clone(),
                order_id: order.id.clone(),
                ..statement_for(
                    catalog,
                    &seller,
                    &customer,
                    lines,
                    inv.time_zone.stamp(tx.now()),
                )
            };
            ledger::invoices::insert_draft(tx, seq, &invoice, &items)?;
            let gross = invoice.totals.gross.to_string();
            let detail = serde_json::json!({ "order": order.id, "gross": gross });
            tx.audit("invoice.create", &draft_id, &detail)?;
            Ok(invoice)
        })
    }

    /// Finalizes a draft: gives it the next number of the desk's gapless
    /// sequence (`FL-<year>-000001`, year of the finalization date in the
    /// catalog's time zone). From then on the invoice cannot change.
    ///
    /// A buyer whose billing profile has no tax id is refused
    /// ([`DeskError::BuyerWithoutTaxId`]) unless `buyer_tax_id` is
    /// [`BuyerTaxId::MayBeMissing`]: the operator confirmed it.
    pub fn finalize_invoice(
        &mut self,
        draft_id: &str,
        buyer_tax_id: BuyerTaxId,
    ) -> Result<Invoice> {
        let inv = self.catalog.invoicing.clone();
        if inv.seller_tax_id.is_empty() {
            return Err(InvoiceError::NoSellerTaxId.into());
        }
        let prefix = inv.invoice_prefix.clone();
        let zone = inv.time_zone;
        let seller = self.seller();
        self.ledger.write(|tx| {
            let invoice = load_invoice(tx, draft_id)?;
            if let Some(number) = &invoice.number {
                return Err(InvoiceError::Finalized {
                    draft: invoice.draft_id,
                    number: number.clone(),
                }
                .into());
            }
            let year = zone.year(tx.now());
            let n = tx.next_of_year(Numbered::Statement, year)?;
            let number = format!("{prefix}-{year}-{n:06}");
            // The document as issued: dated today, the buyer as its profile
            // is now, due after its payment terms.
            // The draft's buyer id is the order's customer.
            let customer = load_customer(tx, &invoice.buyer.id)?;
            if customer.billing.tax_id.is_none() && buyer_tax_id == BuyerTaxId::Required {
                return Err(DeskError::BuyerWithoutTaxId {
                    customer: customer.id.clone(),
                    name: customer.name.clone(),
                });
            }
            let date = zone.date(tx.now());
            let terms = terms_of(&customer, &inv);
            let mut doc = invoice.clone();
            doc.date = Some(date);
            doc.payment_terms_days = Some(terms);
            doc.due_on = Some(date.add_days(i64::from(terms)));
            doc.buyer = buyer(&customer);
            doc.seller = seller.clone();
            doc.fapiao_type = Some(fapiao_type_of(&customer));
            ledger::invoices::finalize(tx, &invoice.draft_id, &number, zone.stamp(tx.now()), &doc)?;
            tx.audit(
                "invoice.finalize",
                &number,
                &serde_json::json!({
                    "draft": invoice.draft_id, "gross": invoice.totals.gross.to_string(),
                    "due_on": doc.due_on.map(|d| d.to_string()),
                }),
            )?;
            let mut invoice = load_invoice(tx, &number)?;
            invoice.settle(date);
            Ok(invoice)
        })
    }

    /// Deletes a draft (finalized invoices are never deleted).
    pub fn discard_draft(&mut self, draft_id: &str) -> Result<()> {
        self.ledger.write(|tx| {
            let invoice = load_invoice(tx, draft_id)?;
            if let Some(number) = &invoice.number {
                return Err(InvoiceError::FinalizedNotDeleted(number.clone()).into());
            }
            ledger::invoices::delete_draft(tx, &invoice.draft_id)?;
            tx.audit(
                "invoice.discard",
                &invoice.draft_id,
                &serde_json::json!({ "order": invoice.order_id }),
            )
        })
    }

    /// Issues a credit note against a finalized invoice: `amount` (default:
    /// everything not yet credited), never more than remains. A credit
    /// beyond what the statement still asks for (it was paid) moves the
    /// rest to the customer's account as `owed_back` says; without a
    /// choice it is refused ([`DeskError::OwedBackUnchosen`]).
    pub fn credit_invoice(
        &mut self,
        number: &str,
        reason: &str,
        amount: Option<Decimal>,
        owed_back: Option<OwedBack>,
    ) -> Result<CreditNote> {
        let reason = super::fields::one_line("a credit note's reason", reason, 500)?;
        let invoicing = self.catalog.invoicing.clone();
        self.ledger
            .write(|tx| credit(tx, &invoicing, number, &reason, amount, owed_back))
    }

    /// One document by number: an invoice or draft (by number or draft id)
    /// with its credit notes, payments, fapiao and settlement as of today,
    /// or a credit note (`CN-…`) as a document of its own.
    pub fn invoice(&self, key: &str) -> Result<Invoice> {
        let today = self.today();
        let key_upper = key.trim().to_ascii_uppercase();
        let credited = ledger::invoices::credit_note_statement(self.db(), &key_upper)?
            .map(|(invoice_number, _)| (invoice_number, key_upper.clone()));
        if let Some((invoice_number, note_number)) = credited {
            let invoice = load_invoice(self.db(), &invoice_number)?;
            let note = invoice
                .credits
                .iter()
                .find(|c| c.number == note_number)
                .ok_or_else(|| NotFound::CreditNote(key.to_owned()))?;
            let date = Some(note.issued_at.date_in(self.catalog.invoicing.time_zone));
            let red =
                ledger::payments::live_fapiao(self.db(), &invoice_number, Some(&note_number))?
                    .map(|(_, f)| f);
            return Ok(invoice.credit_note_document(note, date, red));
        }
        let mut invoice = load_invoice(self.db(), key)?;
        self.date_legacy(&mut invoice);
        invoice.settle(today);
        Ok(invoice)
    }

    /// Dates a statement finalized before the desk recorded document and
    /// due dates (ledger schema 3): its date is the finalization's, its due
    /// date that plus the catalog's `payment_terms_days`.
    fn date_legacy(&self, invoice: &mut Invoice) {
        let Some(finalized) = &invoice.finalized_at else {
            return;
        };
        let inv = &self.catalog.invoicing;
        if invoice.date.is_none() {
            invoice.date = Some(finalized.date_in(inv.time_zone));
        }
        if invoice.due_on.is_none() {
            invoice.payment_terms_days = Some(inv.payment_terms_days);
            invoice.due_on = invoice
                .date
                .map(|d| d.add_days(i64::from(inv.payment_terms_days)));
        }
    }

    /// The invoices and drafts `filter` selects, oldest first, settled as
    /// of today.
    pub fn invoices(&self, filter: &InvoiceFilter) -> Result<Vec<InvoiceSummary>> {
        let customer = match &filter.customer {
            None => None,
            Some(key) => Some(
                super::customers::find_customer(self.db(), key)?
                    .ok_or_else(|| NotFound::Customer(key.trim().to_owned()))?
                    .id,
            ),
        };
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && from > to
        {
            return Err(InputError::Reversed {
                what: "range",
                from,
                to,
            }
            .into());
        }
        let dated = filter.from.is_some() || filter.to.is_some();
        Ok(self
            .documents()?
            .into_iter()
            .filter(|i| customer.as_ref().is_none_or(|c| &i.buyer.id == c))
            .filter(|i| !filter.unpaid || (i.number.is_some() && i.balance() > Decimal::ZERO))
            .filter(|i| {
                !dated
                    || i.date.is_some_and(|d| {
                        filter.from.is_none_or(|f| d >= f) && filter.to.is_none_or(|t| d <= t)
                    })
            })
            .map(|i| InvoiceSummary {
                draft_id: i.draft_id.clone(),
                number: i.number.clone(),
                status: i.status,
                order_id: i.order_id.clone(),
                billed_for: i.billed_for.clone(),
                customer_id: i.buyer.id.clone(),
                customer: i.buyer.name.clone(),
                buyer_tax_id: i.buyer.tax_id.clone(),
                gross: i.totals.gross,
                credited: i.credited(),
                paid: i.paid(),
                balance: i.balance(),
                // The date the document itself carries (a usage bill made
                // on the 3rd for the month ending on the 1st says the 1st).
                date: match i.date {
                    Some(day) => ShownDate::Day(day),
                    None => ShownDate::At(i.finalized_at.unwrap_or(i.created_at)),
                },
                due_on: i.due_on,
                payment_status: i.settlement.as_ref().map(|s| s.status),
                days_overdue: i.settlement.as_ref().map_or(0, |s| s.days_overdue),
                fapiao_number: i.fapiao.map(|f| f.number),
            })
            .collect())
    }

    /// Every invoice and draft as a document, oldest first, dated and
    /// settled as of today.
    pub(crate) fn documents(&self) -> Result<Vec<Invoice>> {
        let today = self.today();
        let keys = ledger::invoices::draft_ids(self.db())?;
        keys.iter()
            .map(|key| {
                let mut i = load_invoice(self.db(), key)?;
                self.date_legacy(&mut i);
                i.settle(today);
                Ok(i)
            })
            .collect()
    }
}

/// Issues a credit note of `amount` (default: all that is left) against
/// finalized invoice `number`, inside the caller's transaction.
pub(crate) fn credit(
    tx: &Tx<'_>,
    invoicing: &facelic_invoice::Invoicing,
    number: &str,
    reason: &str,
    amount: Option<Decimal>,
    owed_back: Option<OwedBack>,
) -> Result<CreditNote> {
    let (invoice, invoice_number) =
        load_finalized(tx, number, "discard or change it instead of crediting")?;
    let open = invoice.creditable();
    let amount = amount.unwrap_or(open);
    if amount <= Decimal::ZERO || open <= Decimal::ZERO {
        return Err(InvoiceError::NothingToCredit(invoice_number.to_owned()).into());
    }
    if amount > open {
        return Err(InvoiceError::CreditTooLarge {
            number: invoice_number.to_owned(),
            open,
            amount,
        }
        .into());
    }
    // What was paid and is now credited is owed back: the operator says
    // whether as a refund or as customer credit.
    let excess = amount - invoice.balance().max(Decimal::ZERO);
    let owed_back = match owed_back {
        _ if excess <= Decimal::ZERO => None,
        Some(o) => Some(o),
        None => {
            return Err(DeskError::OwedBackUnchosen {
                statement: invoice_number,
                amount: excess,
            });
        }
    };
    let zone = invoicing.time_zone;
    let n = tx.next_of_year(Numbered::CreditNote, zone.year(tx.now()))?;
    let note = CreditNote {
        number: format!(
            "{}-{}-{n:06}",
            invoicing.credit_note_prefix,
            zone.year(tx.now())
        ),
        issued_at: zone.stamp(tx.now()),
        amount,
        reason: reason.to_owned(),
    };
    ledger::invoices::insert_credit_note(tx, &invoice_number, &note)?;
    tx.audit(
        "invoice.credit",
        &note.number,
        &serde_json::json!({
        "invoice": invoice_number,
        "amount": amount.to_string(),
        "reason": reason,
        }),
    )?;
    if let Some(owed_back) = owed_back {
        let moved = super::accounts::owe_back(
            tx,
            &invoice,
            &note.number,
            excess,
            owed_back,
            zone.date(tx.now()),
        )?;
        tx.audit(
            "account.owed-back",
            &moved.id,
            &serde_json::json!({
                "customer": invoice.buyer.id, "invoice": invoice_number,
                "credit_note": note.number, "amount": excess.to_ledger(),
                "as": moved.kind.as_str(),
            }),
        )?;
    }
    Ok(note)
}

/// A statement to `customer` of `lines` in the catalog's currency and tax,
/// with the customer's payment terms and fapiao type, made at `created_at`;
/// no number or dates.
fn statement_for(
    catalog: &facelic_invoice::Catalog,
    seller: &Party,
    customer: &Customer,
    lines: Vec<Line>,
    created_at: Stamp,
) -> Invoice {
    let inv = &catalog.invoicing;
    Invoice {
        payment_terms_days: Some(terms_of(customer, inv)),
        fapiao_type: Some(fapiao_type_of(customer)),
        ..Invoice::new(
            DocumentKind::Statement,
            (seller.clone(), buyer(customer)),
            &catalog.currency,
            (inv.vat_rate, inv.prices_include_tax),
            lines,
            created_at,
        )
    }
}

/// Issues a statement that needs no draft (a pack sale, a usage bill):
/// numbered now in the invoice sequence, dated `date` (its number's year is
/// that date's), due after the buyer's terms, billing `billed_for`.
pub(crate) fn issue_statement(
    tx: &Tx<'_>,
    (catalog, seller): (&facelic_invoice::Catalog, &Party),
    customer: &Customer,
    date: Date,
    billed_for: String,
    lines: Vec<Line>,
) -> Result<Invoice> {
    let inv = &catalog.invoicing;
    let seq = tx.next_draft()?;
    let n = tx.next_of_year(Numbered::Statement, date.year())?;
    let number = format!("{}-{}-{n:06}", inv.invoice_prefix, date.year());
    let terms = terms_of(customer, inv);
    let now = inv.time_zone.stamp(tx.now());
    let mut invoice = Invoice {
        draft_id: format!("D-{seq:06}"),
        number: Some(number.clone()),
        status: DocumentStatus::Final,
        billed_for: Some(billed_for),
        finalized_at: Some(now),
        date: Some(date),
        due_on: Some(date.add_days(i64::from(terms))),
        ..statement_for(catalog, seller, customer, lines, now)
    };
    ledger::invoices::insert_final(tx, seq, &invoice)?;
    tx.audit(
        "invoice.issue",
        &number,
        &serde_json::json!({
            "for": invoice.billed_for, "customer": customer.id,
            "gross": invoice.totals.gross.to_string(), "date": date.to_string(),
        }),
    )?;
    invoice.settle(date);
    Ok(invoice)
}

/// A customer's payment terms in days (its profile's, else the catalog's).
fn terms_of(c: &Customer, inv: &facelic_invoice::Invoicing) -> u32 {
    c.billing
        .payment_terms_days
        .unwrap_or(inv.payment_terms_days)
}

/// The fapiao type a customer wants, as documents name it.
fn fapiao_type_of(c: &Customer) -> String {
    c.billing
        .fapiao_type
        .unwrap_or(FapiaoType::Ordinary)
        .name_zh()
        .to_owned()
}

/// The calendar date (UTC) of `t`: `YYYY-MM-DD`.
fn date_of(zone: facelic_invoice::dates::TimeZone, t: crate::Timestamp) -> String {
    zone.date(t).to_string()
}
