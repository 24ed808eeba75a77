//! HTTP-level tests: every case runs on SQLite and, when SAFETRACE_TEST_POSTGRES_URL is
//! set, on PostgreSQL, each on its own database.

mod support;

mod access;
mod attachments;
mod auth;
mod backup;
mod catalog;
mod citations;
mod counters;
mod deadlines;
mod documents;
mod enforcement;
mod exports;
mod feed;
mod generate;
mod hazard_phrases;
mod hazards;
mod headers;
mod imports;
mod inspections;
mod lists;
mod metrics;
mod notifications;
mod openapi;
mod password_change;
mod protocol;
mod recurrence;
mod report_limits;
mod reports;
mod request_ids;
mod shutdown;
mod supervision;
mod tasks;
mod throttle;
mod trickle;
mod upgrade;
mod uploads;
mod validation;
mod web;
mod webhooks;
mod workbook;
mod workflow;
