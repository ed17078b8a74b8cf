//! The secrets calls of one region (secrets-v2.md). Like every call in `RegionApi`, each URL is
//! built from this region's own origin; a write is sent once and never retried here.

use serde_json::Value;
use sm_contract::{SecretGroupsPage, SecretMetadata, SecretsPage, VersionsList};

use super::error::ApiError;
use super::http::{decode, get_json, send, Method, Request};
use super::region::{RegionApi, PAGE_TIMEOUT_MS};

const CALL_TIMEOUT_MS: u32 = 10_000;
const JSON: &str = "application/json";
const MERGE_PATCH: &str = "application/merge-patch+json";

fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

impl RegionApi {
    fn call(&self, method: Method, path: &str, body: Option<(String, &'static str)>) -> Request {
        let mut r = self.get(path, CALL_TIMEOUT_MS);
        r.method = method;
        r.body = body.map(|(b, t)| (b.into(), t));
        r
    }

    /// One page of the list; `search` is the server-side search (2–128 characters).
    pub async fn secrets_page_search(&self, offset: u64, limit: u32, search: Option<&str>) -> Result<SecretsPage, ApiError> {
        let mut q = format!("/api/v2/secrets?offset={offset}&limit={limit}");
        if let Some(s) = search {
            q.push_str("&search=");
            q.push_str(&enc(s));
        }
        Ok(get_json(&self.get(&q, PAGE_TIMEOUT_MS)).await?.0)
    }

    pub async fn metadata(&self, id: &str) -> Result<SecretMetadata, ApiError> {
        Ok(get_json(&self.call(Method::Get, &format!("/api/v2/secrets/{}/metadata", enc(id)), None)).await?.0)
    }

    pub async fn versions(&self, id: &str) -> Result<VersionsList, ApiError> {
        Ok(get_json(&self.call(Method::Get, &format!("/api/v2/secrets/{}/versions", enc(id)), None)).await?.0)
    }

    pub async fn groups(&self) -> Result<SecretGroupsPage, ApiError> {
        Ok(get_json(&self.call(Method::Get, "/api/v2/secret_groups", None)).await?.0)
    }

    /// The secret with its data. For `iam_credentials` this rotates the key: callers must have
    /// the user's explicit, warned confirmation first.
    pub async fn secret_with_data(&self, id: &str) -> Result<Value, ApiError> {
        Ok(get_json(&self.call(Method::Get, &format!("/api/v2/secrets/{}", enc(id)), None)).await?.0)
    }

    pub async fn create_secret(&self, body: &Value) -> Result<SecretMetadata, ApiError> {
        let r = send(&self.call(Method::Post, "/api/v2/secrets", Some((body.to_string(), JSON)))).await?;
        decode(&r.body)
    }

    pub async fn patch_metadata(&self, id: &str, patch: &Value) -> Result<SecretMetadata, ApiError> {
        let path = format!("/api/v2/secrets/{}/metadata", enc(id));
        let r = send(&self.call(Method::Patch, &path, Some((patch.to_string(), MERGE_PATCH)))).await?;
        decode(&r.body)
    }

    pub async fn delete_secret(&self, id: &str) -> Result<(), ApiError> {
        send(&self.call(Method::Delete, &format!("/api/v2/secrets/{}", enc(id)), None)).await.map(|_| ())
    }

    pub async fn new_version(&self, id: &str, body: &Value) -> Result<(), ApiError> {
        let path = format!("/api/v2/secrets/{}/versions", enc(id));
        send(&self.call(Method::Post, &path, Some((body.to_string(), JSON)))).await.map(|_| ())
    }

    pub async fn create_group(&self, body: &Value) -> Result<(), ApiError> {
        send(&self.call(Method::Post, "/api/v2/secret_groups", Some((body.to_string(), JSON)))).await.map(|_| ())
    }

    pub async fn delete_group(&self, id: &str) -> Result<(), ApiError> {
        send(&self.call(Method::Delete, &format!("/api/v2/secret_groups/{}", enc(id)), None)).await.map(|_| ())
    }
}
