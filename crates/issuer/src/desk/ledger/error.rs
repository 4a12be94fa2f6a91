//! How a database failure becomes a [`DeskError`]: a damaged file is
//! [`DeskError::Damaged`], a value that does not read is
//! [`DeskError::Corrupt`], anything else a [`LedgerError`] in one line.

use crate::desk::{CorruptValue, DeskError};

/// The ledger's database failed (a disk error, a lock, a constraint the
/// desk's rules should have kept): shown in one line, without the SQL.
#[derive(Debug)]
pub struct LedgerError(rusqlite::Error);

impl std::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            rusqlite::Error::SqliteFailure(e, Some(message)) => {
                let first = message.lines().next().unwrap_or_default();
                let short: String = first.chars().take(160).collect();
                write!(f, "{short} ({:?})", e.code)
            }
            rusqlite::Error::SqlInputError { error, msg, .. } => {
                write!(f, "{msg} ({:?})", error.code)
            }
            other => f.write_str(other.to_string().lines().next().unwrap_or_default()),
        }
    }
}

impl std::error::Error for LedgerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<rusqlite::Error> for DeskError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match e {
            rusqlite::Error::SqliteFailure(f, _)
                if matches!(f.code, DatabaseCorrupt | NotADatabase) =>
            {
                DeskError::Damaged(e.to_string())
            }
            rusqlite::Error::FromSqlConversionFailure(_, _, inner) => {
                match inner.downcast::<CorruptValue>() {
                    Ok(corrupt) => DeskError::Corrupt(*corrupt),
                    Err(inner) => {
                        DeskError::Ledger(LedgerError(rusqlite::Error::FromSqlConversionFailure(
                            0,
                            rusqlite::types::Type::Null,
                            inner,
                        )))
                    }
                }
            }
            e => DeskError::Ledger(LedgerError(e)),
        }
    }
}
