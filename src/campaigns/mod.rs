//! Campaigns (专项行动): named drives with a date range.

pub mod handlers;
pub mod model;
pub mod store;
