//! Common hazard phrases (隐患库): per category, a short text an inspector picks to fill a
//! hazard's description and, where given, its legal basis. Every signed-in user reads
//! them (the phone keeps them offline); admins add and edit them. None is deleted: a
//! phrase no longer offered is `active = false`. Every change is an event.

pub mod handlers;
pub mod model;
pub mod store;
