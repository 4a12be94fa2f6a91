//! Calendar arithmetic for terms and trials.

use chrono::{DateTime, Months, Utc};

use super::{InputError, Result};
use crate::Timestamp;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// `t` plus `months` calendar months (a month-end date is clamped:
/// 2028-02-29 plus 12 months is 2029-02-28).
pub(crate) fn add_months(t: Timestamp, months: u32) -> Result<Timestamp> {
    DateTime::<Utc>::from_timestamp(t.unix(), 0)
        .and_then(|d| d.checked_add_months(Months::new(months)))
        .and_then(|d| Timestamp::from_unix(d.timestamp()))
        .ok_or_else(|| InputError::OutOfRange(format!("{t} plus {months} months")).into())
}

/// `t` plus `days` days.
pub(crate) fn add_days(t: Timestamp, days: u32) -> Timestamp {
    t.saturating_add(i64::from(days) * DAY)
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
}
