//! Issuer key files: PKCS#8 PEM private key (mode 0600), SPKI PEM public key.
//!
//! A private key file is either plain (`PRIVATE KEY`) or protected by a
//! passphrase (`ENCRYPTED PRIVATE KEY`: PKCS#8 `EncryptedPrivateKeyInfo`,
//! PBES2 with scrypt, N = 2^14, r = 8, p = 1, and AES-256-CBC; what
//! `openssl pkey -passin` reads). The passphrase is asked for only when a
//! protected key is opened, through a [`PassphraseSource`].

use std::fs;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use ed25519_dalek::pkcs8::{
    DecodePrivateKey, EncodePrivateKey, KeypairBytes, spki::der::pem::LineEnding,
};
use facelic_verifier::{KeyId, public_key_to_pem};

/// File name of the private key inside a key directory.
pub const PRIVATE_KEY_FILE: &str = "issuer.key";
/// File name of the public key inside a key directory.
pub const PUBLIC_KEY_FILE: &str = "issuer.pub";

/// Why a key file could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// The file exists and overwriting was not asked for.
    #[error("{0} already exists")]
    Exists(PathBuf),
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not an Ed25519 PKCS#8 PEM private key.
    #[error("{0}: not an Ed25519 private key in PKCS#8 PEM form")]
    BadPrivateKey(PathBuf),
    /// A protected key file asks for key-derivation work outside
    /// [`KDF_LIMITS`]: refused before any of it is done.
    #[error("{path}: the key file asks for {what}, outside what facelic accepts ({KDF_LIMITS})")]
    UnsafeKdf {
        /// The file.
        path: PathBuf,
        /// The parameters it asks for.
        what: String,
    },
    /// The private key file can be read by other users.
    #[error("{0}: private key is readable by group or others (run: chmod 600 {0})")]
    TooOpen(PathBuf),
    /// The operating system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
    /// The key file is protected and no passphrase was given.
    #[error("{0}: the key is protected by a passphrase and none was given")]
    NeedsPassphrase(PathBuf),
    /// The passphrase does not open the key file.
    #[error("{0}: the passphrase does not open this key (wrong passphrase, or a damaged file)")]
    WrongPassphrase(PathBuf),
    /// A passphrase that cannot protect a key: too short, or only white space.
    #[error(
        "a passphrase must be at least {min} characters, not all of them white space (got {got})"
    )]
    WeakPassphrase {
        /// Fewest characters accepted.
        min: usize,
        /// Characters given.
        got: usize,
    },
    /// The passphrase could not be read (from the terminal or the named
    /// environment variable).
    #[error("the passphrase could not be read: {0}")]
    PassphraseUnavailable(String),
}

impl KeyFileError {
    /// Whether the key is locked: protected, and its passphrase missing,
    /// wrong or unreadable.
    pub fn is_locked(&self) -> bool {
        matches!(
            self,
            KeyFileError::NeedsPassphrase(_)
                | KeyFileError::WrongPassphrase(_)
                | KeyFileError::PassphraseUnavailable(_)
        )
    }
}

/// The PEM label of a passphrase-protected PKCS#8 key.
const ENCRYPTED_LABEL: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----";

/// The key-derivation work a protected key file may ask for, in words.
pub const KDF_LIMITS: &str = "scrypt with N a power of two from 2^10 to 2^20, r 1 to 32, p 1 to 16 \
                              and at most 256 MiB (128 N r p bytes), or PBKDF2 with at most \
                              1,000,000 iterations";

/// Most memory scrypt may use for a key file: 128 · N · r · p bytes.
const MAX_SCRYPT_BYTES: u64 = 256 * 1024 * 1024;

