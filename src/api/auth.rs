//! The tab's credentials as reactive state, provided in context by the app shell: the token
//! (pasted in bearer mode, or handed over by the embedding parent) and the prompt a 401 raises.
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
}

impl TokenPrompt {
    pub fn new() -> TokenPrompt {
        TokenPrompt { needed: RwSignal::new(false), epoch: RwSignal::new(0) }
    }

    /// The console's prompt from context (a detached one outside the console, as in tests).
    pub fn get() -> TokenPrompt {
        use_context::<TokenPrompt>().unwrap_or_else(TokenPrompt::new)
    }

    /// A 401 asks for a token; other errors are not about credentials.
    pub fn note(&self, e: &ApiError) {
        if e.status() == Some(401) {
            let _ = self.needed.try_set(true);
        }
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
}

impl Auth {
    pub fn new() -> Auth {
        Auth { token: RwSignal::new(None), prompt: TokenPrompt::new() }
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
        if t.is_empty() || self.token().is_some_and(|cur| cur.as_str() == t) {
            return false;
        }
        let _ = self.token.try_set(Some(Token::new(t.to_string())));
        let _ = self.prompt.needed.try_set(false);
        let _ = self.prompt.epoch.try_update(|e| *e = e.wrapping_add(1));
        true
    }
}

impl Default for Auth {
    fn default() -> Self {
        Auth::new()
    }
}
