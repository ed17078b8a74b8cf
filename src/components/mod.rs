//! Views shared across features.

pub mod app;
