//! Reports: the summary with its groups, and the monthly report in JSON, CSV and Excel.

pub mod as_of;
pub mod handlers;
pub mod lines;
pub mod model;
pub mod monthly;
pub mod store;
pub mod tables;
