//! Webhooks: subscriptions (admins), the feed's events delivered to each in order, signed
//! as the Standard Webhooks specification says, retried, durable; only to hosts
//! `SAFETRACE_WEBHOOK_ALLOW` allows.

pub mod allow;
pub mod handlers;
pub mod model;
pub mod sign;
pub mod store;
pub mod worker;
