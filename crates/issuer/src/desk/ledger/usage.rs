//! The metered-usage tables: activations (`usage_accounts`), imported
//! calls (`usage`, one row per customer, product and period: a day
//! `YYYY-MM-DD` or a month's total `YYYY-MM`), recorded bills
//! (`usage_bills`) with the pack uses and expiries each recorded. A row
//! is a month's total when its period is its month (`period = month`):
//! the statements never tell the two apart by the period's length.

use rusqlite::{OptionalExtension as _, params};

use super::fields::{Fields, LedgerText as _, json_without, scalar};
use super::{Db, Result, Tx};
use crate::desk::UsageAccount;
use facelic_invoice::Cycle;
use facelic_invoice::dates::{Date, Month};
use facelic_invoice::usage::{CallDay, Expiry, PeriodBill, UsagePeriod};

/// The activation of `family` by a customer, if any.
pub(crate) fn account(db: &Db, customer_id: &str, family: &str) -> Result<Option<UsageAccount>> {
    Ok(db
        .conn
        .query_row(
            "SELECT customer_id, family, activated_on, cycle FROM usage_accounts WHERE \
                customer_id = ?1 AND family = ?2",
            params![customer_id, family],
            |r| {
                let f = Fields::new(r, "usage_accounts", "customer_id")?;
                Ok(UsageAccount {
                    customer_id: f.plain("customer_id")?,
                    family: f.plain("family")?,
                    activated_on: f.get("activated_on")?,
                    cycle: f.get("cycle")?,
                    trial_packs: Vec::new(),
                })
            },
        )
        .optional()?)
}

/// Records that a customer activated `family` on `on`, settled by `cycle`.
pub(crate) fn insert_account(
    tx: &Tx<'_>,
    customer_id: &str,
    family: &str,
    on: Date,
    cycle: Cycle,
) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO usage_accounts (customer_id, family, activated_on, cycle, \
            recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            customer_id,
            family,
            on.to_ledger(),
            cycle.to_ledger(),
            tx.now().to_ledger()
        ],
    )?;
    Ok(())
}

/// The last day of a customer's billed usage (of one settlement cycle's
/// bills, or of any), if any.
pub(crate) fn billed_through(
    db: &Db,
    customer_id: &str,
    cycle: Option<Cycle>,
) -> Result<Option<Date>> {
    scalar(
        db,
        "SELECT MAX(last_day) FROM usage_bills WHERE customer_id = ?1 AND (?2 IS NULL OR cycle = ?2)",
        params![customer_id, cycle.map(|c| c.to_ledger())],
        ("usage_bills", customer_id, "last_day"),
    )
}

/// The calls imported for a customer, product and period (`YYYY-MM-DD`
/// or `YYYY-MM`).
pub(crate) fn calls_of(
    db: &Db,
    customer_id: &str,
    product: &str,
    period: &str,
) -> Result<Option<i64>> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT calls FROM usage WHERE customer_id = ?1 AND product = ?2 AND period = ?3",
        )?
        .query_row(params![customer_id, product, period], |row| row.get(0))
        .optional()?)
}

/// Records the calls of a period not imported before (`month` is the
/// period's month).
pub(crate) fn insert_calls(
    tx: &Tx<'_>,
    (customer_id, product, period): (&str, &str, &str),
    month: Month,
    calls: i64,
) -> Result<()> {
    tx.tx
        .prepare_cached(
            "INSERT INTO usage (customer_id, product, period, month, calls, imported_at) \
                VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            customer_id,
            product,
            period,
            month.to_string(),
            calls,
            tx.now().to_ledger()
        ])?;
    Ok(())
}

/// Corrects the calls of a period imported before.
pub(crate) fn update_calls(
    tx: &Tx<'_>,
    (customer_id, product, period): (&str, &str, &str),
    calls: i64,
) -> Result<()> {
    tx.tx
        .prepare_cached(
            "UPDATE usage SET calls = ?4, imported_at = ?5 WHERE customer_id = ?1 AND product \
                = ?2 AND period = ?3",
        )?
        .execute(params![
            customer_id,
            product,
            period,
            calls,
            tx.now().to_ledger()
        ])?;
    Ok(())
}

/// How many periods of a customer's product in `month` are imported the
/// other way: by day when `monthly`, as a monthly total when not.
pub(crate) fn other_shape(
    db: &Db,
    customer_id: &str,
    product: &str,
    month: Month,
    monthly: bool,
) -> Result<i64> {
    Ok(db.conn.query_row(
        "SELECT COUNT(*) FROM usage WHERE customer_id = ?1 AND product = ?2 \
            AND month = ?3 AND (period = month) != ?4",
        params![customer_id, product, month.to_string(), monthly],
        |row| row.get(0),
    )?)
}

