//! Ed25519 keys inside a hardware security module, through PKCS#11.
//!
//! The desk (or the root's machine) opens a token by its label in a
//! PKCS#11 module (a shared library: SoftHSM2's, a YubiHSM's, a cloud
//! HSM's), logs in with the user PIN, and then either makes a key pair
//! inside the token (`CKM_EC_EDWARDS_KEY_PAIR_GEN`, the private half
//! sensitive and not extractable) or finds one by its label. Signing is
//! `CKM_EDDSA` in the token: the private key never leaves it. Every
//! signature the token returns is checked against the public key before it
//! is used, so a token that signs with another key, or garbles a signature,
//! is caught at the desk rather than on devices.

use std::path::PathBuf;
use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::types::AuthPin;
use facelic_verifier::KeyId;

/// Where the desk's HSM is: the PKCS#11 module, the token, and where the
/// user PIN comes from. The PIN itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HsmSettings {
    /// The PKCS#11 module (shared library) to load.
    pub module: PathBuf,
    /// The label of the token that holds the keys.
    pub token: String,
    /// The environment variable the PIN is read from; `None`: asked for
    /// at the terminal.
    pub pin_env: Option<String>,
}

/// A token's user PIN. Held in memory that is wiped on drop; `Debug`
/// never shows it.
pub struct Pin(AuthPin);

impl Pin {
    /// A PIN (a trailing line break, as a terminal gives it, is dropped).
    pub fn new(text: impl Into<String>) -> Self {
        let mut text = zeroize::Zeroizing::new(text.into());
        while text.ends_with(['\n', '\r']) {
            text.pop();
        }
        Pin(AuthPin::from(text.as_str()))
    }

    /// The PIN from the environment variable `var`.
    pub fn from_env(var: &str) -> Result<Self, HsmError> {
        crate::secret_from_env(var)
            .map(Pin::new)
            .map_err(HsmError::PinUnavailable)
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(..)")
    }
}

/// Asks for the PIN of the token in the settings (at a terminal, say);
/// used when the settings name no environment variable.
pub type PinPrompt = std::sync::Arc<dyn Fn(&HsmSettings) -> Result<Pin, HsmError> + Send + Sync>;

/// Why the HSM could not be used. Nothing is recorded at the desk when
/// one of these stops a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HsmError {
    /// The PKCS#11 module could not be loaded or initialised.
    #[error("PKCS#11 module {module}: {why}")]
    Module {
        /// The module's path.
        module: PathBuf,
        /// What the loader or the module said.
        why: String,
    },
    /// No token with this label is present.
    #[error("no token labelled {token:?} in {module} (tokens present: {present})")]
    TokenMissing {
        /// The label looked for.
        token: String,
        /// The module searched.
        module: PathBuf,
        /// The labels of the tokens present, or "none".
        present: String,
    },
    /// The token refused the PIN.
    #[error("token {token:?} refused the PIN")]
    PinIncorrect {
        /// The token.
        token: String,
    },
    /// The token locked its PIN after too many wrong tries.
    #[error("token {token:?} has locked its PIN; its security officer must unlock it")]
    PinLocked {
        /// The token.
        token: String,
    },
    /// The PIN could not be read.
    #[error("the HSM PIN could not be read: {0}")]
    PinUnavailable(String),
    /// No Ed25519 key pair with this label is in the token.
    #[error("token {token:?} holds no Ed25519 key pair labelled {label:?}")]
    KeyMissing {
        /// The token.
        token: String,
        /// The label looked for.
        label: String,
    },
    /// A key with this label is in the token already (or several are, so
    /// the label does not name one key).
    #[error("token {token:?} already holds a key labelled {label:?}")]
    LabelTaken {
        /// The token.
        token: String,
        /// The label.
        label: String,
    },
    /// The token does not do Ed25519 (`CKM_EC_EDWARDS_KEY_PAIR_GEN`, `CKM_EDDSA`).
    #[error("token {token:?} does not support {mechanism}")]
    Unsupported {
        /// The token.
        token: String,
        /// The mechanism it lacks.
        mechanism: &'static str,
    },
    /// The token's public key is not an Ed25519 point.
    #[error("key {label:?}: the token's public key is not an Ed25519 key")]
    NotEd25519 {
        /// The key's label.
        label: String,
    },
    /// The token returned a signature that does not verify with the key.
    #[error("key {label:?}: the token returned a signature that does not verify")]
    BadSignature {
        /// The key's label.
        label: String,
    },
    /// A key or token label outside what facelic accepts.
    #[error("{what} label \"{label}\" is not {rule}")]
    BadLabel {
        /// `key` or `token`.
        what: &'static str,
        /// The label, escaped.
        label: String,
        /// The rule.
        rule: &'static str,
    },
    /// Any other failure of the module or token.
    #[error("PKCS#11 {operation} failed: {why}")]
    Device {
        /// What was being done.
        operation: &'static str,
        /// What the module returned.
        why: String,
    },
}

