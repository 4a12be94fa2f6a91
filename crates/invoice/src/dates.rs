//! The desk's time zone for documents: the dates a finance team files by.
//!
//! Instants that bind licenses (issue times, trial ends, terms) stay UTC.
//! Documents — invoice and credit-note dates, the year in their numbers —
//! use the catalog's `[invoicing] time_zone` (an IANA name, default
//! `Asia/Shanghai`): an invoice finalized at 07:30 Beijing time on
//! 1 January is dated 1 January and numbered in the new year.

use std::fmt;

use chrono::{DateTime, Datelike as _, FixedOffset, NaiveDate, SecondsFormat};
use chrono_tz::Tz;

use facelic_verifier::Timestamp;

/// The time zone of [`DEFAULT_TIME_ZONE`] when the catalog names none.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// A time zone documents are dated in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeZone(Tz);

impl TimeZone {
    /// The zone with this IANA name (`Asia/Shanghai`, `UTC`, `Europe/Berlin`).
    pub fn named(name: &str) -> Option<Self> {
        name.parse::<Tz>().ok().map(TimeZone)
    }

    /// The zone's IANA name.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    fn local(&self, t: Timestamp) -> Option<DateTime<Tz>> {
        DateTime::from_timestamp(t.unix(), 0).map(|utc| utc.with_timezone(&self.0))
    }

    /// `t` as a document records it: with this zone's offset, e.g.
    /// `2027-01-01T07:30:00+08:00`.
    pub fn stamp(&self, t: Timestamp) -> Stamp {
        match self.local(t) {
            Some(d) => Stamp {
                instant: t,
                at: d.fixed_offset(),
                utc: false,
            },
            None => Stamp::utc(t),
        }
    }

    /// The calendar year of `t` in this zone.
    pub fn year(&self, t: Timestamp) -> i32 {
        self.date(t).year()
    }

    /// Minutes after midnight of `t` in this zone.
    pub fn minute_of_day(&self, t: Timestamp) -> u32 {
        use chrono::Timelike as _;
        self.local(t).map_or(0, |d| d.hour() * 60 + d.minute())
    }

    /// The calendar date of `t` in this zone.
    pub fn date(&self, t: Timestamp) -> Date {
        Date(self.local(t).map_or(NaiveDate::MIN, |d| d.date_naive()))
    }
}

/// A moment as a document records it (when a draft was made, a statement
/// finalized, a credit note issued): RFC 3339 to the second with the
/// offset of the desk's zone (`2027-01-01T07:30:00+08:00`), or in UTC
/// (`2026-12-31T23:30:00Z`, documents made before the desk had a zone).
/// Parsed once; written back exactly as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    instant: Timestamp,
    at: DateTime<FixedOffset>,
    /// Written `…Z` (UTC, an older document) rather than with an offset.
    utc: bool,
}

impl Stamp {
    /// `t` in UTC, written `…Z`.
    fn utc(t: Timestamp) -> Stamp {
        let at = DateTime::from_timestamp(t.unix(), 0)
            .unwrap_or(DateTime::UNIX_EPOCH)
            .fixed_offset();
        Stamp {
            instant: t,
            at,
            utc: true,
        }
    }

    /// Reads a stamp: RFC 3339 to the second, with an offset or `Z`.
    pub fn parse(text: &str) -> Option<Stamp> {
        if text.len() < 20 || text.as_bytes().get(10) != Some(&b'T') || text.contains('.') {
            return None;
        }
        let at = DateTime::parse_from_rfc3339(text).ok()?;
        let stamp = Stamp {
            instant: Timestamp::from_unix(at.timestamp())?,
            at,
            utc: text.ends_with('Z'),
        };
        (stamp.to_string() == text).then_some(stamp)
    }

    /// The instant.
    pub fn instant(&self) -> Timestamp {
        self.instant
    }

