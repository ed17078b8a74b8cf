//! Test harness: runs the real binary on free loopback ports and always stops it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_sm-emulator");

/// A scratch directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!("sm-emu-{tag}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).expect("create temp dir");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running emulator; killed (and reaped) on drop, including when a test panics.
pub struct Emu {
    child: Option<Child>,
    pub data: String,
    pub control: String,
    pub data_dir: PathBuf,
    pub region: String,
}

impl Emu {
    pub fn start(dir: &Path, extra: &[&str]) -> Emu {
        Self::start_region(dir, "us-south", extra)
    }

    pub fn start_region(dir: &Path, region: &str, extra: &[&str]) -> Emu {
        let mut cmd = Command::new(BIN);
        cmd.args(["--region", region, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--data-dir"])
            .arg(dir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn().expect("spawn sm-emulator");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the child never blocks on a full pipe.
            let _ = std::io::copy(&mut r, &mut std::io::sink());
        });
        let mut emu = Emu { child: Some(child), data: String::new(), control: String::new(), data_dir: dir.to_path_buf(), region: region.into() };
        let line = rx.recv_timeout(Duration::from_secs(60)).expect("emulator printed its listening line");
        assert!(line.starts_with(&format!("listening region={region} ")), "unexpected first line: {line:?}");
        for part in line.split_whitespace() {
            if let Some(v) = part.strip_prefix("data=") {
                emu.data = v.to_string();
            } else if let Some(v) = part.strip_prefix("control=") {
                emu.control = v.to_string();
            }
        }
        assert!(emu.data.starts_with("http://127.0.0.1:") && emu.control.starts_with("http://127.0.0.1:"), "{line}");
        emu
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// SIGKILL: the process gets no chance to flush anything.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, then wait for a clean exit; returns whether it exited successfully.
    pub fn terminate(&mut self) -> bool {
        self.signal_and_wait("TERM")
    }

    pub fn signal_and_wait(&mut self, sig: &str) -> bool {
        let Some(mut c) = self.child.take() else { return false };
        let _ = Command::new("kill").args([&format!("-{sig}"), &c.id().to_string()]).status();
        for _ in 0..200 {
            if let Ok(Some(status)) = c.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        let _ = c.wait();
        false
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.data)
    }

    pub fn ctl(&self, path: &str) -> String {
        format!("{}{path}", self.control)
    }
}

impl Drop for Emu {
    fn drop(&mut self) {
        self.kill();
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

/// The header the control API requires on every call that changes something.
pub const CONTROL_HEADER: &str = "x-emulator-control";

/// Sends `body` with the content type its operation documents (merge patch for PATCH), and the
/// control header when the URL is a control call, as a well-behaved client does.
pub async fn send_json(c: &reqwest::Client, method: reqwest::Method, url: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    let ct = if method == reqwest::Method::PATCH { "application/merge-patch+json" } else { "application/json" };
    let mut req = c.request(method, url).header("content-type", ct).body(body.to_string());
    if url.contains("/emulator/v1/") {
        req = req.header(CONTROL_HEADER, "1");
    }
    let r = req.send().await.expect("request");
    let s = r.status().as_u16();
    let text = r.text().await.unwrap_or_default();
    (s, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

/// Asserts the IBM error shape and returns the first error's target name, if any.
pub fn assert_ibm_error(v: &serde_json::Value, status: u16) -> Option<String> {
    assert_eq!(v["status_code"], status, "{v}");
    let trace = v["trace"].as_str().expect("trace");
    assert_eq!(trace.len(), 36, "trace is a uuid: {trace}");
    let e = &v["errors"][0];
    assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()), "{v}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    e["target"]["name"].as_str().map(String::from)
}

/// Runs the binary to completion (for start-up failures) and returns (exit code, stderr).
pub fn run_to_exit(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(BIN).args(args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("spawn");
    let mut err = String::new();
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut err);
    }
    // stderr closed means the process is exiting (or has detached it); bound the wait anyway.
    for _ in 0..400 {
        if let Ok(Some(status)) = child.try_wait() {
            return (status.code(), err);
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
    (None, err)
}

/// Reads SSE events from a streaming response until `n` events arrived or `timeout` passed.
pub async fn read_events(resp: &mut reqwest::Response, n: usize, timeout: Duration) -> Vec<(String, String)> {
    let mut buf = String::new();
    let mut out = Vec::new();
    let deadline = tokio::time::Instant::now() + timeout;
    while out.len() < n {
        let chunk = match tokio::time::timeout_at(deadline, resp.chunk()).await {
            Ok(Ok(Some(c))) => c,
            _ => break,
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
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
            out.push((name, data));
        }
    }
    out
}
