//! The statement of account (对账单): one customer's documents and money
//! over a period, for the customer to confirm and seal.
//!
//! The balance it runs is the customer's **net balance**: what its
//! statements charged less what credit notes took off, less the money it
//! sent, plus the refunds paid back to it. Moves inside the account
//! (a payment applied, customer credit applied, a credit moved to the
//! account) leave it unchanged and are not lines. The opening balance is
//! the net balance at the end of the day before the period, the closing
//! balance at the end of its last day; closing = opening + debits −
//! credits, and equals what its open statements ask for less what it has
//! on account. What is held against the account (the post-paid hold) is
//! shown beside it and changes no balance.

use std::fmt::Write as _;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::account::OnAccount;
use crate::dates::Date;
use crate::invoice::Party;
use crate::invoice::html::{STYLE, css_string, esc, party_block};
use crate::money::format_money;
use crate::table::{Cell, Table};

/// What a line of a statement of account is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum LineKind {
    /// A statement (结算单): a debit.
    Statement,
    /// A credit note: a credit.
    CreditNote,
    /// Money received (a receipt, or a payment recorded before receipts).
    Payment,
    /// Money paid back: a debit.
    Refund,
}

impl LineKind {
    /// The label printed on the line.
    pub fn label(self) -> &'static str {
        match self {
            LineKind::Statement => "statement 结算单",
            LineKind::CreditNote => "credit note 贷项",
            LineKind::Payment => "payment 收款",
            LineKind::Refund => "refund 退款",
        }
    }
}

/// One line: a document or money movement of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountLine {
    /// Its day.
    pub date: Date,
    /// Document or entry number (`FL-…`, `CN-…`, `R-…`, `P-…`, `A-…`).
    pub document: String,
    /// What it is.
    pub kind: LineKind,
    /// What for (the statement it credits, the bank reference).
    pub description: String,
    /// What it adds to what the customer owes.
    #[serde(with = "crate::money::amount")]
    pub debit: Decimal,
    /// What it takes off.
    #[serde(with = "crate::money::amount")]
    pub credit: Decimal,
    /// The net balance after it.
    #[serde(with = "crate::money::amount")]
    pub balance: Decimal,
}

/// A statement still asking for money at the end of the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenStatement {
    /// Number.
    pub number: String,
    /// Date.
    pub date: Date,
    /// Due date.
    pub due_on: Date,
    /// What it still asks for.
    #[serde(with = "crate::money::amount")]
    pub balance: Decimal,
}

/// A statement of account (对账单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountStatement {
    /// Seller block.
    pub seller: Party,
    /// The customer's block (its billing profile now).
    pub customer: Party,
    /// Currency of every amount.
    pub currency: String,
    /// First day of the period.
    pub from: Date,
    /// Last day of the period.
    pub to: Date,
    /// The day it was made.
    pub made_on: Date,
    /// Net balance at the end of the day before `from`.
    #[serde(with = "crate::money::amount")]
    pub opening: Decimal,
    /// The period's lines, by day.
    pub lines: Vec<AccountLine>,
    /// Sum of the lines' debits.
    #[serde(with = "crate::money::amount")]
    pub debits: Decimal,
    /// Sum of the lines' credits.
    #[serde(with = "crate::money::amount")]
    pub credits: Decimal,
    /// Net balance at the end of `to`: positive, the customer owes;
    /// negative, it is owed.
    #[serde(with = "crate::money::amount")]
    pub closing: Decimal,
    /// Statements still open at the end of `to`.
    pub open_statements: Vec<OpenStatement>,
    /// What was on account at the end of `to`.
    pub on_account: OnAccount,
}

/// One movement of the customer's net balance, for [`AccountStatement::new`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    /// Its day.
    pub date: Date,
    /// Document or entry number.
    pub document: String,
    /// What it is.
    pub kind: LineKind,
    /// What for.
    pub description: String,
    /// Amount (positive); its kind says the side.
    pub amount: Decimal,
}

