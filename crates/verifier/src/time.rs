//! UTC timestamps in the one textual form the license format allows.
//!
//! A license writes every instant as `YYYY-MM-DDTHH:MM:SSZ` (RFC 3339, UTC,
//! whole seconds, upper-case `T` and `Z`). Nothing else is accepted, so each
//! instant has exactly one encoding.

#![forbid(unsafe_code)]

use core::fmt;

/// An instant in UTC, as whole seconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Earliest instant the format can write: 0001-01-01T00:00:00Z.
const MIN_SECS: i64 = -62_135_596_800;
/// Latest instant the format can write: 9999-12-31T23:59:59Z.
const MAX_SECS: i64 = 253_402_300_799;

impl Timestamp {
    /// The instant `secs` seconds after the Unix epoch, if the format can write it
    /// (years 0001 to 9999).
    pub fn from_unix(secs: i64) -> Option<Self> {
        (MIN_SECS..=MAX_SECS).contains(&secs).then_some(Self(secs))
    }

    /// Seconds since the Unix epoch.
    pub fn unix(self) -> i64 {
        self.0
    }

    /// This instant moved by `secs` seconds, saturating at the ends of the range.
    pub fn saturating_add(self, secs: i64) -> Self {
        Self(self.0.saturating_add(secs).clamp(MIN_SECS, MAX_SECS))
    }

    /// Parses the strict `YYYY-MM-DDTHH:MM:SSZ` form; `None` for anything else
    /// (other offsets, fractions, lower case, out-of-range fields, 24:00:00, leap seconds).
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        if b.len() != 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'Z'
        {
            return None;
        }
        let num = |from: usize, to: usize| -> Option<i64> {
            b[from..to].iter().try_fold(0i64, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
            })
        };
        let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
        if year < 1
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        let days = days_from_civil(year, month, day);
        Some(Self(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3_600,
            secs % 3_600 / 60,
            secs % 60
        )
    }
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_instants() {
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:00Z").map(Timestamp::unix),
            Some(0)
        );
        assert_eq!(
            Timestamp::parse("2026-11-23T07:20:57Z").map(Timestamp::unix),
            Some(1_795_418_457)
        );
        assert_eq!(
            Timestamp::parse("0001-01-01T00:00:00Z").map(Timestamp::unix),
            Some(MIN_SECS)
        );
        assert_eq!(
            Timestamp::parse("9999-12-31T23:59:59Z").map(Timestamp::unix),
            Some(MAX_SECS)
        );
        assert!(Timestamp::parse("2024-02-29T12:00:00Z").is_some());
    }

    #[test]
    fn rejects_every_other_spelling() {
        for bad in [
            "",
            "2026-11-23T07:20:57",
            "2026-11-23t07:20:57Z",
            "2026-11-23T07:20:57z",
            "2026-11-23 07:20:57Z",
            "2026-11-23T07:20:57.0Z",
            "2026-11-23T07:20:57+00:00",
            "2025-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-01T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-11-23T24:00:00Z",
            "2026-11-23T23:60:00Z",
            "2026-11-23T23:59:60Z",
            "0000-01-01T00:00:00Z",
            "+026-11-23T07:20:57Z",
            "2026-11-2３T07:20:5Z",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn display_parse_roundtrip_matches_chrono(secs in MIN_SECS..=MAX_SECS) {
            let ts = Timestamp::from_unix(secs).unwrap();
            let text = ts.to_string();
            prop_assert_eq!(Timestamp::parse(&text), Some(ts));
            let chrono = chrono::DateTime::from_timestamp(secs, 0).unwrap();
            prop_assert_eq!(text, chrono.format("%Y-%m-%dT%H:%M:%SZ").to_string());
        }

        #[test]
        fn parse_never_panics(s in "\\PC{0,24}") {
            let _ = Timestamp::parse(&s);
        }
    }
}
