//! The key tables: the desk's signing keys (`keys`), the roots it trusts
//! (`roots`), and the root-signed lists that revoked keys
//! (`key_revocation_lists`). Private keys are never here: only public
//! keys, certificates, and where an HSM key lives.

use rusqlite::{OptionalExtension as _, params};

use super::fields::{Fields, Text};
use super::{Db, Result, Tx};
use crate::Timestamp;
use crate::desk::{DeskKey, KeyStatus};

/// The columns [`read_key`] reads.
const KEY_SELECT: &str = "SELECT key_id, created_at, active, public_pem, certificate, \
                          awaiting_certificate, revoked_at, hsm_label FROM keys";

/// One `keys` row, read through types, and its certificate's text (the
/// caller checks it against the roots and fills in the window).
fn read_key(r: &rusqlite::Row<'_>) -> Result<(DeskKey, Option<String>)> {
    let f = Fields::new(r, "keys", "key_id")?;
    let active: bool = f.plain("active")?;
    let awaiting: bool = f.plain("awaiting_certificate")?;
    let revoked_at: Option<Timestamp> = f.opt("revoked_at")?;
    let certificate: Option<String> = f.plain("certificate")?;
    let status = match (revoked_at, active, awaiting) {
        (Some(_), _, _) => KeyStatus::Revoked,
        (None, true, _) => KeyStatus::Active,
        // A key waiting with its certificate already stored waits for its
        // window (or for an explicit activation).
        (None, false, true) if certificate.is_some() => KeyStatus::Pending,
        (None, false, true) => KeyStatus::AwaitingCertificate,
        (None, false, false) => KeyStatus::Retired,
    };
    let key = DeskKey {
        key_id: f.plain("key_id")?,
        created_at: f.get("created_at")?,
        active,
        status,
        certified: None,
        public_pem: f.plain("public_pem")?,
        hsm_label: f.plain("hsm_label")?,
    };
    Ok((key, certificate))
}

/// Every key with its certificate's text, oldest first.
pub(crate) fn all(db: &Db) -> Result<Vec<(DeskKey, Option<String>)>> {
    let mut stmt = db
        .conn
        .prepare(&format!("{KEY_SELECT} ORDER BY created_at, rowid"))?;
    let rows: Vec<Result<(DeskKey, Option<String>)>> = stmt
        .query_map([], |r| Ok(read_key(r)))?
        .collect::<Result<_, _>>()?;
    rows.into_iter().collect()
}

/// One key with its certificate's text.
pub(crate) fn by_id(db: &Db, id: &str) -> Result<Option<(DeskKey, Option<String>)>> {
    db.conn
        .query_row(&format!("{KEY_SELECT} WHERE key_id = ?1"), [id], |r| {
            Ok(read_key(r))
        })
        .optional()?
        .transpose()
}

/// The active key as [`active`] reads it.
pub(crate) struct ActiveKey {
    /// Its id.
    pub(crate) id: String,
    /// Its certificate's text, when a root certified it.
    pub(crate) certificate: Option<String>,
    /// Its label in the desk's HSM, when it lives there.
    pub(crate) hsm_label: Option<String>,
}

/// The active key.
pub(crate) fn active(db: &Db) -> Result<Option<ActiveKey>> {
    Ok(db
        .conn
        .query_row(
            "SELECT key_id, certificate, hsm_label FROM keys WHERE active = 1",
            [],
            |r| {
                Ok(ActiveKey {
                    id: r.get(0)?,
                    certificate: r.get(1)?,
                    hsm_label: r.get(2)?,
                })
            },
        )
        .optional()?)
}

/// The id of the active key.
pub(crate) fn active_id(db: &Db) -> Result<Option<String>> {
    Ok(db
        .conn
        .query_row("SELECT key_id FROM keys WHERE active = 1", [], |r| r.get(0))
        .optional()?)
}

/// When key `id` was revoked: `None` when the desk has no such key,
/// `Some(None)` when it is not revoked.
pub(crate) fn revoked_at(db: &Db, id: &str) -> Result<Option<Option<String>>> {
    Ok(db
        .conn
        .query_row("SELECT revoked_at FROM keys WHERE key_id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()?)
}

/// A new key as it is recorded.
pub(crate) struct NewKeyRow<'a> {
    /// Its id.
    pub(crate) id: &'a str,
    /// Its public key, SPKI PEM.
    pub(crate) public_pem: &'a str,
    /// It becomes the active key (the previous one retires).
    pub(crate) active: bool,
    /// It waits for a root's certificate.
    pub(crate) awaiting: bool,
    /// Its label in the desk's HSM, when it lives there.
    pub(crate) hsm_label: Option<&'a str>,
}

/// Records a new key; an active one retires the previous active key.
pub(crate) fn insert(tx: &Tx<'_>, key: &NewKeyRow<'_>) -> Result<()> {
    if key.active {
        retire_active(tx)?;
    }
    tx.tx.execute(
        "INSERT INTO keys (key_id, public_pem, created_at, active, awaiting_certificate, hsm_label)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            key.id,
            key.public_pem,
            tx.now().to_string(),
            key.active,
            key.awaiting,
            key.hsm_label
        ],
    )?;
    Ok(())
}

