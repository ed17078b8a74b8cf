//! Views shared across features.

pub mod app;
pub mod section_gate;
