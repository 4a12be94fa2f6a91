//! Parsers of command-line syntax the desk library does not know: durations
//! such as `30d`.

use super::CliError;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// Parses a duration such as `30d`, `12h` or `2w` into seconds; a bare
/// number is days (`30` is `30d`). Every `--expiring-within` reads it.
pub(crate) fn parse_duration(text: &str) -> Result<i64, CliError> {
    let text = text.trim();
    let bad = || CliError::Input(format!("{text:?} is not a duration (e.g. 30d, 12h, 2w)"));
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let unit_secs = match unit {
        "h" => 3_600,
        "d" | "" => DAY,
        "w" => 7 * DAY,
        _ => return Err(bad()),
    };
    n.checked_mul(unit_secs).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d").unwrap(), 30 * DAY);
        assert_eq!(parse_duration("2w").unwrap(), 14 * DAY);
        assert_eq!(parse_duration("12h").unwrap(), 12 * 3_600);
        assert_eq!(
            parse_duration("30").unwrap(),
            30 * DAY,
            "a bare number is days"
        );
        for bad in ["", "d", "30x", "-3d", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
