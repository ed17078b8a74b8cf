//! Create, read, update, delete, versions and groups, with IBM's validation rules.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

async fn create(c: &reqwest::Client, emu: &Emu, body: Value) -> (u16, Value) {
    send_json(c, Method::POST, &emu.url("/api/v2/secrets"), body).await
}

#[tokio::test]
async fn creates_every_supported_type() {
    let dir = TempDir::new("create");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();

    let (s, a) = create(&c, &emu, json!({"secret_type":"arbitrary","name":"app-token","payload":"s3cr3t","labels":["dev","us-south"],"description":"d","expiration_date":"2030-01-01T00:00:00Z"})).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["payload"], "s3cr3t");
    assert_eq!(a["state"], 1);
    assert_eq!(a["versions_total"], 1);
    assert_eq!(a["secret_group_id"], "default");
    assert!(a["crn"].as_str().is_some_and(|c| c.ends_with(a["id"].as_str().unwrap_or("?"))));

    let (s, up) = create(&c, &emu, json!({"secret_type":"username_password","name":"db-login","username":"app"})).await;
    assert_eq!(s, 201, "{up}");
    assert_eq!(up["username"], "app");
    assert_eq!(up["password"].as_str().map(|p| p.chars().count()), Some(32));

    let (s, kv) = create(&c, &emu, json!({"secret_type":"kv","name":"app-config","data":{"a":1,"b":{"c":"d"}}})).await;
    assert_eq!(s, 201, "{kv}");
    assert_eq!(kv["data"]["b"]["c"], "d");

    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
    let (s, cert) = create(&c, &emu, json!({"secret_type":"imported_cert","name":"edge-cert","certificate":pem,"private_key":"-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----"})).await;
    assert_eq!(s, 201, "{cert}");
    assert_eq!(cert["certificate"], pem);

    let (s, iam) = create(&c, &emu, json!({"secret_type":"iam_credentials","name":"ci-key","ttl":"24h","access_groups":["AccessGroupId-1"]})).await;
    assert_eq!(s, 201, "{iam}");
    let id = iam["id"].as_str().expect("id");
    let first_key = iam["api_key"].as_str().expect("api_key").to_string();
    // Reading an IAM credential without reuse_api_key issues a new key.
    let (_, r1) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}"))).await;
    let (_, r2) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}"))).await;
    assert_ne!(r1["api_key"], first_key.as_str());
    assert_ne!(r1["api_key"], r2["api_key"]);
    let (s, reuse) = create(&c, &emu, json!({"secret_type":"iam_credentials","name":"ci-key-2","ttl":"1d","reuse_api_key":true})).await;
    assert_eq!(s, 201);
    let rid = reuse["id"].as_str().expect("id");
    let (_, r3) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{rid}"))).await;
    assert_eq!(r3["api_key"], reuse["api_key"]);

    let (s, body) = create(&c, &emu, json!({"secret_type":"arbitrary","name":"app-token","payload":"again"})).await;
    assert_eq!(s, 409);
    assert_ibm_error(&body, 409);
    // Same name with another type is fine.
    let (s, _) = create(&c, &emu, json!({"secret_type":"kv","name":"app-token","data":{"k":"v"}})).await;
    assert_eq!(s, 201);

    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?search=app-token")).await;
    assert_eq!(page["total_count"], 2);
}

