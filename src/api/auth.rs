//! The tab's credentials as reactive state, provided in context by the app shell: the token
//! (pasted in bearer mode, handed over by the embedding parent, or exchanged from an API key in
//! iam mode, `api::iam`) and the prompt a 401 raises.
//!
//! Memory only, this tab only (console.md): never written to storage, cookies or the URL, and a
//! reload forgets it on purpose. Everything that depends on the token (region controllers
//! reopening their streams, views fetching again) reacts to `epoch`; nothing polls.

use leptos::prelude::*;

use super::error::ApiError;
use crate::model::redacted::Redacted;

/// A bearer token; `Redacted` so no `Debug` output carries it.
pub type Token = Redacted<String>;

/// The token prompt: shown when a region answered 401, until a new token is set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TokenPrompt {
    pub needed: RwSignal<bool>,
    /// Bumped when a new token is set, so open views and region streams try again.
    pub epoch: RwSignal<u32>,
    /// iam mode with an API key in memory: a 401 asks the session for a renewal, not the user.
    pub renewable: RwSignal<bool>,
    /// Bumped by every 401 while `renewable`; the IAM session renews once per burst.
    pub unauthorized: RwSignal<u32>,
    /// Why the last sign-in failed (iam mode), shown in the prompt.
    pub problem: RwSignal<Option<String>>,
    /// A key exchange started from the prompt is under way.
    pub busy: RwSignal<bool>,
}

impl TokenPrompt {
    pub fn new() -> TokenPrompt {
        TokenPrompt {
            needed: RwSignal::new(false),
            epoch: RwSignal::new(0),
            renewable: RwSignal::new(false),
            unauthorized: RwSignal::new(0),
            problem: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// The console's prompt from context (a detached one outside the console, as in tests).
    pub fn get() -> TokenPrompt {
        use_context::<TokenPrompt>().unwrap_or_else(TokenPrompt::new)
    }

    /// A 401 asks for a token (or, with an API key held, for a renewal); other errors are not
    /// about credentials.
    pub fn note(&self, e: &ApiError) {
        if e.status() != Some(401) {
            return;
        }
        if self.renewable.try_get_untracked().unwrap_or(false) {
            let _ = self.unauthorized.try_update(|n| *n = n.wrapping_add(1));
        } else {
            let _ = self.needed.try_set(true);
        }
    }

    /// A new token exists: hide the prompt and let everything that failed try again.
    fn new_token(&self) {
        let _ = self.needed.try_set(false);
        let _ = self.problem.try_set(None);
        let _ = self.epoch.try_update(|e| *e = e.wrapping_add(1));
    }
}

impl Default for TokenPrompt {
    fn default() -> Self {
        TokenPrompt::new()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Auth {
    token: RwSignal<Option<Token>>,
    pub prompt: TokenPrompt,
    /// Every region refuses a request without a token (iam mode: the gateways sit in front of
    /// IBM's instances). Bearer mode cannot know that until a region answers 401.
    requires_token: bool,
}

impl Auth {
    pub fn new() -> Auth {
        Auth { token: RwSignal::new(None), prompt: TokenPrompt::new(), requires_token: false }
    }

    /// Auth for regions that refuse every request without a token: reads wait for one instead
    /// of collecting 401s.
    pub fn requiring_token() -> Auth {
        Auth { requires_token: true, ..Auth::new() }
    }

    /// A request sent now would surely be refused: a token is required and there is none yet
    /// (or its key was refused).
    pub fn waits_for_token(&self) -> bool {
        self.requires_token && self.token().is_none()
    }

    /// The console's auth from context, if the shell provided one.
    pub fn from_context() -> Option<Auth> {
        use_context::<Auth>()
    }

    /// The current token, read without subscribing (at the moment a request goes out).
    pub fn token(&self) -> Option<Token> {
        self.token.try_get_untracked().flatten()
    }

    /// Use a new token (a pasted `Bearer …` is accepted). A token equal to the current one
    /// changes nothing, so a parent re-sending the refused token does not start a retry loop.
    /// Returns whether the token changed.
    pub fn set(&self, raw: &str) -> bool {
        let t = raw.trim();
        let t = t.strip_prefix("Bearer ").unwrap_or(t).trim();
        if t.is_empty() {
            return false;
        }
        self.adopt(Token::new(t.to_string()))
    }

    /// Use a new token and let whatever failed without one try again (epoch bumped).
    pub fn adopt(&self, token: Token) -> bool {
        if self.token().is_some_and(|cur| cur == token) {
            return false;
        }
        let _ = self.token.try_set(Some(token));
        self.prompt.new_token();
        true
    }

    /// Replace a still-valid token by its renewal, silently: requests read the token as they go
    /// out, so nothing has to reload (no view, filter or form is touched).
    pub fn renewed(&self, token: Token) {
        let _ = self.token.try_set(Some(token));
    }

    /// Drop the token (its API key was refused).
    pub fn forget(&self) {
        let _ = self.token.try_set(None);
    }
}

impl Default for Auth {
    fn default() -> Self {
        Auth::new()
    }
}
