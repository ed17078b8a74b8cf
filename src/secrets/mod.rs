//! The secrets feature: loading (loader), one table per region and a combined one (table),
//! the cross-region view, detail with values, and management forms. Pure logic lives in
//! `crate::model` (paging, secrets_filter, cross_region, secret_form, secret_value, route).

pub mod copy;
pub mod cross;
pub mod data;
pub mod deferred;
pub mod differs;
pub mod detail;
pub mod errors;
pub mod filters;
pub mod loader;
pub mod locks;
pub mod manage;
pub mod region_tab;
pub mod section;
pub mod store;
pub mod summary;
pub mod table;
pub mod token;
pub mod value;
pub mod views;
