//! Where the passphrase of a protected key comes from: the environment
//! variable the operator names with `--passphrase-env VAR`, else a prompt
//! on the terminal (input not echoed). Never from an argument (it would
//! sit in the shell history and the process list), never stored, never
//! logged.

use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Arc;

use facelic_issuer::hsm::{HsmError, HsmSettings, Pin};
use facelic_issuer::{KeyFileError, Passphrase, PassphraseSource};

/// The source that opens protected keys for this command.
pub(crate) fn source(env_var: Option<&str>) -> PassphraseSource {
    let env_var = env_var.map(str::to_owned);
    Arc::new(move |path: &Path| match &env_var {
        Some(var) => from_env(var).map(Passphrase::new),
        None if std::io::stdin().is_terminal() => {
            prompt(&format!("Passphrase for {}: ", path.display())).map(Passphrase::new)
        }
        None => Err(KeyFileError::NeedsPassphrase(path.to_owned())),
    })
}

/// A new passphrase to protect keys with: from `env_var`, or typed twice
/// at the terminal. Refused when short.
pub(crate) fn new_passphrase(env_var: Option<&str>) -> Result<Passphrase, KeyFileError> {
    let text = match env_var {
        Some(var) => from_env(var)?,
        None if std::io::stdin().is_terminal() => {
            let first = prompt("New passphrase for the desk's keys: ")?;
            // The confirmation is wiped too; `first` moves into the Passphrase.
            let again = zeroize::Zeroizing::new(prompt("The same passphrase again: ")?);
            if first != *again {
                return Err(KeyFileError::PassphraseUnavailable(
                    "the two passphrases differ".into(),
                ));
            }
            first
        }
        None => {
            return Err(KeyFileError::PassphraseUnavailable(
                "no terminal to ask on, and no environment variable named".into(),
            ));
        }
    };
    Passphrase::new_for_protecting(text)
}

fn from_env(var: &str) -> Result<String, KeyFileError> {
    facelic_issuer::secret_from_env(var).map_err(KeyFileError::PassphraseUnavailable)
}

fn prompt(question: &str) -> Result<String, KeyFileError> {
    rpassword::prompt_password(question)
        .map_err(|e| KeyFileError::PassphraseUnavailable(e.to_string()))
}

/// Asks for an HSM token's user PIN at the terminal (input not echoed),
/// for a desk whose HSM settings name no PIN variable.
pub(crate) fn pin_prompt() -> facelic_issuer::hsm::PinPrompt {
    Arc::new(|settings: &HsmSettings| {
        if !std::io::stdin().is_terminal() {
            return Err(HsmError::PinUnavailable(format!(
                "no terminal to ask for token {:?}'s PIN on (name a variable with --pin-env)",
                settings.token
            )));
        }
        rpassword::prompt_password(format!("PIN for token {:?}: ", settings.token))
            .map(Pin::new)
            .map_err(|e| HsmError::PinUnavailable(e.to_string()))
    })
}
