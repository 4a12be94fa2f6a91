//! Reading keyrings from a file or a directory of `*.pub` files.

use std::path::{Path, PathBuf};

use facelic_verifier::{KeyError, Keyring};

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
