//! A customer's account: the money that is not on a statement.
//!
//! Besides its statements, a customer has three amounts on account, each
//! the sum of the entries that moved money into or out of it:
//!
//! - **unapplied cash**: money received (a receipt, `R-…`) and not yet
//!   applied to a statement;
//! - **customer credit**: what a credit note gave back on a statement that
//!   was already paid, kept to pay later statements;
//! - **refund owed**: what a credit note gave back and the customer is to
//!   be paid out.
//!
//! All three are owed to the customer; refunds paid out reduce them. The
//! customer's net balance is what its statements still ask for less
//! what is on account.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::dates::Date;

/// What an account entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum EntryKind {
    /// Money received (a receipt): unapplied cash until applied.
    Receipt,
    /// Unapplied cash of a receipt applied to a statement (a payment).
    Applied,
    /// A credit note's part beyond its statement's balance, kept as
    /// customer credit.
    Credit,
    /// A credit note's part beyond its statement's balance, to be paid out.
    RefundOwed,
    /// Customer credit applied to a statement.
    CreditApplied,
    /// Money paid back to the customer.
    RefundPaid,
    /// An amount held against the account after a monthly settlement,
    /// until the next one (the post-paid hold).
    Hold,
    /// The hold released at the next settlement.
    HoldRelease,
}

impl EntryKind {
    /// The kebab-case name the ledger and JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Receipt => "receipt",
            EntryKind::Applied => "applied",
            EntryKind::Credit => "credit",
            EntryKind::RefundOwed => "refund-owed",
            EntryKind::CreditApplied => "credit-applied",
            EntryKind::RefundPaid => "refund-paid",
            EntryKind::Hold => "hold",
            EntryKind::HoldRelease => "hold-release",
        }
    }

    /// The kind named `name` ([`EntryKind::as_str`]).
    pub fn parse(name: &str) -> Option<EntryKind> {
        [
            EntryKind::Receipt,
            EntryKind::Applied,
            EntryKind::Credit,
            EntryKind::RefundOwed,
            EntryKind::CreditApplied,
            EntryKind::RefundPaid,
            EntryKind::Hold,
            EntryKind::HoldRelease,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }
}

/// Which of a customer's amounts on account an entry draws on or adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Bucket {
    /// Money received and not yet applied.
    Unapplied,
    /// Customer credit.
    Credit,
    /// Owed back, to be paid out.
    RefundOwed,
}

impl Bucket {
    /// The kebab-case name the ledger, the CLI and JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            Bucket::Unapplied => "unapplied",
            Bucket::Credit => "credit",
            Bucket::RefundOwed => "refund-owed",
        }
    }

    /// The bucket named `name` ([`Bucket::as_str`]).
    pub fn parse(name: &str) -> Option<Bucket> {
        [Bucket::Unapplied, Bucket::Credit, Bucket::RefundOwed]
            .into_iter()
            .find(|b| b.as_str() == name)
    }
}

/// One movement of money into, out of or within a customer's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEntry {
    /// `R-000001` (a receipt), `P-000001` (cash applied) or `A-000001`.
    pub id: String,
    /// What it did.
    pub kind: EntryKind,
    /// The day it counts from.
    pub date: Date,
    /// Amount moved (positive).
    #[serde(with = "crate::money::amount")]
    pub amount: Decimal,
    /// The statement it came from or went to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement: Option<String>,
    /// The credit note behind a credit or refund owed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit_note: Option<String>,
    /// The receipt whose cash was applied or paid back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receipt: Option<String>,
    /// A refund paid: the amount on account it was paid from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Bucket>,
    /// Bank reference or note (may be empty).
    #[serde(default)]
    pub reference: String,
}

impl AccountEntry {
    /// How this entry changes each amount on account: (unapplied, credit,
    /// refund owed, held).
    fn effect(&self) -> [Decimal; 4] {
        let a = self.amount;
        let z = Decimal::ZERO;
        match self.kind {
            EntryKind::Receipt => [a, z, z, z],
            EntryKind::Applied => [-a, z, z, z],
            EntryKind::Credit => [z, a, z, z],
            EntryKind::RefundOwed => [z, z, a, z],
            EntryKind::CreditApplied => [z, -a, z, z],
            EntryKind::RefundPaid => match self.from {
                Some(Bucket::Unapplied) => [-a, z, z, z],
                Some(Bucket::Credit) => [z, -a, z, z],
                Some(Bucket::RefundOwed) | None => [z, z, -a, z],
            },
            EntryKind::Hold => [z, z, z, a],
            EntryKind::HoldRelease => [z, z, z, -a],
        }
    }
}

