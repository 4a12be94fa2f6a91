//! Metered usage: activations (a family's start date, trial packs and
//! settlement cycle per customer), call imports, monthly usage runs that
//! become statements, and the explanation of a bill.
//!
//! A customer's usage is billed month by month, in order, each month once:
//! imports are refused on days already billed, and a pack never covers
//! billed days. See `docs/invoicing.md`, "Metered billing".

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use facelic_invoice::dates::{Date, Month};
use facelic_invoice::usage::{
    CallDay, Expiry, MAX_CALLS, MonthBill, PeriodBill, UsagePeriod, bill_month, usage_lines,
};
use facelic_invoice::{ApiProduct, Catalog, Cycle, Decimal, PriceSource};

use super::activations::{
    UsageAccount, account, billed_through, check_account, cycle_of, refuse_billed,
};
use super::customers::{Customer, load_customer};
use super::packs::insert_pack;
use super::{CorruptValue, Db, Desk, DeskError, NotFound, Result, Tx, UsageError, ledger};

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Data lines read.
    pub rows: usize,
    /// New customer/product/day rows.
    pub added: usize,
    /// Rows whose calls changed (each audited with the old and new count).
    pub corrected: usize,
    /// Rows already in the ledger with the same calls.
    pub unchanged: usize,
}

/// One statement (or nil bill) a usage run made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BilledPeriod {
    /// Customer id.
    pub customer_id: String,
    /// Monthly or daily.
    pub cycle: Cycle,
    /// The bill, step by step.
    pub bill: PeriodBill,
    /// Its statement; none when nothing was owed.
    pub invoice: Option<String>,
    /// The statement's date.
    pub date: Date,
    /// False: a preview of what a run would bill now, not recorded.
    pub recorded: bool,
}

/// A customer's month, billed or not yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageMonth {
    /// Customer id.
    pub customer_id: String,
    /// Customer name.
    pub customer: String,
    /// The month.
    pub month: Month,
    /// False: what a run would bill now (a preview), wholly or, for a
    /// daily-settled month partly billed day by day, for the days left.
    pub billed: bool,
    /// The bills.
    pub bills: Vec<BilledPeriod>,
    /// Packs whose last day fell in the month with calls unused.
    pub expired: Vec<Expiry>,
}

/// One parsed line of a usage file.
struct UsageRow {
    line: usize,
    customer_id: String,
    product: String,
    /// The day, or the month's first day for a monthly total.
    day: Date,
    monthly: bool,
    calls: u64,
}

impl UsageRow {
    fn period(&self) -> String {
        if self.monthly {
            UsagePeriod::Month(Month::of(self.day)).to_string()
        } else {
            UsagePeriod::Day(self.day).to_string()
        }
    }
}

