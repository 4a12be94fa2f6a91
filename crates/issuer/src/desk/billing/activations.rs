//! Activations of metered families: when a customer started with a
//! family (its trial packs and settlement cycle depend on it), and how far
//! its usage is billed. Packs and usage runs both check them.

use facelic_invoice::dates::Date;
use facelic_invoice::{ApiProduct, Cycle};

use serde::Serialize;

use super::{Db, Result, UsageError, ledger};

/// A customer's start with a family of metered products.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsageAccount {
    /// Customer id.
    pub customer_id: String,
    /// Family id, e.g. `kyc`.
    pub family: String,
    /// The day the customer activated the family.
    pub activated_on: Date,
    /// How its post-paid usage is billed (fixed by the activation day).
    pub cycle: Cycle,
    /// Trial packs given on activation.
    pub trial_packs: Vec<String>,
}

/// The activation of `family` by a customer, if any.
pub(crate) fn account(db: &Db, customer_id: &str, family: &str) -> Result<Option<UsageAccount>> {
    ledger::usage::account(db, customer_id, family)
}

/// How a customer's `family` settles: its account's cycle, or monthly when
/// the family was never activated (the face API needs no activation).
pub(crate) fn cycle_of(conn: &Db, customer_id: &str, family: &str) -> Result<Cycle> {
    Ok(account(conn, customer_id, family)?.map_or(Cycle::Monthly, |a| a.cycle))
}

/// The last day of a customer's billed usage (of one settlement cycle's
/// bills, or of any), if any: a daily-settled family billed day by day
/// does not close the month of a monthly-settled one.
pub(crate) fn billed_through(
    conn: &Db,
    customer_id: &str,
    cycle: Option<Cycle>,
) -> Result<Option<Date>> {
    ledger::usage::billed_through(conn, customer_id, cycle)
}

/// Refuses a pack starting on `day` (`what`: "a pack bought on") when the
/// customer's usage (of `cycle`'s bills, or of any) is billed up to or past
/// it: packs never offset billed usage.
pub(crate) fn refuse_billed(
    conn: &Db,
    customer_id: &str,
    cycle: Option<Cycle>,
    day: Date,
    what: &str,
) -> Result<()> {
    match billed_through(conn, customer_id, cycle)? {
        Some(billed) if day <= billed => Err(UsageError::Billed {
            customer: customer_id.to_owned(),
            billed,
            what: what.to_owned(),
            day,
        }
        .into()),
        _ => Ok(()),
    }
}

/// Refuses calls or packs of `product` on `day` for a customer whose
/// family needs an activation it does not have by then.
pub(crate) fn check_account(
    conn: &Db,
    customer_id: &str,
    product: &ApiProduct,
    day: Date,
) -> Result<()> {
    if !product.needs_activation() {
        return Ok(());
    }
    match account(conn, customer_id, &product.family.id)? {
        Some(a) if a.activated_on <= day => Ok(()),
        Some(a) => Err(UsageError::ActivatedAfter {
            customer: customer_id.to_owned(),
            family: product.family.id.clone(),
            on: a.activated_on.to_string(),
            day,
        }
        .into()),
        None => Err(UsageError::NotActivated {
            customer: customer_id.to_owned(),
            family: product.family.id.clone(),
            family_name: product.family.name.clone(),
            product: product.id.clone(),
        }
        .into()),
    }
}
