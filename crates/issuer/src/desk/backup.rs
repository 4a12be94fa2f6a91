//! Consistent backups of a running desk, whole or not at all.

use std::path::{Path, PathBuf};

use super::{
    CATALOG_FILE, Desk, DeskError, InputError, KEYS_DIR, LEDGER_FILE, Result, ledger, pause,
};

impl Desk {
    /// Copies the desk into `out` (which must not exist yet): a consistent
    /// snapshot of the ledger (`VACUUM INTO`, safe while other desk processes
    /// run), the catalog, and the keys (private keys stay 0600).
    ///
    /// The copy is made in a hidden directory beside `out`
    /// (`.<name>.partial-<random>`), checked (the ledger reads back, every
    /// key the ledger keeps in a file is there), and renamed to `out` only
    /// then: `out` is a whole desk or does not exist. A backup that fails
    /// removes its partial copy; one killed part-way leaves only the hidden
    /// directory, which nothing opens as a desk. The backup directory and
    /// its `keys/` are 0700 whatever the umask.
    pub fn backup(&mut self, out: &Path) -> Result<()> {
        if std::fs::symlink_metadata(out).is_ok() {
            return Err(DeskError::Exists(out.to_owned()));
        }
        let partial = partial_dir(out)?;
        let copied = self.copy_into(&partial).and_then(|()| {
            if std::fs::symlink_metadata(out).is_ok() {
                return Err(DeskError::Exists(out.to_owned()));
            }
            std::fs::rename(&partial, out).map_err(DeskError::io(out))
        });
        if let Err(e) = copied {
            let _ = std::fs::remove_dir_all(&partial);
            return Err(e);
        }
        let dest = out.display().to_string();
        self.ledger
            .write(|tx| tx.audit("desk.backup", &dest, &serde_json::json!({})))
    }

    /// Writes the ledger, catalog and keys into the new directory `dir`
    /// and checks the copy.
    fn copy_into(&self, dir: &Path) -> Result<()> {
        super::create_private_dir(dir)?;
        let keys_out = dir.join(KEYS_DIR);
        super::create_private_dir(&keys_out)?;
        let copy = dir.join(LEDGER_FILE);
        let target = copy
            .to_str()
            .ok_or_else(|| InputError::Path(format!("{} is not valid UTF-8", copy.display())))?;
        ledger::file::copy_to(self.db(), target)?;
        pause::at(pause::Point::BackupLedgerCopied);
        let catalog = self.dir().join(CATALOG_FILE);
        std::fs::copy(&catalog, dir.join(CATALOG_FILE)).map_err(DeskError::io(&catalog))?;
        let keys = self.dir().join(KEYS_DIR);
        for entry in std::fs::read_dir(&keys).map_err(DeskError::io(&keys))? {
            let path = entry.map_err(DeskError::io(&keys))?.path();
            if let Some(name) = path.file_name() {
                // fs::copy keeps the permission bits, so private keys stay 0600.
                std::fs::copy(&path, keys_out.join(name)).map_err(DeskError::io(&path))?;
            }
        }
        // The copy must read back, and hold every key file the ledger names.
        let ids = ledger::file::check_copy(&copy)?;
        for id in ids {
            let file = keys_out.join(format!("{id}.key"));
            if !file.is_file() {
                return Err(DeskError::Io {
                    path: file,
                    source: std::io::Error::other(format!(
                        "the private key of {id} was not copied"
                    )),
                });
            }
        }
        sync_dir(&keys_out)?;
        sync_dir(dir)
    }
}

/// A new hidden name beside `out` for the copy in progress.
fn partial_dir(out: &Path) -> Result<PathBuf> {
    let name = out
        .file_name()
        .ok_or_else(|| InputError::Path(format!("{}: not a directory name", out.display())))?;
    let serial = crate::new_serial()?.to_string();
    let hidden = format!(".{}.partial-{}", name.to_string_lossy(), &serial[..8]);
    Ok(out.with_file_name(hidden))
}

/// Flushes a directory's entries to disk.
fn sync_dir(dir: &Path) -> Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(DeskError::io(dir))
}