#[tokio::test]
async fn validation_answers_400_with_a_target() {
    let dir = TempDir::new("validate");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();
    let cases = vec![
        (json!({"secret_type":"arbitrary","name":"x","payload":"p"}), "name"),
        (json!({"secret_type":"arbitrary","name":"bad name!","payload":"p"}), "name"),
        (json!({"secret_type":"arbitrary","name":"n".repeat(257),"payload":"p"}), "name"),
        (json!({"secret_type":"arbitrary","name":"ok-name","payload":"p","description":"d".repeat(1025)}), "description"),
        (json!({"secret_type":"arbitrary","name":"ok-name","payload":"p","labels":vec!["ab"; 31]}), "labels"),
        (json!({"secret_type":"arbitrary","name":"ok-name","payload":"p","labels":["a"]}), "labels"),
        (json!({"secret_type":"arbitrary","name":"ok-name","payload":"p","labels":["l".repeat(65)]}), "labels"),
        (json!({"secret_type":"arbitrary","name":"ok-name","payload":"p","custom_metadata":{"k":"v".repeat(11_000)}}), "custom_metadata"),
        (json!({"secret_type":"arbitrary","name":"ok-name","payload":"p".repeat(1024 * 1024 + 1)}), "payload"),
        (json!({"secret_type":"arbitrary","name":"ok-name"}), "payload"),
        (json!({"secret_type":"kv","name":"ok-name","data":{"k":"v".repeat(530_000)}}), "data"),
        (json!({"secret_type":"kv","name":"ok-name","data":{}}), "data"),
        (json!({"secret_type":"username_password","name":"ok-name"}), "username"),
        (json!({"secret_type":"imported_cert","name":"ok-name","certificate":"not pem"}), "certificate"),
        (json!({"secret_type":"public_cert","name":"ok-name"}), "secret_type"),
        (json!({"name":"ok-name"}), "secret_type"),
        (json!({"secret_type":"arbitrary","name":"ok-name","payload":"p","secret_group_id":"no-such-group"}), "secret_group_id"),
        (json!({"secret_type":"arbitrary","name":"ok-name","payload":"p","expiration_date":"tomorrow"}), "expiration_date"),
        (json!({"secret_type":"arbitrary","name":"ok-name","payload":"p","labels":"dev"}), "labels"),
    ];
    for (body, target) in cases {
        let (s, err) = create(&c, &emu, body.clone()).await;
        assert_eq!(s, 400, "{target}: {err}");
        assert_eq!(assert_ibm_error(&err, 400).as_deref(), Some(target));
    }
    let r = c.post(emu.url("/api/v2/secrets")).header("content-type", "application/json").body("{not json").send().await.expect("post");
    assert_eq!(r.status(), 400);
    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets")).await;
    assert_eq!(page["total_count"], 0, "nothing half-created");
}