/// An open, logged-in session with one token. While it is open, this
/// process holds the machine's lock of that token (a lock file): other
/// desk processes wait for it instead of racing the module.
pub struct Hsm {
    session: Mutex<Session>,
    token: String,
    /// Dropped after the session (fields drop in order).
    _lock: std::sync::Arc<TokenLock>,
}

/// The machine-wide lock of one token: a file in the temporary directory, locked exclusively while any `Hsm` of this process
/// has the token open. Concurrent commands on one token (SoftHSM2's file
/// store reports "no token" or fails to read token info while another
/// process opens it) queue on it, and none fails.
struct TokenLock(std::fs::File);

impl TokenLock {
    /// This process's lock of the token of `settings`: shared by every
    /// `Hsm` it has open on that token (a second `flock` of the same file
    /// from the same process would wait for itself), else taken anew,
    /// waiting for other processes.
    fn acquire(settings: &HsmSettings) -> Result<std::sync::Arc<TokenLock>, HsmError> {
        use std::sync::{Arc, Weak};
        static HELD: Mutex<Vec<(PathBuf, Weak<TokenLock>)>> = Mutex::new(Vec::new());
        // Named by the token's label in hex (at most 32 bytes): the same
        // file for every facelic build and desk on this machine.
        let name: String = settings.token.bytes().map(|b| format!("{b:02x}")).collect();
        let path = std::env::temp_dir().join(format!("facelic-hsm-{name}.lock"));
        let mut held = HELD
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        held.retain(|(_, lock)| lock.strong_count() > 0);
        if let Some(lock) = held
            .iter()
            .find(|(p, _)| *p == path)
            .and_then(|(_, l)| l.upgrade())
        {
            return Ok(lock);
        }
        let failed = |e: std::io::Error| HsmError::Device {
            operation: "locking the token",
            why: format!("{}: {e}", path.display()),
        };
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o644);
        }
        // Another account's lock file opens read-only, which locks as well.
        let file = options
            .open(&path)
            .or_else(|_| std::fs::File::open(&path))
            .map_err(failed)?;
        file.lock().map_err(failed)?;
        let lock = Arc::new(TokenLock(file));
        held.push((path, Arc::downgrade(&lock)));
        Ok(lock)
    }
}

impl Drop for TokenLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// A label this desk gives a key in a token, or looks one up by: 1 to 64
/// characters `A–Z a–z 0–9 . _ -` (a newline in a label could forge a row
/// of `keys list`).
pub fn check_key_label(label: &str) -> Result<(), HsmError> {
    let fine = (1..=64).contains(&label.len())
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    match fine {
        true => Ok(()),
        false => Err(HsmError::BadLabel {
            what: "key",
            label: label.escape_debug().to_string(),
            rule: "1 to 64 characters A-Z a-z 0-9 . _ -",
        }),
    }
}

/// A token label as PKCS#11 has it: 1 to 32 characters of printable ASCII.
pub fn check_token_label(label: &str) -> Result<(), HsmError> {
    let fine = (1..=32).contains(&label.len()) && label.bytes().all(|b| (0x20..0x7f).contains(&b));
    match fine {
        true => Ok(()),
        false => Err(HsmError::BadLabel {
            what: "token",
            label: label.escape_debug().to_string(),
            rule: "1 to 32 characters of printable ASCII",
        }),
    }
}

impl std::fmt::Debug for Hsm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Hsm({:?})", self.token)
    }
}

/// A signing key held in an HSM: its public key and the handle of the
/// private key inside the token.
#[derive(Debug)]
pub struct HsmKey {
    hsm: Hsm,
    private: ObjectHandle,
    /// The public key: each signature the token makes is checked against it.
    key: facelic_verifier::PublicKey,
    label: String,
    owner: Option<String>,
}

/// `edwards25519` as a PrintableString: the curve's name in `CKA_EC_PARAMS`.
const ED25519_PARAMS: &[u8] = b"\x13\x0cedwards25519";

fn device(operation: &'static str) -> impl FnOnce(CkError) -> HsmError {
    move |e| HsmError::Device {
        operation,
        why: match e {
            CkError::Pkcs11(rv, _) => format!("{rv:?}"),
            other => other.to_string(),
        },
    }
}

