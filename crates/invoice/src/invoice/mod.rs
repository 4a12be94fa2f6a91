//! Invoices and credit notes: lines, tax, totals, and their renderings.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::account::{AccountEntry, EntryKind};
use crate::catalog::{Invoicing, Product};
use crate::dates::{Date, Stamp};
use crate::money::round_fen;
use crate::pricing::LinePrice;

/// A party on a document: the seller (from the catalog) or the buyer (from
/// the customer's billing profile, as it was when the document was made).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Legal name.
    pub name: String,
    /// Address (may be empty).
    pub address: String,
    /// The seller's tax id; the buyer's desk customer id (`C-000001`).
    pub id: String,
    /// Unified social credit code (统一社会信用代码), if known.
    #[serde(default)]
    pub tax_id: String,
    /// Phone (may be empty).
    #[serde(default)]
    pub phone: String,
    /// Bank (开户行, may be empty).
    #[serde(default)]
    pub bank: String,
    /// Bank account (账号, may be empty).
    #[serde(default)]
    pub account: String,
    /// E-mail (may be empty).
    #[serde(default)]
    pub email: String,
}

/// Describes the line(s) of `total` devices priced in `mode` (a device
/// order or a device quote): the whole quantity, or one tier's portion.
pub fn device_description(total: u64, mode: &str) -> impl Fn(u64) -> String + '_ {
    move |n| {
        if n == total {
            format!("{n} device licenses, perpetual ({mode} pricing)")
        } else {
            format!("{n} of {total} device licenses, perpetual (graduated pricing)")
        }
    }
}

impl Party {
    /// The seller block of documents, from the catalog's invoicing settings.
    pub fn seller(invoicing: &Invoicing) -> Party {
        Party {
            name: invoicing.seller_name.clone(),
            address: invoicing.seller_address.clone(),
            id: invoicing.seller_tax_id.clone(),
            tax_id: invoicing.seller_tax_id.clone(),
            phone: invoicing.seller_phone.clone(),
            bank: invoicing.seller_bank.clone(),
            account: invoicing.seller_account.clone(),
            email: String::new(),
        }
    }
}

/// What a line is: something sold, or the agreed discount on what precedes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineKind {
    /// Goods or services at a unit price.
    #[default]
    Item,
    /// The discount agreed on the order: a negative amount of its own.
    Discount,
}

/// One invoice line, taxed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// An item, or a discount line.
    #[serde(default)]
    pub kind: LineKind,
    /// Product id.
    pub product: String,
    /// Product name in Chinese.
    pub name_zh: String,
    /// Product name in English.
    pub name_en: String,
    /// What the line is for, e.g. `500 devices, perpetual` or `platform com.acme.gate, term 2`.
    pub description: String,
    /// Tier label, e.g. `50-1000`.
    pub tier: String,
    /// Units.
    pub quantity: u64,
    /// Price per unit as the catalog lists it.
    #[serde(with = "crate::money::unit_price")]
    pub unit_price: Decimal,
    /// Discount in percent: on a discount line, the agreed discount; on an
    /// item line of a document made before discounts had lines of their
    /// own, the discount already taken off its amount.
    pub discount_pct: Option<Decimal>,
    /// Net amount (excluding tax).
    #[serde(with = "crate::money::amount")]
    pub net: Decimal,
    /// Tax amount.
    #[serde(with = "crate::money::amount")]
    pub tax: Decimal,
    /// Gross amount (including tax).
    #[serde(with = "crate::money::amount")]
    pub gross: Decimal,
}

impl Line {
    /// An item line: `quantity` units of the product named `(id, name_zh,
    /// name_en)` at `unit_price`, for `amount` (already rounded to the fen),
    /// taxed as `invoicing` says.
    pub fn item(
        (id, name_zh, name_en): (&str, &str, &str),
        description: String,
        tier: String,
        quantity: u64,
        unit_price: Decimal,
        amount: Decimal,
        invoicing: &Invoicing,
    ) -> Line {
        let (net, tax, gross) = tax_line(amount, invoicing);
        Line {
            kind: LineKind::Item,
            product: id.to_owned(),
            name_zh: name_zh.to_owned(),
            name_en: name_en.to_owned(),
            description,
            tier,
            quantity,
            unit_price,
            discount_pct: None,
            net,
            tax,
            gross,
        }
    }
}