/// Refuses a protected key file (PEM `text` of `path`) whose key derivation
/// would cost more than [`KDF_LIMITS`] (or would panic the decoder, N = 0),
/// before anything is derived. facelic writes N = 2^14, r = 8, p = 1 (16 MiB).
fn check_kdf(path: &Path, text: &str) -> Result<(), KeyFileError> {
    use pkcs8::pkcs5::{EncryptionScheme, pbes2::Kdf};
    let bad = || KeyFileError::BadPrivateKey(path.to_owned());
    let (_, der) = pkcs8::Document::from_pem(text).map_err(|_| bad())?;
    let info = pkcs8::EncryptedPrivateKeyInfoRef::try_from(der.as_bytes()).map_err(|_| bad())?;
    let unsafe_kdf = |what: String| {
        Err(KeyFileError::UnsafeKdf {
            path: path.to_owned(),
            what,
        })
    };
    match info.encryption_algorithm {
        EncryptionScheme::Pbes2(params) => match params.kdf {
            Kdf::Scrypt(scrypt) => {
                let (n, r, p) = (
                    scrypt.cost_parameter,
                    u64::from(scrypt.block_size),
                    u64::from(scrypt.parallelization),
                );
                let memory = 128u64.saturating_mul(n).saturating_mul(r).saturating_mul(p);
                if !n.is_power_of_two()
                    || !(1 << 10..=1 << 20).contains(&n)
                    || !(1..=32).contains(&r)
                    || !(1..=16).contains(&p)
                    || memory > MAX_SCRYPT_BYTES
                {
                    return unsafe_kdf(format!("scrypt N = {n}, r = {r}, p = {p}"));
                }
                Ok(())
            }
            Kdf::Pbkdf2(pbkdf2) if pbkdf2.iteration_count > 1_000_000 => {
                unsafe_kdf(format!("PBKDF2 with {} iterations", pbkdf2.iteration_count))
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

/// A secret (a key passphrase, a token PIN) from the environment variable
/// `var`. The error says why there is none (the variable is unset or
/// empty); it never holds the value.
pub fn secret_from_env(var: &str) -> Result<String, String> {
    match std::env::var(var) {
        Ok(text) if !text.is_empty() => Ok(text),
        Ok(_) => Err(format!("environment variable {var} is empty")),
        Err(_) => Err(format!("environment variable {var} is not set")),
    }
}

/// A passphrase that protects key files. Held in memory that is wiped on
/// drop; `Debug` never shows it.
pub struct Passphrase(zeroize::Zeroizing<String>);

impl Passphrase {
    /// Fewest characters a new passphrase may have.
    pub const MIN_CHARS: usize = 12;

    /// A passphrase for opening a key (any non-empty text; a trailing line
    /// break, as a terminal or a file gives it, is not part of it).
    pub fn new(text: impl Into<String>) -> Self {
        let mut text = zeroize::Zeroizing::new(text.into());
        while text.ends_with(['\n', '\r']) {
            text.pop();
        }
        Passphrase(text)
    }

    /// A passphrase for protecting a key: refused below [`Self::MIN_CHARS`]
    /// characters, or when every character is white space.
    pub fn new_for_protecting(text: impl Into<String>) -> Result<Self, KeyFileError> {
        let passphrase = Self::new(text);
        let got = passphrase.0.chars().count();
        if got < Self::MIN_CHARS || passphrase.0.chars().all(char::is_whitespace) {
            return Err(KeyFileError::WeakPassphrase {
                min: Self::MIN_CHARS,
                got,
            });
        }
        Ok(passphrase)
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(..)")
    }
}

/// Where the passphrase of a protected key comes from, asked for only when
/// such a key is opened (`path` names the file). The desk's caller decides:
/// an environment variable, a terminal prompt, a test's constant.
pub type PassphraseSource =
    std::sync::Arc<dyn Fn(&Path) -> Result<Passphrase, KeyFileError> + Send + Sync>;

/// True when the PEM text at `path` holds a passphrase-protected key.
pub fn is_protected(path: &Path) -> Result<bool, KeyFileError> {
    let text = zeroize::Zeroizing::new(fs::read_to_string(path).map_err(io(path))?);
    Ok(text.contains(ENCRYPTED_LABEL))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io {
        path: path.to_owned(),
        source,
    }
}

/// An Ed25519 issuer signing key. The secret is wiped from memory on drop and
/// never printed: `Debug` shows only the key id.
pub struct IssuerKey {
    signing: SigningKey,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IssuerKey({})", self.key_id())
    }
}

impl IssuerKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Result<Self, KeyFileError> {
        let mut seed = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::fill(seed.as_mut_slice()).map_err(|e| KeyFileError::Random(e.to_string()))?;
        Ok(Self::from_seed(&seed))
    }

    /// The key with this 32-byte secret seed (RFC 8032). For tests and vectors.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        Self {
            signing: SigningKey::from_bytes(seed),
        }
    }

    /// The public half.
    pub fn public_key(&self) -> facelic_verifier::PublicKey {
        // A key derived from a seed is a canonical point of large order:
        // the verifier's checks cannot refuse it.
        facelic_verifier::PublicKey::from_bytes(&self.signing.verifying_key().to_bytes())
            .unwrap_or_else(|_| unreachable!("an Ed25519 key derived from a seed"))
    }

    /// The key id licenses signed by this key carry.
    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.public_key())
    }

    /// The public key as SPKI PEM.
    pub fn public_pem(&self) -> String {
        public_key_to_pem(&self.public_key())
    }

    /// Signs `message` (Ed25519, RFC 8032).
    pub(crate) fn sign_bytes(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.signing.sign(message).to_bytes()
    }

    /// Writes `issuer.key` (PKCS#8 PEM, mode 0600) and `issuer.pub` (SPKI PEM)
    /// into `dir`, creating it. Refuses if either file exists unless `force`;
    /// with `force` each file is replaced atomically.
    pub fn write_to_dir(
        &self,
        dir: &Path,
        force: bool,
    ) -> Result<(PathBuf, PathBuf), KeyFileError> {
        self.write_to_dir_with(dir, None, force)
    }

    /// [`IssuerKey::write_to_dir`], the private key protected by `protect`
    /// when given (see [`IssuerKey::write_files_with`]).
    pub fn write_to_dir_with(
        &self,
        dir: &Path,
        protect: Option<&Passphrase>,
        force: bool,
    ) -> Result<(PathBuf, PathBuf), KeyFileError> {
        fs::create_dir_all(dir).map_err(io(dir))?;
        let private = dir.join(PRIVATE_KEY_FILE);
        let public = dir.join(PUBLIC_KEY_FILE);
        self.write_files_with(&private, &public, protect, force)?;
        Ok((private, public))
    }

    /// Writes the private key to `private` (PKCS#8 PEM, mode 0600) and the
    /// public key to `public` (SPKI PEM). Refuses if either exists unless
    /// `force`; with `force` each file is replaced atomically.
    pub fn write_files(
        &self,
        private: &Path,
        public: &Path,
        force: bool,
    ) -> Result<(), KeyFileError> {
        self.write_files_with(private, public, None, force)
    }

    /// [`IssuerKey::write_files`], the private key protected by `protect`
    /// when given: written encrypted directly, so the secret never touches
    /// the disk in clear. Both files are checked before either is written.
    pub fn write_files_with(
        &self,
        private: &Path,
        public: &Path,
        protect: Option<&Passphrase>,
        force: bool,
    ) -> Result<(), KeyFileError> {
        if !force {
            for path in [private, public] {
                if path.exists() {
                    return Err(KeyFileError::Exists(path.to_owned()));
                }
            }
        }
        match protect {
            Some(passphrase) => self.write_protected(private, passphrase, force)?,
            None => {
                let pem = self
                    .pkcs8_v1()
                    .to_pkcs8_pem(LineEnding::LF)
                    .map_err(|_| KeyFileError::BadPrivateKey(private.to_owned()))?;
                write_file(private, pem.as_bytes(), 0o600, force)?;
            }
        }
        write_file(public, self.public_pem().as_bytes(), 0o644, force)?;
        Ok(())
    }

    /// The key as PKCS#8 v1 (no embedded public key): the form `openssl
    /// genpkey` writes and every OpenSSL 3 reads; ed25519-dalek's default v2
    /// is not.
    fn pkcs8_v1(&self) -> KeypairBytes {
        KeypairBytes {
            secret_key: self.signing.to_bytes(),
            public_key: None,
        }
    }

    /// Writes the private key to `private`, protected by `passphrase`
    /// (PKCS#8 `EncryptedPrivateKeyInfo`, mode 0600). Refuses an existing
    /// file unless `replace`; a replacement is atomic.
    pub fn write_protected(
        &self,
        private: &Path,
        passphrase: &Passphrase,
        replace: bool,
    ) -> Result<(), KeyFileError> {
        if !replace && private.exists() {
            return Err(KeyFileError::Exists(private.to_owned()));
        }
        let pem = self
            .pkcs8_v1()
            .to_pkcs8_encrypted_pem(passphrase.as_bytes(), LineEnding::LF)
            .map_err(|e| KeyFileError::Random(e.to_string()))?;
        write_file(private, pem.as_bytes(), 0o600, replace)
    }

    /// Loads a private key file, plain or protected; the passphrase of a
    /// protected one comes from `passphrase` (called only then). Refuses
    /// files other users can read.
    pub fn load_with(path: &Path, passphrase: &PassphraseSource) -> Result<Self, KeyFileError> {
        check_private_mode(path)?;
        let text = zeroize::Zeroizing::new(fs::read_to_string(path).map_err(io(path))?);
        if !text.contains(ENCRYPTED_LABEL) {
            return Self::from_plain_pem(path, &text);
        }
        check_kdf(path, &text)?;
        let passphrase = passphrase(path)?;
        let signing = SigningKey::from_pkcs8_encrypted_pem(&text, passphrase.as_bytes())
            .map_err(|_| KeyFileError::WrongPassphrase(path.to_owned()))?;
        Ok(Self { signing })
    }

    /// Loads a plain PKCS#8 PEM private key, refusing files other users can
    /// read; a protected key is refused with [`KeyFileError::NeedsPassphrase`]
    /// (see [`IssuerKey::load_with`]).
    pub fn load(path: &Path) -> Result<Self, KeyFileError> {
        let none: PassphraseSource =
            std::sync::Arc::new(|path| Err(KeyFileError::NeedsPassphrase(path.to_owned())));
        Self::load_with(path, &none)
    }

    fn from_plain_pem(path: &Path, text: &str) -> Result<Self, KeyFileError> {
        let signing = SigningKey::from_pkcs8_pem(text)
            .map_err(|_| KeyFileError::BadPrivateKey(path.to_owned()))?;
        Ok(Self { signing })
    }
}

/// Refuses a private key file that group or others can read.
fn check_private_mode(path: &Path) -> Result<(), KeyFileError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = fs::metadata(path).map_err(io(path))?.permissions().mode();
        if mode & 0o077 != 0 {
            return Err(KeyFileError::TooOpen(path.to_owned()));
        }
    }
    Ok(())
}

/// Writes a key file with `mode` (see [`crate::write_file`]).
fn write_file(path: &Path, bytes: &[u8], mode: u32, replace: bool) -> Result<(), KeyFileError> {
    crate::write_file(path, bytes, mode, replace).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => KeyFileError::Exists(path.to_owned()),
        _ => KeyFileError::Io {
            path: path.to_owned(),
            source: e,
        },
    })
}
