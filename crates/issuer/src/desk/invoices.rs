//! Invoices made from desk orders: drafts, gapless numbering on finalize,
//! immutability (enforced by ledger triggers), and credit notes.

use rusqlite::{OptionalExtension as _, Transaction, params};
use serde::Serialize;

use facelic_invoice::invoice::{CreditNote, Invoice, Line, Party, tax_line, totals};
use facelic_invoice::pricing::price_devices;
use facelic_invoice::{Decimal, Product};

use super::fields::{Fields, LedgerText as _};
use super::orders::load_order;
use super::{Desk, DeskError, Result, audit};

/// A row of `invoice list`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InvoiceSummary {
    /// Draft id.
    pub draft_id: String,
    /// Number, once finalized.
    pub number: Option<String>,
    /// `draft` or `final`.
    pub status: String,
    /// Order invoiced.
    pub order_id: String,
    /// Buyer.
    pub customer: String,
    /// Gross total.
    #[serde(with = "facelic_invoice::money::amount")]
    pub gross: Decimal,
    /// Credited so far.
    #[serde(with = "facelic_invoice::money::amount")]
    pub credited: Decimal,
    /// Invoice date (finalization), or creation date for drafts.
    pub date: String,
}

fn device_lines(
    product: &Product,
    quantity: u64,
    minimum: u64,
    discount: Option<Decimal>,
    inv: &facelic_invoice::Invoicing,
) -> Result<Vec<Line>> {
    let price = price_devices(product, minimum, quantity, discount)
        .map_err(|e| DeskError::Refused(e.to_string()))?;
    let portions = price.portions.len();
    let mut lines = Vec::with_capacity(portions);
    for p in &price.portions {
        let subtotal = Decimal::from(p.quantity) * p.unit_price + p.flat_fee;
        let amount = facelic_invoice::pricing::discounted(subtotal, discount);
        let (net, tax, gross) = tax_line(amount, inv);
        let description = if portions == 1 {
            format!(
                "{quantity} device licenses, perpetual ({} pricing)",
                price.mode
            )
        } else {
            format!(
                "{} of {quantity} device licenses, perpetual (graduated pricing)",
                p.quantity
            )
        };
        lines.push(Line {
            product: product.id.clone(),
            name_zh: product.name_zh.clone(),
            name_en: product.name_en.clone(),
            description,
            tier: p.tier.clone(),
            quantity: p.quantity,
            unit_price: p.unit_price,
            discount_pct: discount,
            net,
            tax,
            gross,
        });
    }
    Ok(lines)
}

