//! Receivables aging: what customers owe, by how long it is past due.
//!
//! Each open invoice (finalized, balance above zero) falls in one bucket by
//! its days past due on the report day: *current* (not yet due), 1–30,
//! 31–60, 61–90, and over 90 days. Rows are per customer, plus a total;
//! beside the buckets, what is on the customer's account (unapplied cash,
//! customer credit, refunds owed: owed to the customer) and the net, so a
//! customer with a credit balance shows with a negative net.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::dates::Date;
use crate::table::{Cell, Table};

/// An invoice with a balance still due.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenItem {
    /// Customer id.
    pub customer_id: String,
    /// Customer name.
    pub customer: String,
    /// Invoice number.
    pub number: String,
    /// Invoice date.
    pub date: Date,
    /// Due date.
    pub due_on: Date,
    /// Balance due.
    #[serde(with = "crate::money::amount")]
    pub balance: Decimal,
}

/// The aging buckets, in report order.
pub const BUCKETS: [&str; 5] = ["current", "1-30", "31-60", "61-90", "over-90"];

/// Which bucket (index into [`BUCKETS`]) `days_overdue` falls in.
pub fn bucket(days_overdue: i64) -> usize {
    match days_overdue {
        i64::MIN..=0 => 0,
        1..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

/// One customer's (or the total) amounts per bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgingRow {
    /// Customer id (`None` on the total row).
    pub customer_id: Option<String>,
    /// Customer name (`TOTAL` on the total row).
    pub customer: String,
    /// Not yet due.
    #[serde(with = "crate::money::amount")]
    pub current: Decimal,
    /// 1 to 30 days past due.
    #[serde(rename = "days_1_30", with = "crate::money::amount")]
    pub days_1_30: Decimal,
    /// 31 to 60 days past due.
    #[serde(rename = "days_31_60", with = "crate::money::amount")]
    pub days_31_60: Decimal,
    /// 61 to 90 days past due.
    #[serde(rename = "days_61_90", with = "crate::money::amount")]
    pub days_61_90: Decimal,
    /// More than 90 days past due.
    #[serde(rename = "over_90", with = "crate::money::amount")]
    pub over_90: Decimal,
    /// Everything due.
    #[serde(with = "crate::money::amount")]
    pub total: Decimal,
    /// On the customer's account, owed to it ([`crate::account::OnAccount::total`]).
    #[serde(with = "crate::money::amount")]
    pub on_account: Decimal,
    /// What is due less what is on account: negative for a credit balance.
    #[serde(with = "crate::money::amount")]
    pub net: Decimal,
    /// Open invoices counted.
    pub invoices: u64,
}

impl AgingRow {
    fn new(customer_id: Option<String>, customer: String) -> AgingRow {
        AgingRow {
            customer_id,
            customer,
            current: Decimal::ZERO,
            days_1_30: Decimal::ZERO,
            days_31_60: Decimal::ZERO,
            days_61_90: Decimal::ZERO,
            over_90: Decimal::ZERO,
            total: Decimal::ZERO,
            on_account: Decimal::ZERO,
            net: Decimal::ZERO,
            invoices: 0,
        }
    }

    fn add(&mut self, bucket: usize, amount: Decimal) {
        let slot = match bucket {
            0 => &mut self.current,
            1 => &mut self.days_1_30,
            2 => &mut self.days_31_60,
            3 => &mut self.days_61_90,
            _ => &mut self.over_90,
        };
        *slot += amount;
        self.total += amount;
        self.net += amount;
        self.invoices += 1;
    }

    fn add_on_account(&mut self, amount: Decimal) {
        self.on_account += amount;
        self.net -= amount;
    }

    fn amounts(&self) -> [Decimal; 8] {
        [
            self.current,
            self.days_1_30,
            self.days_31_60,
            self.days_61_90,
            self.over_90,
            self.total,
            self.on_account,
            self.net,
        ]
    }
}

/// The aging report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Aging {
    /// The report day.
    pub as_of: Date,
    /// Currency of every amount.
    pub currency: String,
    /// One row per customer with a balance or money on account, in the
    /// order of first appearance in `items`, then in `accounts`.
    pub customers: Vec<AgingRow>,
    /// The sums.
    pub total: AgingRow,
    /// The open invoices behind the rows.
    pub items: Vec<OpenItem>,
}

/// A customer's money on account, as the aging report takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountItem {
    /// Customer id.
    pub customer_id: String,
    /// Customer name.
    pub customer: String,
    /// Owed to the customer (unapplied cash, credit, refunds owed).
    pub on_account: Decimal,
}

