//! Notifications (通知): what the scheduler writes when a deadline comes near, passes or
//! escalates (exactly once per hazard, deadline, kind and level, whoever writes first),
//! their recipients, and each recipient's reading of them.

pub mod handlers;
pub mod model;
pub mod scheduler;
pub mod store;
