//! The papers the office hands over: the 安全隐患整改通知书 (a notice to rectify, issued
//! for an inspection that found hazards with a deadline) and the 整改复查意见书 (the
//! opinion on a verified rectification). Each is issued once, numbered
//! `<prefix>〔YYYY〕NNNN号` in its own per-year sequence, and keeps a snapshot of what it
//! says, taken when issued.

pub mod handlers;
pub mod model;
pub mod store;
