//! The pure rules of `auth.mode: "iam"` (console.md): reading the gateway's token answer, when to
//! renew a token, which region's gateway to ask next, and how many renewals a burst of 401s gets.
//! The browser side (timers, requests) is `api::iam`; everything it decides is decided here.

use serde::Deserialize;
use thiserror::Error;

use super::redacted::Redacted;

/// Renew at this fraction of the token's life, as IBM's SDKs do: early enough that a slow or
/// briefly unreachable gateway still leaves time for a retry before the token expires.
pub const RENEW_AT_FRACTION: f64 = 0.8;
/// Never renew sooner than this after getting a token: a hostile or broken `expires_in: 0`
/// must not turn into a renewal loop.
pub const MIN_RENEW_DELAY_MS: f64 = 1_000.0;
/// The largest delay `setTimeout` takes (2^31 − 1 ms); longer ones fire at once.
pub const MAX_TIMER_MS: f64 = 2_147_483_647.0;
/// A token answer without any lifetime is renewed as if it lived this long (IAM's default hour
/// is far longer; renewing early costs one request).
const UNKNOWN_LIFE_MS: f64 = 10.0 * 60_000.0;

/// `POST /api/auth/v1/token`'s answer (gateway.md). The token is `Redacted` from the moment it is
/// parsed, so no `Debug` of a grant or of anything holding one can print it.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    pub access_token: Redacted<String>,
    pub expires_in_s: Option<f64>,
    pub expiration_s: Option<f64>,
}

#[derive(Deserialize)]
struct RawGrant {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<f64>,
    expiration: Option<f64>,
}

/// What is wrong with a token answer; never quotes the body (it may hold the token).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GrantError {
    #[error("the gateway's token answer is not the expected JSON")]
    Shape,
    #[error("the gateway's token answer has no access_token")]
    NoToken,
    #[error("the gateway's token answer is not a Bearer token")]
    NotBearer,
}

pub fn parse_grant(body: &str) -> Result<Grant, GrantError> {
    let raw: RawGrant = serde_json::from_str(body).map_err(|_| GrantError::Shape)?;
    let token = raw.access_token.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).ok_or(GrantError::NoToken)?;
    // A token is sent in a header: control characters would break (or smuggle) it.
    if token.chars().any(|c| c.is_control() || c == ' ') {
        return Err(GrantError::Shape);
    }
    if raw.token_type.as_deref().is_some_and(|t| !t.eq_ignore_ascii_case("bearer")) {
        return Err(GrantError::NotBearer);
    }
    let finite = |v: Option<f64>| v.filter(|x| x.is_finite());
    Ok(Grant { access_token: Redacted::new(token), expires_in_s: finite(raw.expires_in), expiration_s: finite(raw.expiration) })
}

/// How long after receiving `grant` (at local time `received_ms`) to renew it: 80 % of its life.
///
/// The life is `expires_in`, counted from when the answer arrived: it needs no clock agreement.
/// `expiration` (the server's Unix time) is used only when `expires_in` is missing, since a
/// browser clock that is off by minutes would otherwise renew far too late or in a loop.
pub fn renew_delay_ms(expires_in_s: Option<f64>, expiration_s: Option<f64>, received_ms: f64) -> f64 {
    let life_ms = match (expires_in_s, expiration_s) {
        (Some(s), _) if s > 0.0 => s * 1000.0,
        (_, Some(exp)) => exp * 1000.0 - received_ms,
        _ => UNKNOWN_LIFE_MS,
    };
    (life_ms * RENEW_AT_FRACTION).clamp(MIN_RENEW_DELAY_MS, MAX_TIMER_MS)
}

/// How one exchange attempt through one gateway failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeFailure {
    /// No answer: connection refused, CORS refused, timeout.
    Unreachable,
    /// An answer with this HTTP status.
    Status(u16),
    /// A 2xx whose body is not a token answer.
    BadAnswer,
}

impl ExchangeFailure {
    /// Whether the next region's gateway may do better. IAM is global, so an answer about the key
    /// (400 unknown key, 401/403, 429 from IAM) is the same everywhere: asking again elsewhere only
    /// hides it. A gateway that is down, failing (5xx), or has no token endpoint (404/405) is
    /// this gateway's trouble, so the next one is tried.
    pub fn try_next(self) -> bool {
        match self {
            ExchangeFailure::Unreachable | ExchangeFailure::BadAnswer => true,
            ExchangeFailure::Status(s) => s >= 500 || s == 404 || s == 405,
        }
    }
}

