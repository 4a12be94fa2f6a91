//! Gapless number sequences: statements, credit notes and quotes per
//! year, drafts, revocation lists and account entries. A number is taken
//! inside the write that uses it, so a write that fails takes none.

use rusqlite::{OptionalExtension as _, params};

use super::{Result, Tx};

/// Takes the next number of the sequence `name`.
pub(super) fn next(tx: &Tx<'_>, name: &str) -> Result<i64> {
    tx.tx.execute(
        "INSERT OR IGNORE INTO sequences (name, last) VALUES (?1, 0)",
        [name],
    )?;
    Ok(tx.tx.query_row(
        "UPDATE sequences SET last = last + 1 WHERE name = ?1 RETURNING last",
        [name],
        |r| r.get(0),
    )?)
}

/// Documents numbered `PREFIX-YEAR-NNNNNN`: each kind's numbers start at
/// 000001 every year and stay gapless within it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Numbered {
    /// Finalized statements (`FL-…`).
    Statement,
    /// Credit notes (`CN-…`).
    CreditNote,
    /// Saved quotes (`Q-…`).
    Quote,
}

impl Numbered {
    /// The sequence's name and the numbers it has issued (table, column).
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Numbered::Statement => (
                "invoice",
                "SELECT number FROM invoices WHERE number LIKE ?1",
            ),
            Numbered::CreditNote => (
                "credit-note",
                "SELECT number FROM credit_notes WHERE number LIKE ?1",
            ),
            Numbered::Quote => ("quote", "SELECT number FROM quotes WHERE number LIKE ?1"),
        }
    }
}

/// The next number of `kind` in `year` (inside the caller's transaction):
/// 1 for the year's first document. A year's sequence starts after the
/// numbers of that year already issued (ledgers from before numbers
/// restarted every year continue where they were).
pub(super) fn next_of_year(tx: &Tx<'_>, kind: Numbered, year: i32) -> Result<i64> {
    let (name, issued) = kind.names();
    let sequence = format!("{name}-{year}");
    let known: Option<i64> = tx
        .tx
        .query_row(
            "SELECT last FROM sequences WHERE name = ?1",
            [&sequence],
            |r| r.get(0),
        )
        .optional()?;
    if known.is_none() {
        let mut stmt = tx.tx.prepare(issued)?;
        let numbers = stmt.query_map([format!("%-{year}-%")], |r| r.get::<_, String>(0))?;
        let mut highest = 0i64;
        for number in numbers {
            let number = number?;
            let n = number
                .rsplit('-')
                .next()
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0);
            highest = highest.max(n);
        }
        tx.tx.execute(
            "INSERT INTO sequences (name, last) VALUES (?1, ?2)",
            params![sequence, highest],
        )?;
    }
    next(tx, &sequence)
}

/// The next draft number: a sequence of its own (started after the drafts a
/// ledger already has), so a discarded draft's id is never given again.
pub(super) fn next_draft(tx: &Tx<'_>) -> Result<i64> {
    tx.tx.execute(
        "INSERT OR IGNORE INTO sequences (name, last) SELECT 'draft', IFNULL(MAX(seq), 0) FROM \
            invoices",
        [],
    )?;
    Ok(tx.tx.query_row(
        "UPDATE sequences SET last = last + 1 WHERE name = 'draft' RETURNING last",
        [],
        |r| r.get(0),
    )?)
}
