//! Calendar arithmetic for terms and trials, and duration parsing.

use chrono::{DateTime, Months, Utc};

use super::{DeskError, Result};
use crate::Timestamp;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// `t` plus `months` calendar months (a month-end date is clamped:
/// 2028-02-29 plus 12 months is 2029-02-28).
pub(crate) fn add_months(t: Timestamp, months: u32) -> Result<Timestamp> {
    DateTime::<Utc>::from_timestamp(t.unix(), 0)
        .and_then(|d| d.checked_add_months(Months::new(months)))
        .and_then(|d| Timestamp::from_unix(d.timestamp()))
        .ok_or_else(|| DeskError::Input(format!("{t} plus {months} months is out of range")))
}

/// `t` plus `days` days.
pub(crate) fn add_days(t: Timestamp, days: u32) -> Timestamp {
    t.saturating_add(i64::from(days) * DAY)
}

/// Parses a duration such as `30d`, `12h` or `2w` into seconds; a bare
/// number is days (`30` is `30d`). Every `--expiring-within` reads it.
pub fn parse_duration(text: &str) -> Result<i64> {
    let text = text.trim();
    let bad = || DeskError::Input(format!("{text:?} is not a duration (e.g. 30d, 12h, 2w)"));
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

    fn ts(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    #[test]
    fn months_are_calendar_months() {
        assert_eq!(
            add_months(ts("2026-11-23T10:00:00Z"), 12).unwrap(),
            ts("2027-11-23T10:00:00Z")
        );
        assert_eq!(
            add_months(ts("2028-02-29T00:00:00Z"), 12).unwrap(),
            ts("2029-02-28T00:00:00Z")
        );
    }

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