#[tokio::test]
async fn merge_patch_delete_and_locks() {
    let dir = TempDir::new("patch");
    let emu = Emu::start(dir.path(), &["--seed", "400"]);
    let c = client();
    let (_, made) = create(&c, &emu, json!({"secret_type":"arbitrary","name":"patch-me","payload":"p","labels":["a1","b2"],"description":"old"})).await;
    let id = made["id"].as_str().expect("id").to_string();
    let url = emu.url(&format!("/api/v2/secrets/{id}/metadata"));
    let r = c
        .patch(&url)
        .header("content-type", "application/merge-patch+json")
        .body(r#"{"description":null,"labels":["c3"],"custom_metadata":{"owner":"me"},"name":"patched"}"#)
        .send()
        .await
        .expect("patch");
    assert_eq!(r.status(), 200);
    let m: Value = r.json().await.expect("json");
    assert!(m.get("description").is_none());
    assert_eq!(m["labels"], json!(["c3"]));
    assert_eq!(m["name"], "patched");
    assert_eq!(m["custom_metadata"]["owner"], "me");
    assert!(m.get("payload").is_none());
    let (s, err) = send_json(&c, Method::PATCH, &url, json!({"id":"other"})).await;
    assert_eq!(s, 400);
    assert_eq!(assert_ibm_error(&err, 400).as_deref(), Some("id"));
    let (s, err) = send_json(&c, Method::PATCH, &url, json!({"labels":["x"]})).await;
    assert_eq!(s, 400);
    assert_eq!(assert_ibm_error(&err, 400).as_deref(), Some("labels"));

    let r = c.delete(emu.url(&format!("/api/v2/secrets/{id}"))).send().await.expect("delete");
    assert_eq!(r.status(), 204);
    let (s, _) = get_json(&c, &url).await;
    assert_eq!(s, 404);
    let r = c.delete(emu.url(&format!("/api/v2/secrets/{id}"))).send().await.expect("delete");
    assert_eq!(r.status(), 404);

    let (_, page) = get_json(&c, &emu.url("/api/v2/secrets?limit=1000")).await;
    let locked = page["secrets"].as_array().expect("secrets").iter().find(|s| s["locks_total"].as_u64().unwrap_or(0) > 0).expect("a locked seeded secret");
    let r = c.delete(emu.url(&format!("/api/v2/secrets/{}", locked["id"].as_str().expect("id")))).send().await.expect("delete");
    assert_eq!(r.status(), 412);
    assert_ibm_error(&r.json().await.expect("json"), 412);
}

#[tokio::test]
async fn versions_with_aliases_and_a_cap_of_fifty() {
    let dir = TempDir::new("versions");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();
    let (_, made) = create(&c, &emu, json!({"secret_type":"arbitrary","name":"rotating","payload":"v1"})).await;
    let id = made["id"].as_str().expect("id").to_string();
    let vurl = emu.url(&format!("/api/v2/secrets/{id}/versions"));
    let (s, v2) = send_json(&c, Method::POST, &vurl, json!({"payload":"v2"})).await;
    assert_eq!(s, 201, "{v2}");
    assert_eq!(v2["alias"], "current");
    assert_eq!(v2["payload"], "v2");

    let (s, list) = get_json(&c, &vurl).await;
    assert_eq!(s, 200);
    assert_eq!(list["total_count"], 2);
    assert_eq!(list["versions"][0]["alias"], "current");
    assert_eq!(list["versions"][1]["alias"], "previous");
    let (_, cur) = get_json(&c, &format!("{vurl}/current")).await;
    assert_eq!(cur["payload"], "v2");
    let (_, prev) = get_json(&c, &format!("{vurl}/previous")).await;
    assert_eq!(prev["payload"], "v1");
    let first_id = prev["id"].as_str().expect("id").to_string();
    let (s, by_id) = get_json(&c, &format!("{vurl}/{first_id}")).await;
    assert_eq!(s, 200);
    assert_eq!(by_id["payload"], "v1");
    let (s, _) = get_json(&c, &format!("{vurl}/not-a-version")).await;
    assert_eq!(s, 404);

    for i in 3..=55 {
        let (s, _) = send_json(&c, Method::POST, &vurl, json!({"payload": format!("v{i}")})).await;
        assert_eq!(s, 201);
    }
    let (_, list) = get_json(&c, &vurl).await;
    assert_eq!(list["total_count"], 50);
    let (_, meta) = get_json(&c, &emu.url(&format!("/api/v2/secrets/{id}/metadata"))).await;
    assert_eq!(meta["versions_total"], 50);
    let (s, _) = get_json(&c, &format!("{vurl}/{first_id}")).await;
    assert_eq!(s, 404, "the oldest version was dropped");

    let (_, up) = create(&c, &emu, json!({"secret_type":"username_password","name":"rotating-user","username":"u1","password":"first"})).await;
    let uurl = emu.url(&format!("/api/v2/secrets/{}/versions", up["id"].as_str().expect("id")));
    let (s, nv) = send_json(&c, Method::POST, &uurl, json!({})).await;
    assert_eq!(s, 201);
    assert_eq!(nv["username"], "u1");
    assert_eq!(nv["password"].as_str().map(str::len), Some(32));
    let (s, _) = send_json(&c, Method::POST, &emu.url("/api/v2/secrets/nope/versions"), json!({})).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn groups_create_update_delete() {
    let dir = TempDir::new("groups");
    let emu = Emu::start(dir.path(), &[]);
    let c = client();
    let gurl = emu.url("/api/v2/secret_groups");
    let (s, g) = send_json(&c, Method::POST, &gurl, json!({"name":"team-a","description":"A"})).await;
    assert_eq!(s, 201, "{g}");
    let gid = g["id"].as_str().expect("id").to_string();
    assert_eq!(gid.len(), 36);
    let (s, err) = send_json(&c, Method::POST, &gurl, json!({"name":"team-a"})).await;
    assert_eq!(s, 409);
    assert_ibm_error(&err, 409);
    let (s, err) = send_json(&c, Method::POST, &gurl, json!({"name":"x"})).await;
    assert_eq!(s, 400);
    assert_eq!(assert_ibm_error(&err, 400).as_deref(), Some("name"));

    let r = c.patch(format!("{gurl}/{gid}")).header("content-type", "application/merge-patch+json").body(r#"{"name":"team-b"}"#).send().await.expect("patch");
    assert_eq!(r.status(), 200);
    let g2: Value = r.json().await.expect("json");
    assert_eq!(g2["name"], "team-b");
    assert_eq!(g2["description"], "A");

    let (s, secret) = create(&c, &emu, json!({"secret_type":"arbitrary","name":"in-group","payload":"p","secret_group_id":gid})).await;
    assert_eq!(s, 201);
    let r = c.delete(format!("{gurl}/{gid}")).send().await.expect("delete");
    assert_eq!(r.status(), 409, "only an empty group can be deleted");
    assert_ibm_error(&r.json().await.expect("json"), 409);
    let (_, filtered) = get_json(&c, &emu.url(&format!("/api/v2/secrets?groups={gid}"))).await;
    assert_eq!(filtered["total_count"], 1);

    c.delete(emu.url(&format!("/api/v2/secrets/{}", secret["id"].as_str().expect("id")))).send().await.expect("delete secret");
    let r = c.delete(format!("{gurl}/{gid}")).send().await.expect("delete");
    assert_eq!(r.status(), 204);
    let r = c.delete(format!("{gurl}/{gid}")).send().await.expect("delete");
    assert_eq!(r.status(), 404);
    let r = c.delete(format!("{gurl}/default")).send().await.expect("delete");
    assert!(r.status().is_client_error());
    let (_, all) = get_json(&c, &gurl).await;
    assert_eq!(all["total_count"], 1);
}