/// The customers with calls in `month` (only `only` when given).
pub(crate) fn customers_with_calls(
    db: &Db,
    month: Month,
    only: Option<&str>,
) -> Result<Vec<String>> {
    let ids = db
        .conn
        .prepare(
            "SELECT DISTINCT customer_id FROM usage WHERE month = ?1 AND calls > 0 \
                AND (?2 IS NULL OR customer_id = ?2) ORDER BY customer_id",
        )?
        .query_map(params![month.to_string(), only], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

/// The months before `month` with calls of a customer, oldest first, as
/// stored.
pub(crate) fn months_with_calls_before(
    db: &Db,
    customer_id: &str,
    month: Month,
) -> Result<Vec<String>> {
    let months = db
        .conn
        .prepare_cached(
            "SELECT DISTINCT month FROM usage WHERE customer_id = ?1 AND month < ?2 \
                AND calls > 0 ORDER BY month",
        )?
        .query_map(params![customer_id, month.to_string()], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(months)
}

/// Whether calls of `month` are imported (of `only` when given; with
/// `upto`, daily calls up to that day only).
pub(crate) fn any_calls(
    db: &Db,
    month: Month,
    only: Option<&str>,
    upto: Option<Date>,
) -> Result<bool> {
    Ok(db.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM usage u WHERE u.month = ?1 AND u.calls > 0 \
            AND (?2 IS NULL OR u.customer_id = ?2) \
            AND (?3 IS NULL OR (u.period <> u.month AND u.period <= ?3)))",
        params![month.to_string(), only, upto.map(|d| d.to_ledger())],
        |r| r.get(0),
    )?)
}

/// The first period with calls of a customer's product between `day` and
/// `today` (a day before `today`, or the month's total of `day`'s month
/// or later), as stored.
pub(crate) fn first_incurred(
    db: &Db,
    customer_id: &str,
    product: &str,
    day: Date,
    today: Date,
) -> Result<Option<String>> {
    Ok(db.conn.query_row(
        "SELECT MIN(period) FROM usage WHERE customer_id = ?1 AND product = ?2 AND calls > 0 \
            AND ((period <> month AND period >= ?3 AND period < ?4) \
              OR (period = month AND month >= ?5))",
        params![
            customer_id,
            product,
            day.to_ledger(),
            today.to_ledger(),
            Month::of(day).to_string()
        ],
        |r| r.get(0),
    )?)
}

/// How many periods with calls of a customer's product are imported on
/// or after `since` (a monthly total counts from `since`'s month).
pub(crate) fn calls_since(db: &Db, customer_id: &str, product: &str, since: Date) -> Result<i64> {
    Ok(db.conn.query_row(
        "SELECT COUNT(*) FROM usage WHERE customer_id = ?1 AND product = ?2 AND calls > 0
         AND (period >= ?3 OR (period = month AND month >= ?4))",
        params![
            customer_id,
            product,
            since.to_ledger(),
            Month::of(since).to_string()
        ],
        |r| r.get(0),
    )?)
}

/// A customer's calls of `month`, by product and day (a monthly total is
/// dated the month's first day).
pub(crate) fn calls_of_month(db: &Db, customer_id: &str, month: Month) -> Result<Vec<CallDay>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT product, period, calls FROM usage WHERE customer_id = ?1 AND month = ?2 ORDER BY \
            product, period",
    )?;
    let rows = stmt
        .query_map(params![customer_id, month.to_string()], |r| {
            let f = Fields::new(r, "usage", "period")?;
            let period: String = f.plain("period")?;
            let day = UsagePeriod::parse(&period)
                .filter(|p| Month::of(p.first_day()) == month)
                .ok_or_else(|| {
                    f.corrupt_text(
                        "period",
                        "a day (YYYY-MM-DD) or month (YYYY-MM) of its month",
                    )
                })?
                .first_day();
            Ok(CallDay {
                product: f.plain("product")?,
                day,
                calls: f.count("calls")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A recorded usage bill.
pub(crate) struct RecordedBill {
    /// Its row.
    pub(crate) seq: i64,
    /// Its settlement cycle.
    pub(crate) cycle: Cycle,
    /// What it billed.
    pub(crate) bill: PeriodBill,
    /// Its statement (none: nothing was owed).
    pub(crate) invoice: Option<String>,
}

/// The shape of the usage-bill documents this build writes
/// (`usage_bills.doc_version`): version 1 held the whole [`PeriodBill`];
/// version 2 leaves out its first and last day and amount, which the row's
/// columns hold.
pub(crate) const BILL_VERSION: i64 = 2;

/// Fields of a [`PeriodBill`] a version-2 document leaves to its columns.
const BILL_COLUMNS: [&str; 3] = ["first_day", "last_day", "amount"];

/// Reads the bill of a `usage_bills` row (`detail`, `doc_version` and the
/// columns of [`BILL_COLUMNS`]).
fn bill_from(f: &Fields<'_, '_>) -> rusqlite::Result<PeriodBill> {
    match f.plain::<i64>("doc_version")? {
        1 => f.json("detail"),
        2 => {
            let mut columns = Vec::with_capacity(BILL_COLUMNS.len());
            for name in BILL_COLUMNS {
                columns.push((name, f.plain::<String>(name)?.into()));
            }
            f.json_with_columns(
                "detail",
                columns,
                "a version-2 usage bill, without the facts its row's columns hold",
            )
        }
        _ => Err(f.corrupt_text(
            "doc_version",
            "a document version this facelic reads (1 or 2)",
        )),
    }
}

/// The bills recorded for a customer's `month`, in the order recorded.
pub(crate) fn bills_of_month(
    db: &Db,
    customer_id: &str,
    month: Month,
) -> Result<Vec<RecordedBill>> {
    let mut stmt = db.conn.prepare(
        "SELECT seq, cycle, detail, doc_version, first_day, last_day, amount, invoice, billed_at
         FROM usage_bills WHERE customer_id = ?1 AND month = ?2 ORDER BY seq",
    )?;
    let rows = stmt
        .query_map(params![customer_id, month.to_string()], |r| {
            let f = Fields::new(r, "usage_bills", "seq")?;
            Ok(RecordedBill {
                seq: f.plain("seq")?,
                cycle: f.get("cycle")?,
                bill: bill_from(&f)?,
                invoice: f.plain("invoice")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The spans a customer's recorded bills of `month` cover: cycle, first
/// and last day.
pub(crate) fn bill_spans(
    db: &Db,
    customer_id: &str,
    month: Month,
) -> Result<Vec<(Cycle, Date, Date)>> {
    let spans = db
        .conn
        .prepare_cached(
            "SELECT seq, cycle, first_day, last_day FROM usage_bills WHERE customer_id = ?1 \
                AND month = ?2",
        )?
        .query_map(params![customer_id, month.to_string()], |r| {
            let f = Fields::new(r, "usage_bills", "seq")?;
            Ok((f.get("cycle")?, f.get("first_day")?, f.get("last_day")?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(spans)
}

/// Whether a bill of a customer's `cycle` starting on `first_day` is
/// recorded.
pub(crate) fn bill_recorded(
    db: &Db,
    customer_id: &str,
    cycle: Cycle,
    first_day: Date,
) -> Result<bool> {
    Ok(db.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM usage_bills WHERE customer_id = ?1 AND cycle = ?2 \
            AND first_day = ?3)",
        params![customer_id, cycle.to_ledger(), first_day.to_ledger()],
        |r| r.get(0),
    )?)
}

/// Records a customer's bill of `month` (and the pack uses it made);
/// returns its row.
pub(crate) fn insert_bill(
    tx: &Tx<'_>,
    customer_id: &str,
    month: Month,
    (cycle, bill): (Cycle, &PeriodBill),
    invoice: Option<&str>,
) -> Result<i64> {
    let detail = json_without(bill, &BILL_COLUMNS)?;
    tx.tx.execute(
        "INSERT INTO usage_bills (customer_id, month, first_day, last_day, cycle, amount, \
            invoice, detail, billed_at, doc_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            customer_id,
            month.to_string(),
            bill.first_day.to_ledger(),
            bill.last_day.to_ledger(),
            cycle.to_ledger(),
            bill.amount.to_ledger(),
            invoice,
            detail,
            tx.now().to_ledger(),
            BILL_VERSION
        ],
    )?;
    let seq = tx.tx.last_insert_rowid();
    for p in &bill.products {
        for u in &p.pack_uses {
            tx.tx.execute(
                "INSERT INTO pack_uses (pack_id, bill_seq, first_day, last_day, calls) \
                    VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    u.pack,
                    seq,
                    u.first_day.to_ledger(),
                    u.last_day.to_ledger(),
                    i64::try_from(u.calls).unwrap_or(i64::MAX)
                ],
            )?;
        }
    }
    Ok(seq)
}

/// The pack expiries bill `seq` recorded.
pub(crate) fn expiries_of_bill(db: &Db, seq: i64) -> Result<Vec<Expiry>> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT pack_id, last_day, unused FROM pack_expiries WHERE bill_seq = ?1 ORDER BY pack_id",
    )?;
    let rows = stmt
        .query_map([seq], |r| {
            let f = Fields::new(r, "pack_expiries", "pack_id")?;
            Ok(Expiry {
                pack: f.plain("pack_id")?,
                last_day: f.get("last_day")?,
                unused: f.count("unused")?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Whether pack `pack`'s expiry is recorded.
pub(crate) fn expiry_recorded(db: &Db, pack: &str) -> Result<bool> {
    Ok(db.conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pack_expiries WHERE pack_id = ?1)",
        [pack],
        |r| r.get(0),
    )?)
}

/// Records a pack's expiry with bill `seq`.
pub(crate) fn insert_expiry(tx: &Tx<'_>, e: &Expiry, seq: i64) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO pack_expiries (pack_id, last_day, unused, bill_seq) VALUES (?1, ?2, ?3, ?4)",
        params![
            e.pack,
            e.last_day.to_ledger(),
            i64::try_from(e.unused).unwrap_or(i64::MAX),
            seq
        ],
    )?;
    Ok(())
}