/// Net, tax and gross of a line whose catalog amount (already rounded) is `amount`.
pub fn tax_line(amount: Decimal, invoicing: &Invoicing) -> (Decimal, Decimal, Decimal) {
    let rate = invoicing.vat_rate / Decimal::ONE_HUNDRED;
    if rate.is_zero() {
        return (amount, Decimal::ZERO, amount);
    }
    if invoicing.prices_include_tax {
        let net = round_fen(amount / (Decimal::ONE + rate));
        (net, amount - net, amount)
    } else {
        let tax = round_fen(amount * rate);
        (amount, tax, amount + tax)
    }
}

/// The lines of a priced sale: one item line per tier portion at its unit
/// price (quantity × unit price + flat fee), then, when a discount was
/// agreed, the discount as a line of its own. The lines sum to exactly
/// `price.amount` (the quoted amount), tax included: the discount line
/// carries the difference, so per-line rounding never moves the total.
pub fn lines_for(
    product: &Product,
    price: &LinePrice,
    describe: impl Fn(u64) -> String,
    invoicing: &Invoicing,
) -> Vec<Line> {
    let mut lines: Vec<Line> = price
        .portions
        .iter()
        .map(|p| {
            Line::item(
                (&product.id, &product.name_zh, &product.name_en),
                describe(p.quantity),
                p.tier.clone(),
                p.quantity,
                p.unit_price,
                round_fen(Decimal::from(p.quantity) * p.unit_price + p.flat_fee),
                invoicing,
            )
        })
        .collect();
    if let Some(pct) = price.discount_pct.filter(|p| !p.is_zero()) {
        let items = totals(&lines);
        let (net, tax, gross) = tax_line(price.amount, invoicing);
        lines.push(Line {
            kind: LineKind::Discount,
            product: product.id.clone(),
            name_zh: product.name_zh.clone(),
            name_en: product.name_en.clone(),
            description: format!("Discount {}% as agreed", pct.normalize()),
            tier: String::new(),
            quantity: 1,
            unit_price: gross - items.gross,
            discount_pct: Some(pct.normalize()),
            net: net - items.net,
            tax: tax - items.tax,
            gross: gross - items.gross,
        });
    }
    lines
}

/// Totals of an invoice: sums of the rounded lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Totals {
    /// Sum of line nets.
    #[serde(with = "crate::money::amount")]
    pub net: Decimal,
    /// Sum of line taxes.
    #[serde(with = "crate::money::amount")]
    pub tax: Decimal,
    /// Sum of line grosses.
    #[serde(with = "crate::money::amount")]
    pub gross: Decimal,
}

/// Sums rounded lines.
pub fn totals(lines: &[Line]) -> Totals {
    lines.iter().fold(Totals::default(), |t, l| Totals {
        net: t.net + l.net,
        tax: t.tax + l.tax,
        gross: t.gross + l.gross,
    })
}

/// Net and tax of a gross amount at `rate_pct` percent VAT (tax included).
pub fn split_gross(gross: Decimal, rate_pct: Decimal) -> (Decimal, Decimal) {
    if rate_pct.is_zero() {
        return (gross, Decimal::ZERO);
    }
    let net = round_fen(gross / (Decimal::ONE + rate_pct / Decimal::ONE_HUNDRED));
    (net, gross - net)
}

/// A credit note against an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNote {
    /// Credit-note number, e.g. `CN-2026-000001`.
    pub number: String,
    /// When it was issued.
    pub issued_at: Stamp,
    /// Gross amount credited.
    #[serde(with = "crate::money::amount")]
    pub amount: Decimal,
    /// Why.
    pub reason: String,
}

