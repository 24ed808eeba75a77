//! Units (生产经营单位): the inspected premises, and their status history.

pub mod handlers;
pub mod list;
pub mod model;
pub mod registry;
pub mod store;
