//! Attachments (照片/附件): uploaded on their own, stored by sha256, then cited by records.

pub mod handlers;
pub mod links;
pub mod model;
pub mod storage;
pub mod store;
pub mod sweep;
