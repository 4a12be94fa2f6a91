//! The desk's issuer keys: one active signing key, earlier ones kept.

use rusqlite::{OptionalExtension as _, params};
use serde::Serialize;

use super::{Desk, DeskError, KEYS_DIR, Result, audit};
use crate::{IssuerKey, Passphrase};

/// A key the desk holds.
#[derive(Debug, Clone, Serialize)]
pub struct DeskKey {
    /// Key id.
    pub key_id: String,
    /// When it was created.
    #[serde(serialize_with = "super::fields::display")]
    pub created_at: crate::Timestamp,
    /// True for the key new licenses are signed with.
    pub active: bool,
    /// The public key (SPKI PEM).
    pub public_pem: String,
}

impl Desk {
    /// Makes a new signing key, writes its files (private key 0600,
    /// protected by `protect` when given) and makes it the active key.
    /// Earlier keys stay in the keyring.
    pub(crate) fn add_key(&mut self, protect: Option<&Passphrase>) -> Result<DeskKey> {
        let key = IssuerKey::generate()?;
        let id = key.key_id().to_string();
        let dir = self.dir.join(KEYS_DIR);
        std::fs::create_dir_all(&dir).map_err(DeskError::io(&dir))?;
        let (private, public) = (dir.join(format!("{id}.key")), dir.join(format!("{id}.pub")));
        key.write_files_with(&private, &public, protect, false)?;
        let public_pem = key.public_pem();
        self.write(|tx, s| {
            let previous: Option<String> = tx
                .query_row("SELECT key_id FROM keys WHERE active = 1", [], |r| r.get(0))
                .optional()?;
            tx.execute("UPDATE keys SET active = 0 WHERE active = 1", [])?;
            tx.execute(
                "INSERT INTO keys (key_id, public_pem, created_at, active) VALUES (?1, ?2, ?3, 1)",
                params![id, public_pem, s.now().to_string()],
            )?;
            let action = if previous.is_some() {
                "keys.rotate"
            } else {
                "keys.create"
            };
            audit::record(
                tx,
                s,
                action,
                &id,
                &serde_json::json!({ "previous": previous }),
            )
        })?;
        Ok(DeskKey {
            key_id: id,
            created_at: self.now(),
            active: true,
            public_pem,
        })
    }

    /// Makes a new active signing key; licenses signed by earlier keys keep
    /// verifying with the exported keyring.
    pub fn rotate_key(&mut self) -> Result<DeskKey> {
        self.add_key(None)
    }

    /// [`Desk::rotate_key`], the new key's file protected by `passphrase`.
    pub fn rotate_key_protected(&mut self, passphrase: &Passphrase) -> Result<DeskKey> {
        self.add_key(Some(passphrase))
    }

    /// Protects every plain private key file of the desk with `passphrase`
    /// (each replaced in one rename); keys already protected are left as
    /// they are. Returns the ids of the keys it protected; audited.
    pub fn protect_keys(&mut self, passphrase: &Passphrase) -> Result<Vec<String>> {
        let dir = self.dir.join(KEYS_DIR);
        let mut protected = Vec::new();
        for key in self.keys()? {
            let path = dir.join(format!("{}.key", key.key_id));
            let loaded = match IssuerKey::load(&path) {
                Err(crate::KeyFileError::NeedsPassphrase(_)) => continue, // protected already
                loaded => loaded?,
            };
            if loaded.key_id().to_string() != key.key_id {
                return Err(DeskError::KeyMismatch {
                    path,
                    expected: key.key_id,
                    found: loaded.key_id().to_string(),
                });
            }
            protected.push(key.key_id);
            loaded.write_protected(&path, passphrase, true)?;
        }
        if !protected.is_empty() {
            let ids = protected.clone();
            self.write(|tx, s| {
                let detail = serde_json::json!({ "keys": ids });
                audit::record(tx, s, "keys.protect", &ids.join(","), &detail)
            })?;
        }
        Ok(protected)
    }

    /// Every key, oldest first.
    pub fn keys(&self) -> Result<Vec<DeskKey>> {
        let mut stmt = self.read().prepare(
            "SELECT key_id, created_at, active, public_pem FROM keys ORDER BY created_at, rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            let f = super::fields::Fields::new(r, "keys", "key_id")?;
            Ok(DeskKey {
                key_id: f.plain("key_id")?,
                created_at: f.get("created_at")?,
                active: f.plain("active")?,
                public_pem: f.plain("public_pem")?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The keyring apps embed: every public key, oldest first, as PEM.
    pub fn keyring_pem(&self) -> Result<String> {
        Ok(self
            .keys()?
            .iter()
            .map(|k| {
                format!(
                    "# facelic key id {}{}\n{}",
                    k.key_id,
                    if k.active { " (active)" } else { "" },
                    k.public_pem
                )
            })
            .collect())
    }
}
