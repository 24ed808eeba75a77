//! Rectifications (整改): what a unit did about a hazard, with evidence, and its
//! verification (复查) by a supervisor.

pub mod handlers;
pub mod model;
pub mod store;
