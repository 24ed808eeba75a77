//! Users: accounts with a role and a community scope, managed by admins.

pub mod first_admin;
pub mod handlers;
pub mod model;
pub mod password;
pub mod store;
