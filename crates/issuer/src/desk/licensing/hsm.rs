//! The desk's HSM: where its PKCS#11 token is (module, token label, the
//! environment variable of the PIN), recorded as a desk setting, and
//! opening it with the PIN for a command that signs or makes a key.

use super::{Desk, DeskError, KeyError, Result, Tx, ledger};
use crate::hsm::{Hsm, HsmSettings};

impl Desk {
    /// Records where the desk's HSM is, after opening its token with the
    /// PIN (so a wrong module, token or PIN is refused, with nothing
    /// recorded). Keys already in the HSM must stay reachable: refused
    /// while any key of the desk lives there. Audited as `hsm.configure`.
    pub fn configure_hsm(&mut self, settings: &HsmSettings) -> Result<()> {
        if let Some(old) = self.hsm_settings()? {
            let in_hsm = self.keys()?.into_iter().filter(|k| k.hsm_label.is_some());
            if old != *settings && in_hsm.count() > 0 {
                return Err(KeyError::TokenMove(old.token.clone()).into());
            }
        }
        self.open_hsm_with(settings)?;
        self.ledger.write(|tx| record_settings(tx, settings))
    }

    /// Where the desk's HSM is, if one is configured.
    pub fn hsm_settings(&self) -> Result<Option<HsmSettings>> {
        ledger::keys::hsm_settings(self.db())
    }

    /// Opens the desk's HSM, refused when none is configured.
    pub(crate) fn open_hsm(&self) -> Result<Hsm> {
        let settings = self.hsm_settings()?.ok_or(KeyError::NoHsm)?;
        self.open_hsm_with(&settings)
    }

    /// Opens the token of `settings` (see [`open_token`]). A PIN the token
    /// refuses is audited (`hsm.pin-refused`, in a transaction of its own:
    /// the command itself records nothing), so failed attempts leave a trace.
    pub(crate) fn open_hsm_with(&self, settings: &HsmSettings) -> Result<Hsm> {
        let opened = open_token(self.session(), settings);
        if let Err(DeskError::Hsm(crate::hsm::HsmError::PinIncorrect { token })) = &opened {
            let detail = serde_json::json!({ "module": settings.module.display().to_string() });
            // Best effort: the refusal is the error to report either way.
            let _ = self.ledger.record_apart("hsm.pin-refused", token, &detail);
        }
        opened
    }
}

/// Opens the token of `settings` with the PIN from its environment
/// variable, else from the session's prompt.
pub(crate) fn open_token(session: &super::Session, settings: &HsmSettings) -> Result<Hsm> {
    Ok(Hsm::open_asking(settings, session.pin_prompt.as_ref())?)
}

/// Writes the HSM settings row (replacing it) and audits it.
pub(crate) fn record_settings(tx: &Tx<'_>, settings: &HsmSettings) -> Result<()> {
    ledger::keys::set_hsm_settings(tx, settings)?;
    tx.audit(
        "hsm.configure",
        &settings.token,
        &serde_json::json!({
            "module": settings.module.display().to_string(),
            "pin_env": settings.pin_env,
        }),
    )
}