/// A customer's amounts on account on a day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnAccount {
    /// Money received and not yet applied.
    #[serde(with = "crate::money::amount")]
    pub unapplied: Decimal,
    /// Customer credit, to pay later statements with.
    #[serde(with = "crate::money::amount")]
    pub credit: Decimal,
    /// Owed back, to be paid out.
    #[serde(with = "crate::money::amount")]
    pub refund_owed: Decimal,
    /// Held against the account until the next settlement (not money on
    /// account: the part of it that cannot be paid back meanwhile).
    #[serde(with = "crate::money::amount")]
    pub held: Decimal,
}

impl OnAccount {
    /// The amounts after the entries dated up to the end of `as_of`.
    pub fn as_of<'a>(
        entries: impl IntoIterator<Item = &'a AccountEntry>,
        as_of: Date,
    ) -> OnAccount {
        let mut sums = [Decimal::ZERO; 4];
        for e in entries.into_iter().filter(|e| e.date <= as_of) {
            for (sum, delta) in sums.iter_mut().zip(e.effect()) {
                *sum += delta;
            }
        }
        let [unapplied, credit, refund_owed, held] = sums;
        OnAccount {
            unapplied,
            credit,
            refund_owed,
            held,
        }
    }

    /// Unapplied cash and customer credit beyond the hold: what may be
    /// paid back now.
    pub fn free(&self) -> Decimal {
        (self.unapplied + self.credit - self.held).max(Decimal::ZERO)
    }

    /// Everything on account: owed to the customer.
    pub fn total(&self) -> Decimal {
        self.unapplied + self.credit + self.refund_owed
    }

    /// The amount in `bucket`.
    pub fn get(&self, bucket: Bucket) -> Decimal {
        match bucket {
            Bucket::Unapplied => self.unapplied,
            Bucket::Credit => self.credit,
            Bucket::RefundOwed => self.refund_owed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: EntryKind, date: &str, amount: &str, from: Option<Bucket>) -> AccountEntry {
        AccountEntry {
            id: "A-000001".into(),
            kind,
            date: Date::parse(date).unwrap(),
            amount: amount.parse().unwrap(),
            statement: None,
            credit_note: None,
            receipt: None,
            from,
            reference: String::new(),
        }
    }

    #[test]
    fn entries_move_money_between_the_amounts_on_account() {
        let entries = [
            entry(EntryKind::Receipt, "2027-01-05", "30000.00", None),
            entry(EntryKind::Applied, "2027-01-06", "14400.00", None),
            entry(EntryKind::Credit, "2027-01-10", "1440.00", None),
            entry(EntryKind::CreditApplied, "2027-02-01", "440.00", None),
            entry(EntryKind::RefundOwed, "2027-02-02", "100.00", None),
            entry(
                EntryKind::RefundPaid,
                "2027-02-03",
                "100.00",
                Some(Bucket::RefundOwed),
            ),
            entry(
                EntryKind::RefundPaid,
                "2027-02-04",
                "600.00",
                Some(Bucket::Unapplied),
            ),
        ];
        let day = |d| Date::parse(d).unwrap();
        let jan = OnAccount::as_of(&entries, day("2027-01-31"));
        assert_eq!(jan.unapplied.to_string(), "15600.00");
        assert_eq!(jan.credit.to_string(), "1440.00");
        assert_eq!(jan.total().to_string(), "17040.00");
        let feb = OnAccount::as_of(&entries, day("2027-02-28"));
        assert_eq!(feb.unapplied.to_string(), "15000.00");
        assert_eq!(feb.credit.to_string(), "1000.00");
        assert!(feb.refund_owed.is_zero());
        assert_eq!(
            OnAccount::as_of(&entries, day("2027-01-04")),
            OnAccount::default()
        );
        // A hold limits what may be paid back, and is released whole.
        let mut held = entries.to_vec();
        held.push(entry(EntryKind::Hold, "2027-03-01", "15500.00", None));
        let mar = OnAccount::as_of(&held, day("2027-03-01"));
        assert_eq!(mar.free().to_string(), "500.00");
        assert_eq!(mar.total(), feb.total(), "a hold is not money on account");
        held.push(entry(
            EntryKind::HoldRelease,
            "2027-04-01",
            "15500.00",
            None,
        ));
        assert!(OnAccount::as_of(&held, day("2027-04-01")).held.is_zero());
    }

    #[test]
    fn names_round_trip() {
        for k in [
            "receipt",
            "applied",
            "credit",
            "refund-owed",
            "credit-applied",
            "refund-paid",
            "hold",
            "hold-release",
        ] {
            assert_eq!(EntryKind::parse(k).unwrap().as_str(), k);
        }
        for b in ["unapplied", "credit", "refund-owed"] {
            assert_eq!(Bucket::parse(b).unwrap().as_str(), b);
        }
        assert_eq!(EntryKind::parse("gift"), None);
    }
}
