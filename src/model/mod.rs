//! Pure logic of the console: no browser APIs here, so all of it is unit-tested natively.

pub mod backoff;
pub mod embed;
pub mod first_paint;
pub mod format;
pub mod health_events;
pub mod health_feed;
pub mod iam_session;
pub mod redacted;
pub mod uptime;
pub mod region_state;
pub mod session_uptime;
pub mod sparkline;
pub mod sse;
pub mod copy_plan;
pub mod cross_region;
pub mod paging;
pub mod route;
pub mod secret_form;
pub mod secret_value;
pub mod search_round;
pub mod listed_secret;
pub mod secret_list;
pub mod secrets_filter;
pub mod secrets_sort;
pub mod view_state;
pub mod sla_evidence;
