//! Issuing on platform orders: the license of the current term, and
//! renewals that add a term. What was revoked stays revoked: a platform
//! license never covers time a revoked license of its order covered.

use std::path::Path;

use super::fields::LedgerText as _;
use super::issue::{IssueReport, Issued};
use super::orders::{Order, Reprice, Term, load_order};
use super::query::load_license;
use super::signing::{Batch, Recorder};
use super::staging::LicenseFile;
use super::time::add_months;
use super::{Desk, DeskError, OrderError, Result, TermError, Tx, ledger};
use crate::{Kind, Timestamp};
use facelic_invoice::Decimal;

impl Desk {
    /// Issues the license of a platform order's current term (or returns the
    /// one already issued for it).
    pub fn issue_platform(&mut self, order_id: &str, out: &Path) -> Result<IssueReport> {
        self.platform_license(order_id, out, None)
    }

    /// Renews a platform order by one term and issues its license. Renewed
    /// before the current term ends, the new term starts exactly where it
    /// ends; renewed after it lapsed, the new term starts now. The license
    /// covers the unbroken run of terms that ends with the new one, except
    /// any time a revoked license of the order covered.
    ///
    /// The new term carries the previous term's agreed fee and discount
    /// unless `reprice` names new ones (audited as a re-pricing).
    pub fn renew(&mut self, order_id: &str, out: &Path, reprice: &Reprice) -> Result<IssueReport> {
        if reprice.fee.is_some_and(|f| f < Decimal::ZERO) {
            return Err(OrderError::NegativeFee.into());
        }
        self.platform_license(order_id, out, Some(reprice))
    }

    fn platform_license(
        &mut self,
        order_id: &str,
        out: &Path,
        renew: Option<&Reprice>,
    ) -> Result<IssueReport> {
        let batch = self.batch(order_id, out)?;
        let months = self.catalog.rules.platform_term_months;
        let issued = self.ledger.write(|tx| {
            let renewal = renew.map(|reprice| Renewal { months, reprice });
            platform_license_in(tx, &batch, order_id, renewal)
        })?;
        self.publish(issued, out)
    }
}

/// Refuses renewing anything but a platform order, and issuing a device
/// order without devices.
fn check_platform_order(order: &Order, renew: bool) -> Result<()> {
    let kind = order.kind;
    if renew && kind != Kind::Platform {
        let why = if kind.is_trial() {
            "trials cannot be renewed; create a platform order"
        } else {
            "device licenses are perpetual and are not renewed"
        };
        return Err(TermError::WrongKind {
            order: order.id.clone(),
            kind,
            why,
        }
        .into());
    }
    if kind.is_device_bound() {
        return Err(DeskError::PerDevice {
            order: order.id.clone(),
            kind,
        });
    }
    Ok(())
}

/// The start of the unbroken run of terms that ends with the last one.
fn unbroken_start(terms: &[Term]) -> Option<Timestamp> {
    let mut iter = terms.iter().rev();
    let mut start = iter.next()?.starts_at;
    for term in iter {
        if term.ends_at != start {
            break;
        }
        start = term.starts_at;
    }
    Some(start)
}

/// A renewal: the term's length and price.
struct Renewal<'a> {
    months: u32,
    reprice: &'a Reprice,
}

/// Issues (or renews, with `renewal`) a platform
/// order's license inside `tx`; its file is written after the commit.
fn platform_license_in(
    tx: &Tx<'_>,
    batch: &Batch,
    order_id: &str,
    renewal: Option<Renewal<'_>>,
) -> Result<Issued> {
    let now = tx.now();
    batch.key.check_still_trusted(tx)?;
    let mut order = load_order(tx, order_id)?;
    check_platform_order(&order, renewal.is_some())?;
    let Some(last) = order.terms.last().cloned() else {
        return Err(TermError::NoTerm(order.id).into());
    };
    if let Some(renewal) = renewal {
        // One term ahead at most: a renewal waiting to begin is renewed
        // once it has begun, so terms are never sold years in advance.
        if last.starts_at > now {
            return Err(TermError::RenewedAlready {
                order: order.id,
                term: last.seq,
                starts: last.starts_at.to_ledger(),
            }
            .into());
        }
        let start = now.max(last.ends_at);
        let end = add_months(start, renewal.months)?;
        let fee = renewal
            .reprice
            .fee
            .or(last.fee)
            .unwrap_or(batch.platform_fee);
        let discount_pct = match renewal.reprice.discount_pct {
            Some(d) => facelic_invoice::pricing::discount(Some(d)),
            None => last.discount_pct,
        };
        ledger::orders::insert_term(
            tx,
            &order.id,
            &Term {
                seq: last.seq + 1,
                starts_at: start,
                ends_at: end,
                created_at: now,
                fee: Some(fee),
                discount_pct,
            },
        )?;
        let detail = serde_json::json!({
            "term": last.seq + 1, "starts_at": start.to_ledger(), "ends_at": end.to_ledger(),
            "lapsed": now >= last.ends_at,
            "fee": fee.to_ledger(), "discount_pct": discount_pct.map(|d| d.to_string()),
            "repriced": *renewal.reprice != Reprice::default(),
        });
        tx.audit("order.renew", &order.id, &detail)?;
        order = load_order(tx, order_id)?;
    }
    let Some(term) = order.terms.last().cloned() else {
        return Err(TermError::NoTerm(order.id).into());
    };
    if now >= term.ends_at {
        return Err(DeskError::TermEnded {
            order: order.id.clone(),
            trial: order.kind.is_trial(),
            ended: term.ends_at,
        });
    }
    let issued = ledger::licenses::of_term(tx, &order.id, term.seq)?;
    if let Some(serial) = issued {
        let mut record = load_license(tx, &serial, now)?;
        if record.revoked_at.is_some() {
            return Err(TermError::LicenseRevoked(serial).into());
        }
        let file = LicenseFile {
            name: record.file_name.clone(),
            text: record.text.take().unwrap_or_default(),
        };
        let report = IssueReport {
            order_id: order.id.clone(),
            issued: vec![],
            existing: vec![record],
            files: vec![],
        };
        return Ok((report, vec![file]));
    }
    // The license covers the unbroken run of terms that ends with this one,
    // but never time that a revoked license of the order covered.
    let chain_start = unbroken_start(&order.terms).unwrap_or(term.starts_at);
    let start = match ledger::licenses::revoked_until(tx, &order.id)? {
        Some(until) if until > chain_start => until,
        _ => chain_start,
    };
    if start >= term.ends_at {
        return Err(TermError::CoveredByRevoked {
            order: order.id,
            term: term.seq,
        }
        .into());
    }
    let binding = order.package_binding()?;
    let signed = batch
        .signer(&order, now)
        .sign(binding, start, Some(term.ends_at))?;
    let (record, file) = Recorder::new(tx)?.record(signed, Some(term.seq))?;
    let report = IssueReport {
        order_id: order.id.clone(),
        issued: vec![record],
        existing: vec![],
        files: vec![],
    };
    Ok((report, vec![file]))
}
