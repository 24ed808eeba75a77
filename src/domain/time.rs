//! The office's local dates.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
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

/// The first moment of a local date in the office's time zone (its midnight, or the
/// first moment after a gap).
pub fn start_of(date: NaiveDate, tz: Tz) -> Moment {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    let local = midnight.and_local_timezone(tz);
    let at = local.earliest().unwrap_or_else(|| {
        // A gap at midnight: the first moment after it, an hour later at most.
        (midnight + chrono::Duration::hours(1))
            .and_local_timezone(tz)
            .earliest()
            .unwrap_or_else(|| tz.from_utc_datetime(&midnight))
    });
    Moment(at.with_timezone(&chrono::Utc))
}

/// The local day `at` falls on, as `[start, end)`.
pub fn local_day(at: Moment, tz: Tz) -> (Moment, Moment) {
    let today = local_date(at, tz);
    let tomorrow = today.succ_opt().unwrap_or(today);
    (start_of(today, tz), start_of(tomorrow, tz))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_day_runs_from_midnight_to_midnight() {
        let at = Moment::parse("2026-11-30T20:00:00Z").unwrap();
        let (start, end) = local_day(at, chrono_tz::Asia::Shanghai);
        assert_eq!(start, Moment::parse("2026-11-30T16:00:00Z").unwrap());
        assert_eq!(end, Moment::parse("2026-12-01T16:00:00Z").unwrap());
    }

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