fn row_of<'a>(customers: &'a mut Vec<AgingRow>, id: &str, name: &str) -> &'a mut AgingRow {
    let i = match customers
        .iter()
        .position(|r| r.customer_id.as_deref() == Some(id))
    {
        Some(i) => i,
        None => {
            customers.push(AgingRow::new(Some(id.to_owned()), name.to_owned()));
            customers.len() - 1
        }
    };
    &mut customers[i]
}

/// Ages `items` on `as_of`, beside what `accounts` hold.
pub fn age(items: Vec<OpenItem>, accounts: &[AccountItem], as_of: Date, currency: &str) -> Aging {
    let mut customers: Vec<AgingRow> = Vec::new();
    let mut total = AgingRow::new(None, "TOTAL".to_owned());
    for item in &items {
        let b = bucket(as_of.days_since(item.due_on));
        row_of(&mut customers, &item.customer_id, &item.customer).add(b, item.balance);
        total.add(b, item.balance);
    }
    for a in accounts.iter().filter(|a| !a.on_account.is_zero()) {
        row_of(&mut customers, &a.customer_id, &a.customer).add_on_account(a.on_account);
        total.add_on_account(a.on_account);
    }
    Aging {
        as_of,
        currency: currency.to_owned(),
        customers,
        total,
        items,
    }
}

const COLUMNS: [&str; 11] = [
    "customer_id",
    "customer",
    "current",
    "days_1_30",
    "days_31_60",
    "days_61_90",
    "over_90",
    "total",
    "on_account",
    "net",
    "invoices",
];

impl Aging {
    /// The report as a table: a row per customer and a total row.
    pub fn to_table(&self) -> Table {
        let mut t = Table::new("Receivables 应收账款", &COLUMNS);
        for row in self.customers.iter().chain(std::iter::once(&self.total)) {
            let mut cells = vec![
                Cell::from(row.customer_id.clone().unwrap_or_default()),
                Cell::from(row.customer.clone()),
            ];
            cells.extend(row.amounts().map(Cell::Money));
            cells.push(Cell::Int(i64::try_from(row.invoices).unwrap_or(i64::MAX)));
            t.rows.push(cells);
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(customer: &str, due: &str, balance: &str) -> OpenItem {
        OpenItem {
            customer_id: customer.to_owned(),
            customer: format!("{customer} Ltd"),
            number: format!("FL-{due}"),
            date: Date::parse(due).unwrap().add_days(-30),
            due_on: Date::parse(due).unwrap(),
            balance: balance.parse().unwrap(),
        }
    }

    #[test]
    fn bucket_edges() {
        for (days, b) in [
            (-5, 0),
            (0, 0),
            (1, 1),
            (30, 1),
            (31, 2),
            (60, 2),
            (61, 3),
            (90, 3),
            (91, 4),
        ] {
            assert_eq!(bucket(days), b, "{days}");
        }
    }

    #[test]
    fn rows_per_customer_and_a_total() {
        let as_of = Date::parse("2027-06-30").unwrap();
        let aging = age(
            vec![
                item("C-1", "2027-07-10", "100.00"), // current
                item("C-2", "2027-06-29", "50.50"),  // 1 day
                item("C-1", "2027-03-01", "10.00"),  // 121 days
                item("C-1", "2027-05-01", "1.00"),   // 60 days
            ],
            &[
                AccountItem {
                    customer_id: "C-1".into(),
                    customer: "C-1 Ltd".into(),
                    on_account: "11.00".parse().unwrap(),
                },
                AccountItem {
                    customer_id: "C-3".into(),
                    customer: "C-3 Ltd".into(),
                    on_account: "14400.00".parse().unwrap(),
                },
            ],
            as_of,
            "CNY",
        );
        assert_eq!(aging.customers.len(), 3);
        let c1 = &aging.customers[0];
        assert_eq!(
            c1.amounts().map(|d| d.to_string()),
            [
                "100.00", "0", "1.00", "0", "10.00", "111.00", "11.00", "100.00"
            ]
        );
        assert_eq!(aging.total.total.to_string(), "161.50");
        assert_eq!(aging.total.invoices, 4);
        let csv = aging.to_table().to_csv();
        assert!(
            csv.contains("\nC-2,C-2 Ltd,0.00,50.50,0.00,0.00,0.00,50.50,0.00,50.50,1\n"),
            "{csv}"
        );
        // A credit balance: nothing due, money on account, a negative net.
        assert!(
            csv.contains("\nC-3,C-3 Ltd,0.00,0.00,0.00,0.00,0.00,0.00,14400.00,-14400.00,0\n"),
            "{csv}"
        );
        assert!(
            csv.ends_with(",TOTAL,100.00,50.50,1.00,0.00,10.00,161.50,14411.00,-14249.50,4\n"),
            "{csv}"
        );
    }
}
