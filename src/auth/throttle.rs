//! Failed-login throttling per username: slowed, then locked for a while. Kept for any
//! username, known or not, so the answer never tells whether a user exists.

use crate::domain::Moment;

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures after which each further attempt must wait (1 s, 2 s, 4 s, …).
    pub slow_after: i32,
    /// Failures that lock the username.
    pub max_failures: i32,
    /// How long a lock lasts, and how long failures are remembered.
    pub lock_seconds: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy { slow_after: 3, max_failures: 5, lock_seconds: 900 }
    }
}

/// What is remembered of a username's recent failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: i32,
    pub last_at: Moment,
    pub locked_until: Option<Moment>,
}

fn seconds_until(now: Moment, at: Moment) -> u64 {
    let micros = (at.0 - now.0).num_microseconds().unwrap_or(i64::MAX);
    ((micros + 999_999) / 1_000_000).max(1) as u64
}

impl ThrottlePolicy {
    /// `Err(seconds)` when an attempt now must be refused, with how long to wait.
    pub fn check(&self, state: Option<&Failures>, now: Moment) -> Result<(), u64> {
        let Some(f) = state else { return Ok(()) };
        if let Some(until) = f.locked_until {
            if until > now {
                return Err(seconds_until(now, until));
            }
            return Ok(());
        }
        if self.forgotten(f, now) || f.count < self.slow_after {
            return Ok(());
        }
        let wait = 1i64 << (f.count - self.slow_after).clamp(0, 20);
        let next = Moment(f.last_at.0 + chrono::Duration::seconds(wait));
        if next > now {
            Err(seconds_until(now, next))
        } else {
            Ok(())
        }
    }

    fn forgotten(&self, f: &Failures, now: Moment) -> bool {
        now.0 - f.last_at.0 >= chrono::Duration::seconds(self.lock_seconds)
            || f.locked_until.is_some_and(|until| until <= now)
    }

    /// The state after one more failure at `now`.
    pub fn after_failure(&self, state: Option<&Failures>, now: Moment) -> Failures {
        let count = match state {
            Some(f) if !self.forgotten(f, now) => f.count + 1,
            _ => 1,
        };
        let locked_until =
            (count >= self.max_failures).then(|| Moment(now.0 + chrono::Duration::seconds(self.lock_seconds)));
        Failures { count, last_at: now, locked_until }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Moment {
        Moment(chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap())
    }

    #[test]
    fn slows_then_locks_then_forgets() {
        let p = ThrottlePolicy::default();
        let mut f = None;
        for i in 0..3 {
            assert_eq!(p.check(f.as_ref(), at(i)), Ok(()));
            f = Some(p.after_failure(f.as_ref(), at(i)));
        }
        // Third failure at t=2: the next attempt waits 1 s.
        assert_eq!(p.check(f.as_ref(), at(2)), Err(1));
        assert_eq!(p.check(f.as_ref(), at(3)), Ok(()));
        f = Some(p.after_failure(f.as_ref(), at(3)));
        assert_eq!(p.check(f.as_ref(), at(4)), Err(1));
        assert_eq!(p.check(f.as_ref(), at(5)), Ok(()));
        f = Some(p.after_failure(f.as_ref(), at(5)));
        assert_eq!(f.unwrap().count, 5);
        assert_eq!(p.check(f.as_ref(), at(5)), Err(900));
        assert_eq!(p.check(f.as_ref(), at(904)), Err(1));
        assert_eq!(p.check(f.as_ref(), at(905)), Ok(()));
        assert_eq!(p.after_failure(f.as_ref(), at(905)).count, 1);
    }
}
