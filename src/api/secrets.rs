//! The secrets calls of one region (secrets-v2.md). Like every call in `RegionApi`, each URL is
//! built from this region's own origin; a write is sent once and never retried here.

use serde_json::Value;
use sm_contract::{SecretGroupsPage, SecretLocksPage, SecretMetadata, SecretType, SecretsPage, SecretsPageRaw, VersionsList};

use super::error::ApiError;
use super::http::{decode, get_json, send, Method, Request};
use super::region::{RegionApi, PAGE_TIMEOUT_MS};

const CALL_TIMEOUT_MS: u32 = 10_000;
const JSON: &str = "application/json";
const MERGE_PATCH: &str = "application/merge-patch+json";

/// A JSON body, written into a buffer of its exact size. `Value::to_string` grows its buffer as it
/// writes, and each outgrown buffer is freed with a part of the body (a secret's value, in a
/// create or a copy) still in it, out of reach of the wipe that `Request` does when dropped.
fn json(v: &Value) -> String {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut n = Count(0);
    // Writing a `Value` cannot fail: its keys are strings and io errors cannot happen here.
    let _ = serde_json::to_writer(&mut n, v);
    let mut buf = Vec::with_capacity(n.0);
    let _ = serde_json::to_writer(&mut buf, v);
    String::from_utf8(buf).unwrap_or_default()
}

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

    /// One page of the whole list with its secrets still unread, for the loader to read in time
    /// slices (`RawList::read`).
    pub async fn secrets_page_raw(&self, offset: u64, limit: u32) -> Result<SecretsPageRaw, ApiError> {
        let q = format!("/api/v2/secrets?offset={offset}&limit={limit}");
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

    /// One version with its data (`current`, `previous` or a version id); IBM keeps the data of
    /// the current and the previous version only (`payload_available`).
    pub async fn version_with_data(&self, id: &str, version: &str) -> Result<Value, ApiError> {
        Ok(get_json(&self.call(Method::Get, &format!("/api/v2/secrets/{}/versions/{}", enc(id), enc(version)), None)).await?.0)
    }

    pub async fn create_secret(&self, body: &Value) -> Result<SecretMetadata, ApiError> {
        let r = send(&self.call(Method::Post, "/api/v2/secrets", Some((json(body), JSON)))).await?;
        decode(&r.body)
    }

    pub async fn patch_metadata(&self, id: &str, patch: &Value) -> Result<SecretMetadata, ApiError> {
        let path = format!("/api/v2/secrets/{}/metadata", enc(id));
        let r = send(&self.call(Method::Patch, &path, Some((json(patch), MERGE_PATCH)))).await?;
        decode(&r.body)
    }

    pub async fn delete_secret(&self, id: &str) -> Result<(), ApiError> {
        send(&self.call(Method::Delete, &format!("/api/v2/secrets/{}", enc(id)), None)).await.map(|_| ())
    }

    pub async fn new_version(&self, id: &str, body: &Value) -> Result<(), ApiError> {
        let path = format!("/api/v2/secrets/{}/versions", enc(id));
        send(&self.call(Method::Post, &path, Some((json(body), JSON)))).await.map(|_| ())
    }

    pub async fn create_group(&self, body: &Value) -> Result<(), ApiError> {
        send(&self.call(Method::Post, "/api/v2/secret_groups", Some((json(body), JSON)))).await.map(|_| ())
    }

    pub async fn delete_group(&self, id: &str) -> Result<(), ApiError> {
        send(&self.call(Method::Delete, &format!("/api/v2/secret_groups/{}", enc(id)), None)).await.map(|_| ())
    }

    /// IBM's lookup by group *name*, type and name: how a secret of one region is found in the
    /// other, whose group ids differ. Reads the data (and marks the secret retrieved), like
    /// [`Self::secret_with_data`], so the same confirmation rules apply.
    pub async fn secret_by_name(&self, group_name: &str, secret_type: &SecretType, name: &str) -> Result<Value, ApiError> {
        let path = format!("/api/v2/secret_groups/{}/secret_types/{}/secrets/{}", enc(group_name), enc(secret_type.as_str()), enc(name));
        Ok(get_json(&self.call(Method::Get, &path, None)).await?.0)
    }

    /// The locks of one secret (the first 1,000: IBM caps a version at 1,000 locks, and a person
    /// reads a handful).
    pub async fn locks(&self, id: &str) -> Result<SecretLocksPage, ApiError> {
        Ok(get_json(&self.call(Method::Get, &format!("/api/v2/secrets/{}/locks?limit=1000", enc(id)), None)).await?.0)
    }

    /// Adds a lock on the current version (or replaces the one of the same name).
    pub async fn add_lock(&self, id: &str, name: &str, description: Option<&str>) -> Result<(), ApiError> {
        let mut lock = serde_json::Map::new();
        lock.insert("name".into(), Value::String(name.to_string()));
        if let Some(d) = description.filter(|d| !d.is_empty()) {
            lock.insert("description".into(), Value::String(d.to_string()));
        }
        let body = serde_json::json!({ "locks": [Value::Object(lock)] }).to_string();
        let path = format!("/api/v2/secrets/{}/locks_bulk", enc(id));
        send(&self.call(Method::Post, &path, Some((body, JSON)))).await.map(|_| ())
    }

    /// Removes one lock, by name, from every version of the secret.
    pub async fn remove_lock(&self, id: &str, name: &str) -> Result<(), ApiError> {
        let path = format!("/api/v2/secrets/{}/locks_bulk?name={}", enc(id), enc(name));
        send(&self.call(Method::Delete, &path, None)).await.map(|_| ())
    }
}
