//! The desk's clock: the system time, or `FACELIC_NOW` when set.

use chrono::{DateTime, Timelike as _};
use facelic_issuer::Timestamp;
use facelic_issuer::desk::Clock;

use super::CliError;

/// Environment variable that pins "now" (RFC 3339) for reproducible runs.
pub(crate) const NOW_VAR: &str = "FACELIC_NOW";

/// Parses an RFC 3339 time with any offset, e.g. `2026-11-23T09:00:00+08:00`.
pub(crate) fn parse_time(text: &str, what: &str) -> Result<Timestamp, CliError> {
    let parsed = DateTime::parse_from_rfc3339(text.trim())
        .map_err(|e| CliError::input(format!("{what}: {text:?} is not an RFC 3339 time ({e})")))?;
    // chrono reads second 60 (a leap second) as the next second; a desk
    // time is never rounded.
    if parsed.nanosecond() >= 1_000_000_000 {
        return Err(CliError::input(format!(
            "{what}: {text:?} has second 60 (a leap second), which the desk does not record"
        )));
    }
    Timestamp::from_unix(parsed.timestamp())
        .ok_or_else(|| CliError::input(format!("{what}: {text:?} is out of range")))
}

/// An instant: RFC 3339, or a date (`YYYY-MM-DD`, midnight UTC).
pub(crate) fn parse_instant(text: &str, what: &str) -> Result<Timestamp, CliError> {
    if text.len() == 10 {
        return parse_time(&format!("{text}T00:00:00Z"), what);
    }
    parse_time(text, what)
}

/// The desk's clock: `FACELIC_NOW` if set, else the system clock.
pub(crate) fn clock() -> Result<Clock, CliError> {
    match std::env::var(NOW_VAR) {
        Ok(text) => Ok(Clock::Fixed(parse_time(&text, NOW_VAR)?)),
        Err(_) => Ok(Clock::System),
    }
}

/// Now, by [`clock`].
pub(crate) fn now() -> Result<Timestamp, CliError> {
    Ok(clock()?.now()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leap_seconds_are_refused_not_rounded() {
        assert!(parse_time("2026-12-31T23:59:60Z", "--at").is_err());
        assert_eq!(
            parse_time("2026-11-23T09:00:00+08:00", "--at")
                .unwrap()
                .to_string(),
            "2026-11-23T01:00:00Z"
        );
    }
}