impl Hsm {
    /// Loads `settings.module`, finds the token labelled `settings.token`
    /// and logs in with `pin`.
    pub fn open(settings: &HsmSettings, pin: &Pin) -> Result<Hsm, HsmError> {
        check_token_label(&settings.token)?;
        let lock = TokenLock::acquire(settings)?;
        let module = &settings.module;
        let loaded = |why: String| HsmError::Module {
            module: module.clone(),
            why,
        };
        let pkcs11 = Pkcs11::new(module).map_err(|e| loaded(e.to_string()))?;
        match pkcs11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(loaded(e.to_string())),
        }
        let slots = pkcs11
            .get_slots_with_token()
            .map_err(device("listing slots"))?;
        let mut present = Vec::new();
        let mut found = None;
        for slot in slots {
            let label = pkcs11
                .get_token_info(slot)
                .map_err(device("reading token info"))?
                .label()
                .trim_end()
                .to_owned();
            if label == settings.token && found.is_none() {
                found = Some(slot);
            }
            present.push(label);
        }
        let token = settings.token.clone();
        let Some(slot) = found else {
            return Err(HsmError::TokenMissing {
                token,
                module: module.clone(),
                present: if present.is_empty() {
                    "none".into()
                } else {
                    present.join(", ")
                },
            });
        };
        let session = pkcs11
            .open_rw_session(slot)
            .map_err(device("opening a session"))?;
        match session.login(UserType::User, Some(&pin.0)) {
            Ok(()) | Err(CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(CkError::Pkcs11(RvError::PinIncorrect | RvError::PinLenRange, _)) => {
                return Err(HsmError::PinIncorrect { token });
            }
            Err(CkError::Pkcs11(RvError::PinLocked, _)) => {
                return Err(HsmError::PinLocked { token });
            }
            Err(e) => return Err(device("logging in")(e)),
        }
        Ok(Hsm {
            session: Mutex::new(session),
            token,
            _lock: lock,
        })
    }

    /// [`Hsm::open`] with the PIN from the variable `settings.pin_env`
    /// names, else from `prompt`; refused when there is neither.
    pub fn open_asking(
        settings: &HsmSettings,
        prompt: Option<&PinPrompt>,
    ) -> Result<Hsm, HsmError> {
        let pin = match (&settings.pin_env, prompt) {
            (Some(var), _) => Pin::from_env(var)?,
            (None, Some(prompt)) => prompt(settings)?,
            (None, None) => {
                return Err(HsmError::PinUnavailable(
                    "the HSM settings name no PIN environment variable, and there is no terminal to ask on"
                        .into(),
                ));
            }
        };
        Hsm::open(settings, &pin)
    }

    /// The token's label.
    pub fn token(&self) -> &str {
        &self.token
    }

