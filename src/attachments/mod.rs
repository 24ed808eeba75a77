//! Attachments (照片/附件): uploaded on their own, stored by sha256, then cited by records.

pub mod links;
