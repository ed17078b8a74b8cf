//! Typed, abortable clients of a region's secrets API and health API.

pub mod auth;
pub mod error;
pub mod events;
pub mod evidence;
pub mod http;
pub mod iam;
pub mod region;
pub mod retry;
pub mod secrets;
pub mod turn;

pub use error::ApiError;
pub use region::RegionApi;