/// Which gateway (index in config order) to ask next, after `last` (index and how it failed),
/// or `None` when the exchange is over: every gateway tried, or an answer about the key.
pub fn next_gateway(count: usize, last: Option<(usize, ExchangeFailure)>) -> Option<usize> {
    match last {
        None => (count > 0).then_some(0),
        Some((i, f)) if f.try_next() && i + 1 < count => Some(i + 1),
        Some(_) => None,
    }
}

/// A 401 that arrives within this long after a renewal finished is a late answer to a request
/// sent with the old token: part of the burst that was already handled.
pub const BURST_GRACE_MS: f64 = 3_000.0;
/// A 401 is renewed at most this many times in `REFUSAL_WINDOW_MS`; past that the regions are
/// refusing the tokens IAM issues for this key (a missing role, say) and the user must act.
pub const MAX_401_RENEWALS: usize = 3;
pub const REFUSAL_WINDOW_MS: f64 = 60_000.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Exchange the key again.
    Renew,
    /// Already handled (a renewal is under way or just finished).
    Ignore,
    /// Fresh tokens keep being refused: show the prompt.
    AskUser,
}

/// One renewal per burst of 401s, not one per failed request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenewalGate {
    in_flight: bool,
    last_done_ms: Option<f64>,
    /// The renewal under way was asked for by a 401.
    pending_401: bool,
    /// When each recent 401-driven renewal got a token, oldest first. Failed ones (IAM or every
    /// gateway unreachable) do not count: they say nothing about whether the tokens are accepted.
    recent_401_renewals: Vec<f64>,
}

impl RenewalGate {
    /// A renewal starts (timer or 401). Returns false when one is already under way.
    pub fn begin(&mut self) -> bool {
        !std::mem::replace(&mut self.in_flight, true)
    }

    /// The renewal under way ended; `issued` says whether it got a token.
    pub fn finish(&mut self, now_ms: f64, issued: bool) {
        if std::mem::take(&mut self.pending_401) && issued {
            self.recent_401_renewals.push(now_ms);
        }
        self.in_flight = false;
        self.last_done_ms = Some(now_ms);
    }

    /// Forget everything: a new key was entered.
    pub fn reset(&mut self) {
        *self = RenewalGate::default();
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight
    }

