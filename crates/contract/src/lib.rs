//! The wire contract shared by the console (compiled to wasm) and the emulator (native).
//!
//! Types here follow `shared/contract/secrets-v2.md` and `health-v1.md`. Everything a *server* sends
//! is parsed leniently (see [`lenient`]): the console must survive anything a region sends, and one
//! malformed secret must never cost the others. Types the emulator *produces* serialize to exactly the
//! documented shapes.

pub mod error;
pub mod health;
pub mod lenient;
pub mod secrets;
pub mod time;

pub use error::{ApiError, ErrorBody, ErrorTarget};
pub use health::*;
pub use secrets::*;