    /// The date the document shows: the calendar date at the stamp's own
    /// offset, or for a UTC stamp (older documents) the date in `zone`.
    pub fn date_in(&self, zone: TimeZone) -> Date {
        if self.utc {
            zone.date(self.instant())
        } else {
            Date(self.at.date_naive())
        }
    }

    /// The calendar date at the stamp's own offset (its first ten
    /// characters).
    pub fn local_date(&self) -> Date {
        Date(self.at.date_naive())
    }
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.at.to_rfc3339_opts(SecondsFormat::Secs, self.utc))
    }
}

impl serde::Serialize for Stamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Stamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Stamp, D::Error> {
        let text = String::deserialize(d)?;
        Stamp::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("{text:?} is not a time (RFC 3339, to the second)"))
        })
    }
}

/// The first day the desk records anything on (its clock's floor):
/// usage, packs, activations, payments and refunds dated earlier are
/// refused.
pub const FIRST_DAY: &str = "2000-01-01";

/// A calendar date (`YYYY-MM-DD`) in the desk's time zone: document dates,
/// due dates, payment dates, quote validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(NaiveDate);

/// A date before [`FIRST_DAY`], the first day the desk records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {day} is before {FIRST_DAY}, the first day the desk records")]
pub struct BeforeFirstDay {
    /// What is dated.
    pub what: String,
    /// Its day.
    pub day: Date,
}

impl Date {
    /// [`FIRST_DAY`] as a date.
    pub fn first() -> Date {
        Date(NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN))
    }

    /// Refuses a `what` dated before [`FIRST_DAY`], naming it.
    pub fn check_floor(self, what: &str) -> Result<(), BeforeFirstDay> {
        match self < Date::first() {
            true => Err(BeforeFirstDay {
                what: what.to_owned(),
                day: self,
            }),
            false => Ok(()),
        }
    }

    /// Parses `YYYY-MM-DD` (a real calendar date).
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        if text.len() != 10 {
            return None;
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(Date)
    }

    /// The date `days` later (earlier when negative); saturates at the calendar's ends.
    pub fn add_days(self, days: i64) -> Date {
        Date(
            self.0
                .checked_add_signed(chrono::TimeDelta::days(days))
                .unwrap_or(if days < 0 {
                    NaiveDate::MIN
                } else {
                    NaiveDate::MAX
                }),
        )
    }

    /// Whole days from `earlier` to `self` (negative when `earlier` is later).
    pub fn days_since(self, earlier: Date) -> i64 {
        (self.0 - earlier.0).num_days()
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.0.year()
    }

    /// The day of the month (1 to 31).
    pub fn day_of_month(self) -> u32 {
        self.0.day()
    }

    /// The same day `n` years later; 29 February becomes 28 February.
    pub fn add_years(self, n: u32) -> Date {
        Date(
            self.0
                .checked_add_months(chrono::Months::new(n.saturating_mul(12)))
                .unwrap_or(NaiveDate::MAX),
        )
    }
}

/// A calendar month (`YYYY-MM`): what a usage run bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    first: Date,
}

impl Month {
    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Month> {
        let text = text.trim();
        if text.len() != 7 {
            return None;
        }
        Date::parse(&format!("{text}-01")).map(|first| Month { first })
    }

    /// The month `day` falls in.
    pub fn of(day: Date) -> Month {
        Month {
            first: Date(day.0.with_day(1).unwrap_or(day.0)),
        }
    }

    /// Its first day.
    pub fn first_day(self) -> Date {
        self.first
    }

    /// The month after.
    pub fn next(self) -> Month {
        Month {
            first: Date(
                self.first
                    .0
                    .checked_add_months(chrono::Months::new(1))
                    .unwrap_or(NaiveDate::MAX),
            ),
        }
    }

    /// Its last day.
    pub fn last_day(self) -> Date {
        self.next().first.add_days(-1)
    }

