//! Inspections (检查): one visit to one unit, submitted with the hazards it found.

pub mod handlers;
pub mod model;
pub mod store;
