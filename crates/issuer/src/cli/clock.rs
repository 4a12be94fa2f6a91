//! The desk's clock: the system time, or `FACELIC_NOW` when set.

use chrono::{DateTime, Utc};
use facelic_issuer::Timestamp;

use super::CliError;

/// Environment variable that pins "now" (RFC 3339) for reproducible runs.
pub(crate) const NOW_VAR: &str = "FACELIC_NOW";

/// Parses an RFC 3339 time with any offset, e.g. `2026-11-23T09:00:00+08:00`.
pub(crate) fn parse_time(text: &str, what: &str) -> Result<Timestamp, CliError> {
    let parsed = DateTime::parse_from_rfc3339(text.trim())
        .map_err(|e| CliError::input(format!("{what}: {text:?} is not an RFC 3339 time ({e})")))?;
    Timestamp::from_unix(parsed.timestamp())
        .ok_or_else(|| CliError::input(format!("{what}: {text:?} is out of range")))
}

/// Now: `FACELIC_NOW` if set, else the system clock.
pub(crate) fn now() -> Result<Timestamp, CliError> {
    match std::env::var(NOW_VAR) {
        Ok(text) => parse_time(&text, NOW_VAR),
        Err(_) => Timestamp::from_unix(Utc::now().timestamp())
            .ok_or_else(|| CliError::input("system clock out of range")),
    }
}
