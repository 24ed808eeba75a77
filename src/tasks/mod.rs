//! 待办: what waits for the caller (rectifications to verify, hazards due soon, overdue
//! ones) read through the hazard list's selection, and the badge's counts.

pub mod handlers;
pub mod model;
pub mod store;
