//! Issuer key files: PKCS#8 PEM private key (mode 0600), SPKI PEM public key.

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
    #[error("{0} already exists (pass --force to replace it)")]
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
    /// The private key file can be read by other users.
    #[error("{0}: private key is readable by group or others (run: chmod 600 {0})")]
    TooOpen(PathBuf),
    /// The operating system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
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
    pub fn verifying_key(&self) -> facelic_verifier::VerifyingKey {
        self.signing.verifying_key()
    }

    /// The key id licenses signed by this key carry.
    pub fn key_id(&self) -> KeyId {
        KeyId::of(&self.verifying_key())
    }

    /// The public key as SPKI PEM.
    pub fn public_pem(&self) -> String {
        public_key_to_pem(&self.verifying_key())
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
        fs::create_dir_all(dir).map_err(io(dir))?;
        let private = dir.join(PRIVATE_KEY_FILE);
        let public = dir.join(PUBLIC_KEY_FILE);
        self.write_files(&private, &public, force)?;
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
        if !force {
            for path in [private, public] {
                if path.exists() {
                    return Err(KeyFileError::Exists(path.to_owned()));
                }
            }
        }
        // PKCS#8 v1 (no embedded public key): the form `openssl genpkey` writes
        // and every OpenSSL 3 reads; ed25519-dalek's default v2 is not.
        let pair = KeypairBytes {
            secret_key: self.signing.to_bytes(),
            public_key: None,
        };
        let pem = pair
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|_| KeyFileError::BadPrivateKey(private.to_owned()))?;
        write_file(private, pem.as_bytes(), 0o600, force)?;
        write_file(public, self.public_pem().as_bytes(), 0o644, force)?;
        Ok(())
    }

    /// Loads a PKCS#8 PEM private key, refusing files other users can read.
    pub fn load(path: &Path) -> Result<Self, KeyFileError> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(path).map_err(io(path))?.permissions().mode();
            if mode & 0o077 != 0 {
                return Err(KeyFileError::TooOpen(path.to_owned()));
            }
        }
        let text = zeroize::Zeroizing::new(fs::read_to_string(path).map_err(io(path))?);
        let signing = SigningKey::from_pkcs8_pem(&text)
            .map_err(|_| KeyFileError::BadPrivateKey(path.to_owned()))?;
        Ok(Self { signing })
    }
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
