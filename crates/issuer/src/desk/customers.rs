//! Customers.
//!
//! A customer's name is unique at the desk beyond its spelling: two names
//! are the same customer when their *name keys* are equal. The key is the
//! name in Unicode compatibility form (NFKC), without invisible format
//! characters (zero-width spaces, bidi controls: category Cf), with runs of
//! white space folded to one space, in lower case. So "ACME GATE SYSTEMS",
//! "Acme Gate Systems" and "Acme\u{200B} Gate Systems" cannot be three
//! customers (and claim three trials).

use rusqlite::{OptionalExtension as _, Transaction, params};
use serde::Serialize;
use unicode_normalization::UnicodeNormalization as _;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory as _};

use super::fields::Fields;
use super::{Desk, DeskError, Result, audit};
use crate::Timestamp;

/// A customer of the vendor.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Customer {
    /// Desk id, e.g. `C-000001`.
    pub id: String,
    /// Name, unique at the desk (see the module docs).
    pub name: String,
    /// When the customer was added.
    #[serde(serialize_with = "super::fields::display")]
    pub created_at: Timestamp,
}

/// Longest customer name, in bytes (the license format's limit).
const MAX_NAME: usize = facelic_verifier::MAX_NAME_LEN;

/// The key two names share when they name the same customer.
pub(crate) fn name_key(name: &str) -> String {
    let visible: String = name
        .nfkc()
        .filter(|c| c.general_category() != GeneralCategory::Format)
        .collect();
    visible
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether `key` reads like a customer id (`c-000123`), which a name may not.
fn looks_like_an_id(key: &str) -> bool {
    key.strip_prefix("c-")
        .or_else(|| key.strip_prefix("c "))
        .or_else(|| key.strip_prefix('c'))
        .is_some_and(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

/// Migration step: gives every existing customer its name key.
pub(crate) fn fill_name_keys(tx: &Transaction<'_>) -> Result<()> {
    let rows: Vec<(i64, String)> = tx
        .prepare("SELECT seq, name FROM customers")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut update = tx.prepare("UPDATE customers SET name_key = ?1 WHERE seq = ?2")?;
    for (seq, name) in rows {
        update.execute(params![name_key(&name), seq])?;
    }
    Ok(())
}

fn customer_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<Customer> {
    let f = Fields::new(r, "customers", "id")?;
    Ok(Customer {
        id: f.plain("id")?,
        name: f.plain("name")?,
        created_at: f.get("created_at")?,
    })
}

impl Desk {
    /// Adds a customer. The name must be 1 to 200 bytes without control
    /// characters (surrounding white space is trimmed), must not read like a
    /// customer id, and must not be an existing customer's name in another
    /// spelling (see the module docs).
    pub fn add_customer(&mut self, name: &str) -> Result<Customer> {
        let name = name.trim();
        let key = name_key(name);
        if key.is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(DeskError::Input(format!(
                "customer name must be 1 to {MAX_NAME} bytes of visible text without control characters"
            )));
        }
        if looks_like_an_id(&key) {
            return Err(DeskError::Input(format!(
                "customer name {name:?} reads like a customer id; choose the customer's real name"
            )));
        }
        self.write(|tx, s| {
            let exists: Option<(String, String)> = tx
                .query_row(
                    "SELECT id, name FROM customers WHERE name_key = ?1",
                    [&key],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((id, existing)) = exists {
                return Err(DeskError::Refused(format!(
                    "customer {name:?} already exists as {id} ({existing:?})"
                )));
            }
            let seq: i64 =
                tx.query_row("SELECT IFNULL(MAX(seq), 0) + 1 FROM customers", [], |r| {
                    r.get(0)
                })?;
            let customer = Customer {
                id: format!("C-{seq:06}"),
                name: name.to_owned(),
                created_at: s.now(),
            };
            tx.execute(
                "INSERT INTO customers (seq, id, name, name_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![seq, customer.id, customer.name, key, customer.created_at.to_string()],
            )?;
            audit::record(
                tx,
                s,
                "customer.add",
                &customer.id,
                &serde_json::json!({ "name": name }),
            )?;
            Ok(customer)
        })
    }

    /// Every customer, in the order they were added.
    pub fn customers(&self) -> Result<Vec<Customer>> {
        let mut stmt = self
            .read()
            .prepare("SELECT id, name, created_at FROM customers ORDER BY seq")?;
        let rows = stmt.query_map([], customer_from)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The customer with this id (`C-000001`) or name (in any spelling with
    /// the same name key).
    pub fn customer(&self, id_or_name: &str) -> Result<Customer> {
        let id_or_name = id_or_name.trim();
        self.read()
            .query_row(
                "SELECT id, name, created_at FROM customers WHERE id = ?1 OR name_key = ?2
                 ORDER BY id = ?1 DESC LIMIT 1",
                params![id_or_name.to_ascii_uppercase(), name_key(id_or_name)],
                customer_from,
            )
            .optional()?
            .ok_or_else(|| DeskError::NotFound(format!("no customer {id_or_name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_share_a_key() {
        let key = name_key("Acme Gate Systems");
        for twin in [
            "ACME GATE SYSTEMS",
            "acme  gate\tsystems",
            "Acme\u{200B} Gate Systems",
            "Acme Gate\u{202E} Systems",
            "\u{FF21}cme Gate Systems", // full-width A
            "Acme\u{00A0}Gate Systems", // no-break space
        ] {
            assert_eq!(name_key(twin), key, "{twin:?}");
        }
        assert_ne!(name_key("Acme Gate System"), key);
    }

    #[test]
    fn names_that_read_like_ids() {
        for id in ["C-000001", "c-12", "C000001", "c 7"] {
            assert!(looks_like_an_id(&name_key(id)), "{id}");
        }
        for name in ["C-Tech", "Cisco", "C-3PO Robotics", "C"] {
            assert!(!looks_like_an_id(&name_key(name)), "{name}");
        }
    }
}