/// No key is active any more.
fn retire_active(tx: &Tx<'_>) -> Result<()> {
    tx.tx
        .execute("UPDATE keys SET active = 0 WHERE active = 1", [])?;
    Ok(())
}

/// Stores key `id`'s certificate: the key waits (`pending`) or becomes
/// the active key.
pub(crate) fn store_certificate(tx: &Tx<'_>, id: &str, text: &str, pending: bool) -> Result<()> {
    if pending {
        tx.tx.execute(
            "UPDATE keys SET certificate = ?1, awaiting_certificate = 1 WHERE key_id = ?2",
            params![text, id],
        )?;
    } else {
        retire_active(tx)?;
        tx.tx.execute(
            "UPDATE keys SET certificate = ?1, awaiting_certificate = 0, active = 1 WHERE key_id = ?2",
            params![text, id],
        )?;
    }
    Ok(())
}

/// The stored certificate text of key `id`.
pub(crate) fn certificate_of(db: &Db, id: &str) -> Result<Option<String>> {
    Ok(db.conn.query_row(
        "SELECT certificate FROM keys WHERE key_id = ?1",
        [id],
        |r| r.get(0),
    )?)
}

/// Makes key `id` the active key.
pub(crate) fn activate(tx: &Tx<'_>, id: &str) -> Result<()> {
    retire_active(tx)?;
    tx.tx.execute(
        "UPDATE keys SET awaiting_certificate = 0, active = 1 WHERE key_id = ?1",
        [id],
    )?;
    Ok(())
}

/// Marks key `id` revoked (and not active); false when it was revoked
/// already or is not the desk's.
pub(crate) fn revoke(tx: &Tx<'_>, id: &str) -> Result<bool> {
    let changed = tx.tx.execute(
        "UPDATE keys SET revoked_at = ?1, active = 0 WHERE key_id = ?2 AND revoked_at IS NULL",
        params![Text(&tx.now()), id],
    )?;
    Ok(changed > 0)
}

/// Keeps a root-signed key revocation list issued at `issued_at`.
pub(crate) fn insert_revocation_list(tx: &Tx<'_>, issued_at: Timestamp, text: &str) -> Result<()> {
    tx.tx.execute(
        "INSERT INTO key_revocation_lists (issued_at, text, imported_at) VALUES (?1, ?2, ?3)",
        params![Text(&issued_at), text, Text(&tx.now())],
    )?;
    Ok(())
}

/// The key revocation lists kept, oldest first.
pub(crate) fn revocation_lists(db: &Db) -> Result<Vec<String>> {
    let mut stmt = db
        .conn
        .prepare("SELECT text FROM key_revocation_lists ORDER BY seq")?;
    let texts = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(texts)
}

/// Trusts root `id`; false when it was trusted already.
pub(crate) fn add_root(tx: &Tx<'_>, id: &str, pem: &str) -> Result<bool> {
    let added = tx.tx.execute(
        "INSERT OR IGNORE INTO roots (key_id, public_pem, added_at) VALUES (?1, ?2, ?3)",
        params![id, pem, Text(&tx.now())],
    )?;
    Ok(added > 0)
}

/// The public keys of the roots, PEM, in the order they were added.
pub(crate) fn root_pems(db: &Db) -> Result<Vec<String>> {
    let mut stmt = db
        .conn
        .prepare("SELECT public_pem FROM roots ORDER BY rowid")?;
    let pems = stmt
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(pems)
}

/// The desk's own id (made by `init`).
pub(crate) fn desk_id(db: &Db) -> Result<String> {
    Ok(db
        .conn
        .query_row("SELECT desk_id FROM desk_identity WHERE id = 1", [], |r| {
            r.get(0)
        })?)
}

/// Where the desk's HSM is, if one is configured.
pub(crate) fn hsm_settings(db: &Db) -> Result<Option<crate::hsm::HsmSettings>> {
    let row = db
        .conn
        .query_row(
            "SELECT module, token, pin_env FROM hsm WHERE id = 1",
            [],
            |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(row.map(|(module, token, pin_env)| crate::hsm::HsmSettings {
        module: module.into(),
        token,
        pin_env,
    }))
}

/// Records where the desk's HSM is (replacing what was recorded).
pub(crate) fn set_hsm_settings(tx: &Tx<'_>, settings: &crate::hsm::HsmSettings) -> Result<()> {
    tx.tx.execute(
        "INSERT OR REPLACE INTO hsm (id, module, token, pin_env, configured_at)
         VALUES (1, ?1, ?2, ?3, ?4)",
        params![
            settings.module.display().to_string(),
            settings.token,
            settings.pin_env,
            Text(&tx.now())
        ],
    )?;
    Ok(())
}
