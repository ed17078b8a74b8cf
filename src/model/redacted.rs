//! A value that never shows itself in `Debug`: tokens, secret payloads, private keys. Types that
//! hold one can keep deriving `Debug` (for errors and test failures) without a log line or a
//! panic message ever carrying the secret.

use std::fmt;
use std::ops::{Deref, DerefMut};

#[derive(Clone, Default, PartialEq, Eq)]
pub struct Redacted<T>(T);

impl<T> Redacted<T> {
    pub fn new(v: T) -> Self {
        Redacted(v)
    }

    /// The value itself, for the one place that must send or validate it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Redacted<T> {
    fn from(v: T) -> Self {
        Redacted(v)
    }
}

impl From<&str> for Redacted<String> {
    fn from(v: &str) -> Self {
        Redacted(v.to_string())
    }
}

impl<T> Deref for Redacted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Redacted<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let r = Redacted::new("s3cr3t-token".to_string());
        assert_eq!(format!("{r:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&r)), "Some(<redacted>)");
        assert_eq!(r.expose(), "s3cr3t-token");
    }
}
