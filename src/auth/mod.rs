//! Who is calling: passwords, bearer tokens, login throttling and the `Caller` extractor.

pub mod caller;
pub mod handlers;
pub mod password;
pub mod store;
pub mod throttle;
pub mod token;

pub use caller::Caller;
