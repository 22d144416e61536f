//! Billing periods are calendar months in UTC, named `YYYY-MM`.

use time::{Date, Month, OffsetDateTime, Time};

/// The period a Unix-millisecond moment falls in.
pub fn period_of(unix_ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!("{:04}-{:02}", at.year(), u8::from(at.month()))
}

/// The UTC day of a Unix millisecond time, `YYYY-MM-DD`: how usage is drawn by day.
pub fn day_of(unix_ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!("{}-{:02}", period_of(unix_ms), at.day())
}

/// A period's start (inclusive) and end (exclusive), in Unix milliseconds; `None` when the
/// name is not `YYYY-MM`.
pub fn period_bounds(period: &str) -> Option<(i64, i64)> {
    let (year, month) = period.split_once('-')?;
    if year.len() != 4 || month.len() != 2 {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
    let start = Date::from_calendar_date(year, month, 1).ok()?;
    let (next_year, next_month) =
        if month == Month::December { (year + 1, Month::January) } else { (year, month.next()) };
    let end = Date::from_calendar_date(next_year, next_month, 1).ok()?;
    let ms = |date: Date| (date.with_time(Time::MIDNIGHT).assume_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    Some((ms(start), ms(end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_fall_in_their_utc_month() {
        assert_eq!(period_of(0), "1970-01");
        // 2026-11-30T23:59:59.999Z and one millisecond later
        let (start, end) = period_bounds("2026-11").unwrap();
        assert_eq!(period_of(end - 1), "2026-11");
        assert_eq!(period_of(end), "2026-12");
        assert_eq!(period_of(start), "2026-11");
        assert_eq!(period_bounds("2026-12").unwrap().1, period_bounds("2027-01").unwrap().0);
        for bad in ["2026-13", "2026-1", "26-11", "november", ""] {
            assert_eq!(period_bounds(bad), None, "{bad}");
        }
    }
}
