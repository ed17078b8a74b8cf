//! Test harness: real `sm-emulator` (regions and IAM) and `sm-gateway` processes on free loopback
//! ports, always stopped on drop, with each process's log kept in a file the test can read.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub const GATEWAY: &str = env!("CARGO_BIN_EXE_sm-gateway");

// Proc, Iam and Gateway are shared with the console's end-to-end tests (`tests/e2e_gateway.rs`).
#[path = "../../../../tests/support/topology.rs"]
mod topology;
pub use topology::*;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The emulator binary: `SM_EMULATOR_BIN` (what scripts/test.sh builds), else the workspace's.
pub fn emulator_bin() -> PathBuf {
    if let Ok(p) = std::env::var("SM_EMULATOR_BIN") {
        return PathBuf::from(p);
    }
    // The newest build: a stale one would lack what these tests need (`sm-emulator iam`).
    let newest = ["emulator", "debug"]
        .iter()
        .map(|profile| workspace_root().join("target").join(profile).join("sm-emulator"))
        .filter_map(|p| std::fs::metadata(&p).and_then(|m| m.modified()).ok().map(|t| (t, p)))
        .max();
    match newest {
        Some((_, p)) => p,
        None => panic!("sm-emulator is not built: run scripts/build.sh (or cargo build -p sm-emulator)"),
    }
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!("sm-gw-{tag}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Region {
    pub proc: Proc,
    pub data: String,
    pub control: String,
    pub port: u16,
    dir: PathBuf,
    region: String,
    extra: Vec<String>,
}

impl Region {
    /// A region on a port the kernel chooses; `restart` brings it back on the same one.
    pub fn start(tmp: &TempDir, region: &str, extra: &[&str]) -> Region {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = tmp.join(&format!("emu-{region}-{}", N.fetch_add(1, Ordering::Relaxed)));
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        let proc = Proc::spawn(&emulator_bin(), &Self::args(&dir, region, 0, &extra), Self::log(tmp, &dir), &[]);
        let (data, control) = (proc.field("data"), proc.field("control"));
        let port = data.rsplit(':').next().and_then(|p| p.trim_end_matches('/').parse().ok()).unwrap_or_else(|| panic!("no port in {}", proc.line));
        Region { proc, data, control, port, dir, region: region.into(), extra }
    }

    fn args(dir: &Path, region: &str, port: u16, extra: &[String]) -> Vec<String> {
        let mut args: Vec<String> = ["--region", region, "--listen", &format!("127.0.0.1:{port}"), "--control", "127.0.0.1:0", "--history-days", "0", "--data-dir"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.push(dir.display().to_string());
        args.extend(extra.iter().cloned());
        args
    }

    fn log(tmp: &TempDir, dir: &Path) -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        tmp.join(&format!("{name}-{}.log", N.fetch_add(1, Ordering::Relaxed)))
    }

    pub fn kill(&mut self) {
        self.proc.kill();
    }

    pub fn restart(&mut self, tmp: &TempDir) {
        self.proc.kill();
        self.proc = Proc::respawn(&emulator_bin(), &Self::args(&self.dir, &self.region, self.port, &self.extra), Self::log(tmp, &self.dir), &[]);
        self.control = self.proc.field("control");
    }
}

/// Runs the gateway to its exit (for start-up failures): (exit code, stderr).
pub fn gateway_exit(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(GATEWAY).args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn");
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut child = out;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            if let Some(mut s) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut s, &mut err);
            }
            return (status.code(), err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return (None, String::from("did not exit"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().expect("client")
}

pub async fn get_json(c: &reqwest::Client, url: &str) -> (u16, serde_json::Value) {
    let r = c.get(url).send().await.expect("request");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(serde_json::Value::Null))
}

/// Polls `f` every 50 ms until it yields `Some` or `timeout` passes.
pub async fn wait_for<T, F, Fut>(timeout: Duration, mut f: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The region status in the gateway's health document.
pub async fn doc_status(c: &reqwest::Client, gw: &Gateway) -> String {
    match c.get(gw.url("/api/health/v1/region")).send().await {
        Ok(r) => r.json::<serde_json::Value>().await.ok().and_then(|v| v["status"].as_str().map(String::from)).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Reads SSE events until `pred` matches one or `timeout` passes; returns the matching event.
pub async fn wait_event(resp: &mut reqwest::Response, timeout: Duration, pred: impl Fn(&str, &serde_json::Value) -> bool) -> Option<(String, serde_json::Value)> {
    let mut buf = String::new();
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        while let Some(end) = buf.find("\n\n") {
            let block: String = buf.drain(..end + 2).collect();
            let mut name = String::from("message");
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = v.trim().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            let v: serde_json::Value = serde_json::from_str(&data).unwrap_or(serde_json::Value::Null);
            if pred(&name, &v) {
                return Some((name, v));
            }
        }
        match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Ok(Ok(Some(c))) => buf.push_str(&String::from_utf8_lossy(&c)),
            _ => return None,
        }
    }
}

/// Exchanges an API key through the gateway; (status, body).
pub async fn exchange(c: &reqwest::Client, gw: &Gateway, key: &str) -> (u16, serde_json::Value) {
    let body: String = form_urlencoded::Serializer::new(String::new()).append_pair("apikey", key).finish();
    let r = c.post(gw.url("/api/auth/v1/token")).header("Content-Type", "application/x-www-form-urlencoded").body(body).send().await.expect("request");
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(serde_json::Value::Null))
}
