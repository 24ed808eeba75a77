//! The event feed: every event of hazards, units, rectifications, inspections (created),
//! enforcement actions and notifications in one total order, each with a snapshot of its
//! record right after it. Written in the event's own transaction (`store::append`); a
//! position is given only to committed events, in order, by one sequencer at a time
//! (`store::sequence`), so a consumer that keeps its cursor never skips an event that
//! commits late.

pub mod handlers;
pub mod model;
pub mod store;
