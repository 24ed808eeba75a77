//! HTTP-level tests: every case runs on SQLite and, when SAFETRACE_TEST_POSTGRES_URL is
//! set, on PostgreSQL, each on its own database.

mod support;

mod access;
mod attachments;
mod auth;
mod backup;
mod catalog;
mod counters;
mod deadlines;
mod enforcement;
mod exports;
mod feed;
mod generate;
mod hazards;
mod imports;
mod inspections;
mod lists;
mod metrics;
mod notifications;
mod openapi;
mod password_change;
mod protocol;
mod reports;
mod request_ids;
mod shutdown;
mod tasks;
mod throttle;
mod upgrade;
mod validation;
mod web;
mod webhooks;
mod workflow;
