//! What a failed secrets call means for the person using the console (secrets-v2.md, Errors).

use crate::api::ApiError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    ReadValue,
    Create,
    Edit,
    Rotate,
    Delete,
    Group,
}

/// The IAM role the action needs, for a 403.
fn role(a: Action) -> &'static str {
    match a {
        Action::Read => "Reader",
        Action::ReadValue => "SecretsReader",
        Action::Create | Action::Edit | Action::Rotate | Action::Group => "Writer",
        Action::Delete => "Manager",
    }
}

pub fn explain(e: &ApiError, a: Action, region: &str) -> String {
    let base = match e.status() {
        Some(401) => "The region asked for a valid token (HTTP 401): provide one (see above), then try again.".to_string(),
        Some(403) => format!("Your access to {region} does not allow this: it needs the {} role (or higher).", role(a)),
        Some(404) => format!("This secret no longer exists in {region}; it was removed from the list."),
        Some(409) => "That name is already used by a secret of this type in this region: choose another name.".into(),
        // The region's own words name the locks in the way (IBM's and the emulator's do).
        Some(412) => format!("The secret is locked (locks protect secrets that are in use): {e}. Remove those locks, or ask whoever holds them, then try again."),
        Some(429) => "The region is rate-limiting requests: wait a moment and try again.".into(),
        Some(500..=599) | None if a != Action::Read && a != Action::ReadValue => format!(
            "{e}. The change was not retried automatically and nothing was sent to another region; {region} may or may not have applied it, so check the list before trying again."
        ),
        None if e.as_failure().is_some() => {
            format!("Could not reach {region} ({e}): nothing was read. Nothing is asked of another region instead; try again when {region} answers.")
        }
        _ => e.to_string(),
    };
    match e.trace() {
        Some(t) => format!("{base} Trace: {t}"),
        None => base,
    }
}

/// The form field a 400 names (`errors[0].target.name`), when it names one.
pub fn field_of(e: &ApiError) -> Option<String> {
    match e {
        ApiError::Status { status: 400 | 409, summary, .. } => summary.target.as_ref().map(|t| t.name.clone()).filter(|n| !n.is_empty()),
        _ => None,
    }
}
