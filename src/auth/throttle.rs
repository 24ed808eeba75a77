//! Failed-login throttling, the rules without I/O. Three counters are kept for any
//! username, known or not, so no answer tells whether a user exists:
//!
//! - per (username, client address): after `slow_after` failures each attempt must wait
//!   1 s, 2 s, 4 s … after the last one, and after `max_failures` the pair is locked for
//!   `lock_seconds` (429 with `Retry-After`), even for the right password: a guesser is
//!   stopped, while the same user elsewhere still gets in;
//! - per client address: `address_max_failures` failures within [`WINDOW_SECONDS`] lock
//!   the address for `lock_seconds`, whatever usernames it tries;
//! - per username over all addresses: from the [`HOLD_FROM`]th failure within the window
//!   each answer is held 1 s, then 2, 4, at most 8 s, but never refused, so the right
//!   password from a fresh address still gets in.
//!
//! An attempt is counted as a failure *before* its password is checked (a reservation),
//! and given back when the password was right: parallel guesses cannot outrun the count.

use std::time::Duration;

use crate::domain::Moment;

/// How long the per-address and per-username counts are remembered: 15 minutes.
pub const WINDOW_SECONDS: i64 = 900;
/// The username's failure from which its answers are held.
pub const HOLD_FROM: i32 = 10;
/// The longest hold: 8 times `hold_unit`.
const HOLD_MAX_DOUBLINGS: i32 = 3;

#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Failures of a (username, address) pair after which each further attempt must wait
    /// (1 s, 2 s, 4 s, …).
    pub slow_after: i32,
    /// Failures of a pair that lock it.
    pub max_failures: i32,
    /// How long a lock lasts, and how long a pair's failures are remembered.
    pub lock_seconds: i64,
    /// Failures from one address within the window that lock the address.
    pub address_max_failures: i32,
    /// The first hold of a username's answers; it doubles up to 8 times this.
    pub hold_unit: Duration,
    /// The most rows kept; past it the rows that would expire first go first.
    pub max_rows: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            slow_after: 3,
            max_failures: 5,
            lock_seconds: 900,
            address_max_failures: 50,
            hold_unit: Duration::from_secs(1),
            max_rows: 10_000,
        }
    }
}

/// What is remembered of one key's recent failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub failures: i32,
    /// When the current window of counting began (the first failure in it).
    pub window_started_at: Moment,
    pub last_failure_at: Moment,
    pub locked_until: Option<Moment>,
}

impl Counter {
    fn first(now: Moment) -> Self {
        Counter { failures: 0, window_started_at: now, last_failure_at: now, locked_until: None }
    }

    fn locked_at(&self, now: Moment) -> Option<Moment> {
        self.locked_until.filter(|until| *until > now)
    }
}

/// The three counters an attempt touches, as stored (`None`: no row).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub pair: Option<Counter>,
    pub address: Option<Counter>,
    pub username: Option<Counter>,
}

/// An attempt let through: the counters with it counted as a failure, and how long its
/// answer is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reserved {
    pub pair: Counter,
    pub address: Counter,
    pub username: Counter,
    pub hold: Duration,
}

fn seconds_until(now: Moment, at: Moment) -> u64 {
    let micros = (at.0 - now.0).num_microseconds().unwrap_or(i64::MAX);
    ((micros + 999_999) / 1_000_000).max(1) as u64
}

fn plus(at: Moment, seconds: i64) -> Moment {
    Moment(at.0 + chrono::Duration::seconds(seconds))
}

impl ThrottlePolicy {
    /// `Err(seconds)` when an attempt now must be refused, with how long to wait;
    /// otherwise the counters with this attempt reserved as a failure.
    pub fn reserve(&self, c: &Counters, now: Moment) -> Result<Reserved, u64> {
        let pair = c.pair.filter(|p| !self.pair_forgotten(p, now));
        let address = c.address.filter(|a| !self.window_over(a, now));
        let username = c.username.filter(|u| !self.window_over(u, now));
        let waits = [pair.and_then(|p| self.pair_wait(&p, now)), address.and_then(|a| a.locked_at(now))];
        if let Some(until) = waits.into_iter().flatten().max() {
            return Err(seconds_until(now, until));
        }
        let hold = self.hold(username.map_or(0, |u| u.failures));
        let mut pair = pair.unwrap_or_else(|| Counter::first(now));
        pair.failures += 1;
        pair.last_failure_at = now;
        if pair.failures >= self.max_failures {
            pair.locked_until = Some(plus(now, self.lock_seconds));
        }
        let mut address = address.unwrap_or_else(|| Counter::first(now));
        address.failures += 1;
        address.last_failure_at = now;
        if address.failures >= self.address_max_failures {
            address.locked_until = Some(plus(now, self.lock_seconds));
        }
        let mut username = username.unwrap_or_else(|| Counter::first(now));
        username.failures += 1;
        username.last_failure_at = now;
        Ok(Reserved { pair, address, username, hold })
    }

    /// The address's and username's counters once a reserved attempt proved right: its
    /// failure is given back. (The pair's row is simply removed.)
    pub fn give_back(&self, mut c: Counter) -> Counter {
        c.failures = (c.failures - 1).max(0);
        if c.failures < self.address_max_failures {
            c.locked_until = None;
        }
        c
    }