impl Desk {
    /// Records that a customer activated a family of metered products on
    /// `on`: fixes its settlement cycle (daily when the family settles
    /// accounts activated from a date on daily) and gives its trial packs.
    /// Once only.
    pub fn activate_usage(
        &mut self,
        customer: &str,
        family: &str,
        on: Date,
    ) -> Result<UsageAccount> {
        let catalog = &self.catalog;
        let today = self.today();
        let customer = self.customer(customer)?;
        let fam = catalog
            .usage_families
            .iter()
            .find(|f| f.id == family)
            .ok_or_else(|| NotFound::UsageFamily {
                family: family.to_owned(),
                known: catalog
                    .usage_families
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        if on > today {
            return Err(UsageError::Future {
                what: "an activation",
                day: on,
                today,
            }
            .into());
        }
        on.check_floor("an activation")?;
        let cycle = fam.cycle_for(Some(on));
        self.ledger.write(|tx| {
            if let Some(a) = account(tx, &customer.id, family)? {
                return Err(UsageError::ActivatedAlready {
                    customer: customer.id.clone(),
                    family: family.to_owned(),
                    on: a.activated_on.to_string(),
                }
                .into());
            }
            refuse_billed(tx, &customer.id, None, on, "trial packs from")?;
            ledger::usage::insert_account(tx, &customer.id, family, on, cycle)?;
            tx.audit(
                "usage.activate",
                &customer.id,
                &serde_json::json!({
                    "family": family, "activated_on": on.to_string(), "cycle": cycle.as_str(),
                }),
            )?;
            let mut trial_packs = Vec::new();
            for p in catalog
                .api_products
                .iter()
                .filter(|p| p.family.id == family && p.trial_calls_on(on) > 0)
            {
                trial_packs.push(insert_pack(
                    tx,
                    &customer.id,
                    &p.id,
                    p.trial_calls_on(on),
                    (Decimal::ZERO, &PriceSource::Trial),
                    on,
                    None,
                )?);
            }
            Ok(UsageAccount {
                customer_id: customer.id.clone(),
                family: family.to_owned(),
                activated_on: on,
                cycle,
                trial_packs,
            })
        })
    }

    /// Imports calls from CSV text: a header naming `customer`, `product`,
    /// `calls` and either `day` (YYYY-MM-DD) or `month` (YYYY-MM, the
    /// vendor's monthly totals). Every line is checked first; one bad line
    /// refuses the whole file ([`DeskError::BadLines`] names each). Rows are
    /// keyed by customer, product and day (or month): the same file twice
    /// changes nothing; a row with other calls replaces the old count,
    /// audited.
    pub fn import_usage(&mut self, file: &str, text: &str) -> Result<ImportReport> {
        self.import_usage_from(file, &mut text.as_bytes())
    }

    /// [`Desk::import_usage`], reading the CSV from `reader` a line at a
    /// time: a line longer than [`MAX_USAGE_LINE`] bytes is a bad line and
    /// is never held whole, so a huge file or line costs no more memory
    /// than its good lines.
    pub fn import_usage_from(
        &mut self,
        file: &str,
        reader: &mut dyn std::io::BufRead,
    ) -> Result<ImportReport> {
        let catalog = &self.catalog;
        let today = self.today();
        let bad = |lines: Vec<(usize, String)>| DeskError::BadLines {
            file: file.to_owned(),
            lines,
        };
        let (text, too_long) = bounded_lines(file, reader)?;
        let (records, mut unreadable) = parse_usage_csv(&text).map_err(bad)?;
        unreadable.extend(too_long);
        unreadable.sort();
        self.ledger.write(|tx| {
            let rows = match check_rows(tx, catalog, today, records) {
                Ok(rows) if unreadable.is_empty() => rows,
                Ok(_) => return Err(bad(unreadable)),
                Err(mut wrong) => {
                    wrong.extend(unreadable);
                    wrong.sort();
                    return Err(bad(wrong));
                }
            };
            let mut report = ImportReport {
                rows: rows.len(),
                added: 0,
                corrected: 0,
                unchanged: 0,
            };

            for r in &rows {
                let period = r.period();
                let calls = i64::try_from(r.calls).unwrap_or(i64::MAX);
                let key = (r.customer_id.as_str(), r.product.as_str(), period.as_str());
                let old = ledger::usage::calls_of(tx, key.0, key.1, key.2)?;
                match old {
                    None => {
                        ledger::usage::insert_calls(tx, key, Month::of(r.day), calls)?;
                        report.added += 1;
                    }
                    Some(old) if old == calls => report.unchanged += 1,
                    Some(old) => {
                        ledger::usage::update_calls(tx, key, calls)?;
                        tx.audit("usage.correct", &r.customer_id, &serde_json::json!({
                            "file": file, "line": r.line, "product": r.product, "period": period,
                            "old_calls": old, "calls": calls,
                        }))?;
                        report.corrected += 1;
                    }
                }
            }
            if report.added + report.corrected > 0 {
                tx.audit("usage.import", file, &report)?;
            }
            Ok(report)
        })
    }

    /// Bills `month` for one customer or for every customer with unbilled
    /// calls in it: free quota, packs, post-paid tiers. A monthly-settled
    /// customer gets one statement dated `usage_bill_day` of the next
    /// month; a daily-settled one a statement per day with calls, dated the
    /// day after. Nothing owed: the bill is recorded without a statement.
    /// Refused: a month not over (or its bill day not come), a month
    /// already billed, or an earlier month of the customer left unbilled.
    pub fn run_usage(&mut self, month: Month, customer: Option<&str>) -> Result<Vec<BilledPeriod>> {
        let today = self.today();
        let bill_date = monthly_bill_date(month, &self.catalog);
        if today < bill_date {
            return Err(UsageError::MonthNotOver {
                month: month.to_string(),
                from: bill_date,
                today,
            }
            .into());
        }
        self.run_usage_through(month, None, customer)
    }

    /// Bills the daily-settled customers' calls of `day` (and any earlier
    /// day of its month not billed yet) once the day is over: each day's
    /// bill dated the day after it, as the vendor charges daily accounts
    /// (003 L45-L62), not back-dated in a batch after the month ends.
    /// Monthly-settled accounts wait for [`Desk::run_usage`].
    pub fn run_usage_day(
        &mut self,
        day: Date,
        customer: Option<&str>,
    ) -> Result<Vec<BilledPeriod>> {
        let today = self.today();
        if day >= today {
            return Err(UsageError::DayNotOver { day, today }.into());
        }
        self.run_usage_through(Month::of(day), Some(day), customer)
    }

    /// Bills `month` (or its daily-settled days through `through`) of every
    /// customer with calls not billed yet, or of `customer` only.
    fn run_usage_through(
        &mut self,
        month: Month,
        through: Option<Date>,
        customer: Option<&str>,
    ) -> Result<Vec<BilledPeriod>> {
        let catalog = &self.catalog;
        let seller = self.seller();
        let only = customer.map(|c| self.customer(c)).transpose()?;
        self.ledger.write(|tx| {
            let only_id = only.as_ref().map(|c| c.id.as_str());
            // Customers with calls of the month (through the day) that no
            // bill covers yet.
            let with_calls = ledger::usage::customers_with_calls(tx, month, only_id)?;
            let mut todo = Vec::new();
            for id in with_calls {
                if has_unbilled(tx, catalog, &id, month, through)? {
                    todo.push(id);
                }
            }
            let mut out = Vec::new();
            for id in &todo {
                let months = ledger::usage::months_with_calls_before(tx, id, month)?;
                for earlier in months {
                    let m = Month::parse(&earlier).ok_or_else(|| CorruptValue {
                        table: "usage",
                        row: id.clone(),
                        column: "month".into(),
                        value: format!("{earlier:?}"),
                        expected: "a month (YYYY-MM)",
                    })?;
                    if has_unbilled(tx, catalog, id, m, None)? {
                        return Err(UsageError::EarlierUnbilled {
                            customer: id.clone(),
                            month: earlier,
                        }
                        .into());
                    }
                }
                let customer = load_customer(tx, id)?;
                out.extend(bill_customer(
                    tx,
                    (catalog, &seller),
                    &customer,
                    month,
                    through,
                )?);
            }
            if out.is_empty() {
                let customer = only.as_ref().map(|c| c.id.clone());
                let imported = ledger::usage::any_calls(tx, month, only_id, through)?;
                let what = through.map_or_else(|| month.to_string(), |t| t.to_string());
                return Err(match (imported, through) {
                    (false, _) => UsageError::NothingImported { what, customer },
                    (true, None) => UsageError::MonthBilled {
                        month: month.to_string(),
                        customer,
                    },
                    (true, Some(day)) => UsageError::NothingLeftForDay { day, customer },
                }
                .into());
            }
            Ok(out)
        })
    }

    /// A customer's month explained: the bills a run recorded, or, when
    /// the month is not billed yet, what a run would bill now.
    pub fn usage_month(&self, customer: &str, month: Month) -> Result<UsageMonth> {
        let customer = self.customer(customer)?;
        let conn = self.db();
        let mut bills = Vec::new();
        let mut seqs = Vec::new();
        for recorded in ledger::usage::bills_of_month(conn, &customer.id, month)? {
            let ledger::usage::RecordedBill {
                seq,
                cycle,
                bill,
                invoice,
            } = recorded;
            let date = match &invoice {
                Some(n) => super::documents::load_invoice(conn, n)?.date,
                None => None,
            }
            .unwrap_or_else(|| bill_day(cycle, month, &bill, &self.catalog));
            seqs.push(seq);
            bills.push(BilledPeriod {
                customer_id: customer.id.clone(),
                cycle,
                bill,
                invoice,
                date,
                recorded: true,
            });
        }
        let recorded = !bills.is_empty();
        let mut expired = Vec::new();
        for seq in seqs {
            expired.extend(ledger::usage::expiries_of_bill(conn, seq)?);
        }
        // What a run would still bill: the whole month, or the days of a
        // daily-settled month that no daily run has billed yet.
        let mut pending = false;
        for (cycle, month_bill) in bill_calls(conn, &self.catalog, &customer.id, month, None)? {
            let before = bills.len();
            for bill in month_bill.bills {
                let done = bills[..before]
                    .iter()
                    .any(|b| b.cycle == cycle && b.bill.first_day == bill.first_day);
                if done {
                    continue;
                }
                pending = true;
                let date = bill_day(cycle, month, &bill, &self.catalog);
                bills.push(BilledPeriod {
                    customer_id: customer.id.clone(),
                    cycle,
                    bill,
                    invoice: None,
                    date,
                    recorded: false,
                });
            }
            if bills.len() > before {
                for e in month_bill.expired {
                    if !expired.iter().any(|x: &Expiry| x.pack == e.pack) {
                        expired.push(e);
                    }
                }
            }
        }
        let billed = recorded && !pending;
        Ok(UsageMonth {
            customer_id: customer.id.clone(),
            customer: customer.name.clone(),
            month,
            billed,
            bills,
            expired,
        })
    }
}

/// The date of a monthly bill: `usage_bill_day` of the next month.
fn monthly_bill_date(month: Month, catalog: &Catalog) -> Date {
    month.next().day(catalog.invoicing.usage_bill_day)
}

/// The date of a bill: a monthly bill's is [`monthly_bill_date`], a daily
/// bill's the day after its calls.
fn bill_day(cycle: Cycle, month: Month, bill: &PeriodBill, catalog: &Catalog) -> Date {
    match cycle {
        Cycle::Monthly => monthly_bill_date(month, catalog),
        Cycle::Daily => bill.last_day.add_days(1),
    }
}

/// Whether `customer_id` has calls of `month` that no recorded bill of
/// their settlement cycle covers: a monthly bill covers its month, a daily
/// bill its days. With `through`, only daily-settled calls up to that day
/// count.
fn has_unbilled(
    conn: &Db,
    catalog: &Catalog,
    customer_id: &str,
    month: Month,
    through: Option<Date>,
) -> Result<bool> {
    let bills = ledger::usage::bill_spans(conn, customer_id, month)?;
    for (cycle, calls) in calls_by_cycle(conn, catalog, customer_id, month)? {
        if through.is_some() && cycle != Cycle::Daily {
            continue;
        }
        let uncovered = calls
            .iter()
            .filter(|c| c.calls > 0 && through.is_none_or(|t| c.day <= t))
            .any(|c| {
                !bills.iter().any(|(bc, first, last)| {
                    *bc == cycle && (cycle == Cycle::Monthly || (*first <= c.day && c.day <= *last))
                })
            });
        if uncovered {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A customer's calls of `month`, grouped by the settlement cycle of each
/// product's family for this customer.
fn calls_by_cycle(
    conn: &Db,
    catalog: &Catalog,
    customer_id: &str,
    month: Month,
) -> Result<BTreeMap<Cycle, Vec<CallDay>>> {
    let rows = ledger::usage::calls_of_month(conn, customer_id, month)?;
    let mut groups: BTreeMap<Cycle, Vec<CallDay>> = BTreeMap::new();
    let mut cycles: HashMap<String, Cycle> = HashMap::new();
    for call in rows {
        let product =
            catalog
                .api_product(&call.product)
                .ok_or_else(|| UsageError::ProductGone {
                    customer: customer_id.to_owned(),
                    product: call.product.clone(),
                })?;
        let cycle = match cycles.get(&product.family.id) {
            Some(c) => *c,
            None => {
                let c = cycle_of(conn, customer_id, &product.family.id)?;
                cycles.insert(product.family.id.clone(), c);
                c
            }
        };
        groups.entry(cycle).or_default().push(call);
    }
    Ok(groups)
}

/// Bills a customer's month with its packs' balances now, per settlement
/// cycle (nothing recorded): what a run records, and what `usage show`
/// previews.
fn bill_calls(
    conn: &Db,
    catalog: &Catalog,
    customer_id: &str,
    month: Month,
    through: Option<Date>,
) -> Result<Vec<(Cycle, MonthBill)>> {
    calls_by_cycle(conn, catalog, customer_id, month)?
        .into_iter()
        .filter(|(cycle, _)| through.is_none() || *cycle == Cycle::Daily)
        .map(|(cycle, mut calls)| {
            if let Some(t) = through {
                calls.retain(|c| c.day <= t);
            }
            let products: Vec<&str> = calls.iter().map(|c| c.product.as_str()).collect();
            let mut packs =
                ledger::packs::balances(conn, customer_id, &products, month.first_day())?;
            let billed =
                bill_month(catalog, month, cycle, &calls, &mut packs).map_err(UsageError::from)?;
            Ok((cycle, billed))
        })
        .collect()
}

/// After a monthly settlement of families that hold (seed 002): releases
/// the hold of the previous settlement and holds the family's percent of
/// this month's post-paid charge against the customer's account, until
/// the next settlement.
fn hold_after(
    tx: &Tx<'_>,
    catalog: &Catalog,
    customer: &str,
    (bill, month): (&PeriodBill, Month),
    date: Date,
    statement: Option<&str>,
) -> Result<()> {
    let percents: Vec<(Decimal, u32)> = bill
        .products
        .iter()
        .filter_map(|p| {
            let percent = catalog
                .api_product(&p.product)?
                .family
                .postpaid_hold_percent?;
            Some((p.amount, percent))
        })
        .collect();
    if percents.is_empty() {
        return Ok(());
    }
    let hold: Decimal = percents
        .iter()
        .map(|(amount, pct)| {
            facelic_invoice::money::round_fen(*amount * Decimal::from(*pct) / Decimal::ONE_HUNDRED)
        })
        .sum();
    super::accounts::replace_hold(
        tx,
        customer,
        hold,
        date,
        statement,
        &format!("usage {month}"),
    )
}

/// Bills one customer's month and records what is not recorded yet: the
/// whole month, or with `through` only the daily-settled days up to it.
fn bill_customer(
    tx: &Tx<'_>,
    (catalog, seller): (&Catalog, &facelic_invoice::invoice::Party),
    customer: &Customer,
    month: Month,
    through: Option<Date>,
) -> Result<Vec<BilledPeriod>> {
    let mut out = Vec::new();
    for (cycle, billed) in bill_calls(tx, catalog, &customer.id, month, through)? {
        let mut last_seq = None;
        for bill in billed.bills {
            // Days billed by an earlier daily run are recorded already.
            let recorded = ledger::usage::bill_recorded(tx, &customer.id, cycle, bill.first_day)?;
            if recorded {
                continue;
            }
            if bill.amount > facelic_invoice::money::MAX_TOTAL {
                return Err(UsageError::TooLarge {
                    customer: customer.id.clone(),
                    month: month.to_string(),
                    amount: bill.amount,
                }
                .into());
            }
            let date = bill_day(cycle, month, &bill, catalog);
            let invoice = if bill.amount > Decimal::ZERO {
                let lines = bill
                    .products
                    .iter()
                    .flat_map(|p| usage_lines(&catalog.invoicing, p, &bill))
                    .collect();
                let what = format!("usage {}", bill.period_text());
                super::invoices::issue_statement(
                    tx,
                    (catalog, seller),
                    customer,
                    date,
                    what,
                    lines,
                )?
                .number
            } else {
                None
            };
            let seq = ledger::usage::insert_bill(
                tx,
                &customer.id,
                month,
                (cycle, &bill),
                invoice.as_deref(),
            )?;
            tx.audit(
                "usage.bill",
                &customer.id,
                &serde_json::json!({
                    "month": month.to_string(),
                "first_day": bill.first_day.to_string(),
                "last_day": bill.last_day.to_string(),
                    "cycle": cycle.as_str(), "amount": bill.amount.to_string(), "invoice": invoice,
                }),
            )?;
            if cycle == Cycle::Monthly {
                hold_after(
                    tx,
                    catalog,
                    &customer.id,
                    (&bill, month),
                    date,
                    invoice.as_deref(),
                )?;
            }
            last_seq = Some(seq);
            out.push(BilledPeriod {
                customer_id: customer.id.clone(),
                cycle,
                bill,
                invoice,
                date,
                recorded: true,
            });
        }
        if let Some(seq) = last_seq {
            for e in billed
                .expired
                .iter()
                .filter(|e| through.is_none_or(|t| e.last_day <= t))
            {
                if ledger::usage::expiry_recorded(tx, &e.pack)? {
                    continue;
                }
                ledger::usage::insert_expiry(tx, e, seq)?;
                tx.audit(
                    "pack.expire",
                    &e.pack,
                    &serde_json::json!({ "last_day": e.last_day.to_string(), "unused": e.unused }),
                )?;
            }
        }
    }
    Ok(out)
}

/// Lines of a file and what is wrong with each.
type BadLines = Vec<(usize, String)>;

/// The longest line of a usage file, in bytes.
pub const MAX_USAGE_LINE: usize = 4096;

/// The text of `reader` with every line longer than [`MAX_USAGE_LINE`]
/// bytes left empty (so later lines keep their numbers), and those lines.
fn bounded_lines(file: &str, reader: &mut dyn std::io::BufRead) -> Result<(String, BadLines)> {
    use std::io::BufRead as _;
    let io = |e: std::io::Error| DeskError::Io {
        path: file.into(),
        source: e,
    };
    let mut text = Vec::new();
    let mut too_long = Vec::new();
    let mut line = Vec::with_capacity(256);
    for number in 1.. {
        line.clear();
        let limit = u64::try_from(MAX_USAGE_LINE + 2).unwrap_or(u64::MAX);
        let read = std::io::Read::take(&mut *reader, limit)
            .read_until(b'\n', &mut line)
            .map_err(io)?;
        if read == 0 {
            break;
        }
        if line.len() > MAX_USAGE_LINE + 1
            || (line.len() == MAX_USAGE_LINE + 1 && !line.ends_with(b"\n"))
        {
            // Skip the rest of the line without holding it.
            let mut skipped = line.len();
            loop {
                let chunk = reader.fill_buf().map_err(io)?;
                if chunk.is_empty() {
                    break;
                }
                let (used, done) = match chunk.iter().position(|&b| b == b'\n') {
                    Some(at) => (at + 1, true),
                    None => (chunk.len(), false),
                };
                skipped += used;
                reader.consume(used);
                if done {
                    break;
                }
            }
            too_long.push((
                number,
                format!("a line of {skipped} bytes; the longest allowed is {MAX_USAGE_LINE}"),
            ));
            text.push(b'\n');
            continue;
        }
        text.extend_from_slice(&line);
    }
    let text = String::from_utf8(text).map_err(|_| DeskError::BadLines {
        file: file.to_owned(),
        lines: vec![(0, "the file is not UTF-8 text".into())],
    })?;
    Ok((text, too_long))
}

/// `value` quoted for a message, cut to 40 characters.
fn quoted(value: &str) -> String {
    match value.char_indices().nth(40) {
        Some((at, _)) => format!("{:?}…", &value[..at]),
        None => format!("{value:?}"),
    }
}

/// The columns a usage file may have.
const USAGE_COLUMNS: [&str; 5] = ["customer", "product", "calls", "day", "month"];

/// Splits CSV text into usage rows and the lines that do not parse (a bad
/// header fails the whole file).
fn parse_usage_csv(text: &str) -> std::result::Result<(Vec<UsageRow>, BadLines), BadLines> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| vec![(1, e.to_string())])?
        .clone();
    for (at, name) in header.iter().enumerate() {
        if !USAGE_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            return Err(vec![(
                1,
                format!(
                    "unknown column {}: the columns are customer, product, calls and day or month",
                    quoted(name)
                ),
            )]);
        }
        if header.iter().take(at).any(|h| h.eq_ignore_ascii_case(name)) {
            return Err(vec![(1, format!("column {} appears twice", quoted(name)))]);
        }
    }
    let column = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(customer), Some(product), Some(calls)) =
        (column("customer"), column("product"), column("calls"))
    else {
        return Err(vec![(
            1,
            "the header must name customer, product, calls and day or month".into(),
        )]);
    };
    let when = match (column("day"), column("month")) {
        (Some(d), None) => (d, false),
        (None, Some(m)) => (m, true),
        _ => {
            return Err(vec![(
                1,
                "the header must name exactly one of day (YYYY-MM-DD) or month (YYYY-MM)".into(),
            )]);
        }
    };
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                bad.push((line, e.to_string()));
                continue;
            }
        };
        let line = record
            .position()
            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            bad.push((
                line,
                format!("{} fields, the header has {}", record.len(), header.len()),
            ));
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or_default();
        let day = if when.1 {
            Month::parse(field(when.0)).map(Month::first_day)
        } else {
            Date::parse(field(when.0))
        };
        let Some(day) = day else {
            bad.push((
                line,
                format!(
                    "{} is not a {}",
                    quoted(field(when.0)),
                    if when.1 {
                        "month (YYYY-MM)"
                    } else {
                        "day (YYYY-MM-DD)"
                    }
                ),
            ));
            continue;
        };
        let count = field(calls);
        let Some(count) = count
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| count.parse::<u64>().ok())
            .flatten()
            .filter(|n| *n <= MAX_CALLS)
        else {
            bad.push((
                line,
                format!(
                    "calls {} is not a whole number of calls up to 1,000,000,000,000",
                    quoted(count)
                ),
            ));
            continue;
        };
        rows.push(UsageRow {
            line,
            customer_id: field(customer).to_owned(),
            product: field(product).to_owned(),
            day,
            monthly: when.1,
            calls: count,
        });
    }
    Ok((rows, bad))
}

