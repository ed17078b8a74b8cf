//! `auth.mode: "iam"` (console.md): the user's IBM Cloud API key is exchanged for an access token
//! through a region's gateway (`POST /api/auth/v1/token`, gateway.md), and the token is renewed
//! before it expires and after a 401. What to do when is decided in `model::iam_session`; this
//! file owns the requests and the one renewal timer.
//!
//! IAM is global and the exchange carries no region's data, so any reachable gateway will do:
//! regions are asked in config order, the next only when one is down or failing. Key and token
//! live in this tab's memory only (never storage, cookies or the URL), `Redacted` throughout.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;
use send_wrapper::SendWrapper;
use thiserror::Error;

use super::auth::Auth;
use super::error::ApiError;
use super::http::{send, Method, Request};
use crate::config::RegionConfig;
use crate::model::backoff::Backoff;
use crate::model::iam_session::{next_gateway, parse_grant, renew_delay_ms, ExchangeFailure, Grant, RenewalGate, Verdict};
use crate::model::redacted::Redacted;

pub type ApiKey = Redacted<String>;

/// One exchange through one gateway; IAM itself answers within a second or two.
const EXCHANGE_TIMEOUT_MS: u32 = 10_000;

/// Why no token came back; the texts are shown in the prompt as they are.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ExchangeError {
    /// An answer about the key (unknown key, IAM's 429, …): the same through every gateway.
    #[error("IAM did not issue a token: {0}")]
    Refused(ApiError),
    /// No gateway could do the exchange; one reason per gateway tried.
    #[error("no region's gateway could exchange the API key: {0}")]
    Unreachable(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Why {
    SignIn,
    /// The timer at 80 % of the token's life: the token is still good.
    Scheduled,
    /// A region answered 401: whatever failed must retry once the new token is there.
    Unauthorized,
}

struct Inner {
    /// The API key, kept in memory because renewing needs it: the gateway never hands out IAM's
    /// refresh token (gateway.md), so without the key every renewal would mean asking the user.
    key: Option<ApiKey>,
    /// The one pending renewal; replacing or dropping it clears the browser timer, so timers
    /// never stack and none outlives the console.
    timer: Option<Timeout>,
    /// Bumped by each exchange started: an answer for an older one (late, or overtaken by a new
    /// key) is dropped.
    seq: u32,
    gate: RenewalGate,
    retry_attempt: u32,
    closed: bool,
}

#[derive(Clone)]
pub struct IamSession {
    inner: Rc<RefCell<Inner>>,
    auth: Auth,
    /// (label, api origin) of every region, in config order.
    gateways: Rc<Vec<(String, String)>>,
}

/// The session as a `Copy` handle for context (the session itself is browser-only, not `Send`).
#[derive(Clone, Copy)]
pub struct Iam(StoredValue<IamSession, LocalStorage>);

impl Iam {
    pub fn from_context() -> Option<Iam> {
        use_context::<Iam>()
    }

    /// Exchange a pasted API key for a token (the prompt's submit).
    pub fn sign_in(&self, key: &str) {
        if let Some(s) = self.0.try_get_value() {
            s.sign_in(key);
        }
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl IamSession {
    /// Start asking for a key, and renew on every 401 burst. Everything ends with the owner.
    pub fn start(regions: &[RegionConfig], auth: Auth) -> Iam {
        let s = IamSession {
            inner: Rc::new(RefCell::new(Inner { key: None, timer: None, seq: 0, gate: RenewalGate::default(), retry_attempt: 0, closed: false })),
            auth,
            gateways: Rc::new(regions.iter().map(|r| (r.label.clone(), r.api.clone())).collect()),
        };
        // No key yet: the regions would only answer 401, so ask at once.
        auth.prompt.needed.set(true);
        let on_401 = s.clone();
        Effect::watch(move || auth.prompt.unauthorized.get(), move |_, _, _| on_401.on_unauthorized(), false);
        let owned = SendWrapper::new(s.clone());
        on_cleanup(move || {
            if owned.valid() {
                owned.take().close();
            }
        });
        Iam(StoredValue::new_local(s))
    }

    fn close(&self) {
        let mut i = self.inner.borrow_mut();
        i.closed = true;
        i.timer = None;
        i.key = None;
    }

    fn sign_in(&self, raw: &str) {
        let key = raw.trim();
        if key.is_empty() {
            return;
        }
        let seq = {
            let mut i = self.inner.borrow_mut();
            if i.closed {
                return;
            }
            // A new key replaces everything the old one had under way.
            i.gate.reset();
            i.timer = None;
            i.seq = i.seq.wrapping_add(1);
            i.seq
        };
        let p = self.auth.prompt;
        p.busy.set(true);
        p.problem.set(None);
        self.spawn(ApiKey::new(key.to_string()), seq, Why::SignIn);
    }

    fn on_unauthorized(&self) {
        let verdict = {
            let mut i = self.inner.borrow_mut();
            if i.closed || i.key.is_none() {
                return;
            }
            i.gate.on_unauthorized(now_ms())
        };
        match verdict {
            Verdict::Renew => self.renew(Why::Unauthorized),
            Verdict::Ignore => {}
            Verdict::AskUser => {
                self.drop_key();
                self.ask(
                    "The regions keep refusing the tokens IAM issues for this API key (HTTP 401): check its access to the instances, or paste another key."
                        .into(),
                );
            }
        }
    }

    fn renew(&self, why: Why) {
        let (key, seq) = {
            let mut i = self.inner.borrow_mut();
            let Some(key) = i.key.clone() else { return };
            if i.closed || !i.gate.begin() {
                return;
            }
            // This renewal stands in for the scheduled one.
            i.timer = None;
            i.seq = i.seq.wrapping_add(1);
            (key, i.seq)
        };
        self.spawn(key, seq, why);
    }

    fn spawn(&self, key: ApiKey, seq: u32, why: Why) {
        let s = self.clone();
        spawn_local(async move {
            let result = exchange(&s.gateways, &key).await;
            s.finish(key, seq, why, result);
        });
    }

    fn finish(&self, key: ApiKey, seq: u32, why: Why, result: Result<Grant, ExchangeError>) {
        {
            let mut i = self.inner.borrow_mut();
            if i.closed || i.seq != seq {
                return;
            }
            i.gate.finish(now_ms(), result.is_ok());
        }
        let p = self.auth.prompt;
        match result {
            Ok(grant) => {
                {
                    let mut i = self.inner.borrow_mut();
                    i.key = Some(key);
                    i.retry_attempt = 0;
                }
                self.schedule(renew_delay_ms(grant.expires_in_s, grant.expiration_s, now_ms()));
                let _ = p.renewable.try_set(true);
                let _ = p.busy.try_set(false);
                match why {
                    Why::Scheduled => self.auth.renewed(grant.access_token),
                    Why::SignIn | Why::Unauthorized => {
                        self.auth.adopt(grant.access_token);
                    }
                }
            }
            Err(ExchangeError::Unreachable(_)) if why != Why::SignIn => {
                // The key is fine; the gateways are not, for now. Keep the token (it may still be
                // valid) and try again soon; a 401 meanwhile asks at once.
                let attempt = {
                    let mut i = self.inner.borrow_mut();
                    i.retry_attempt = i.retry_attempt.saturating_add(1);
                    i.retry_attempt
                };
                self.schedule(Backoff::RETRY.delay_ms(attempt, js_sys::Math::random()));
            }
            Err(e) => {
                if let ExchangeError::Refused(_) = e {
                    self.drop_key();
                }
                self.ask(e.to_string());
            }
        }
    }

    /// The key is no good (or its tokens are refused): forget it and its token.
    fn drop_key(&self) {
        {
            let mut i = self.inner.borrow_mut();
            i.key = None;
            i.timer = None;
        }
        let _ = self.auth.prompt.renewable.try_set(false);
        self.auth.forget();
    }

    /// Show the prompt again with what went wrong; the view behind it stays as it is.
    fn ask(&self, problem: String) {
        let p = self.auth.prompt;
        let _ = p.busy.try_set(false);
        let _ = p.problem.try_set(Some(problem));
        let _ = p.needed.try_set(true);
    }

    fn schedule(&self, delay_ms: f64) {
        // Weak: the timer lives inside the session; a strong handle would keep both alive.
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(&self.inner);
        let (auth, gateways) = (self.auth, self.gateways.clone());
        let timer = Timeout::new(delay_ms as u32, move || {
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().timer = None;
                IamSession { inner, auth, gateways }.renew(Why::Scheduled);
            }
        });
        self.inner.borrow_mut().timer = Some(timer);
    }
}

/// How one gateway's exchange failed: the model's verdict, a sentence, and the answer (if any).
struct Attempt {
    failure: ExchangeFailure,
    reason: String,
    answer: Option<ApiError>,
}

/// Ask each region's gateway in config order until one answers; stop at an answer about the key.
async fn exchange(gateways: &[(String, String)], key: &ApiKey) -> Result<Grant, ExchangeError> {
    let mut last: Option<(usize, ExchangeFailure)> = None;
    let mut reasons: Vec<String> = Vec::new();
    while let Some(i) = next_gateway(gateways.len(), last) {
        let (label, api) = &gateways[i];
        match exchange_once(api, key).await {
            Ok(grant) => return Ok(grant),
            Err(a) => {
                if let (false, Some(e)) = (a.failure.try_next(), a.answer) {
                    return Err(ExchangeError::Refused(e));
                }
                reasons.push(format!("{label}: {}", a.reason));
                last = Some((i, a.failure));
            }
        }
    }
    Err(ExchangeError::Unreachable(reasons.join("; ")))
}

async fn exchange_once(api: &str, key: &ApiKey) -> Result<Grant, Attempt> {
    let form = form_urlencoded::Serializer::new(String::new()).append_pair("apikey", key.expose()).finish();
    let req = Request {
        method: Method::Post,
        url: format!("{api}/api/auth/v1/token"),
        body: Some((Redacted::new(form), "application/x-www-form-urlencoded")),
        token: None,
        timeout_ms: EXCHANGE_TIMEOUT_MS,
    };
    match send(&req).await {
        Ok(r) => parse_grant(&r.body).map_err(|e| Attempt { failure: ExchangeFailure::BadAnswer, reason: e.to_string(), answer: None }),
        Err(e) => match e.status() {
            Some(status) => Err(Attempt { failure: ExchangeFailure::Status(status), reason: e.to_string(), answer: Some(e) }),
            None => Err(Attempt { failure: ExchangeFailure::Unreachable, reason: "its gateway could not be reached".into(), answer: None }),
        },
    }
}
