//! Rules without I/O: the domain's vocabularies, the hazard and unit life cycles, access,
//! checks and time arithmetic. Nothing here knows the database or HTTP.

pub mod access;
pub mod actor;
pub mod credit_code;
pub mod enums;
pub mod hazard;
pub mod history;
pub mod labels;
pub mod lifecycle;
pub mod notice;
pub mod patch;
pub mod problems;
pub mod search;
pub mod supervision;
pub mod tally;
pub mod time;
pub mod transition;
pub mod unit_lifecycle;
pub mod validate;
pub mod values;

pub use enums::*;
pub use values::{Id, Moment};
