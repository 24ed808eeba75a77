//! HTTP-level tests: every case runs on SQLite and, when SAFETRACE_TEST_POSTGRES_URL is
//! set, on PostgreSQL, each on its own database.

mod support;

mod access;
mod attachments;
mod auth;
mod catalog;
mod enforcement;
mod exports;
mod generate;
mod hazards;
mod imports;
mod inspections;
mod lists;
mod protocol;
mod reports;
mod validation;
mod web;
mod workflow;