impl Movement {
    fn signed(&self) -> Decimal {
        match self.kind {
            LineKind::Statement | LineKind::Refund => self.amount,
            LineKind::CreditNote | LineKind::Payment => -self.amount,
        }
    }
}

/// Who the statement is between, and for when.
#[derive(Debug, Clone)]
pub struct Header {
    /// Seller block.
    pub seller: Party,
    /// Customer block.
    pub customer: Party,
    /// Currency.
    pub currency: String,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// The day it is made.
    pub made_on: Date,
}

impl AccountStatement {
    /// The statement of account of `movements` (every one of the customer,
    /// any day; those after `to` are left out) with what was open and on
    /// account at the end of `to`.
    pub fn new(
        header: Header,
        mut movements: Vec<Movement>,
        open_statements: Vec<OpenStatement>,
        on_account: OnAccount,
    ) -> AccountStatement {
        movements.sort_by_key(|m| m.date);
        let opening: Decimal = movements
            .iter()
            .filter(|m| m.date < header.from)
            .map(Movement::signed)
            .sum();
        let mut balance = opening;
        let mut lines = Vec::new();
        for m in movements
            .into_iter()
            .filter(|m| m.date >= header.from && m.date <= header.to)
        {
            balance += m.signed();
            let (debit, credit) = match m.signed() {
                s if s >= Decimal::ZERO => (s, Decimal::ZERO),
                s => (Decimal::ZERO, -s),
            };
            lines.push(AccountLine {
                date: m.date,
                document: m.document,
                kind: m.kind,
                description: m.description,
                debit,
                credit,
                balance,
            });
        }
        AccountStatement {
            debits: lines.iter().map(|l| l.debit).sum(),
            credits: lines.iter().map(|l| l.credit).sum(),
            closing: balance,
            seller: header.seller,
            customer: header.customer,
            currency: header.currency,
            from: header.from,
            to: header.to,
            made_on: header.made_on,
            opening,
            lines,
            open_statements,
            on_account,
        }
    }

    /// The title, with the customer and period.
    pub fn title(&self) -> String {
        format!(
            "Statement of account 对账单 {} {} to {}",
            self.customer.id, self.from, self.to
        )
    }

    /// The lines as a table (CSV, XLSX, text): opening row, a row per
    /// line, closing row.
    pub fn to_table(&self) -> Table {
        let mut t = Table::new(
            "Statement of account 对账单",
            &[
                "date",
                "document",
                "kind",
                "description",
                "debit",
                "credit",
                "balance",
            ],
        );
        let edge = |date: Date, what: &str, balance: Decimal| {
            vec![
                Cell::Date(date),
                Cell::Empty,
                Cell::from(what.to_owned()),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Money(balance),
            ]
        };
        t.rows
            .push(edge(self.from, "opening balance 期初余额", self.opening));
        for l in &self.lines {
            t.rows.push(vec![
                Cell::Date(l.date),
                Cell::from(l.document.clone()),
                Cell::from(l.kind.label().to_owned()),
                Cell::from(l.description.clone()),
                Cell::Money(l.debit),
                Cell::Money(l.credit),
                Cell::Money(l.balance),
            ]);
        }
        let mut closing = edge(self.to, "closing balance 期末余额", self.closing);
        closing[4] = Cell::Money(self.debits);
        closing[5] = Cell::Money(self.credits);
        t.rows.push(closing);
        t
    }

