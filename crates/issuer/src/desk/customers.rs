//! Customers.

use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;

use super::{Desk, DeskError, Result, audit};

/// A customer of the vendor.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Customer {
    /// Desk id, e.g. `C-000001`.
    pub id: String,
    /// Name, unique at the desk.
    pub name: String,
    /// When the customer was added.
    pub created_at: String,
}

/// Longest customer name, in bytes (the license format's limit).
const MAX_NAME: usize = facelic_verifier::MAX_NAME_LEN;

impl Desk {
    /// Adds a customer. The name must be new, 1 to 200 bytes, without control
    /// characters; surrounding white space is trimmed.
    pub fn add_customer(&mut self, name: &str) -> Result<Customer> {
        let name = name.trim();
        if name.is_empty() || name.len() > MAX_NAME || name.chars().any(char::is_control) {
            return Err(DeskError::Input(format!(
                "customer name must be 1 to {MAX_NAME} bytes without control characters"
            )));
        }
        self.write(|tx, s| {
            let exists: Option<String> = tx
                .query_row("SELECT id FROM customers WHERE name = ?1", [name], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(id) = exists {
                return Err(DeskError::Refused(format!(
                    "customer {name:?} already exists as {id}"
                )));
            }
            let seq: i64 =
                tx.query_row("SELECT IFNULL(MAX(seq), 0) + 1 FROM customers", [], |r| {
                    r.get(0)
                })?;
            let customer = Customer {
                id: format!("C-{seq:06}"),
                name: name.to_owned(),
                created_at: s.now.to_string(),
            };
            tx.execute(
                "INSERT INTO customers (seq, id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![seq, customer.id, customer.name, customer.created_at],
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
        let rows = stmt.query_map([], |r| {
            Ok(Customer {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The customer with this id (`C-000001`) or exact name.
    pub fn customer(&self, id_or_name: &str) -> Result<Customer> {
        self.read()
            .query_row(
                "SELECT id, name, created_at FROM customers WHERE id = ?1 OR name = ?1 ORDER BY id = ?1 DESC LIMIT 1",
                [id_or_name.trim()],
                |r| Ok(Customer { id: r.get(0)?, name: r.get(1)?, created_at: r.get(2)? }),
            )
            .optional()?
            .ok_or_else(|| DeskError::NotFound(format!("no customer {id_or_name:?} (see `facelic customer list`)")))
    }
}
