//! Integration tests: one binary, a real PostgreSQL, a fresh database per test.

mod activity;
mod actors;
mod auth;
mod decisions;
mod errors;
mod health;
mod helpers;
mod isolation;
mod openapi;
mod spaces;
mod summary;
mod summary_provider;
mod tenants;
