//! The report counters kept beside the records (the rule is `domain::tally`): written in
//! the transaction of each change ([`store`]), read for any period, moment, filter and
//! grouping without visiting every hazard ([`read`]), and rebuilt from the events
//! ([`rebuild`]; `safetrace rebuild-counters`).

pub mod model;
pub mod read;
pub mod rebuild;
pub mod store;
pub mod unit_set;
