//! Reading keyrings from a file or a directory of `*.pub` files.

use std::path::{Path, PathBuf};

use facelic_verifier::{KeyError, Keyring, PublicKey};

/// Why a keyring could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// Reading failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file holds no valid public key.
    #[error("{path}: {source}")]
    Key {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        source: KeyError,
    },
    /// A directory holds no `*.pub` file.
    #[error("{0}: no *.pub files in this directory")]
    Empty(PathBuf),
}

/// Why a text that must hold one public key does not.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SingleKeyError {
    /// No valid public key (or a damaged block).
    #[error(transparent)]
    Key(#[from] KeyError),
    /// More than one key.
    #[error("it must hold exactly one public key (it holds {0})")]
    Several(usize),
}

/// The one public key of `pem`: a root's public key, a certification
/// request. Exactly one `PUBLIC KEY` block, else an error naming why.
pub fn single_key(pem: &str) -> Result<PublicKey, SingleKeyError> {
    let ring = Keyring::from_pem(pem)?;
    match (ring.ids().next().and_then(|id| ring.get(id)), ring.len()) {
        (Some(key), 1) => Ok(*key),
        (_, n) => Err(SingleKeyError::Several(n)),
    }
}

/// Loads a keyring from a PEM file (one or more `PUBLIC KEY` blocks) or from
/// every `*.pub` file in a directory.
pub fn load(path: &Path) -> Result<Keyring, KeyringError> {
    let io = |source| KeyringError::Io {
        path: path.to_owned(),
        source,
    };
    if !path.is_dir() {
        let text = std::fs::read_to_string(path).map_err(io)?;
        return Keyring::from_pem(&text).map_err(|source| KeyringError::Key {
            path: path.to_owned(),
            source,
        });
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(io)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pub"))
        .collect();
    files.sort();
    let mut ring = Keyring::new();
    for file in &files {
        let one = load(file)?;
        for id in one.ids() {
            if let Some(key) = one.get(id) {
                ring.add(*key);
            }
        }
    }
    if ring.is_empty() {
        return Err(KeyringError::Empty(path.to_owned()));
    }
    Ok(ring)
}