/// A payment received against an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    /// Desk id, e.g. `P-000001`.
    pub id: String,
    /// The day the money arrived.
    pub date: Date,
    /// Amount received.
    #[serde(with = "crate::money::amount")]
    pub amount: Decimal,
    /// Bank reference or other note (may be empty).
    pub reference: String,
    /// The receipt (`R-…`, the bank transfer) it was applied from; none for
    /// a payment recorded before receipts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// The statement it paid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice: Option<String>,
}

/// The official fapiao (发票) the tax system issued for a statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fapiao {
    /// Fapiao number.
    pub number: String,
    /// Fapiao date.
    pub date: Date,
}

/// Where an invoice stands with the buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PaymentStatus {
    /// Nothing paid, not yet due.
    Unpaid,
    /// Something paid, a balance left, not yet due.
    PartiallyPaid,
    /// A balance left after the due date.
    Overdue,
    /// Nothing left to pay, and something was paid.
    Paid,
    /// Nothing left to pay because credit notes cancelled it.
    Credited,
}

impl PaymentStatus {
    /// `unpaid`, `partially-paid`, `overdue`, `paid` or `credited`.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Unpaid => "unpaid",
            PaymentStatus::PartiallyPaid => "partially-paid",
            PaymentStatus::Overdue => "overdue",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Credited => "credited",
        }
    }
}

impl std::fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finalized invoice's buyer still owes, on a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    /// Gross credited by credit notes.
    #[serde(with = "crate::money::amount")]
    pub credited: Decimal,
    /// Received in payments.
    #[serde(with = "crate::money::amount")]
    pub paid: Decimal,
    /// Paid with customer credit from the customer's account.
    #[serde(default, with = "crate::money::amount")]
    pub from_account: Decimal,
    /// Credited beyond what was still due, and so moved to the customer's
    /// account (as customer credit or a refund owed).
    #[serde(default, with = "crate::money::amount")]
    pub owed_back: Decimal,
    /// Still due: gross less credits, payments and customer credit
    /// applied, plus what credits moved to the account.
    #[serde(with = "crate::money::amount")]
    pub balance: Decimal,
    /// Status on `as_of`.
    pub status: PaymentStatus,
    /// Days past the due date on `as_of` (0 when not overdue).
    pub days_overdue: i64,
    /// The day the status is for.
    pub as_of: Date,
}

/// What was credited, paid and moved to or from the account on a
/// statement, as [`settle`] takes them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Movements {
    /// Gross credited by credit notes.
    pub credited: Decimal,
    /// Received in payments.
    pub paid: Decimal,
    /// Paid with customer credit.
    pub from_account: Decimal,
    /// Credited beyond the balance, moved to the account.
    pub owed_back: Decimal,
}

/// Works out a settlement from the amounts and dates.
pub fn settle(gross: Decimal, m: Movements, due_on: Option<Date>, as_of: Date) -> Settlement {
    let Movements {
        credited,
        paid,
        from_account,
        owed_back,
    } = m;
    let balance = gross - credited - paid - from_account + owed_back;
    let paid_any = paid + from_account;
    let days_overdue = due_on.map_or(0, |due| as_of.days_since(due).max(0));
    let status = if balance <= Decimal::ZERO {
        if paid_any.is_zero() || credited >= gross {
            PaymentStatus::Credited
        } else {
            PaymentStatus::Paid
        }
    } else if days_overdue > 0 {
        PaymentStatus::Overdue
    } else if paid_any.is_zero() {
        PaymentStatus::Unpaid
    } else {
        PaymentStatus::PartiallyPaid
    };
    Settlement {
        credited,
        paid,
        from_account,
        owed_back,
        balance,
        status,
        days_overdue: if balance > Decimal::ZERO {
            days_overdue
        } else {
            0
        },
        as_of,
    }
}

/// The kind of a document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentKind {
    /// A statement of what the buyer owes (结算单): not the tax authority's fapiao.
    #[default]
    Statement,
    /// A credit note (贷项通知单) against a statement.
    CreditNote,
    /// A saved quote (报价单): prices offered until a date.
    Quote,
}

impl DocumentKind {
    /// The title printed on the document.
    pub fn title(self) -> &'static str {
        match self {
            DocumentKind::Statement => "STATEMENT 结算单",
            DocumentKind::CreditNote => "CREDIT NOTE 贷项通知单",
            DocumentKind::Quote => "QUOTATION 报价单",
        }
    }
}