fn load_invoice(tx: &rusqlite::Connection, key: &str) -> Result<Invoice> {
    let doc: Option<(Invoice, Option<String>, String, Option<String>)> = tx
        .query_row(
            "SELECT draft_id, document, number, status, finalized_at FROM invoices WHERE draft_id = ?1 OR number = ?1",
            [key.trim()],
            |r| {
                let f = Fields::new(r, "invoices", "draft_id")?;
                Ok((f.json("document")?, f.plain("number")?, f.plain("status")?, f.plain("finalized_at")?))
            },
        )
        .optional()?;
    let (mut invoice, number, status, finalized_at) =
        doc.ok_or_else(|| DeskError::NotFound(format!("no invoice or draft {key:?}")))?;
    invoice.number = number;
    invoice.status = status;
    invoice.finalized_at = finalized_at;
    if let Some(number) = &invoice.number {
        let mut stmt = tx.prepare_cached(
            "SELECT number, issued_at, amount, reason FROM credit_notes WHERE invoice_number = ?1 ORDER BY number",
        )?;
        invoice.credits = stmt
            .query_map([number], |r| {
                let f = Fields::new(r, "credit_notes", "number")?;
                Ok(CreditNote {
                    number: f.plain("number")?,
                    issued_at: f.plain("issued_at")?,
                    amount: f.get("amount")?,
                    reason: f.plain("reason")?,
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    Ok(invoice)
}

/// Takes the next number of a gapless sequence (inside the caller's transaction).
fn next_in_sequence(tx: &Transaction<'_>, name: &str) -> Result<i64> {
    tx.execute(
        "INSERT OR IGNORE INTO sequences (name, last) VALUES (?1, 0)",
        [name],
    )?;
    Ok(tx.query_row(
        "UPDATE sequences SET last = last + 1 WHERE name = ?1 RETURNING last",
        [name],
        |r| r.get(0),
    )?)
}

/// The next draft number: a sequence of its own (started after the drafts a
/// ledger already has), so a discarded draft's id is never given again.
fn next_draft(tx: &Transaction<'_>) -> Result<i64> {
    tx.execute(
        "INSERT OR IGNORE INTO sequences (name, last) SELECT 'draft', IFNULL(MAX(seq), 0) FROM invoices",
        [],
    )?;
    Ok(tx.query_row(
        "UPDATE sequences SET last = last + 1 WHERE name = 'draft' RETURNING last",
        [],
        |r| r.get(0),
    )?)
}

impl Desk {
    /// Makes a draft invoice for an order: a device order's devices at the
    /// tier price, or one line per not-yet-invoiced platform term. Trials are
    /// never invoiced.
    pub fn create_invoice(
        &mut self,
        order_id: &str,
        discount_pct: Option<Decimal>,
    ) -> Result<Invoice> {
        let catalog = self.catalog.clone();
        self.write(|tx, s| {
            let order = load_order(tx, order_id)?;
            let kind = order.kind;
            if kind.is_trial() {
                return Err(DeskError::Refused(format!("order {} is a {}: trials are not invoiced", order.id, order.kind)));
            }
            let product = catalog
                .product(&order.product)
                .ok_or_else(|| DeskError::Refused(format!("product {} is not in the desk catalog", order.product)))?;
            let inv = &catalog.invoicing;
            let invoiced: Vec<i64> = tx
                .prepare("SELECT term_seq FROM invoice_items WHERE order_id = ?1")?
                .query_map([&order.id], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let (lines, items): (Vec<Line>, Vec<i64>) = if kind.is_device_bound() {
                if !invoiced.is_empty() {
                    return Err(DeskError::Refused(format!("order {} is already invoiced", order.id)));
                }
                let lines = device_lines(product, order.devices.unwrap_or(0), catalog.rules.device_min_quantity, discount_pct, inv)?;
                (lines, vec![0])
            } else {
                let mut lines = Vec::new();
                let mut items = Vec::new();
                for t in order.terms.iter().filter(|t| !invoiced.contains(&t.seq)) {
                    let amount = facelic_invoice::pricing::discounted(product.platform_fee, discount_pct);
                    let (net, tax, gross) = tax_line(amount, inv);
                    lines.push(Line {
                        product: product.id.clone(),
                        name_zh: product.name_zh.clone(),
                        name_en: product.name_en.clone(),
                        description: format!(
                            "Platform license for {}, term {}: {} to {}",
                            order.package.as_deref().unwrap_or_default(),
                            t.seq,
                            date_of(t.starts_at),
                            date_of(t.ends_at)
                        ),
                        tier: "per platform, per year".into(),
                        quantity: 1,
                        unit_price: product.platform_fee,
                        discount_pct,
                        net,
                        tax,
                        gross,
                    });
                    items.push(t.seq);
                }
                if lines.is_empty() {
                    return Err(DeskError::Refused(format!(
                        "every term of order {} is already invoiced; renew it to invoice a new term",
                        order.id
                    )));
                }
                (lines, items)
            };
            let seq = next_draft(tx)?;
            let draft_id = format!("D-{seq:06}");
            let invoice = Invoice {
                draft_id: draft_id.clone(),
                number: None,
                status: "draft".into(),
                order_id: order.id.clone(),
                created_at: catalog.invoicing.time_zone.rfc3339(s.now()),
                finalized_at: None,
                seller: Party { name: inv.seller_name.clone(), address: inv.seller_address.clone(), id: inv.seller_tax_id.clone() },
                buyer: Party { name: order.customer_name.clone(), address: String::new(), id: order.customer_id.clone() },
                currency: catalog.currency.clone(),
                vat_rate: inv.vat_rate,
                prices_include_tax: inv.prices_include_tax,
                totals: totals(&lines),
                lines,
                credits: Vec::new(),
            };
            let doc = serde_json::to_string(&invoice).map_err(|e| DeskError::Input(e.to_string()))?;
            tx.execute(
                "INSERT INTO invoices (seq, draft_id, order_id, status, created_at, gross, document) VALUES (?1, ?2, ?3, 'draft', ?4, ?5, ?6)",
                params![seq, draft_id, order.id, invoice.created_at, invoice.totals.gross.to_ledger(), doc],
            )?;
            for term in items {
                tx.execute("INSERT INTO invoice_items (draft_id, order_id, term_seq) VALUES (?1, ?2, ?3)", params![draft_id, order.id, term])?;
            }
            let detail = serde_json::json!({ "order": order.id, "gross": invoice.totals.gross.to_string(), "discount_pct": discount_pct.map(|d| d.to_string()) });
            audit::record(tx, s, "invoice.create", &draft_id, &detail)?;
            Ok(invoice)
        })
    }

    /// Finalizes a draft: gives it the next number of the desk's gapless
    /// sequence (`FL-<year>-000001`, year of the finalization date in the
    /// catalog's time zone). From then on the invoice cannot change.
    pub fn finalize_invoice(&mut self, draft_id: &str) -> Result<Invoice> {
        let prefix = self.catalog.invoicing.invoice_prefix.clone();
        let zone = self.catalog.invoicing.time_zone;
        self.write(|tx, s| {
            let invoice = load_invoice(tx, draft_id)?;
            if let Some(number) = &invoice.number {
                return Err(DeskError::Refused(format!("{} is already finalized as {number}; it cannot change", invoice.draft_id)));
            }
            let n = next_in_sequence(tx, "invoice")?;
            let number = format!("{prefix}-{}-{n:06}", zone.year(s.now()));
            tx.execute(
                "UPDATE invoices SET number = ?1, status = 'final', finalized_at = ?2 WHERE draft_id = ?3 AND status = 'draft'",
                params![number, zone.rfc3339(s.now()), invoice.draft_id],
            )?;
            audit::record(tx, s, "invoice.finalize", &number, &serde_json::json!({ "draft": invoice.draft_id, "gross": invoice.totals.gross.to_string() }))?;
            load_invoice(tx, &number)
        })
    }

    /// Deletes a draft (finalized invoices are never deleted).
    pub fn discard_draft(&mut self, draft_id: &str) -> Result<()> {
        self.write(|tx, s| {
            let invoice = load_invoice(tx, draft_id)?;
            if let Some(number) = &invoice.number {
                return Err(DeskError::Refused(format!(
                    "{number} is finalized: issue a credit note instead"
                )));
            }
            tx.execute(
                "DELETE FROM invoices WHERE draft_id = ?1",
                [&invoice.draft_id],
            )?;
            audit::record(
                tx,
                s,
                "invoice.discard",
                &invoice.draft_id,
                &serde_json::json!({ "order": invoice.order_id }),
            )
        })
    }

    /// Issues a credit note against a finalized invoice: `amount` (default:
    /// everything not yet credited), never more than remains.
    pub fn credit_invoice(
        &mut self,
        number: &str,
        reason: &str,
        amount: Option<Decimal>,
    ) -> Result<CreditNote> {
        let reason = reason.trim().to_owned();
        if reason.is_empty() {
            return Err(DeskError::Input("a credit note needs a reason".into()));
        }
        let prefix = self.catalog.invoicing.credit_note_prefix.clone();
        let catalog_zone = self.catalog.invoicing.time_zone;
        self.write(|tx, s| {
            let invoice = load_invoice(tx, number)?;
            let Some(invoice_number) = invoice.number.clone() else {
                return Err(DeskError::Refused(format!("{} is a draft: discard or change it instead of crediting", invoice.draft_id)));
            };
            let open = invoice.creditable();
            let amount = amount.unwrap_or(open);
            if amount <= Decimal::ZERO || open <= Decimal::ZERO {
                return Err(DeskError::Refused(format!("{invoice_number} has nothing left to credit")));
            }
            if amount > open {
                return Err(DeskError::Refused(format!(
                    "{invoice_number} has {} left to credit; {} is more",
                    facelic_invoice::money::format_money(open),
                    facelic_invoice::money::format_money(amount)
                )));
            }
            let n = next_in_sequence(tx, "credit-note")?;
            let zone = &catalog_zone;
            let note = CreditNote {
                number: format!("{prefix}-{}-{n:06}", zone.year(s.now())),
                issued_at: zone.rfc3339(s.now()),
                amount,
                reason: reason.clone(),
            };
            tx.execute(
                "INSERT INTO credit_notes (number, invoice_number, issued_at, amount, reason) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![note.number, invoice_number, note.issued_at, amount.to_ledger(), reason],
            )?;
            audit::record(tx, s, "invoice.credit", &note.number, &serde_json::json!({ "invoice": invoice_number, "amount": amount.to_string(), "reason": reason }))?;
            Ok(note)
        })
    }

    /// One invoice or draft, by number or draft id, with its credit notes.
    pub fn invoice(&self, key: &str) -> Result<Invoice> {
        load_invoice(self.read(), key)
    }

    /// Every invoice and draft, oldest first.
    pub fn invoices(&self) -> Result<Vec<InvoiceSummary>> {
        let mut stmt = self.read().prepare(
            "SELECT i.draft_id, i.number, i.status, i.order_id, c.name AS customer, i.gross,
                    IFNULL(i.finalized_at, i.created_at) AS date
             FROM invoices i JOIN orders o ON o.id = i.order_id JOIN customers c ON c.id = o.customer_id
             ORDER BY i.seq",
        )?;
        let rows = stmt.query_map([], |r| {
            let f = Fields::new(r, "invoices", "draft_id")?;
            let mut credited = Decimal::ZERO;
            if let Some(number) = f.plain::<Option<String>>("number")? {
                let mut credits = self.read().prepare_cached(
                    "SELECT number, amount FROM credit_notes WHERE invoice_number = ?1",
                )?;
                let amounts = credits.query_map([number], |r| {
                    Fields::new(r, "credit_notes", "number")?.get::<Decimal>("amount")
                })?;
                for amount in amounts {
                    credited += amount?;
                }
            }
            Ok(InvoiceSummary {
                draft_id: f.plain("draft_id")?,
                number: f.plain("number")?,
                status: f.plain("status")?,
                order_id: f.plain("order_id")?,
                customer: f.plain("customer")?,
                gross: f.get("gross")?,
                credited,
                date: f.plain("date")?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

/// The calendar date (UTC) of `t`: `YYYY-MM-DD`.
fn date_of(t: crate::Timestamp) -> String {
    let text = t.to_string();
    text.get(..10).unwrap_or(&text).to_owned()
}
