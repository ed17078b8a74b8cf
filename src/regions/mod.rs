//! The regions feature: one controller per configured region and the panel that shows it.

pub mod controller;
pub mod evidence;
pub mod incidents;
pub mod panel;
pub mod signals;
pub mod uptime;
pub mod zones;
