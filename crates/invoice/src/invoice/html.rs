//! The print-ready A4 HTML invoice: self-contained, inline CSS, no network.

use std::fmt::Write as _;

use super::Invoice;
use crate::money::{format_money, format_unit_price};

/// Escapes text for HTML element and attribute content.
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a CSS string literal (`content: "…"`).
pub(crate) fn css_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub(crate) const STYLE: &str = r#"
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif;
       font-size: 10pt; color: #111; margin: 0; }
header { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #111; padding-bottom: 5mm; }
h1 { font-size: 20pt; margin: 0 0 2mm 0; letter-spacing: 0.05em; }
table.meta td { padding: 0.5mm 3mm 0.5mm 0; white-space: nowrap; }
.parties { display: flex; gap: 10mm; margin: 5mm 0; break-inside: avoid; }
.parties div { flex: 1; }
.parties h2 { font-size: 9pt; text-transform: uppercase; color: #555; margin: 0 0 1mm 0; }
.parties p { margin: 0.4mm 0; font-size: 9pt; }
table.lines { width: 100%; border-collapse: collapse; margin-top: 3mm; }
table.lines thead { display: table-header-group; }
table.lines tr { break-inside: avoid; page-break-inside: avoid; }
table.lines th { text-align: left; border-bottom: 1px solid #111; padding: 1.5mm 1mm; font-size: 9pt; background: #fff; }
table.lines td { border-bottom: 1px solid #ccc; padding: 1.5mm 1mm; vertical-align: top; }
tr.discount td { font-style: italic; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.zh { font-weight: bold; }
.en, .desc { color: #444; font-size: 9pt; }
table.totals { margin-left: auto; margin-top: 5mm; border-collapse: collapse; break-inside: avoid; }
table.totals td { padding: 1mm 2mm; white-space: nowrap; }
table.totals tr.grand td, table.totals tr.balance td { font-size: 13pt; font-weight: bold; border-top: 2px solid #111; }
.draft { color: #b00; font-weight: bold; font-size: 12pt; border: 2px solid #b00; padding: 1mm 3mm; display: inline-block; }
.watermark { position: fixed; top: 38%; left: 0; right: 0; text-align: center; font-size: 90pt; font-weight: bold;
             color: rgba(190, 0, 0, 0.13); transform: rotate(-28deg); z-index: -1; }
.note { font-size: 8pt; color: #555; margin: 1mm 0; }
footer { margin-top: 8mm; font-size: 8pt; color: #555; break-inside: avoid; }
"#;

pub(crate) fn party_block(h: &mut String, title: &str, p: &super::Party, extra: &[(&str, String)]) {
    let _ = write!(h, "<div><h2>{title}</h2><strong>{}</strong>", esc(&p.name));
    for (label, value) in [
        ("Tax ID 税号", &p.tax_id),
        ("Address 地址", &p.address),
        ("Phone 电话", &p.phone),
        ("Bank 开户行", &p.bank),
        ("Account 账号", &p.account),
        ("E-mail 邮箱", &p.email),
    ]
    .into_iter()
    .chain(extra.iter().map(|(l, v)| (*l, v)))
    {
        if !value.is_empty() {
            let _ = write!(h, "<p>{label}: {}</p>", esc(value));
        }
    }
    h.push_str("</div>");
}

/// Renders the document as one HTML page.
pub(super) fn render(inv: &Invoice) -> String {
    let taxed = !inv.vat_rate.is_zero();
    let draft = inv.number.is_none();
    let title = inv.kind.title();
    let reference = inv.reference();
    let mut h = String::with_capacity(16 * 1024);
    let draft_box = if draft {
        "@top-center { content: \"DRAFT 草稿 — not issued, not payable\"; color: #b00; font-weight: bold; font-size: 11pt; }"
    } else {
        ""
    };
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title} {reference}</title>\n<style>\
         @page {{ size: A4; margin: 16mm 14mm 20mm 14mm; {draft_box} \
         @bottom-left {{ content: {footer}; font-size: 8pt; color: #333; }} \
         @bottom-right {{ content: \"page \" counter(page) \" of \" counter(pages); font-size: 8pt; color: #333; }} }}\
         {STYLE}</style>\n</head>\n<body>\n",
        title = esc(title),
        reference = esc(&reference),
        footer = css_string(&format!("{title} {reference}")),
    );
    if draft {
        h.push_str("<div class=\"watermark\">DRAFT 草稿</div>\n");
    }
    let note = match inv.kind {
        super::DocumentKind::Statement => {
            "Not a VAT invoice: the official fapiao (发票) is issued separately. 本结算单不是发票。"
        }
        super::DocumentKind::CreditNote => {
            "Reduces what the buyer owes on the credited statement. 本通知单冲减所列结算单的应付金额。"
        }
        super::DocumentKind::Quote => {
            "A price offer, not a demand for payment. 本报价单不是付款通知。"
        }
    };
    let _ = write!(
        h,
        "<header><div><h1>{}</h1><p class=\"note\">{note}</p>{}</div><table class=\"meta\">\
         <tr><td>No. 编号</td><td><strong id=\"number\">{}</strong></td></tr>\
         <tr><td>Date 日期</td><td id=\"date\">{}</td></tr>",
        esc(title),
        if draft {
            "<div class=\"draft\">DRAFT 草稿 — not issued, not payable</div>"
        } else {
            ""
        },
        esc(&reference),
        esc(&inv.date_text()),
    );
    if let Some(until) = &inv.valid_until {
        let _ = write!(
            h,
            "<tr><td>Valid until 有效期至</td><td id=\"valid-until\">{until}</td></tr>"
        );
    }
    if let Some(due) = &inv.due_on {
        let _ = write!(h, "<tr><td>Due 到期日</td><td id=\"due\">{due}</td></tr>");
    }
    if let Some(days) = inv.payment_terms_days {
        let _ = write!(
            h,
            "<tr><td>Terms 付款条件</td><td>net {days} days / {days}天内付款</td></tr>"
        );
    }
    if let Some(credited) = &inv.credits_invoice {
        let _ = write!(
            h,
            "<tr><td>Credits 冲减</td><td>{}</td></tr>",
            esc(credited)
        );
    }
    if !inv.order_id.is_empty() {
        let _ = write!(
            h,
            "<tr><td>Order 订单</td><td>{}</td></tr>",
            esc(&inv.order_id)
        );
    }
    if let Some(what) = &inv.billed_for {
        let _ = write!(h, "<tr><td>For 计费项目</td><td>{}</td></tr>", esc(what));
    }
    let _ = write!(
        h,
        "<tr><td>Currency 币种</td><td>{}</td></tr>",
        esc(&inv.currency)
    );
    if let Some(f) = &inv.blue_fapiao {
        let _ = write!(
            h,
            "<tr><td>Corrects blue fapiao 对应蓝字发票</td><td id=\"blue-fapiao\">{} ({})</td></tr>",
            esc(&f.number),
            f.date
        );
    }
    if let Some(f) = &inv.fapiao {
        let label = match inv.kind {
            super::DocumentKind::CreditNote => "Red-letter fapiao 红字发票",
            _ => "Fapiao 发票",
        };
        let _ = write!(
            h,
            "<tr><td>{label}</td><td id=\"fapiao\">{} ({})</td></tr>",
            esc(&f.number),
            f.date
        );
    }
    h.push_str("</table></header>\n<section class=\"parties\">");
    party_block(&mut h, "Seller 销售方", &inv.seller, &[]);
    let mut buyer_extra = vec![("Customer 客户编号", inv.buyer.id.clone())];
    if let Some(kind) = &inv.fapiao_type {
        buyer_extra.push(("Fapiao wanted 发票类型", kind.clone()));
    }
    party_block(&mut h, "Buyer 购买方", &inv.buyer, &buyer_extra);
    h.push_str("</section>\n");
    if let Some(reason) = &inv.reason {
        let _ = writeln!(h, "<p>Reason 原因: {}</p>", esc(reason));
    }
    h.push_str("<table class=\"lines\"><thead><tr><th>#</th><th>Product 产品</th><th>Tier 档位</th><th class=\"num\">Qty 数量</th><th class=\"num\">Unit price 单价</th>");
    if taxed {
        h.push_str("<th class=\"num\">Net 金额</th><th class=\"num\">Tax 税额</th>");
    }
    h.push_str("<th class=\"num\">Amount 金额</th></tr></thead><tbody>\n");
    for (i, l) in inv.lines.iter().enumerate() {
        if l.kind == super::LineKind::Discount {
            let _ = write!(
                h,
                "<tr class=\"discount\"><td>{}</td><td colspan=\"4\">{} 折扣</td>",
                i + 1,
                esc(&l.description)
            );
        } else {
            let discount = l
                .discount_pct
                .map(|p| format!("<br><span class=\"desc\">less {p}% 折扣</span>"))
                .unwrap_or_default();
            let _ = write!(
                h,
                "<tr><td>{}</td><td><span class=\"zh\">{}</span><br><span class=\"en\">{}</span><br><span class=\"desc\">{}</span>{discount}</td>\
                 <td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>",
                i + 1,
                esc(&l.name_zh),
                esc(&l.name_en),
                esc(&l.description),
                esc(&l.tier),
                inv.printed_quantity(l),
                format_unit_price(l.unit_price),
            );
        }
        if taxed {
            let _ = write!(
                h,
                "<td class=\"num\">{}</td><td class=\"num\">{}</td>",
                format_money(l.net),
                format_money(l.tax)
            );
        }
        let _ = writeln!(h, "<td class=\"num\">{}</td></tr>", format_money(l.gross));
    }
    h.push_str("</tbody></table>\n<table class=\"totals\">");
    if taxed {
        let _ = write!(
            h,
            "<tr><td>Net 不含税金额</td><td class=\"num\">{}</td></tr><tr><td>VAT 税额 ({}%)</td><td class=\"num\">{}</td></tr>",
            format_money(inv.totals.net),
            inv.vat_rate,
            format_money(inv.totals.tax)
        );
    }
    let _ = write!(
        h,
        "<tr class=\"grand\"><td>Total 合计 ({})</td><td class=\"num\" id=\"total\">{}</td></tr>",
        esc(&inv.currency),
        format_money(inv.totals.gross)
    );
    if let Some(words) = crate::money::chinese_upper(inv.totals.gross) {
        let _ = write!(
            h,
            "<tr><td>大写 In words</td><td class=\"num\" id=\"total-in-words\">{}</td></tr>",
            esc(&words)
        );
    }
    for c in &inv.credits {
        let _ = write!(
            h,
            "<tr><td>Credit note 贷项 {} ({})</td><td class=\"num\">-{}</td></tr>",
            esc(&c.number),
            esc(&c.reason),
            format_money(c.amount)
        );
    }
    for p in &inv.payments {
        // The bank's reference, as the text statement shows it.
        let reference = match p.reference.is_empty() {
            true => String::new(),
            false => format!(", {}", esc(&p.reference)),
        };
        let _ = write!(
            h,
            "<tr><td>Payment 收款 {} ({}{reference})</td><td class=\"num\">-{}</td></tr>",
            esc(&p.id),
            p.date,
            format_money(p.amount)
        );
    }
    for (label, amount) in inv.account_lines() {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td></tr>",
            esc(&label),
            super::render::signed(amount)
        );
    }
    if let Some(st) = &inv.settlement {
        let _ = write!(
            h,
            "<tr class=\"balance\"><td>Balance due 应付余额 [{}]</td><td class=\"num\" id=\"balance\">{}</td></tr>",
            st.status,
            format_money(st.balance)
        );
    }
    h.push_str("</table>\n");
    let tax_note = if !taxed {
        "No VAT is shown: prices as quoted."
    } else if inv.prices_include_tax {
        "Prices include VAT; net and tax are derived per line."
    } else {
        "VAT is added to the listed prices per line."
    };
    let _ = write!(
        h,
        "<footer>{tax_note} Amounts are rounded half-up to the fen per line; totals are sums of the rounded lines.</footer>\n</body>\n</html>\n"
    );
    h
}
