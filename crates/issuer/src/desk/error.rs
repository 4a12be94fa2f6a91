//! Why a desk operation was refused or failed.

use std::path::PathBuf;

use facelic_invoice::CatalogError;

use crate::{KeyFileError, SignError};

/// Every way a desk operation can fail. Nothing is written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    /// No desk at this directory yet.
    #[error("no desk at {0} (run `facelic init` first, or pass --desk)")]
    NotInitialized(PathBuf),
    /// `init` on a directory that already holds a desk.
    #[error("a desk already exists at {0}")]
    AlreadyInitialized(PathBuf),
    /// A commercial or licensing rule refuses the operation.
    #[error("{0}")]
    Refused(String),
    /// A customer, order or license that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// Bad input (the message names it).
    #[error("{0}")]
    Input(String),
    /// The ledger database failed.
    #[error("ledger: {0}")]
    Ledger(#[from] rusqlite::Error),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An issuer key file problem.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The desk's catalog is invalid.
    #[error("{path}: {source}")]
    Catalog {
        /// The catalog file.
        path: PathBuf,
        /// What is wrong with it.
        source: CatalogError,
    },
    /// A license could not be signed.
    #[error(transparent)]
    Sign(#[from] SignError),
    /// A worker thread of the desk stopped (a bug; nothing was recorded).
    #[error("internal error: {0}; nothing was recorded")]
    Internal(&'static str),
}

impl DeskError {
    pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> Self + '_ {
        move |source| DeskError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Shorthand for desk results.
pub type Result<T, E = DeskError> = std::result::Result<T, E>;
