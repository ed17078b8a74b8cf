//! The narrow channel from any request back to its region's monitor: what a finished request
//! says about reachability, nothing more. The secrets feature reports through it without knowing
//! the region controller, and the controller learns from every request without knowing secrets.

use std::rc::Rc;

use super::error::ApiError;
use crate::model::region_state::Failure;

/// `Ok` for an HTTP answer (any status: the region's front door works), `Err` for no answer.
pub type Outcome = Result<(), Failure>;

#[derive(Clone)]
pub struct Evidence(Option<Rc<dyn Fn(Outcome)>>);

impl Evidence {
    pub fn new(sink: impl Fn(Outcome) + 'static) -> Evidence {
        Evidence(Some(Rc::new(sink)))
    }

    /// Reports nowhere (component tests, which have no region monitor).
    pub fn none() -> Evidence {
        Evidence(None)
    }

    /// Report a finished request. A cancelled one or an unreadable body says nothing about
    /// whether the region is reachable, so it is not reported.
    pub fn report<T>(&self, result: &Result<T, ApiError>) {
        let Some(sink) = &self.0 else { return };
        match result {
            Ok(_) | Err(ApiError::Status { .. }) => sink(Ok(())),
            Err(e) => {
                if let Some(f) = e.as_failure() {
                    sink(Err(f));
                }
            }
        }
    }
}