    /// When a pair must wait until: locked, or slowed after its last failure.
    fn pair_wait(&self, p: &Counter, now: Moment) -> Option<Moment> {
        if let Some(until) = p.locked_at(now) {
            return Some(until);
        }
        if p.failures < self.slow_after {
            return None;
        }
        let next = plus(p.last_failure_at, 1i64 << (p.failures - self.slow_after).clamp(0, 20));
        (next > now).then_some(next)
    }

    fn pair_forgotten(&self, p: &Counter, now: Moment) -> bool {
        now.0 - p.last_failure_at.0 >= chrono::Duration::seconds(self.lock_seconds)
            || p.locked_until.is_some_and(|until| until <= now)
    }

    fn window_over(&self, c: &Counter, now: Moment) -> bool {
        now.0 - c.window_started_at.0 >= chrono::Duration::seconds(WINDOW_SECONDS)
            && c.locked_until.is_none_or(|until| until <= now)
    }

    /// How long the answer to a username's attempt is held, given its earlier failures.
    fn hold(&self, earlier_failures: i32) -> Duration {
        if earlier_failures < HOLD_FROM - 1 {
            return Duration::ZERO;
        }
        self.hold_unit * (1u32 << (earlier_failures - (HOLD_FROM - 1)).min(HOLD_MAX_DOUBLINGS))
    }

    /// When a pair's row no longer matters.
    pub fn pair_expires(&self, p: &Counter) -> Moment {
        let forgotten = plus(p.last_failure_at, self.lock_seconds);
        p.locked_until.map_or(forgotten, |until| until.max(forgotten))
    }

    /// When an address's or a username's row no longer matters.
    pub fn window_expires(&self, c: &Counter) -> Moment {
        let over = plus(c.window_started_at, WINDOW_SECONDS);
        c.locked_until.map_or(over, |until| until.max(over))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> Moment {
        Moment(chrono::DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap())
    }

    /// Fails one attempt at `t` (asserting it was let through) and answers the counters after.
    fn fail(p: &ThrottlePolicy, c: Counters, t: i64) -> Counters {
        let r = p.reserve(&c, at(t)).expect("let through");
        Counters { pair: Some(r.pair), address: Some(r.address), username: Some(r.username) }
    }

    #[test]
    fn a_pair_is_slowed_then_locked_then_forgotten() {
        let p = ThrottlePolicy::default();
        let mut c = Counters::default();
        for i in 0..3 {
            c = fail(&p, c, i);
        }
        // Third failure at t=2: the next attempt waits 1 s, then 2 s.
        assert_eq!(p.reserve(&c, at(2)), Err(1));
        c = fail(&p, c, 3);
        assert_eq!(p.reserve(&c, at(4)), Err(1));
        c = fail(&p, c, 5);
        assert_eq!(c.pair.map(|p| p.failures), Some(5));
        assert_eq!(p.reserve(&c, at(5)), Err(900));
        assert_eq!(p.reserve(&c, at(904)), Err(1));
        let after = p.reserve(&c, at(905)).expect("the lock lifts");
        assert_eq!(after.pair.failures, 1, "and the pair starts over");
        assert_eq!(p.pair_expires(&c.pair.unwrap()), at(905));
    }

    #[test]
    fn an_address_is_locked_after_its_failures_within_the_window() {
        let p = ThrottlePolicy { address_max_failures: 3, ..ThrottlePolicy::default() };
        // Different usernames from one address: only the address counter adds up.
        let mut address = None;
        for t in 0..3 {
            let r = p.reserve(&Counters { address, ..Counters::default() }, at(t)).expect("let through");
            address = Some(r.address);
        }
        let c = Counters { address, ..Counters::default() };
        assert_eq!(p.reserve(&c, at(2)), Err(900));
        assert!(p.reserve(&c, at(902)).is_ok(), "the lock lifts");
        // Failures spread over more than the window never lock it.
        let mut address = None;
        for t in [0, 500, 1000, 1500] {
            let r = p.reserve(&Counters { address, ..Counters::default() }, at(t)).expect("let through");
            address = Some(r.address);
        }
        assert_eq!(address.map(|a| a.failures), Some(2), "a new window began at t=1000");
    }

    #[test]
    fn a_username_is_held_from_its_tenth_failure_but_never_refused() {
        let p = ThrottlePolicy::default();
        let mut username = None;
        let mut holds = Vec::new();
        for t in 0..14 {
            // Each attempt from a fresh address: no pair or address counts.
            let r = p.reserve(&Counters { username, ..Counters::default() }, at(t)).expect("never refused");
            holds.push(r.hold.as_secs());
            username = Some(r.username);
        }
        assert_eq!(holds, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 8]);
        let later = p.reserve(&Counters { username, ..Counters::default() }, at(900)).expect("never refused");
        assert_eq!((later.hold, later.username.failures), (Duration::ZERO, 1), "forgotten after the window");
    }

    #[test]
    fn a_right_password_gives_its_failure_back() {
        let p = ThrottlePolicy { address_max_failures: 2, ..ThrottlePolicy::default() };
        let c = fail(&p, Counters::default(), 0);
        let r = p.reserve(&c, at(1)).expect("let through");
        assert!(r.address.locked_until.is_some(), "the second failure would lock the address");
        let back = p.give_back(r.address);
        assert_eq!((back.failures, back.locked_until), (1, None));
    }
}
