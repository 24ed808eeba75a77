//! Who is calling: log in and out, bearer tokens, login throttling, and how a request's
//! [`Caller`](crate::domain::access::Caller) is found from its token. Auth reads the
//! accounts that `users` keeps (auth -> users); users never imports auth.

pub mod caller;
pub mod client;
pub mod handlers;
pub mod store;
pub mod throttle;
pub mod token;