/// Where a document stands: a statement is a draft or final; a quote is
/// open or was used for an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentStatus {
    /// A draft statement: no number, may be discarded.
    Draft,
    /// A statement or credit note, numbered and immutable.
    Final,
    /// A quote no order was made from yet.
    Open,
    /// A quote an order was made from.
    Used,
}

impl DocumentStatus {
    /// The stored and printed form: `draft`, `final`, `open` or `used`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Draft => "draft",
            DocumentStatus::Final => "final",
            DocumentStatus::Open => "open",
            DocumentStatus::Used => "used",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> Option<DocumentStatus> {
        [
            DocumentStatus::Draft,
            DocumentStatus::Final,
            DocumentStatus::Open,
            DocumentStatus::Used,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for DocumentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An invoice (a draft until it has a number), or a credit note shown as a
/// document of its own.
///
/// The ledger stores the document as it was made; credit notes, payments,
/// the fapiao and the settlement are joined when it is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// Statement or credit note.
    #[serde(default)]
    pub kind: DocumentKind,
    /// Draft id, e.g. `D-000001` (a credit note: the credited invoice's draft).
    pub draft_id: String,
    /// Invoice (or credit-note) number once finalized, e.g. `FL-2026-000001`.
    pub number: Option<String>,
    /// Draft or final; a quote: open or used.
    pub status: DocumentStatus,
    /// The desk order invoiced (empty when the document bills no order).
    pub order_id: String,
    /// What a document that bills no order is for: `usage 2026-11-01 to
    /// 2026-11-30`, `pack PK-000001`.
    #[serde(default)]
    pub billed_for: Option<String>,
    /// When the draft was made.
    pub created_at: Stamp,
    /// When it was finalized (the document date).
    pub finalized_at: Option<Stamp>,
    /// The document date in the desk's time zone (finalization day).
    #[serde(default)]
    pub date: Option<Date>,
    /// A quote: the last day it can be turned into an order.
    #[serde(default)]
    pub valid_until: Option<Date>,
    /// Days the buyer has to pay (net N), from the buyer's profile.
    #[serde(default)]
    pub payment_terms_days: Option<u32>,
    /// Date due: the document date plus the payment terms.
    #[serde(default)]
    pub due_on: Option<Date>,
    /// The fapiao type the buyer asked for, e.g. `增值税专用发票`.
    #[serde(default)]
    pub fapiao_type: Option<String>,
    /// A credit note: the invoice it credits.
    #[serde(default)]
    pub credits_invoice: Option<String>,
    /// A credit note: why.
    #[serde(default)]
    pub reason: Option<String>,
    /// Seller.
    pub seller: Party,
    /// Buyer.
    pub buyer: Party,
    /// Currency code.
    pub currency: String,
    /// VAT rate in percent.
    pub vat_rate: Decimal,
    /// True when catalog prices include the tax.
    pub prices_include_tax: bool,
    /// Lines.
    pub lines: Vec<Line>,
    /// Totals (sums of rounded lines).
    pub totals: Totals,
    /// Credit notes issued against it.
    pub credits: Vec<CreditNote>,
    /// Payments received against it.
    #[serde(default)]
    pub payments: Vec<Payment>,
    /// Movements between it and the customer's account: customer credit
    /// applied to it, and credits beyond its balance moved to the account.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub account: Vec<AccountEntry>,
    /// The official fapiao, once recorded: a statement's (blue) fapiao, or
    /// a credit note's red-letter (红字) one.
    #[serde(default)]
    pub fapiao: Option<Fapiao>,
    /// A credit note: the blue fapiao of the statement it corrects, which
    /// its red-letter fapiao cites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blue_fapiao: Option<Fapiao>,
    /// What is still due (finalized statements).
    #[serde(default)]
    pub settlement: Option<Settlement>,
}

impl Invoice {
    /// A new document of `kind` between `seller` and `buyer` with `lines`
    /// taxed at `vat_rate` percent (`prices_include_tax` as the catalog
    /// says), made at `created_at`; everything else empty (a draft without
    /// number or dates), for the caller to fill in.
    pub fn new(
        kind: DocumentKind,
        (seller, buyer): (Party, Party),
        currency: &str,
        (vat_rate, prices_include_tax): (Decimal, bool),
        lines: Vec<Line>,
        created_at: Stamp,
    ) -> Invoice {
        Invoice {
            kind,
            draft_id: String::new(),
            number: None,
            status: DocumentStatus::Draft,
            order_id: String::new(),
            billed_for: None,
            created_at,
            finalized_at: None,
            date: None,
            valid_until: None,
            payment_terms_days: None,
            due_on: None,
            fapiao_type: None,
            credits_invoice: None,
            reason: None,
            seller,
            buyer,
            currency: currency.to_owned(),
            vat_rate,
            prices_include_tax,
            totals: totals(&lines),
            lines,
            credits: Vec::new(),
            payments: Vec::new(),
            account: Vec::new(),
            fapiao: None,
            blue_fapiao: None,
            settlement: None,
        }
    }

    /// Gross credited so far.
    pub fn credited(&self) -> Decimal {
        self.credits.iter().map(|c| c.amount).sum()
    }

    /// Gross received so far.
    pub fn paid(&self) -> Decimal {
        self.payments.iter().map(|p| p.amount).sum()
    }

    /// Gross still open to credit: total less credits (payments can be
    /// refunded through a credit note, so they do not limit it).
    pub fn creditable(&self) -> Decimal {
        self.totals.gross - self.credited()
    }

    /// Still to pay: total less credits, payments and customer credit
    /// applied, plus what credits moved to the customer's account.
    pub fn balance(&self) -> Decimal {
        let m = self.movements(None);
        self.totals.gross - m.credited - m.paid - m.from_account + m.owed_back
    }

    /// What was still to pay at the end of `day`: the total less the credit
    /// notes issued, the payments received and the credit applied by then
    /// (a point-in-time balance: later movements do not count). A credit
    /// note's day is its issue time's date as written (the desk's time zone).
    pub fn balance_as_of(&self, day: Date) -> Decimal {
        let m = self.movements(Some(day));
        self.totals.gross - m.credited - m.paid - m.from_account + m.owed_back
    }

    /// The statement's movements, all of them or those up to the end of `day`.
    pub fn movements(&self, day: Option<Date>) -> Movements {
        let by = |date: Option<Date>| match (day, date) {
            (Some(day), Some(date)) => date <= day,
            _ => true,
        };
        let credited = self
            .credits
            .iter()
            .filter(|c| by(Some(c.issued_at.local_date())))
            .map(|c| c.amount)
            .sum();
        let paid = self
            .payments
            .iter()
            .filter(|p| by(Some(p.date)))
            .map(|p| p.amount)
            .sum();
        let account = |kinds: &[EntryKind]| -> Decimal {
            self.account
                .iter()
                .filter(|e| kinds.contains(&e.kind) && by(Some(e.date)))
                .map(|e| e.amount)
                .sum()
        };
        Movements {
            credited,
            paid,
            from_account: account(&[EntryKind::CreditApplied]),
            owed_back: account(&[EntryKind::Credit, EntryKind::RefundOwed]),
        }
    }

    /// Fills in the settlement as of `as_of` (finalized statements only).
    pub fn settle(&mut self, as_of: Date) {
        self.settlement = (self.kind == DocumentKind::Statement && self.number.is_some())
            .then(|| settle(self.totals.gross, self.movements(None), self.due_on, as_of));
    }

    /// A line's quantity as the document prints it: negative on a credit
    /// note (a red-letter document), with thousands separators.
    pub fn printed_quantity(&self, line: &Line) -> String {
        let q = crate::money::group_digits(line.quantity);
        match self.kind {
            DocumentKind::CreditNote => format!("-{q}"),
            _ => q,
        }
    }

    /// The reference printed on the document: the number, or `DRAFT D-…`.
    pub fn reference(&self) -> String {
        self.number
            .clone()
            .unwrap_or_else(|| format!("DRAFT {}", self.draft_id))
    }

    /// The document date as `YYYY-MM-DD`, or `(draft)`.
    pub fn date_text(&self) -> String {
        match (&self.date, &self.finalized_at) {
            (Some(d), _) => d.to_string(),
            (None, Some(at)) => at.local_date().to_string(),
            (None, None) => "(draft)".to_owned(),
        }
    }

    /// The credit note `note` against this invoice as a document of its own:
    /// the same parties, one line with its net and tax split at the
    /// invoice's VAT rate, amounts negative as a red-letter (红字) document
    /// prints them (quantity −1 at the positive unit price), citing the
    /// statement's blue fapiao, with its own red fapiao `red` once recorded.
    pub fn credit_note_document(
        &self,
        note: &CreditNote,
        date: Option<Date>,
        red: Option<Fapiao>,
    ) -> Invoice {
        let (net, tax) = split_gross(note.amount, self.vat_rate);
        // Negated without a "-0.00".
        let neg = |x: Decimal| if x.is_zero() { Decimal::ZERO } else { -x };
        let (net, tax, gross) = (neg(net), neg(tax), neg(note.amount));
        let line = Line {
            kind: LineKind::Item,
            product: self
                .lines
                .first()
                .map(|l| l.product.clone())
                .unwrap_or_default(),
            name_zh: self
                .lines
                .first()
                .map(|l| l.name_zh.clone())
                .unwrap_or_default(),
            name_en: self
                .lines
                .first()
                .map(|l| l.name_en.clone())
                .unwrap_or_default(),
            description: format!("Credit against {}: {}", self.reference(), note.reason),
            tier: String::new(),
            quantity: 1,
            unit_price: note.amount,
            discount_pct: None,
            net,
            tax,
            gross,
        };
        Invoice {
            kind: DocumentKind::CreditNote,
            draft_id: self.draft_id.clone(),
            number: Some(note.number.clone()),
            status: DocumentStatus::Final,
            order_id: self.order_id.clone(),
            billed_for: self.billed_for.clone(),
            created_at: note.issued_at,
            finalized_at: Some(note.issued_at),
            date,
            fapiao_type: self.fapiao_type.clone(),
            credits_invoice: self.number.clone(),
            reason: Some(note.reason.clone()),
            fapiao: red,
            blue_fapiao: self.fapiao.clone(),
            ..Invoice::new(
                DocumentKind::CreditNote,
                (self.seller.clone(), self.buyer.clone()),
                &self.currency,
                (self.vat_rate, self.prices_include_tax),
                vec![line],
                note.issued_at,
            )
        }
    }

    /// The lines a statement prints for its account movements: a label
    /// (English and Chinese) and the signed amount they move its balance by.
    pub fn account_lines(&self) -> Vec<(String, Decimal)> {
        self.account
            .iter()
            .map(|e| {
                let (label, sign) = match e.kind {
                    EntryKind::CreditApplied => ("Customer credit applied 客户余额抵扣", -1),
                    EntryKind::Credit => ("Owed back as customer credit 转入客户余额", 1),
                    EntryKind::RefundOwed => ("Owed back as a refund 应退款", 1),
                    _ => ("Account entry 账户", 1),
                };
                (
                    format!("{label} {} ({})", e.id, e.date),
                    Decimal::from(sign) * e.amount,
                )
            })
            .collect()
    }

    /// Plain-text rendering.
    pub fn to_text(&self) -> String {
        render::text(self)
    }

    /// CSV rendering: one row per line plus a total row carrying the tax
    /// ids, credits, payments, balance and fapiao (RFC 4180 quoting),
    /// starting with a UTF-8 byte-order mark so that Excel reads the Chinese
    /// text as UTF-8.
    pub fn to_csv(&self) -> String {
        render::csv(self)
    }

    /// A self-contained, print-ready A4 HTML page (inline CSS, no network):
    /// the number and "page N of M" on every page, the table header
    /// repeated, no row split across pages.
    pub fn to_html(&self) -> String {
        crate::invoice::html::render(self)
    }
}

pub(crate) mod html;
mod render;
