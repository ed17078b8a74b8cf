//! `sm-emulator iam` and `--iam-signing-secret`, against the real binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

const SECRET: &str = "iam-test-secret";

struct IamProc {
    child: Child,
    url: String,
    control: String,
}

impl Drop for IamProc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_iam(ttl: u64) -> IamProc {
    let mut child = Command::new(BIN)
        .args(["iam", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--api-key", "good-key-123:ci", "--api-key", "other-key-456"])
        .args(["--token-ttl-s", &ttl.to_string(), "--signing-secret", SECRET])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("line");
    let field = |k: &str| line.split_whitespace().find_map(|w| w.strip_prefix(k)).unwrap_or_default().to_string();
    assert!(line.starts_with("listening iam url=http://127.0.0.1:"), "{line}");
    IamProc { url: field("url="), control: field("control="), child }
}

async fn token(c: &reqwest::Client, iam: &IamProc, body: &str, ct: &str) -> (u16, Value) {
    let r = c.post(format!("{}/identity/token", iam.url)).header("Content-Type", ct).body(body.to_string()).send().await.expect("request");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn issues_tokens_as_iam_does_and_refuses_what_iam_refuses() {
    let iam = start_iam(3600);
    let c = client();
    let (s, t) = token(&c, &iam, "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey=good-key-123&response_type=cloud_iam", FORM).await;
    assert_eq!(s, 200, "{t}");
    for k in ["access_token", "refresh_token"] {
        assert!(t[k].as_str().is_some_and(|v| !v.is_empty()), "{k}: {t}");
    }
    assert_eq!(t["token_type"], "Bearer");
    assert_eq!(t["expires_in"], 3600);
    assert_eq!(t["scope"], "ibm openid");
    assert!(t["expiration"].as_i64().is_some_and(|e| e > 0));
    assert_eq!(t["access_token"].as_str().map(|a| a.split('.').count()), Some(3), "a JWT");

    let (s, e) = token(&c, &iam, "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey=wrong-key-000", FORM).await;
    assert_eq!(s, 400);
    assert_eq!(e["errorCode"], "BXNIM0415E");
    assert_eq!(e["errorMessage"], "Provided API key could not be found");
    assert!(e["context"]["requestId"].as_str().is_some());
    let (s, e) = token(&c, &iam, "grant_type=password&apikey=good-key-123", FORM).await;
    assert_eq!(s, 400);
    assert!(e["errorCode"].as_str().is_some_and(|c| c.starts_with("BXNIM") && c != "BXNIM0415E"), "{e}");
    let (s, e) = token(&c, &iam, r#"{"apikey":"good-key-123"}"#, "application/json").await;
    assert_eq!(s, 400);
    assert!(e["errorCode"].as_str().is_some_and(|c| c.starts_with("BXNIM")), "{e}");

    // Faults on the control listener.
    let good = "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey=good-key-123";
    let r = c.put(format!("{}/emulator/v1/iam", iam.control)).json(&json!({"mode":"rate_limited"})).send().await.expect("control");
    assert!(r.status().is_success());
    let r = c.post(format!("{}/identity/token", iam.url)).header("Content-Type", FORM).body(good).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().get("retry-after").is_some());
    c.put(format!("{}/emulator/v1/iam", iam.control)).json(&json!({"mode":"down"})).send().await.expect("control");
    assert_eq!(token(&c, &iam, good, FORM).await.0, 503);
    c.put(format!("{}/emulator/v1/iam", iam.control)).json(&json!({"mode":"slow","delay_ms":300})).send().await.expect("control");
    let t0 = Instant::now();
    assert_eq!(token(&c, &iam, good, FORM).await.0, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));
    let r = c.put(format!("{}/emulator/v1/iam", iam.control)).json(&json!({"mode":"sideways"})).send().await.expect("control");
    assert_eq!(r.status().as_u16(), 400);
}

#[tokio::test]
async fn a_region_with_the_signing_secret_accepts_only_unexpired_iam_tokens() {
    let iam = start_iam(2);
    let dir = TempDir::new("iam-region");
    let emu = Emu::start(dir.path(), &["--iam-signing-secret", SECRET]);
    let c = client();
    let (_, t) = token(&c, &iam, "grant_type=urn%3Aibm%3Aparams%3Aoauth%3Agrant-type%3Aapikey&apikey=other-key-456", FORM).await;
    let access = t["access_token"].as_str().expect("token").to_string();
    let list = emu.url("/api/v2/secrets");
    let r = c.get(&list).bearer_auth(&access).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 200);
    let r = c.get(&list).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 401);
    assert_ibm_error(&r.json().await.expect("json"), 401);
    // Tampered: another signer's token with the same claims.
    let mut parts: Vec<String> = access.split('.').map(String::from).collect();
    parts[2] = "AAAA".repeat(10);
    let r = c.get(&list).bearer_auth(parts.join(".")).send().await.expect("request");
    assert_eq!(r.status().as_u16(), 401);
    // The event stream takes the token in the header like every call (the console reads it with
    // fetch); a token in the URL is refused, as the contract never allowed it.
    let r = c.get(emu.url("/api/health/v1/events")).bearer_auth(&access).send().await.expect("stream");
    assert_eq!(r.status().as_u16(), 200);
    drop(r);
    let r = c.get(emu.url(&format!("/api/health/v1/events?access_token={access}"))).send().await.expect("stream");
    assert_eq!(r.status().as_u16(), 401);
    // Expired: the 2 s token is refused once its time is up.
    let deadline = Instant::now() + Duration::from_secs(6);
    let expired = loop {
        let r = c.get(&list).bearer_auth(&access).send().await.expect("request");
        if r.status().as_u16() == 401 {
            break r.json::<Value>().await.expect("json");
        }
        assert!(Instant::now() < deadline, "the token never expired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(expired["errors"][0]["message"].as_str().is_some_and(|m| m.contains("expired")), "{expired}");
}

#[test]
fn iam_start_up_errors() {
    let (code, err) = run_to_exit(&["iam", "--listen", "127.0.0.1:0", "--signing-secret", "s"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--api-key"), "{err}");
    let (code, err) = run_to_exit(&["iam", "--listen", "127.0.0.1:0", "--api-key", "short", "--signing-secret", "s"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = run_to_exit(&["--region", "us-south", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--data-dir", "/tmp/x", "--token", "t", "--iam-signing-secret", "s"]);
    assert_eq!(code, Some(2), "--token and --iam-signing-secret together: {err}");
}
