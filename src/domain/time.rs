//! The office's local dates.

use chrono::{NaiveDate, NaiveDateTime};
use chrono_tz::Tz;

use crate::domain::Moment;

/// The date a moment falls on in the office's time zone.
pub fn local_date(at: Moment, tz: Tz) -> NaiveDate {
    at.0.with_timezone(&tz).date_naive()
}

/// The office's date and time of a moment.
pub fn local_time(at: Moment, tz: Tz) -> NaiveDateTime {
    at.0.with_timezone(&tz).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evening_utc_is_next_day_in_changsha() {
        let at = Moment::parse("2026-11-30T20:00:00Z").unwrap();
        assert_eq!(local_date(at, chrono_tz::Asia::Shanghai), NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        let before = Moment::parse("2026-11-30T15:59:59.999999Z").unwrap();
        assert_eq!(local_date(before, chrono_tz::Asia::Shanghai), NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    }

    #[test]
    fn refuses_moment_without_offset() {
        assert!(Moment::parse("2026-11-30T20:00:00").is_err());
    }

    #[test]
    fn truncates_to_microseconds() {
        let at = Moment::parse("2026-11-30T20:00:00.123456789+08:00").unwrap();
        assert_eq!(at.timestamp_subsec_nanos(), 123_456_000);
    }
}
