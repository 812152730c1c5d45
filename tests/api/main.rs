//! Integration tests: one binary, a real PostgreSQL, a fresh database per test.

mod actors;
mod auth;
mod errors;
mod health;
mod helpers;
mod isolation;
mod local_db;
mod openapi;
mod spaces;
mod sse;
mod stream;
mod stream_access;
mod tenants;
