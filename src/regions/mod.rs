//! The regions feature: one controller per configured region and the panel that shows it.

pub mod controller;
pub mod panel;
pub mod signals;
pub mod zones;
