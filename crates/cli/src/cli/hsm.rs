//! The HSM's arguments, shared by `init`, `keys rotate|request|hsm` and the
//! root's `keys certify|revoke`: where a new key is made, where a token is,
//! and which key in it is the root.

use std::path::PathBuf;

use facelic_issuer::desk::NewKey;
use facelic_issuer::hsm::{Hsm, HsmSettings};
use facelic_issuer::{IssuerKey, Passphrase, Signer};

use super::{CliError, Globals};

/// Where a new signing key is made: a key file (`--protect` for a
/// passphrase), or the desk's HSM (`--hsm`).
#[derive(Debug, clap::Args)]
pub(crate) struct NewKeyArgs {
    /// Protect the new key's file with a passphrase (from
    /// --passphrase-env, or typed twice at the terminal).
    #[arg(long, conflicts_with = "hsm")]
    protect: bool,
    /// Make the key inside the desk's HSM (`facelic keys hsm`): it never
    /// exists in a file.
    #[arg(long)]
    hsm: bool,
    /// The key's label in the HSM (default: facelic- and 8 hex digits).
    #[arg(long, value_name = "LABEL", requires = "hsm")]
    label: Option<String>,
    /// Use the key pair already in the HSM under --label instead of making one.
    #[arg(long, requires = "label")]
    existing: bool,
    /// With --existing: adopt the key even though another desk made it
    /// (audited with that desk's id). Only when that desk is retired.
    #[arg(long, requires = "existing")]
    adopt: bool,
}

impl NewKeyArgs {
    /// True when the key goes into the HSM.
    pub(crate) fn in_hsm(&self) -> bool {
        self.hsm
    }

    /// The passphrase a protected key file needs (asked for here).
    pub(crate) fn passphrase(&self, globals: &Globals) -> Result<Option<Passphrase>, CliError> {
        self.protect.then(|| globals.new_passphrase()).transpose()
    }

    /// The desk's description of the new key.
    pub(crate) fn new_key<'a>(&'a self, passphrase: Option<&'a Passphrase>) -> NewKey<'a> {
        match (self.hsm, self.existing, self.label.as_deref()) {
            (true, true, Some(label)) if self.adopt => NewKey::AdoptFromHsm(label),
            (true, true, Some(label)) => NewKey::FromHsm(label),
            (true, _, label) => NewKey::InHsm(label),
            (false, ..) => NewKey::File(passphrase),
        }
    }
}

/// Where a PKCS#11 token is.
#[derive(Debug, clap::Args)]
pub(crate) struct TokenArgs {
    /// The PKCS#11 module (shared library), e.g. /usr/lib/softhsm/libsofthsm2.so.
    #[arg(long, value_name = "PATH")]
    module: Option<PathBuf>,
    /// The label of the token that holds the keys.
    #[arg(long, value_name = "LABEL", requires = "module")]
    token: Option<String>,
    /// Read the token's user PIN from this environment variable (default:
    /// ask at the terminal). The PIN itself is never an argument.
    #[arg(long, value_name = "VAR", requires = "module")]
    pin_env: Option<String>,
}

impl TokenArgs {
    /// The settings, when `--module` was given (`--token` is then required).
    pub(crate) fn settings(&self) -> Result<Option<HsmSettings>, CliError> {
        let Some(module) = &self.module else {
            return Ok(None);
        };
        let token = self
            .token
            .clone()
            .ok_or_else(|| CliError::input("--module needs --token LABEL"))?;
        Ok(Some(HsmSettings {
            module: module.clone(),
            token,
            pin_env: self.pin_env.clone(),
        }))
    }
}

/// The root's private key on its machine: a key file, or a key in a token.
#[derive(Debug, clap::Args)]
pub(crate) struct RootKeyArgs {
    /// The root's private key file (protected or plain).
    #[arg(long, value_name = "FILE", required_unless_present = "root_label")]
    root_key: Option<PathBuf>,
    /// The root's key label in an HSM (with --module and --token).
    #[arg(
        long,
        value_name = "LABEL",
        conflicts_with = "root_key",
        requires = "module"
    )]
    root_label: Option<String>,
    #[command(flatten)]
    token: TokenArgs,
}

impl RootKeyArgs {
    /// Opens the root key: the file (with the passphrase source of
    /// `globals`) or the key in the token.
    pub(crate) fn open(&self, globals: &Globals) -> Result<Signer, CliError> {
        if let (Some(label), Some(settings)) = (&self.root_label, self.token.settings()?) {
            return Ok(Signer::Hsm(open_token(&settings)?.find_key(label)?));
        }
        let path = self.root_key.as_ref().ok_or_else(|| {
            CliError::input("name the root key: --root-key FILE or --root-label LABEL")
        })?;
        let source = super::passphrase::source(globals.passphrase_env.as_deref());
        Ok(Signer::File(IssuerKey::load_with(path, &source)?))
    }
}

/// Opens the token of `settings` with the PIN from its variable, else
/// asked at the terminal (for commands on the root's machine: no desk).
pub(crate) fn open_token(settings: &HsmSettings) -> Result<Hsm, CliError> {
    let prompt = super::passphrase::pin_prompt();
    Ok(Hsm::open_asking(settings, Some(&prompt))?)
}
