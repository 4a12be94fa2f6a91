//! Invoices and credit notes: lines, tax, totals, and their renderings.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalog::Invoicing;
use crate::money::{format_money, round_fen};

/// A party on an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Legal name.
    pub name: String,
    /// Address or other identification (may be empty).
    pub address: String,
    /// Tax id or desk customer id.
    pub id: String,
}

/// One invoice line, taxed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
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
    /// Discount in percent, if any.
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

/// A credit note against an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNote {
    /// Credit-note number, e.g. `CN-2026-000001`.
    pub number: String,
    /// When it was issued.
    pub issued_at: String,
    /// Gross amount credited.
    #[serde(with = "crate::money::amount")]
    pub amount: Decimal,
    /// Why.
    pub reason: String,
}

/// An invoice (a draft until it has a number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// Draft id, e.g. `D-000001`.
    pub draft_id: String,
    /// Invoice number once finalized, e.g. `FL-2026-000001`.
    pub number: Option<String>,
    /// `draft` or `final`.
    pub status: String,
    /// The desk order invoiced.
    pub order_id: String,
    /// When the draft was made.
    pub created_at: String,
    /// When it was finalized (the invoice date).
    pub finalized_at: Option<String>,
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
}

impl Invoice {
    /// Gross still open to credit: total less credits.
    pub fn creditable(&self) -> Decimal {
        self.totals.gross - self.credits.iter().map(|c| c.amount).sum::<Decimal>()
    }

    /// The reference printed on the document: the number, or `DRAFT D-…`.
    pub fn reference(&self) -> String {
        self.number
            .clone()
            .unwrap_or_else(|| format!("DRAFT {}", self.draft_id))
    }

    /// Plain-text rendering.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!(
            "STATEMENT 结算单 {}  (not a VAT invoice: the fapiao 发票 is issued separately)\n",
            self.reference()
        ));
        s.push_str(&format!(
            "date      {}\n",
            self.finalized_at.as_deref().unwrap_or("(draft)")
        ));
        s.push_str(&format!("order     {}\n", self.order_id));
        s.push_str(&format!(
            "seller    {} ({})\n",
            self.seller.name, self.seller.id
        ));
        s.push_str(&format!(
            "buyer     {} ({})\n\n",
            self.buyer.name, self.buyer.id
        ));
        for (i, l) in self.lines.iter().enumerate() {
            s.push_str(&format!(
                "{}. {} / {}\n   {}\n",
                i + 1,
                l.name_zh,
                l.name_en,
                l.description
            ));
            s.push_str(&format!(
                "   tier {}: {} x {} {}{}\n",
                l.tier,
                l.quantity,
                format_money(l.unit_price),
                self.currency,
                l.discount_pct
                    .map(|p| format!(", less {p}%"))
                    .unwrap_or_default()
            ));
            if self.vat_rate.is_zero() {
                s.push_str(&format!("   amount {}\n", format_money(l.gross)));
            } else {
                s.push_str(&format!(
                    "   net {}  tax {}  gross {}\n",
                    format_money(l.net),
                    format_money(l.tax),
                    format_money(l.gross)
                ));
            }
        }
        if !self.vat_rate.is_zero() {
            s.push_str(&format!(
                "\nnet {}  VAT {}%: {}\n",
                format_money(self.totals.net),
                self.vat_rate,
                format_money(self.totals.tax)
            ));
        }
        s.push_str(&format!(
            "\nTOTAL {} {}\n",
            self.currency,
            format_money(self.totals.gross)
        ));
        if let Some(words) = crate::money::chinese_upper(self.totals.gross) {
            s.push_str(&format!("大写 in words: {words}\n"));
        }
        for c in &self.credits {
            s.push_str(&format!(
                "credit note {} of {}: -{} ({})\n",
                c.number,
                c.issued_at,
                format_money(c.amount),
                c.reason
            ));
        }
        s
    }

    /// CSV rendering: one row per line plus a total row (RFC 4180 quoting),
    /// starting with a UTF-8 byte-order mark so that Excel reads the Chinese
    /// text as UTF-8.
    pub fn to_csv(&self) -> String {
        let mut s = String::from(
            "\u{FEFF}invoice,date,order,buyer,product,name_zh,name_en,description,tier,quantity,unit_price,discount_pct,net,tax,gross,currency\n",
        );
        let date = self.finalized_at.clone().unwrap_or_default();
        for l in &self.lines {
            let row = [
                self.reference(),
                date.clone(),
                self.order_id.clone(),
                self.buyer.name.clone(),
                l.product.clone(),
                l.name_zh.clone(),
                l.name_en.clone(),
                l.description.clone(),
                l.tier.clone(),
                l.quantity.to_string(),
                l.unit_price.to_string(),
                l.discount_pct.map(|p| p.to_string()).unwrap_or_default(),
                format!("{:.2}", l.net),
                format!("{:.2}", l.tax),
                format!("{:.2}", l.gross),
                self.currency.clone(),
            ];
            s.push_str(
                &row.iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            s.push('\n');
        }
        let total = [
            self.reference(),
            date,
            self.order_id.clone(),
            self.buyer.name.clone(),
            "TOTAL".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            format!("{:.2}", self.totals.net),
            format!("{:.2}", self.totals.tax),
            format!("{:.2}", self.totals.gross),
            self.currency.clone(),
        ];
        s.push_str(
            &total
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        s.push('\n');
        s
    }

    /// A self-contained, print-ready A4 HTML page (inline CSS, no network).
    pub fn to_html(&self) -> String {
        crate::invoice::html::render(self)
    }
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

mod html;
