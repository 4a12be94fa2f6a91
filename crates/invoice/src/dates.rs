//! The desk's time zone for documents: the dates a finance team files by.
//!
//! Instants that bind licenses (issue times, trial ends, terms) stay UTC.
//! Documents — invoice and credit-note dates, the year in their numbers —
//! use the catalog's `[invoicing] time_zone` (an IANA name, default
//! `Asia/Shanghai`): an invoice finalized at 07:30 Beijing time on
//! 1 January is dated 1 January and numbered in the new year.

use chrono::{DateTime, Datelike as _, SecondsFormat};
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

    /// `t` as RFC 3339 with this zone's offset, e.g. `2027-01-01T07:30:00+08:00`.
    pub fn rfc3339(&self, t: Timestamp) -> String {
        self.local(t).map_or_else(
            || t.to_string(),
            |d| d.to_rfc3339_opts(SecondsFormat::Secs, false),
        )
    }

    /// The calendar year of `t` in this zone.
    pub fn year(&self, t: Timestamp) -> i32 {
        self.local(t).map_or(1970, |d| d.year())
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
        assert_eq!(tz.rfc3339(t), "2027-01-01T07:30:00+08:00");
        assert_eq!(tz.year(t), 2027);
        let utc = TimeZone::named("UTC").unwrap();
        assert_eq!(utc.year(t), 2026);
        assert!(TimeZone::named("Mars/Olympus").is_none());
    }
}
