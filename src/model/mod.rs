//! Pure logic of the console: no browser APIs here, so all of it is unit-tested natively.

pub mod backoff;
pub mod region_state;
pub mod sse;
