//! The clock the application reads "now" from, so tests can move time.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, Utc};

use crate::domain::Moment;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Moment;
}

/// Wall-clock time, truncated to whole microseconds like every stored moment.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Moment {
        Moment::new(Utc::now())
    }
}

/// A clock that stands still until it is set or advanced (for tests and data generation).
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<RwLock<Moment>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Arc::new(RwLock::new(Moment::new(at))))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut t) = self.0.write() {
            *t = Moment::new(at);
        }
    }

    pub fn advance(&self, by: Duration) {
        if let Ok(mut t) = self.0.write() {
            *t = Moment::new(t.0 + by);
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Moment {
        match self.0.read() {
            Ok(t) => *t,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}