    /// Plain text: the parties, the lines, the closing balance, what it is
    /// made of, and a line for the customer's seal.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{}", self.title());
        let _ = writeln!(
            s,
            "seller    {} (tax id {})",
            self.seller.name, self.seller.tax_id
        );
        let _ = writeln!(s, "customer  {} {}", self.customer.id, self.customer.name);
        let _ = writeln!(
            s,
            "period    {} to {} ({})",
            self.from, self.to, self.currency
        );
        let _ = writeln!(s, "made on   {}", self.made_on);
        let _ = writeln!(
            s,
            "opening balance 期初余额 {:>16}",
            format_money(self.opening)
        );
        for l in &self.lines {
            let _ = writeln!(
                s,
                "{} {:<16} {:<18} {:>14} {:>14} {:>14}  {}",
                l.date,
                l.document,
                l.kind.label(),
                money_or_blank(l.debit),
                money_or_blank(l.credit),
                format_money(l.balance),
                l.description
            );
        }
        let _ = writeln!(
            s,
            "debits {}  credits {}",
            format_money(self.debits),
            format_money(self.credits)
        );
        let _ = writeln!(
            s,
            "closing balance 期末余额 {:>16}",
            format_money(self.closing)
        );
        for o in &self.open_statements {
            let _ = writeln!(
                s,
                "  open {} of {}, due {}: {}",
                o.number,
                o.date,
                o.due_on,
                format_money(o.balance)
            );
        }
        let a = &self.on_account;
        let _ = writeln!(
            s,
            "  on account: unapplied {}, customer credit {}, refund owed {}",
            format_money(a.unapplied),
            format_money(a.credit),
            format_money(a.refund_owed)
        );
        if a.held > Decimal::ZERO {
            let _ = writeln!(
                s,
                "  held against the account until the next settlement 冻结: {}",
                format_money(a.held)
            );
        }
        let _ = writeln!(
            s,
            "Customer confirmation 客户确认（盖章）: ______________________  date 日期: __________"
        );
        s
    }

    /// A print-ready A4 HTML page with a box for the customer's seal.
    pub fn to_html(&self) -> String {
        let title = self.title();
        let mut h = String::with_capacity(8 * 1024);
        let _ = write!(
            h,
            "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>\
             @page {{ size: A4; margin: 16mm 14mm 20mm 14mm; \
             @bottom-left {{ content: {footer}; font-size: 8pt; color: #333; }} \
             @bottom-right {{ content: \"page \" counter(page) \" of \" counter(pages); font-size: 8pt; color: #333; }} }}\
             {STYLE}.seal {{ margin-top: 10mm; border: 1px solid #111; height: 38mm; width: 80mm; margin-left: auto; padding: 2mm; break-inside: avoid; }}\
             </style>\n</head>\n<body>\n",
            t = esc(&title),
            footer = css_string(&title),
        );
        let _ = write!(
            h,
            "<header><div><h1>STATEMENT OF ACCOUNT 对账单</h1>\
             <table class=\"meta\"><tr><td>Period 期间</td><td>{} to {}</td></tr>\
             <tr><td>Made on 日期</td><td>{}</td></tr><tr><td>Currency 币种</td><td>{}</td></tr></table>\
             </div></header>\n<div class=\"parties\">",
            self.from,
            self.to,
            self.made_on,
            esc(&self.currency)
        );
        party_block(&mut h, "Seller 销售方", &self.seller, &[]);
        party_block(
            &mut h,
            "Customer 客户",
            &self.customer,
            &[("Customer ID 客户编号", self.customer.id.clone())],
        );
        h.push_str(
            "</div>\n<table class=\"lines\"><thead><tr><th>Date 日期</th><th>Document 单据</th>\
            <th>Entry 摘要</th><th class=\"num\">Debit 借方</th><th class=\"num\">Credit 贷方</th>\
            <th class=\"num\">Balance 余额</th></tr></thead><tbody>\n",
        );
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td></td><td>Opening balance 期初余额</td><td></td><td></td>\
             <td class=\"num\" id=\"opening\">{}</td></tr>",
            self.from,
            format_money(self.opening)
        );
        for l in &self.lines {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}<div class=\"desc\">{}</div></td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                l.date,
                esc(&l.document),
                esc(l.kind.label()),
                esc(&l.description),
                money_or_blank(l.debit),
                money_or_blank(l.credit),
                format_money(l.balance)
            );
        }
        let _ = write!(
            h,
            "</tbody></table>\n<table class=\"totals\">\
             <tr><td>Debits 借方合计</td><td class=\"num\">{}</td></tr>\
             <tr><td>Credits 贷方合计</td><td class=\"num\">{}</td></tr>\
             <tr class=\"balance\"><td>Closing balance 期末余额</td><td class=\"num\" id=\"closing\">{}</td></tr>",
            format_money(self.debits),
            format_money(self.credits),
            format_money(self.closing)
        );
        for o in &self.open_statements {
            let _ = write!(
                h,
                "<tr><td>Open 未结 {} (due {})</td><td class=\"num\">{}</td></tr>",
                esc(&o.number),
                o.due_on,
                format_money(o.balance)
            );
        }
        let a = &self.on_account;
        for (label, amount) in [
            ("Unapplied cash 未核销收款", a.unapplied),
            ("Customer credit 客户余额", a.credit),
            ("Refund owed 应退款", a.refund_owed),
        ] {
            if !amount.is_zero() {
                let _ = write!(
                    h,
                    "<tr><td>{label}</td><td class=\"num\">-{}</td></tr>",
                    format_money(amount)
                );
            }
        }
        if a.held > Decimal::ZERO {
            let _ = write!(
                h,
                "<tr><td>Held until the next settlement 冻结</td><td class=\"num\" id=\"held\">{}</td></tr>",
                format_money(a.held)
            );
        }
        h.push_str(
            "</table>\n<div class=\"seal\">Customer confirmation 客户确认（盖章）<br><br>\
             Signature 签字: <br><br>Date 日期:</div>\n\
             <footer>Please check the lines above and return this statement sealed; \
             differences to the seller within 15 days. 请核对后盖章回传。</footer>\n</body>\n</html>\n",
        );
        h
    }
}

