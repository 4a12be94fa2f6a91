//! Consistent backups of a running desk.

use std::path::Path;

use super::{CATALOG_FILE, Desk, DeskError, KEYS_DIR, LEDGER_FILE, Result, audit};

impl Desk {
    /// Copies the desk into `out` (which must not exist yet): a consistent
    /// snapshot of the ledger (`VACUUM INTO`, safe while other desk processes
    /// run), the catalog, and the keys (private keys stay 0600).
    pub fn backup(&mut self, out: &Path) -> Result<()> {
        if std::fs::symlink_metadata(out).is_ok() {
            return Err(DeskError::Exists(out.to_owned()));
        }
        std::fs::create_dir_all(out.join(KEYS_DIR)).map_err(DeskError::io(out))?;
        let ledger = out.join(LEDGER_FILE);
        let target = ledger
            .to_str()
            .ok_or_else(|| DeskError::Input(format!("{} is not valid UTF-8", ledger.display())))?;
        self.read().execute("VACUUM INTO ?1", [target])?;
        let catalog = self.dir.join(CATALOG_FILE);
        std::fs::copy(&catalog, out.join(CATALOG_FILE)).map_err(DeskError::io(&catalog))?;
        let keys = self.dir.join(KEYS_DIR);
        for entry in std::fs::read_dir(&keys).map_err(DeskError::io(&keys))? {
            let path = entry.map_err(DeskError::io(&keys))?.path();
            if let Some(name) = path.file_name() {
                // fs::copy keeps the permission bits, so private keys stay 0600.
                std::fs::copy(&path, out.join(KEYS_DIR).join(name))
                    .map_err(DeskError::io(&path))?;
            }
        }
        let dest = out.display().to_string();
        self.write(|tx, s| audit::record(tx, s, "desk.backup", &dest, &serde_json::json!({})))
    }
}
