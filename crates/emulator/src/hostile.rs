//! Hostile responses (filled in below).

use axum::extract::Request;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::state::App;

pub struct Case {
    pub name: &'static str,
    pub method: Method,
    pub endpoint: &'static str,
    pub description: &'static str,
    pub build: fn(&App, &Request) -> Response,
}

impl Case {
    pub fn applies_to(&self, method: &Method, path: &str) -> bool {
        *method == self.method && path_matches(self.endpoint, path)
    }
}

/// `{x}` in a pattern matches one non-empty path segment.
pub fn path_matches(pattern: &str, path: &str) -> bool {
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len() && p.iter().zip(q.iter()).all(|(a, b)| (a.starts_with('{') && !b.is_empty()) || a == b)
}

pub fn cases() -> &'static [Case] {
    &CASES
}

pub fn find(name: &str) -> Option<&'static Case> {
    CASES.iter().find(|c| c.name == name)
}

#[derive(Serialize)]
pub struct Entry {
    name: &'static str,
    method: String,
    endpoint: &'static str,
    description: &'static str,
}

pub fn catalogue() -> Vec<Entry> {
    CASES.iter().map(|c| Entry { name: c.name, method: c.method.to_string(), endpoint: c.endpoint, description: c.description }).collect()
}

static CASES: std::sync::LazyLock<Vec<Case>> = std::sync::LazyLock::new(|| {
    vec![Case {
        name: "truncated_json_list",
        method: Method::GET,
        endpoint: "/api/v2/secrets",
        description: "list page cut off mid-document",
        build: |_, _| ([("content-type", "application/json")], r#"{"total_count":3,"limit":200,"offset":0,"secrets":[{"id":"a"#).into_response(),
    }]
});
