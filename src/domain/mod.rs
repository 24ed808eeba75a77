//! Rules without I/O: the domain's vocabularies, checks and time arithmetic.

pub mod access;
pub mod actor;
pub mod credit_code;
pub mod enums;
pub mod hazard;
pub mod labels;
pub mod lifecycle;
pub mod patch;
pub mod time;
pub mod validate;
pub mod values;

pub use enums::*;
pub use values::{Id, Moment};
