//! The print-ready A4 HTML invoice: self-contained, inline CSS, no network.

use std::fmt::Write as _;

use super::Invoice;
use crate::money::format_money;

/// Escapes text for HTML element and attribute content.
fn esc(text: &str) -> String {
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

const STYLE: &str = r#"
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Zen Hei", "PingFang SC", "Microsoft YaHei", "Helvetica Neue", Arial, sans-serif;
       font-size: 10pt; color: #111; margin: 0; }
header { display: flex; justify-content: space-between; align-items: flex-start; border-bottom: 2px solid #111; padding-bottom: 6mm; }
h1 { font-size: 20pt; margin: 0 0 2mm 0; letter-spacing: 0.05em; }
.meta td { padding: 0.5mm 3mm 0.5mm 0; }
.parties { display: flex; gap: 10mm; margin: 6mm 0; }
.parties div { flex: 1; }
.parties h2 { font-size: 9pt; text-transform: uppercase; color: #555; margin: 0 0 1mm 0; }
table.lines { width: 100%; border-collapse: collapse; margin-top: 4mm; }
table.lines th { text-align: left; border-bottom: 1px solid #111; padding: 1.5mm 1mm; font-size: 9pt; }
table.lines td { border-bottom: 1px solid #ccc; padding: 1.5mm 1mm; vertical-align: top; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.zh { font-weight: bold; }
.en, .desc { color: #444; font-size: 9pt; }
table.totals { margin-left: auto; margin-top: 5mm; border-collapse: collapse; }
table.totals td { padding: 1mm 2mm; }
table.totals tr.grand td { font-size: 13pt; font-weight: bold; border-top: 2px solid #111; }
.draft { color: #b00; font-weight: bold; }
table.meta td { white-space: nowrap; }
.note { font-size: 8pt; color: #555; margin: 1mm 0; }
footer { margin-top: 10mm; font-size: 8pt; color: #555; }
"#;

/// Renders the invoice as one HTML document.
pub(super) fn render(inv: &Invoice) -> String {
    let taxed = !inv.vat_rate.is_zero();
    let mut h = String::with_capacity(8 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>Statement 结算单 {reference}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        reference = esc(&inv.reference())
    );
    let _ = writeln!(
        h,
        "<header><div><h1>STATEMENT 结算单</h1>\
         <p class=\"note\">Not a VAT invoice: the official fapiao (发票) is issued separately. 本结算单不是发票。</p>{}</div><table class=\"meta\">\
         <tr><td>No. 编号</td><td><strong id=\"number\">{}</strong></td></tr>\
         <tr><td>Date 日期</td><td>{}</td></tr>\
         <tr><td>Order 订单</td><td>{}</td></tr>\
         <tr><td>Currency 币种</td><td>{}</td></tr></table></header>",
        if inv.number.is_none() {
            "<div class=\"draft\">DRAFT 草稿 — not yet issued</div>"
        } else {
            ""
        },
        esc(&inv.reference()),
        esc(inv
            .finalized_at
            .as_deref()
            .map_or("—", |d| d.get(..10).unwrap_or(d))),
        esc(&inv.order_id),
        esc(&inv.currency),
    );
    let _ = writeln!(
        h,
        "<section class=\"parties\"><div><h2>Seller 销售方</h2><strong>{}</strong><br>{}<br>Tax ID {}</div>\
         <div><h2>Buyer 购买方</h2><strong>{}</strong><br>{}<br>Customer {}</div></section>",
        esc(&inv.seller.name),
        esc(&inv.seller.address),
        esc(&inv.seller.id),
        esc(&inv.buyer.name),
        esc(&inv.buyer.address),
        esc(&inv.buyer.id),
    );
    h.push_str("<table class=\"lines\"><thead><tr><th>#</th><th>Product 产品</th><th>Tier 档位</th><th class=\"num\">Qty 数量</th><th class=\"num\">Unit price 单价</th>");
    if taxed {
        h.push_str("<th class=\"num\">Net 金额</th><th class=\"num\">Tax 税额</th>");
    }
    h.push_str("<th class=\"num\">Amount 价税合计</th></tr></thead><tbody>\n");
    for (i, l) in inv.lines.iter().enumerate() {
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
            l.quantity,
            format_money(l.unit_price),
        );
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
            "<tr><td>Credit note {} ({})</td><td class=\"num\">-{}</td></tr>",
            esc(&c.number),
            esc(&c.reason),
            format_money(c.amount)
        );
    }
    h.push_str("</table>\n");
    let tax_note = if !taxed {
        "Prices as quoted, tax included where applicable."
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