    fn session(&self) -> std::sync::MutexGuard<'_, Session> {
        // A panic while signing cannot leave the session half-used in a
        // way that matters: every call is one complete PKCS#11 operation.
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The handles of the Ed25519 keys of `class` labelled `label`.
    fn objects(&self, class: ObjectClass, label: &str) -> Result<Vec<ObjectHandle>, HsmError> {
        self.session()
            .find_objects(&[
                Attribute::Class(class),
                Attribute::KeyType(KeyType::EC_EDWARDS),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .map_err(device("finding keys"))
    }

    /// Makes a new Ed25519 key pair inside the token, labelled `label`
    /// (refused when the label is taken), its `CKA_ID` set to `owner` (who
    /// made it: a desk's id, or the root's machine). The private key is
    /// sensitive and cannot be extracted.
    pub fn generate_key(self, label: &str, owner: &str) -> Result<HsmKey, HsmError> {
        check_key_label(label)?;
        if !self.objects(ObjectClass::PRIVATE_KEY, label)?.is_empty()
            || !self.objects(ObjectClass::PUBLIC_KEY, label)?.is_empty()
        {
            return Err(HsmError::LabelTaken {
                token: self.token,
                label: label.to_owned(),
            });
        }
        let name = Attribute::Label(label.as_bytes().to_vec());
        let id = Attribute::Id(owner.as_bytes().to_vec());
        let public = [
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Verify(true),
            Attribute::EcParams(ED25519_PARAMS.to_vec()),
            name.clone(),
            id.clone(),
        ];
        let private = [
            Attribute::Token(true),
            Attribute::Private(true),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Sign(true),
            name,
            id,
        ];
        let made =
            self.session()
                .generate_key_pair(&Mechanism::EccEdwardsKeyPairGen, &public, &private);
        if let Err(CkError::Pkcs11(RvError::MechanismInvalid, _)) = made {
            return Err(HsmError::Unsupported {
                token: self.token,
                mechanism: "CKM_EC_EDWARDS_KEY_PAIR_GEN",
            });
        }
        made.map_err(device("generating a key pair"))?;
        self.find_key(label)
    }

    /// The Ed25519 key pair labelled `label` in the token.
    pub fn find_key(self, label: &str) -> Result<HsmKey, HsmError> {
        check_key_label(label)?;
        let missing = || HsmError::KeyMissing {
            token: self.token.clone(),
            label: label.to_owned(),
        };
        let privates = self.objects(ObjectClass::PRIVATE_KEY, label)?;
        let publics = self.objects(ObjectClass::PUBLIC_KEY, label)?;
        let (private, public) = match (privates.as_slice(), publics.as_slice()) {
            ([private], [public]) => (*private, *public),
            ([], _) | (_, []) => return Err(missing()),
            _ => {
                return Err(HsmError::LabelTaken {
                    token: self.token.clone(),
                    label: label.to_owned(),
                });
            }
        };
        let point = self
            .session()
            .get_attributes(public, &[AttributeType::EcPoint])
            .map_err(device("reading a public key"))?;
        let not_ed25519 = || HsmError::NotEd25519 {
            label: label.to_owned(),
        };
        let Some(Attribute::EcPoint(point)) = point.into_iter().next() else {
            return Err(not_ed25519());
        };
        let bytes = ed25519_point(&point).ok_or_else(not_ed25519)?;
        // What every app will accept: a canonical key of large order.
        let key = facelic_verifier::PublicKey::from_bytes(&bytes).map_err(|_| not_ed25519())?;
        // Who made it (`CKA_ID`); a key made outside facelic may have none.
        let owner = match self.session().get_attributes(private, &[AttributeType::Id]) {
            Ok(found) => found.into_iter().find_map(|a| match a {
                Attribute::Id(bytes) if !bytes.is_empty() => {
                    Some(String::from_utf8_lossy(&bytes).into_owned())
                }
                _ => None,
            }),
            Err(_) => None,
        };
        Ok(HsmKey {
            hsm: self,
            private,
            key,
            label: label.to_owned(),
            owner,
        })
    }
}

/// The 32 bytes of an Ed25519 `CKA_EC_POINT`: DER OCTET STRING-wrapped
/// (what PKCS#11 3.0 specifies) or raw (what some tokens return).
fn ed25519_point(point: &[u8]) -> Option<[u8; 32]> {
    match point {
        [0x04, 0x20, rest @ ..] if rest.len() == 32 => rest.try_into().ok(),
        raw => raw.try_into().ok(),
    }
}

impl HsmKey {
    /// The key's label in the token.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Who made the key, as its `CKA_ID` says (`facelic desk <id>`, `facelic
    /// root`), if it says.
    pub fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }

    /// The token holding the key.
    pub fn token(&self) -> &str {
        self.hsm.token()
    }

    /// The public key.
    pub fn public_key(&self) -> facelic_verifier::PublicKey {
        self.key
    }

    /// The key id (of the public key).
    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.key)
    }

    /// The public key as SPKI PEM.
    pub fn public_pem(&self) -> String {
        facelic_verifier::public_key_to_pem(&self.key)
    }

    /// Signs `message` in the token (`CKM_EDDSA`, pure Ed25519) and checks
    /// the signature against the public key before returning it.
    pub fn sign_bytes(&self, message: &[u8]) -> Result<[u8; 64], HsmError> {
        let mechanism = Mechanism::Eddsa(EddsaParams::new(EddsaSignatureScheme::Pure));
        let signed = self.hsm.session().sign(&mechanism, self.private, message);
        let bytes = match signed {
            Err(CkError::Pkcs11(RvError::MechanismInvalid, _)) => {
                return Err(HsmError::Unsupported {
                    token: self.hsm.token.clone(),
                    mechanism: "CKM_EDDSA",
                });
            }
            other => other.map_err(device("signing"))?,
        };
        let bad = || HsmError::BadSignature {
            label: self.label.clone(),
        };
        let bytes: [u8; 64] = bytes.as_slice().try_into().map_err(|_| bad())?;
        if !self.key.verifies(message, &bytes) {
            return Err(bad());
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::ed25519_point;

    #[test]
    fn an_ec_point_is_read_wrapped_or_raw_and_nothing_else() {
        let key = [7u8; 32];
        let mut wrapped = vec![0x04, 0x20];
        wrapped.extend_from_slice(&key);
        assert_eq!(ed25519_point(&wrapped), Some(key));
        assert_eq!(ed25519_point(&key), Some(key));
        assert_eq!(ed25519_point(&wrapped[..33]), None);
        assert_eq!(ed25519_point(&[0x04, 0x41, 1, 2]), None);
        let mut long = wrapped.clone();
        long.push(0);
        assert_eq!(ed25519_point(&long), None);
    }
}