    /// Its `n`th day (clamped to the month's length).
    pub fn day(self, n: u32) -> Date {
        let last = self.last_day();
        let d = self.first.add_days(i64::from(n.max(1)) - 1);
        d.min(last)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first.0.format("%Y-%m"))
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a date (YYYY-MM-DD)")))
    }
}

impl Default for TimeZone {
    fn default() -> Self {
        TimeZone(chrono_tz::Asia::Shanghai)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_year_in_beijing_is_still_the_old_year_in_utc() {
        let tz = TimeZone::named(DEFAULT_TIME_ZONE).unwrap();
        let t = Timestamp::parse("2026-12-31T23:30:00Z").unwrap();
        assert_eq!(tz.stamp(t).to_string(), "2027-01-01T07:30:00+08:00");
        assert_eq!(tz.year(t), 2027);
        let utc = TimeZone::named("UTC").unwrap();
        assert_eq!(utc.year(t), 2026);
        assert!(TimeZone::named("Mars/Olympus").is_none());
        assert_eq!(tz.date(t).to_string(), "2027-01-01");
    }

    #[test]
    fn stamps_read_both_forms_and_write_them_back_exactly() {
        let zone = TimeZone::named(DEFAULT_TIME_ZONE).unwrap();
        for (text, date) in [
            ("2027-01-01T07:30:00+08:00", "2027-01-01"),
            // An older document, in UTC: dated in the desk's zone.
            ("2026-12-31T23:30:00Z", "2027-01-01"),
        ] {
            let stamp = Stamp::parse(text).unwrap();
            assert_eq!(stamp.to_string(), text);
            assert_eq!(stamp.date_in(zone).to_string(), date);
            let json = serde_json::to_string(&stamp).unwrap();
            assert_eq!(serde_json::from_str::<Stamp>(&json).unwrap(), stamp);
        }
        let t = Timestamp::parse("2026-12-31T23:30:00Z").unwrap();
        assert_eq!(zone.stamp(t).instant(), t);
        assert_eq!(zone.stamp(t).local_date().to_string(), "2027-01-01");
        for bad in [
            "",
            "2027-01-01",
            "2027-01-01 07:30:00+08:00",
            "2027-01-01T07:30:00.5+08:00",
            "2027-01-01T07:30:00+0800",
            "2027-13-01T07:30:00+08:00",
            "2027-01-01t07:30:00z",
        ] {
            assert!(Stamp::parse(bad).is_none(), "{bad:?}");
            assert!(serde_json::from_str::<Stamp>(&format!("{bad:?}")).is_err());
        }
    }

    #[test]
    fn dates_parse_strictly_and_count_days() {
        let d = Date::parse("2027-02-28").unwrap();
        assert_eq!(d.add_days(1).to_string(), "2027-03-01");
        assert_eq!(d.add_days(30).days_since(d), 30);
        assert_eq!(Date::first().to_string(), FIRST_DAY);
        assert!(Date::parse("1999-12-31").unwrap().check_floor("x").is_err());
        assert!(Date::first().check_floor("x").is_ok());
        assert_eq!(
            Date::parse("2028-02-29").unwrap().add_years(1).to_string(),
            "2029-02-28"
        );
        let m = Month::parse("2028-02").unwrap();
        assert_eq!(
            (m.first_day().to_string(), m.last_day().to_string()),
            ("2028-02-01".into(), "2028-02-29".into())
        );
        assert_eq!(m.next().to_string(), "2028-03");
        assert_eq!(
            Month::of(Date::parse("2026-12-31").unwrap())
                .next()
                .to_string(),
            "2027-01"
        );
        assert!(Month::parse("2026-13").is_none() && Month::parse("2026-1").is_none());
        for bad in [
            "2027-02-29",
            "2027-2-28",
            "27-02-28",
            "2027-02-28T00:00:00Z",
            "",
        ] {
            assert!(Date::parse(bad).is_none(), "{bad}");
        }
    }
}