    /// A region answered 401 at `now_ms`. On `Renew` the caller starts a renewal (`begin`).
    pub fn on_unauthorized(&mut self, now_ms: f64) -> Verdict {
        if self.in_flight || self.last_done_ms.is_some_and(|t| now_ms - t < BURST_GRACE_MS) {
            return Verdict::Ignore;
        }
        self.recent_401_renewals.retain(|t| now_ms - t < REFUSAL_WINDOW_MS);
        if self.recent_401_renewals.len() >= MAX_401_RENEWALS {
            return Verdict::AskUser;
        }
        self.pending_401 = true;
        Verdict::Renew
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_is_read_and_never_shown() {
        let g = parse_grant(r#"{"access_token":"eyJ.abc.def","token_type":"Bearer","expires_in":20,"expiration":1700000020}"#).expect("grant");
        assert_eq!(g.access_token.expose(), "eyJ.abc.def");
        assert_eq!(g.expires_in_s, Some(20.0));
        assert_eq!(g.expiration_s, Some(1_700_000_020.0));
        assert!(!format!("{g:?}").contains("eyJ"), "{g:?}");
    }

    #[test]
    fn bad_grants_are_refused_without_quoting_them() {
        assert_eq!(parse_grant("<html>"), Err(GrantError::Shape));
        assert_eq!(parse_grant(r#"{"expires_in":20}"#), Err(GrantError::NoToken));
        assert_eq!(parse_grant(r#"{"access_token":"  "}"#), Err(GrantError::NoToken));
        assert_eq!(parse_grant(r#"{"access_token":"a\r\nX-Evil: 1"}"#), Err(GrantError::Shape));
        assert_eq!(parse_grant(r#"{"access_token":"t","token_type":"mac"}"#), Err(GrantError::NotBearer));
        assert_eq!(parse_grant(r#"{"access_token":"t","expires_in":"soon"}"#), Err(GrantError::Shape));
        // Missing lifetimes are allowed (the delay has a fallback).
        assert!(parse_grant(r#"{"access_token":"t"}"#).is_ok());
    }

    #[test]
    fn renews_at_80_percent_of_expires_in_whatever_the_clock_says() {
        assert_eq!(renew_delay_ms(Some(20.0), Some(1_700_000_020.0), 1_700_000_000_000.0), 16_000.0);
        assert_eq!(renew_delay_ms(Some(3600.0), None, 0.0), 2_880_000.0);
        // The browser clock is an hour behind the server: expires_in still rules.
        assert_eq!(renew_delay_ms(Some(20.0), Some(1_700_003_620.0), 1_700_000_000_000.0), 16_000.0);
    }

    #[test]
    fn falls_back_to_expiration_then_to_a_default_and_stays_in_range() {
        assert_eq!(renew_delay_ms(None, Some(1_700_000_100.0), 1_700_000_000_000.0), 80_000.0);
        assert_eq!(renew_delay_ms(Some(0.0), Some(1_700_000_010.0), 1_700_000_000_000.0), 8_000.0);
        assert_eq!(renew_delay_ms(None, None, 0.0), 480_000.0);
        // Already expired, zero or absurd lifetimes: at least a second, at most what setTimeout takes.
        assert_eq!(renew_delay_ms(None, Some(1.0), 1_700_000_000_000.0), MIN_RENEW_DELAY_MS);
        assert_eq!(renew_delay_ms(Some(-5.0), None, 0.0), 480_000.0);
        assert_eq!(renew_delay_ms(Some(1e12), None, 0.0), MAX_TIMER_MS);
    }

    #[test]
    fn gateways_are_tried_in_order_only_past_gateway_trouble() {
        assert_eq!(next_gateway(2, None), Some(0));
        assert_eq!(next_gateway(0, None), None);
        assert_eq!(next_gateway(2, Some((0, ExchangeFailure::Unreachable))), Some(1));
        assert_eq!(next_gateway(2, Some((0, ExchangeFailure::Status(502)))), Some(1));
        assert_eq!(next_gateway(2, Some((0, ExchangeFailure::Status(503)))), Some(1));
        assert_eq!(next_gateway(2, Some((0, ExchangeFailure::Status(404)))), Some(1));
        assert_eq!(next_gateway(2, Some((0, ExchangeFailure::BadAnswer))), Some(1));
        assert_eq!(next_gateway(2, Some((1, ExchangeFailure::Unreachable))), None, "all tried");
        // IAM's answer about the key is the same through every gateway: never asked again.
        for s in [400, 401, 403, 429] {
            assert_eq!(next_gateway(2, Some((0, ExchangeFailure::Status(s)))), None, "{s}");
        }
    }

    #[test]
    fn one_renewal_per_burst_of_401s() {
        let mut g = RenewalGate::default();
        assert_eq!(g.on_unauthorized(0.0), Verdict::Renew);
        assert!(g.begin());
        // The rest of the burst, while the renewal is under way and just after it.
        assert_eq!(g.on_unauthorized(10.0), Verdict::Ignore);
        assert!(!g.begin(), "a second renewal does not start while one runs");
        g.finish(500.0, true);
        assert_eq!(g.on_unauthorized(500.0 + BURST_GRACE_MS - 1.0), Verdict::Ignore);
        // A later 401 is a new burst.
        assert_eq!(g.on_unauthorized(10_000.0), Verdict::Renew);
    }

    #[test]
    fn fresh_tokens_refused_again_and_again_ask_the_user() {
        let mut g = RenewalGate::default();
        for i in 0..MAX_401_RENEWALS {
            let t = i as f64 * 10_000.0;
            assert_eq!(g.on_unauthorized(t), Verdict::Renew, "renewal {i}");
            g.begin();
            g.finish(t + 100.0, true);
        }
        assert_eq!(g.on_unauthorized(30_000.0), Verdict::AskUser);
        // Once the window has passed, a 401 is worth a renewal again.
        assert_eq!(g.on_unauthorized(30_000.0 + REFUSAL_WINDOW_MS), Verdict::Renew);
        g.reset();
        assert_eq!(g, RenewalGate::default());
    }

    #[test]
    fn renewals_that_found_no_gateway_do_not_count_as_refusals() {
        let mut g = RenewalGate::default();
        for i in 0..(MAX_401_RENEWALS * 2) {
            let t = i as f64 * 10_000.0;
            assert_eq!(g.on_unauthorized(t), Verdict::Renew, "attempt {i}");
            g.begin();
            g.finish(t + 100.0, false);
        }
    }

    #[test]
    fn a_timer_renewal_and_a_401_do_not_stack() {
        let mut g = RenewalGate::default();
        assert!(g.begin(), "timer renewal");
        assert_eq!(g.on_unauthorized(5.0), Verdict::Ignore);
        assert!(g.in_flight());
        g.finish(100.0, true);
        assert!(!g.in_flight());
    }
}
