//! Joint enforcement actions (联合执法): several departments, per-unit outcomes, and the
//! unit status changes they make; reinstating a suspended unit.

pub mod handlers;
pub mod model;
pub mod store;
