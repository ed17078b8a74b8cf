//! The bearer token pasted by the user: memory only, this tab only (console.md). Never written
//! to storage, cookies or the URL; a reload forgets it on purpose.

use std::cell::RefCell;

thread_local! {
    static TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub fn current() -> Option<String> {
    TOKEN.with(|t| t.borrow().clone())
}

pub fn set(token: Option<String>) {
    let token = token.map(|t| t.trim().trim_start_matches("Bearer ").trim().to_string()).filter(|t| !t.is_empty());
    TOKEN.with(|t| *t.borrow_mut() = token);
}
