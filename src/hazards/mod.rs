//! Hazards (隐患): the findings of inspections, their snapshots and their history.

pub mod export;
pub mod handlers;
pub mod list;
pub mod model;
pub mod store;
