//! Integration tests: one binary, a real PostgreSQL, a fresh database per test.

mod activity;
mod actors;
mod admin;
mod auth;
mod decisions;
mod errors;
mod event_bounds;
mod event_order;
mod events;
mod health;
mod helpers;
mod hygiene;
mod idempotency;
mod isolation;
mod local_db;
mod mentions;
mod openapi;
mod spaces;
mod sse;
mod stream;
mod stream_access;
mod summary;
mod summary_provider;
mod tenants;
mod threads;
