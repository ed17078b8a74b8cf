//! IBM's locks API and lookup by name, against the real binary.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn create(c: &reqwest::Client, emu: &Emu, body: Value) -> Value {
    let (s, v) = send_json(c, Method::POST, &emu.url("/api/v2/secrets"), body).await;
    assert_eq!(s, 201, "{v}");
    v
}

fn message(v: &Value) -> String {
    v["errors"][0]["message"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn lookup_by_group_name_type_and_name() {
    let dir = TempDir::new("by-name");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();
    let (s, g) = send_json(&c, Method::POST, &emu.url("/api/v2/secret_groups"), json!({"name":"payments"})).await;
    assert_eq!(s, 201, "{g}");
    let made = create(&c, &emu, json!({"secret_type":"arbitrary","name":"card-key","payload":"in payments","secret_group_id":g["id"]})).await;
    create(&c, &emu, json!({"secret_type":"arbitrary","name":"card-key-default","payload":"in default"})).await;

    let (s, got) = get_json(&c, &emu.url("/api/v2/secret_groups/payments/secret_types/arbitrary/secrets/card-key")).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["id"], made["id"]);
    assert_eq!(got["payload"], "in payments");
    assert_eq!(got["downloaded"], true, "a read by name is a read");

    let (s, got) = get_json(&c, &emu.url("/api/v2/secret_groups/default/secret_types/arbitrary/secrets/card-key-default")).await;
    assert_eq!(s, 200, "{got}");
    assert_eq!(got["payload"], "in default");

    // The right name in the wrong group, an unknown group, an unknown name, an unknown type.
    let (s, e) = get_json(&c, &emu.url("/api/v2/secret_groups/default/secret_types/arbitrary/secrets/card-key")).await;
    assert_eq!(s, 404);
    assert_ibm_error(&e, 404);
    let (s, e) = get_json(&c, &emu.url("/api/v2/secret_groups/nope/secret_types/arbitrary/secrets/card-key")).await;
    assert_eq!(s, 404);
    assert!(message(&e).contains("group"), "{e}");
    let (s, _) = get_json(&c, &emu.url("/api/v2/secret_groups/payments/secret_types/kv/secrets/card-key")).await;
    assert_eq!(s, 404);
    let (s, e) = get_json(&c, &emu.url("/api/v2/secret_groups/payments/secret_types/teapot/secrets/card-key")).await;
    assert_eq!(s, 400);
    assert_eq!(assert_ibm_error(&e, 400).as_deref(), Some("secret_type"));
}

#[tokio::test]
async fn locks_block_delete_and_rotation_of_a_locked_previous_version() {
    let dir = TempDir::new("locks");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();
    let made = create(&c, &emu, json!({"secret_type":"arbitrary","name":"locked-one","payload":"v1"})).await;
    let id = made["id"].as_str().expect("id").to_string();
    let bulk = emu.url(&format!("/api/v2/secrets/{id}/locks_bulk"));

    let (s, r) = send_json(&c, Method::POST, &bulk, json!({"locks":[{"name":"app-b","description":"the app"},{"name":"app-a"}]})).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["secret_id"], id.as_str());
    assert_eq!(r["versions"][0]["version_alias"], "current");
    assert_eq!(r["versions"][0]["locks"], json!(["app-a", "app-b"]));
    let (_, meta) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}/metadata"))).await;
    assert_eq!(meta["locks_total"], 2);

    let (s, page) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}/locks"))).await;
    assert_eq!(s, 200, "{page}");
    assert_eq!(page["total_count"], 2);
    let a = page["locks"].as_array().expect("locks").iter().find(|l| l["name"] == "app-b").expect("app-b").clone();
    assert_eq!(a["description"], "the app");
    assert_eq!(a["secret_version_alias"], "current");
    assert_eq!(a["secret_id"], id.as_str());

    // Locked: the secret cannot be deleted, and the refusal names the locks.
    let r = c.delete(emu.url(&format!("/api/v2/secrets/{id}"))).send().await.expect("delete");
    assert_eq!(r.status(), 412);
    let e: Value = r.json().await.expect("json");
    assert_ibm_error(&e, 412);
    assert!(message(&e).contains("\"app-a\", \"app-b\""), "{e}");

    // A locked *current* version may be rotated (its locks move to `previous` with it) ...
    let vurl = emu.url(&format!("/api/v2/secrets/{id}/versions"));
    let (s, _) = send_json(&c, Method::POST, &vurl, json!({"payload":"v2"})).await;
    assert_eq!(s, 201);
    let (_, page) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}/versions/previous/locks"))).await;
    assert_eq!(page["total_count"], 2, "{page}");
    // ... but not again while `previous` is locked: its data would be discarded.
    let (s, e) = send_json(&c, Method::POST, &vurl, json!({"payload":"v3"})).await;
    assert_eq!(s, 412, "{e}");
    assert!(message(&e).contains("rotated") && message(&e).contains("\"app-a\""), "{e}");

    // Moving the locks to the new version (remove_previous) lets the rotation through.
    let (s, r) = send_json(&c, Method::POST, &format!("{bulk}?mode=remove_previous"), json!({"locks":[{"name":"app-a"},{"name":"app-b"}]})).await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["versions"].as_array().map(Vec::len), Some(1), "only current holds locks now: {r}");
    let (s, _) = send_json(&c, Method::POST, &vurl, json!({"payload":"v3"})).await;
    assert_eq!(s, 201);

    // Removing one by name, then the rest.
    let r = c.delete(format!("{bulk}?name=app-a")).send().await.expect("delete lock");
    assert_eq!(r.status(), 200);
    let (_, meta) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}/metadata"))).await;
    assert_eq!(meta["locks_total"], 1);
    let r = c.delete(&bulk).send().await.expect("delete locks");
    assert_eq!(r.status(), 200);
    let r = c.delete(emu.url(&format!("/api/v2/secrets/{id}"))).send().await.expect("delete");
    assert_eq!(r.status(), 204);

    // Bad input: no locks, a bad mode, an unknown secret.
    let other = create(&c, &emu, json!({"secret_type":"arbitrary","name":"other-one","payload":"x"})).await;
    let obulk = emu.url(&format!("/api/v2/secrets/{}/locks_bulk", other["id"].as_str().expect("id")));
    let (s, e) = send_json(&c, Method::POST, &obulk, json!({"locks":[]})).await;
    assert_eq!(s, 400);
    assert_eq!(assert_ibm_error(&e, 400).as_deref(), Some("locks"));
    let (s, e) = send_json(&c, Method::POST, &format!("{obulk}?mode=sideways"), json!({"locks":[{"name":"ok-name"}]})).await;
    assert_eq!(s, 400);
    assert_eq!(assert_ibm_error(&e, 400).as_deref(), Some("mode"));
    let (s, _) = send_json(&c, Method::POST, &emu.url("/api/v2/secrets/nope/locks_bulk"), json!({"locks":[{"name":"ok-name"}]})).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn only_current_and_previous_keep_their_data() {
    let dir = TempDir::new("payload");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();
    let made = create(&c, &emu, json!({"secret_type":"arbitrary","name":"three-versions","payload":"v1"})).await;
    let vurl = emu.url(&format!("/api/v2/secrets/{}/versions", made["id"].as_str().expect("id")));
    for p in ["v2", "v3"] {
        let (s, _) = send_json(&c, Method::POST, &vurl, json!({"payload": p})).await;
        assert_eq!(s, 201);
    }
    let (_, list) = get_json(&c, &vurl).await;
    let flags: Vec<Value> = list["versions"].as_array().expect("versions").iter().map(|v| v["payload_available"].clone()).collect();
    assert_eq!(flags, vec![json!(true), json!(true), json!(false)], "{list}");
    let oldest = list["versions"][2]["id"].as_str().expect("id").to_string();
    let (s, v) = get_json(&c, &format!("{vurl}/{oldest}")).await;
    assert_eq!(s, 200);
    assert!(v.get("payload").is_none(), "{v}");
    let (_, prev) = get_json(&c, &format!("{vurl}/previous")).await;
    assert_eq!(prev["payload"], "v2");
}

#[tokio::test]
async fn seeded_locks_are_real_rows() {
    let dir = TempDir::new("seed-locks");
    let emu = Emu::start(dir.path(), &["--seed", "400"]);
    let c = client();
    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?limit=1000")).await;
    let locked: Vec<&Value> = page["secrets"].as_array().expect("secrets").iter().filter(|s| s["locks_total"].as_u64().unwrap_or(0) > 0).collect();
    assert!(!locked.is_empty());
    for s in locked {
        let (_, locks) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{}/locks", s["id"].as_str().expect("id")))).await;
        assert_eq!(locks["total_count"], s["locks_total"], "{locks}");
    }
}