/// Checks every row against the ledger and the catalog; resolves customer
/// names to ids.
fn check_rows(
    tx: &Tx<'_>,
    catalog: &Catalog,
    today: Date,
    mut rows: Vec<UsageRow>,
) -> std::result::Result<Vec<UsageRow>, BadLines> {
    let mut bad = Vec::new();
    let mut customers: HashMap<String, Option<String>> = HashMap::new();
    let mut billed: HashMap<(String, Cycle), Option<Date>> = HashMap::new();
    let mut seen: HashMap<(String, String, String), usize> = HashMap::new();
    let mut shapes: HashMap<(String, String, Month), (bool, usize)> = HashMap::new();
    let fail = |e: DeskError| e.to_string();
    for r in &mut rows {
        let mut problem = || -> std::result::Result<(), String> {
            let id = match customers.get(&r.customer_id) {
                Some(id) => id.clone(),
                None => {
                    let id = super::customers::find_customer(tx, &r.customer_id)
                        .map_err(fail)?
                        .map(|c| c.id);
                    customers.insert(r.customer_id.clone(), id.clone());
                    id
                }
            };
            let id = id.ok_or_else(|| format!("no customer {:?}", r.customer_id))?;
            r.customer_id = id;
            let product: &ApiProduct = catalog.api_product(&r.product).ok_or_else(|| {
                format!(
                    "{:?} is not a usage-billed product of the catalog",
                    r.product
                )
            })?;
            let last = if r.monthly {
                Month::of(r.day).last_day()
            } else {
                r.day
            };
            if last > today && (!r.monthly || r.day > today) {
                return Err(format!(
                    "{} is in the future (today is {today})",
                    r.period()
                ));
            }
            r.day
                .check_floor("a usage day")
                .map_err(|e| e.to_string())?;
            // An unpriced product's calls are recorded (its trial pack
            // covers them); billing refuses what would go post-paid.
            if let Some(from) = product.list.from.filter(|f| r.day < *f) {
                return Err(format!(
                    "{} is sold from {from}, not on {}",
                    product.id, r.day
                ));
            }
            if product.unpriced.is_none() && product.prices_on(r.day).is_none() {
                return Err(format!("{} has no price on {}", product.id, r.day));
            }
            if product.needs_activation() {
                check_account(
                    tx,
                    &r.customer_id,
                    product,
                    if r.monthly { last } else { r.day },
                )
                .map_err(fail)?;
            }
            let cycle = cycle_of(tx, &r.customer_id, &product.family.id).map_err(fail)?;
            if r.monthly && cycle == Cycle::Daily {
                return Err(format!(
                    "{} settles {} daily: import its calls by day, not as a monthly total",
                    r.customer_id, product.family.id
                ));
            }
            let through = match billed.get(&(r.customer_id.clone(), cycle)) {
                Some(b) => *b,
                None => {
                    let b = billed_through(tx, &r.customer_id, Some(cycle)).map_err(fail)?;
                    billed.insert((r.customer_id.clone(), cycle), b);
                    b
                }
            };
            if let Some(through) = through.filter(|t| r.day <= *t) {
                return Err(format!(
                    "{}'s usage is billed up to {through}; {} cannot change",
                    r.customer_id,
                    r.period()
                ));
            }
            let key = (r.customer_id.clone(), r.product.clone(), r.period());
            if let Some(first) = seen.insert(key, r.line) {
                return Err(format!(
                    "repeats line {first} ({}, {}, {})",
                    r.customer_id,
                    r.product,
                    r.period()
                ));
            }
            let month = Month::of(r.day);
            let shape = (r.customer_id.clone(), r.product.clone(), month);
            match shapes.get(&shape) {
                Some((monthly, line)) if *monthly != r.monthly => {
                    return Err(format!(
                        "line {line} has {} calls of {month} by {}; a month is imported by day or \
                            as one total, not both",
                        r.product,
                        if *monthly { "monthly total" } else { "day" }
                    ));
                }
                Some(_) => {}
                None => {
                    shapes.insert(shape, (r.monthly, r.line));
                    let other = ledger::usage::other_shape(
                        tx,
                        &r.customer_id,
                        &r.product,
                        month,
                        r.monthly,
                    )
                    .map_err(|e| e.to_string())?;
                    if other > 0 {
                        return Err(format!(
                            "the ledger has {} calls of {month} {}; a month is imported by day or \
                                as one total, not both",
                            r.product,
                            if r.monthly {
                                "by day"
                            } else {
                                "as a monthly total"
                            }
                        ));
                    }
                }
            }
            Ok(())
        };
        if let Err(why) = problem() {
            bad.push((r.line, why));
        }
    }
    if bad.is_empty() { Ok(rows) } else { Err(bad) }
}
