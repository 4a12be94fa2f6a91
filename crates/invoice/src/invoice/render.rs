//! The plain-text and CSV renderings of a document.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::{DocumentKind, Invoice, LineKind, Party};
use crate::money::{chinese_upper, format_money, format_unit_price};
use crate::table::{csv_field, spreadsheet_text};

fn party(s: &mut String, role: &str, p: &Party) {
    let _ = writeln!(s, "{role:<9} {}", p.name);
    for (label, value) in [
        ("tax id", &p.tax_id),
        ("address", &p.address),
        ("phone", &p.phone),
        ("bank", &p.bank),
        ("account", &p.account),
        ("e-mail", &p.email),
    ] {
        if !value.is_empty() {
            let _ = writeln!(s, "          {label}: {value}");
        }
    }
}

/// The text rendering.
pub(super) fn text(inv: &Invoice) -> String {
    let mut s = String::new();
    let note = match inv.kind {
        DocumentKind::Statement => "not a VAT invoice: the fapiao 发票 is issued separately",
        DocumentKind::CreditNote => "reduces what the buyer owes on the credited statement",
        DocumentKind::Quote => "a price offer, not a demand for payment",
    };
    let _ = writeln!(s, "{} {}  ({note})", inv.kind.title(), inv.reference());
    if inv.number.is_none() {
        s.push_str("*** DRAFT 草稿: not issued, not payable ***\n");
    }
    let _ = writeln!(s, "date      {}", inv.date_text());
    if let Some(until) = &inv.valid_until {
        let _ = writeln!(s, "valid to  {until}");
    }
    if let Some(due) = &inv.due_on {
        let terms = inv
            .payment_terms_days
            .map(|d| format!(" (net {d} days)"))
            .unwrap_or_default();
        let _ = writeln!(s, "due       {due}{terms}");
    }
    if let Some(credited) = &inv.credits_invoice {
        let _ = writeln!(s, "credits   {credited}");
    }
    if !inv.order_id.is_empty() {
        let _ = writeln!(s, "order     {}", inv.order_id);
    }
    if let Some(what) = &inv.billed_for {
        let _ = writeln!(s, "for       {what}");
    }
    party(&mut s, "seller", &inv.seller);
    party(&mut s, "buyer", &inv.buyer);
    let _ = writeln!(s, "          customer: {}", inv.buyer.id);
    if let Some(kind) = &inv.fapiao_type {
        let _ = writeln!(s, "          fapiao wanted: {kind}");
    }
    s.push('\n');
    let taxed = !inv.vat_rate.is_zero();
    for (i, l) in inv.lines.iter().enumerate() {
        if l.kind == LineKind::Discount {
            let _ = writeln!(s, "{}. {}", i + 1, l.description);
        } else {
            let _ = writeln!(
                s,
                "{}. {} / {}\n   {}",
                i + 1,
                l.name_zh,
                l.name_en,
                l.description
            );
            let tier = if l.tier.is_empty() {
                String::new()
            } else {
                format!("tier {}: ", l.tier)
            };
            let _ = writeln!(
                s,
                "   {tier}{} x {} {}{}",
                inv.printed_quantity(l),
                format_unit_price(l.unit_price),
                inv.currency,
                l.discount_pct
                    .map(|p| format!(", less {p}%"))
                    .unwrap_or_default()
            );
        }
        if taxed {
            let _ = writeln!(
                s,
                "   net {}  tax {}  gross {}",
                format_money(l.net),
                format_money(l.tax),
                format_money(l.gross)
            );
        } else {
            let _ = writeln!(s, "   amount {}", format_money(l.gross));
        }
    }
    if taxed {
        let _ = write!(
            s,
            "\nnet {}  VAT {}%: {}\n",
            format_money(inv.totals.net),
            inv.vat_rate,
            format_money(inv.totals.tax)
        );
    }
    let _ = writeln!(
        s,
        "\nTOTAL {} {}",
        inv.currency,
        format_money(inv.totals.gross)
    );
    if let Some(words) = chinese_upper(inv.totals.gross) {
        let _ = writeln!(s, "大写 in words: {words}");
    }
    for c in &inv.credits {
        let _ = writeln!(
            s,
            "credit note {} of {}: -{} ({})",
            c.number,
            c.issued_at.local_date(),
            format_money(c.amount),
            c.reason
        );
    }
    for p in &inv.payments {
        let reference = if p.reference.is_empty() {
            String::new()
        } else {
            format!(" ({})", p.reference)
        };
        let _ = writeln!(
            s,
            "payment {} of {}: -{}{reference}",
            p.id,
            p.date,
            format_money(p.amount)
        );
    }
    for (label, amount) in inv.account_lines() {
        let _ = writeln!(s, "{label}: {}", signed(amount));
    }
    if let Some(st) = &inv.settlement {
        let _ = writeln!(
            s,
            "BALANCE DUE {} {}  [{}{}]",
            inv.currency,
            format_money(st.balance),
            st.status,
            if st.days_overdue > 0 {
                format!(", {} days past due", st.days_overdue)
            } else {
                String::new()
            }
        );
    }
    if let Some(f) = &inv.blue_fapiao {
        let _ = writeln!(
            s,
            "红字 red-letter: corrects blue fapiao 蓝字发票 {} of {}",
            f.number, f.date
        );
    }
    if let Some(f) = &inv.fapiao {
        let red = if inv.kind == DocumentKind::CreditNote {
            " (红字)"
        } else {
            ""
        };
        let _ = writeln!(s, "fapiao 发票{red} {} of {}", f.number, f.date);
    }
    s
}

