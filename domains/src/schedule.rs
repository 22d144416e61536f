//! When a pending domain is checked again (pure): each minute for its first hour, then each
//! hour, until 7 days after it was added; the check after that is its last, and a domain
//! still unproved then is FAILED (Vercel and Netlify keep re-checking similarly; a record
//! usually appears within minutes, a forgotten one never does).

/// Checks are a minute apart during the first hour.
pub const FIRST_HOUR_MS: i64 = 3_600_000;
pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 3_600_000;
/// How long a domain may stay pending.
pub const GIVE_UP_AFTER_MS: i64 = 7 * 24 * HOUR_MS;

/// When to check a domain added at `added_ms` again, after a check at `now_ms` that did not
/// find its record; `None`: that check was the last (give up).
pub fn next_check(added_ms: i64, now_ms: i64) -> Option<i64> {
    let age = now_ms - added_ms;
    if age >= GIVE_UP_AFTER_MS {
        None
    } else if age < FIRST_HOUR_MS {
        Some(now_ms + MINUTE_MS)
    } else {
        Some((now_ms + HOUR_MS).min(added_ms + GIVE_UP_AFTER_MS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_first_then_hours_then_give_up_at_seven_days() {
        assert_eq!(next_check(0, 0), Some(MINUTE_MS));
        assert_eq!(next_check(0, 59 * MINUTE_MS), Some(60 * MINUTE_MS));
        assert_eq!(next_check(0, FIRST_HOUR_MS), Some(FIRST_HOUR_MS + HOUR_MS));
        assert_eq!(next_check(0, GIVE_UP_AFTER_MS - 10), Some(GIVE_UP_AFTER_MS), "the last check is at 7 days");
        assert_eq!(next_check(0, GIVE_UP_AFTER_MS), None);
        assert_eq!(next_check(1_000, 1_000 + GIVE_UP_AFTER_MS + 1), None);
    }
}