fn money_or_blank(amount: Decimal) -> String {
    if amount.is_zero() {
        String::new()
    } else {
        format_money(amount)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> Date {
        Date::parse(d).unwrap()
    }

    fn m(date: &str, document: &str, kind: LineKind, amount: &str) -> Movement {
        Movement {
            date: day(date),
            document: document.into(),
            kind,
            description: String::new(),
            amount: amount.parse().unwrap(),
        }
    }

    #[test]
    fn balances_run_from_the_opening_to_the_closing() {
        let party = |id: &str| Party {
            name: id.into(),
            address: String::new(),
            id: id.into(),
            tax_id: String::new(),
            phone: String::new(),
            bank: String::new(),
            account: String::new(),
            email: String::new(),
        };
        let st = AccountStatement::new(
            Header {
                seller: party("S"),
                customer: party("C-000001"),
                currency: "CNY".into(),
                from: day("2026-11-01"),
                to: day("2026-11-30"),
                made_on: day("2026-12-01"),
            },
            vec![
                m("2026-12-01", "FL-3", LineKind::Statement, "999.00"),
                m("2026-11-03", "R-1", LineKind::Payment, "14400.00"),
                m("2026-10-20", "FL-1", LineKind::Statement, "14400.00"),
                m("2026-11-10", "CN-1", LineKind::CreditNote, "1440.00"),
                m("2026-11-20", "A-1", LineKind::Refund, "440.00"),
            ],
            Vec::new(),
            OnAccount::default(),
        );
        assert_eq!(st.opening.to_string(), "14400.00");
        assert_eq!(st.lines.len(), 3);
        assert_eq!(st.lines[1].balance.to_string(), "-1440.00");
        assert_eq!(st.closing.to_string(), "-1000.00");
        assert_eq!(st.opening + st.debits - st.credits, st.closing);
        let text = st.to_text();
        assert!(text.contains("客户确认（盖章）"), "{text}");
        assert!(st.to_html().contains("class=\"seal\""));
        let csv = st.to_table().to_csv();
        assert!(
            csv.contains("closing balance 期末余额,,440.00,15840.00,-1000.00"),
            "{csv}"
        );
    }
}