/// Columns of the CSV rendering.
const CSV_HEADER: &str = "document,kind,date,due,order,seller_tax_id,buyer,buyer_customer,buyer_tax_id,line_kind,product,name_zh,name_en,description,tier,quantity,unit_price,discount_pct,net,tax,gross,currency,credited,paid,balance,status,fapiao_number,fapiao_date";

/// The CSV rendering.
pub(super) fn csv(inv: &Invoice) -> String {
    let mut s = format!("\u{FEFF}{CSV_HEADER}\n");
    let kind = match inv.kind {
        DocumentKind::Statement => "statement",
        DocumentKind::CreditNote => "credit-note",
        DocumentKind::Quote => "quote",
    };
    // Text a customer or an operator typed is made safe for a spreadsheet.
    let text = |t: &str| spreadsheet_text(t).into_owned();
    let head = [
        inv.reference(),
        kind.to_owned(),
        inv.date.map(|d| d.to_string()).unwrap_or_default(),
        inv.due_on.map(|d| d.to_string()).unwrap_or_default(),
        text(inv.billed_for.as_deref().unwrap_or(&inv.order_id)),
        text(&inv.seller.id),
        text(&inv.buyer.name),
        text(&inv.buyer.id),
        text(&inv.buyer.tax_id),
    ];
    let row = |s: &mut String, cells: &[String]| {
        let joined: Vec<String> = cells.iter().map(|c| csv_field(c)).collect();
        s.push_str(&joined.join(","));
        s.push('\n');
    };
    for l in &inv.lines {
        let mut cells = head.to_vec();
        cells.extend([
            match l.kind {
                LineKind::Item => "item".to_owned(),
                LineKind::Discount => "discount".to_owned(),
            },
            text(&l.product),
            text(&l.name_zh),
            text(&l.name_en),
            text(&l.description),
            text(&l.tier),
            inv.printed_quantity(l).replace(',', ""),
            l.unit_price.to_string(),
            l.discount_pct.map(|p| p.to_string()).unwrap_or_default(),
            format!("{:.2}", l.net),
            format!("{:.2}", l.tax),
            format!("{:.2}", l.gross),
            inv.currency.clone(),
        ]);
        cells.extend(std::iter::repeat_n(String::new(), 6));
        row(&mut s, &cells);
    }
    let mut total = head.to_vec();
    total.extend(["total".to_owned()]);
    total.extend(std::iter::repeat_n(String::new(), 8));
    total.extend([
        format!("{:.2}", inv.totals.net),
        format!("{:.2}", inv.totals.tax),
        format!("{:.2}", inv.totals.gross),
        inv.currency.clone(),
    ]);
    let money = |d: rust_decimal::Decimal| format!("{d:.2}");
    match &inv.settlement {
        Some(st) => total.extend([
            money(st.credited),
            money(st.paid),
            money(st.balance),
            st.status.to_string(),
        ]),
        None => total.extend(std::iter::repeat_n(String::new(), 4)),
    }
    match &inv.fapiao {
        Some(f) => total.extend([text(&f.number), f.date.to_string()]),
        None => total.extend([String::new(), String::new()]),
    }
    row(&mut s, &total);
    s
}

/// `-1,440.00` or `+1,440.00`.
pub(crate) fn signed(amount: Decimal) -> String {
    if amount < Decimal::ZERO {
        format!("-{}", format_money(-amount))
    } else {
        format!("+{}", format_money(amount))
    }
}
