//! The customers table: a customer and its billing profile.

use rusqlite::{OptionalExtension as _, params};

use super::fields::Fields;
use super::{Db, Result, Tx};
use crate::desk::{BillingProfile, Customer, FapiaoType};

/// The columns [`customer_from`] reads.
const COLUMNS: &str = "id, name, created_at, legal_name, tax_id, address, phone, bank, bank_account, email, fapiao_type, payment_terms_days";

/// Reads one customer row.
fn customer_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Customer> {
    let f = Fields::new(r, "customers", "id")?;
    let fapiao_type = match f.plain::<Option<String>>("fapiao_type")?.as_deref() {
        None => None,
        Some("ordinary") => Some(FapiaoType::Ordinary),
        Some("special") => Some(FapiaoType::Special),
        Some(_) => return Err(f.corrupt_text("fapiao_type", "ordinary or special")),
    };
    let payment_terms_days = match f.opt_count("payment_terms_days")? {
        None => None,
        Some(days) => Some(
            u32::try_from(days)
                .map_err(|_| f.corrupt_text("payment_terms_days", "days up to 365"))?,
        ),
    };
    Ok(Customer {
        id: f.plain("id")?,
        name: f.plain("name")?,
        created_at: f.get("created_at")?,
        billing: BillingProfile {
            legal_name: f.plain("legal_name")?,
            tax_id: f.plain("tax_id")?,
            address: f.plain("address")?,
            phone: f.plain("phone")?,
            bank: f.plain("bank")?,
            bank_account: f.plain("bank_account")?,
            email: f.plain("email")?,
            fapiao_type,
            payment_terms_days,
        },
    })
}

/// The customer with this id.
pub(crate) fn by_id(db: &Db, id: &str) -> Result<Option<Customer>> {
    Ok(db
        .conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM customers WHERE id = ?1"),
            [id],
            customer_from,
        )
        .optional()?)
}

/// The customer whose name has this key.
pub(crate) fn by_name_key(db: &Db, key: &str) -> Result<Option<Customer>> {
    Ok(db
        .conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM customers WHERE name_key = ?1"),
            [key],
            customer_from,
        )
        .optional()?)
}

/// The customer with the id `id`, else the one whose name has the key
/// `key`.
pub(crate) fn by_id_or_name_key(db: &Db, id: &str, key: &str) -> Result<Option<Customer>> {
    Ok(db
        .conn
        .query_row(
            &format!(
                "SELECT {COLUMNS} FROM customers WHERE id = ?1 OR name_key = ?2
                 ORDER BY id = ?1 DESC LIMIT 1"
            ),
            params![id, key],
            customer_from,
        )
        .optional()?)
}

/// Every customer, in the order they were added.
pub(crate) fn all(db: &Db) -> Result<Vec<Customer>> {
    let mut stmt = db
        .conn
        .prepare(&format!("SELECT {COLUMNS} FROM customers ORDER BY seq"))?;
    let rows = stmt.query_map([], customer_from)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The number of the next customer.
pub(crate) fn next_seq(tx: &Tx<'_>) -> Result<i64> {
    Ok(tx
        .tx
        .query_row("SELECT IFNULL(MAX(seq), 0) + 1 FROM customers", [], |r| {
            r.get(0)
        })?)
}

/// Adds `customer` as number `seq`, its name keyed `key`.
pub(crate) fn insert(tx: &Tx<'_>, seq: i64, customer: &Customer, key: &str) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO customers (seq, id, name, name_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            seq,
            customer.id,
            customer.name,
            key,
            customer.created_at.to_string()
        ],
    )?;
    Ok(())
}

/// Replaces the billing profile of customer `id`.
pub(crate) fn set_billing(tx: &Tx<'_>, id: &str, p: &BillingProfile) -> Result<()> {
    tx.tx.execute(
        "UPDATE customers SET legal_name = ?1, tax_id = ?2, address = ?3, phone = ?4, bank = ?5,
                bank_account = ?6, email = ?7, fapiao_type = ?8, payment_terms_days = ?9
         WHERE id = ?10",
        params![
            p.legal_name,
            p.tax_id,
            p.address,
            p.phone,
            p.bank,
            p.bank_account,
            p.email,
            p.fapiao_type.map(FapiaoType::as_str),
            p.payment_terms_days,
            id
        ],
    )?;
    Ok(())
}
