//! End-to-end harness: real emulator processes, the built console served by a plain static file
//! server, and headless Chromium through chromedriver. Everything binds to 127.0.0.1 on free ports
//! and is killed on drop, so a failing test leaves nothing running.
#![allow(dead_code)]

pub mod instrument;
pub mod page;
/// The secrets benchmarks' page scripts: the typing, and the bare page they compare with.
pub mod secrets_bench;
/// The IAM emulator and sm-gateway processes, shared with the gateway's own tests.
pub mod topology;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every server a test starts binds port 0 and announces the port the kernel gave it, on stdout.
/// (Probing for a free port and handing it to the child races: another process, a second test
/// suite say, can take the port between the probe and the child's bind.) Waits up to `within` for
/// the first stdout line that `port_in` reads a port from; `None` if the child exits or stays silent.
fn announced_port(child: &mut Child, within: Duration, port_in: fn(&str) -> Option<u16>) -> Option<(u16, String)> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let mut sent = false;
        // Keep reading after the announcement: a child that writes to a closed pipe dies.
        while let Some(Ok(line)) = lines.next() {
            if !sent {
                if let Some(port) = port_in(&line) {
                    let _ = tx.send((port, line));
                    sent = true;
                }
            }
        }
    });
    rx.recv_timeout(within).ok()
}

/// The number after `word` in `line` ("… port 41165 …", "… on port 42715.").
fn port_after(line: &str, word: &str) -> Option<u16> {
    let rest = &line[line.find(word)? + word.len()..];
    rest.trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

fn emulator_bin() -> PathBuf {
    if let Ok(p) = std::env::var("SM_EMULATOR_BIN") {
        return PathBuf::from(p);
    }
    for profile in ["emulator", "debug"] {
        let p = root().join("target").join(profile).join("sm-emulator");
        if p.exists() {
            return p;
        }
    }
    panic!("sm-emulator is not built: run scripts/test.sh (or cargo build -p sm-emulator)");
}

/// One emulated region: one process, killable like a real regional failure.
pub struct Emulator {
    pub region: String,
    pub data_port: u16,
    pub control_port: u16,
    data_dir: PathBuf,
    args: Vec<String>,
    child: Option<Child>,
    /// How long a start may take to print its listening line (seeding happens before it).
    ready_within: Duration,
}

impl Emulator {
    pub fn start(region: &str, data_dir: &Path, extra: &[&str]) -> Emulator {
        Emulator::start_within(region, data_dir, extra, Duration::from_secs(30))
    }

    /// Like `start`, for a first start that takes longer than 30 s (a large `--seed`); restarts
    /// get the same allowance.
    pub fn start_within(region: &str, data_dir: &Path, extra: &[&str], ready_within: Duration) -> Emulator {
        let mut e = Emulator {
            region: region.to_string(),
            data_port: 0,
            control_port: 0,
            data_dir: data_dir.to_path_buf(),
            args: extra.iter().map(|s| s.to_string()).collect(),
            child: None,
            ready_within,
        };
        e.spawn().unwrap_or_else(|why| panic!("{why}"));
        e
    }

    pub fn api(&self) -> String {
        format!("http://127.0.0.1:{}", self.data_port)
    }

    pub fn control(&self) -> String {
        format!("http://127.0.0.1:{}", self.control_port)
    }

    /// Start the process: on ports the kernel chooses the first time (read back from the
    /// listening line), on the same ports afterwards, since the console's config points there.
    fn spawn(&mut self) -> Result<(), String> {
        let mut child = Command::new(emulator_bin())
            .args(["--region", &self.region])
            .args(["--listen", &format!("127.0.0.1:{}", self.data_port)])
            .args(["--control", &format!("127.0.0.1:{}", self.control_port)])
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(&self.args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn sm-emulator");
        let port_of = |line: &str, key: &str| port_after(line, &format!("{key}=http://127.0.0.1:"));
        match announced_port(&mut child, self.ready_within, |l| if l.starts_with("listening ") { port_after(l, "data=http://127.0.0.1:") } else { None }) {
            Some((data, line)) => {
                self.data_port = data;
                self.control_port = port_of(&line, "control").ok_or_else(|| format!("no control port in `{line}`"))?;
                self.child = Some(child);
                Ok(())
            }
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(format!("sm-emulator {} did not print its listening line (its stderr is above)", self.region))
            }
        }
    }

    /// Start again on the same ports. They were freed by the kill, and any process on the machine
    /// may hold one for a moment (another test's port probe, say): retry for up to 5 s.
    fn respawn(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.spawn() {
                Ok(()) => return,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
                Err(why) => panic!("{why}"),
            }
        }
    }

    /// SIGKILL: the process gets no chance to say goodbye, as in a real outage.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Replace the stored uptime history with `rows` (status, zones, start, end in Unix seconds):
    /// stop the process, rewrite its SQLite table, start it again. A test then knows exactly what
    /// every day bar must show, instead of trusting a synthesized history.
    pub fn replace_history(&mut self, rows: &[(&str, &[&str], i64, i64)]) {
        self.kill();
        let rows: Vec<serde_json::Value> = rows.iter().map(|(st, zones, a, b)| serde_json::json!([st, zones, a, b])).collect();
        let status = Command::new("python3")
            .arg("-c")
            .arg(
                "import json, sqlite3, sys\n\
                 c = sqlite3.connect(sys.argv[1])\n\
                 c.execute('DELETE FROM history')\n\
                 c.executemany('INSERT INTO history (status, zones, start, end, source) VALUES (?, ?, ?, ?, ?)', \
                   [(r[0], json.dumps(r[1]), r[2], r[3], 'fault') for r in json.loads(sys.argv[2])])\n\
                 c.commit()\n",
            )
            .arg(self.data_dir.join("secrets.db"))
            .arg(serde_json::Value::Array(rows).to_string())
            .status()
            .expect("run python3 (sqlite3)");
        assert!(status.success(), "rewriting the history of {} failed", self.region);
        self.respawn();
    }

    pub fn restart(&mut self) {
        self.kill();
        self.respawn();
    }

    /// Call the control API; panics with the status when the emulator refuses.
    pub async fn control_call(&self, method: &str, path: &str, body: &str) -> String {
        let client = reqwest::Client::new();
        let url = format!("{}{}", self.control(), path);
        let req = match method {
            "PUT" => client.put(url),
            "DELETE" => client.delete(url),
            "POST" => client.post(url),
            _ => client.get(url),
        };
        let resp = req
            .header("content-type", "application/json")
            // What the control API requires of every call that changes something.
            .header("x-emulator-control", "1")
            .body(body.to_string())
            .send()
            .await
            .expect("control API answers");
        assert!(resp.status().is_success(), "control call {method} {path} failed: {}", resp.status());
        resp.text().await.unwrap_or_default()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The release console copied to a temp dir with a `config.json` for this test, served by
/// `python3 -m http.server` (a static host with no rewrite rules), optionally under a sub-path.
pub struct Site {
    pub url: String,
    pub dir: tempfile::TempDir,
    child: Child,
}

impl Site {
    pub fn serve(config_json: &str, sub_path: &str) -> Site {
        Site::serve_as(config_json, sub_path, false)
    }

    /// Like `serve`, but by a static host that sends the headers `deploy_config.py` wrote to
    /// `_headers` (CSP with `frame-ancestors`, nosniff, …), as a real deployment must.
    pub fn serve_with_headers(config_json: &str, sub_path: &str) -> Site {
        Site::serve_as(config_json, sub_path, true)
    }

    fn serve_as(config_json: &str, sub_path: &str, with_headers: bool) -> Site {
        let dist = std::env::var("CONSOLE_DIST").map(PathBuf::from).unwrap_or_else(|_| root().join("dist"));
        assert!(
            dist.join("index.html").exists(),
            "{} has no built console: run scripts/test.sh (it runs trunk build --release)",
            dist.display()
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let target = dir.path().join(sub_path.trim_matches('/'));
        copy_dir(&dist, &target);
        // Deploy as a real host would: the deployment's config.json and the CSP derived from it.
        let config_path = dir.path().join("deploy-config.json");
        std::fs::write(&config_path, config_json).expect("write config.json");
        let status = Command::new("python3")
            .arg(root().join("scripts/deploy_config.py"))
            .arg("--dist")
            .arg(&target)
            .arg("--config")
            .arg(&config_path)
            .stdout(Stdio::null())
            .status()
            .expect("run scripts/deploy_config.py");
        assert!(status.success(), "scripts/deploy_config.py failed");
        let (child, port) = if with_headers { header_server(dir.path()) } else { static_server(dir.path()) };
        let path = match sub_path.trim_matches('/') {
            "" => "/".to_string(),
            p => format!("/{p}/"),
        };
        Site { url: format!("http://127.0.0.1:{port}{path}"), dir, child }
    }
}

impl Site {
    /// Serve a directory as it is (an embedding host page, say) on its own port: its own origin.
    pub fn serve_files(src: &Path) -> Site {
        let dir = tempfile::tempdir().expect("temp dir");
        copy_dir(src, dir.path());
        let (child, port) = static_server(dir.path());
        Site { url: format!("http://127.0.0.1:{port}/"), dir, child }
    }

    /// `scheme://host:port` of this site.
    pub fn origin(&self) -> String {
        self.url.split('/').take(3).collect::<Vec<_>>().join("/")
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `cmd` (which binds port 0) and read the port it announces on stdout, by `port_in`.
fn announced_server(mut cmd: Command, what: &str, port_in: fn(&str) -> Option<u16>) -> (Child, u16) {
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap_or_else(|e| panic!("spawn {what}: {e}"));
    match announced_port(&mut child, Duration::from_secs(15), port_in) {
        Some((port, _)) => (child, port),
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not announce its port");
        }
    }
}

/// `python3 -m http.server` on a loopback port it chooses: a static host with no rewrite rules.
fn static_server(dir: &Path) -> (Child, u16) {
    let mut cmd = Command::new("python3");
    // Unbuffered: its "Serving HTTP on … port N" line must reach the pipe at once.
    cmd.args(["-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory"]).arg(dir).stderr(Stdio::null());
    announced_server(cmd, "python3 -m http.server", |l| port_after(l, " port "))
}

/// `tests/support/serve_with_headers.py`: `http.server` plus the headers of `_headers`.
fn header_server(dir: &Path) -> (Child, u16) {
    let mut cmd = Command::new("python3");
    cmd.arg("-u").arg(root().join("tests/support/serve_with_headers.py")).arg("0").arg(dir).stderr(Stdio::inherit());
    announced_server(cmd, "tests/support/serve_with_headers.py", |l| port_after(l, "listening port "))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dist") {
        let entry = entry.expect("dir entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).expect("copy file");
        }
    }
}

pub fn config_for(regions: &[(&str, &str, &Emulator)]) -> String {
    config_with(regions, "none", &[])
}

/// A config with an auth mode and the embedding parents allowed.
pub fn config_with(regions: &[(&str, &str, &Emulator)], auth_mode: &str, parents: &[String]) -> String {
    let list: Vec<serde_json::Value> = regions
        .iter()
        .map(|(id, label, e)| serde_json::json!({"id": id, "label": label, "api": e.api()}))
        .collect();
    serde_json::json!({"regions": list, "auth": {"mode": auth_mode}, "embed": {"allowed_parent_origins": parents}})
        .to_string()
}

/// Headless Chromium driven through its own chromedriver process.
pub struct Browser {
    driver: Option<WebDriver>,
    chromedriver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        Browser::start_with(&[]).await
    }

    /// `extra` Chromium flags on top of the quiet-network set, e.g. the benchmark's
    /// `--enable-precise-memory-info` (unbucketed `performance.memory`).
    pub async fn start_with(extra: &[&str]) -> Browser {
        let mut cmd = Command::new("chromedriver");
        cmd.arg("--port=0").stderr(Stdio::null());
        let (chromedriver, port) =
            announced_server(cmd, "chromedriver (scripts/setup.sh installs chromium-driver)", |l| port_after(l, "started successfully on port"));
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = DesiredCapabilities::chrome();
        caps.set_binary("/usr/bin/chromium").expect("binary");
        for arg in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
        ] {
            caps.add_arg(arg).expect("arg");
        }
        for arg in extra {
            caps.add_arg(arg).expect("arg");
        }
        caps.add_arg(&format!("--user-data-dir={}", profile.path().display())).expect("arg");
        let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps).await.expect("start Chromium");
        // Record CSP violations from the very first script of every page, so a test can assert
        // there were none.
        driver
            .cdp()
            .send_raw(
                "Page.addScriptToEvaluateOnNewDocument",
                serde_json::json!({"source": "window.__csp_violations = []; document.addEventListener('securitypolicyviolation', e => window.__csp_violations.push(e.violatedDirective + ' ' + e.blockedURI));"}),
            )
            .await
            .expect("install the CSP violation recorder");
        Browser { driver: Some(driver), chromedriver, _profile: profile }
    }

    /// Record the `Authorization` header of every `fetch` in every frame from now on, in
    /// `window.__auth_sent` of that frame (`null` for a request without one).
    pub async fn record_authorization(&self) {
        self.cdp(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({"source": "window.__auth_sent = []; const __f = window.fetch; window.fetch = function (input, init) { \
                try { const h = new Headers((init && init.headers) || (input instanceof Request ? input.headers : undefined)); window.__auth_sent.push(h.get('authorization')); } catch (e) { window.__auth_sent.push('unreadable'); } \
                return __f.apply(this, arguments); };"}),
        )
        .await
        .expect("install the Authorization recorder");
    }

    pub fn d(&self) -> &WebDriver {
        self.driver.as_ref().expect("driver is live until quit")
    }

    /// Evaluate a JS expression and return it as JSON (`null` if the script fails).
    pub async fn eval(&self, expr: &str) -> serde_json::Value {
        match self.d().execute(format!("return ({expr});"), vec![]).await {
            Ok(ret) => ret.json().clone(),
            Err(_) => serde_json::Value::Null,
        }
    }

    /// A Chrome DevTools Protocol command (chromedriver's `goog/cdp/execute`).
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> Result<serde_json::Value, String> {
        self.d().cdp().send_raw(cmd, params).await
            .map_err(|e| format!("CDP {cmd}: {e}"))
    }

    /// Run an async script; it calls `arguments[arguments.length - 1]` with its result.
    pub async fn eval_async(&self, script: &str) -> Result<serde_json::Value, String> {
        self.d().execute_async(script.to_string(), vec![]).await.map(|r| r.json().clone()).map_err(|e| e.to_string())
    }

    pub async fn region_attr(&self, region: &str, attr: &str) -> Option<String> {
        let v = self
            .eval(&format!("document.querySelector('[data-region=\"{region}\"]')?.getAttribute('{attr}') ?? null"))
            .await;
        v.as_str().map(str::to_string)
    }

    pub async fn region_state(&self, region: &str) -> Option<String> {
        self.region_attr(region, "data-state").await
    }

    pub async fn secrets_total(&self, region: &str) -> Option<String> {
        self.eval(&format!(
            "document.querySelector('[data-region=\"{region}\"] [data-secrets-total]')?.getAttribute('data-secrets-total') ?? null"
        ))
        .await
        .as_str()
        .map(str::to_string)
    }

    /// Record every change of any region panel's `data-state` from now on (page-side
    /// MutationObserver, so no change between two polls is missed); read with `state_log`.
    pub async fn watch_states(&self) {
        self.eval(
            "(() => { window.__state_log = []; if (window.__state_obs) window.__state_obs.disconnect(); \
              window.__state_obs = new MutationObserver(ms => ms.forEach(m => { if (m.attributeName === 'data-state' && m.target.hasAttribute('data-region')) \
                window.__state_log.push([m.target.getAttribute('data-region'), m.target.getAttribute('data-state')]); })); \
              window.__state_obs.observe(document.body, {attributes: true, attributeFilter: ['data-state'], subtree: true}); return true; })()",
        )
        .await;
    }

    /// The `data-state` values `region` went through since `watch_states`, in order, with
    /// repeats of the same value (attribute rewritten unchanged) collapsed.
    pub async fn state_log(&self, region: &str) -> Vec<String> {
        let log: Vec<(String, Option<String>)> = serde_json::from_value(self.eval("window.__state_log ?? []").await).unwrap_or_default();
        let mut out: Vec<String> = Vec::new();
        for (r, st) in log {
            let st = st.unwrap_or_else(|| "none".into());
            if r == region && out.last() != Some(&st) {
                out.push(st);
            }
        }
        out
    }

    /// CSP violations the current page has reported since it loaded.
    pub async fn csp_violations(&self) -> Vec<String> {
        serde_json::from_value(self.eval("window.__csp_violations ?? ['recorder missing']").await).unwrap_or_default()
    }

    /// Poll until `check` is true; returns how long it took, or an error after `timeout`.
    pub async fn wait_until<F, Fut>(&self, timeout: Duration, what: &str, mut check: F) -> Result<Duration, String>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let start = Instant::now();
        loop {
            if check().await {
                return Ok(start.elapsed());
            }
            if start.elapsed() > timeout {
                return Err(format!("timed out after {timeout:?} waiting for {what}"));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Quit the session, then fail the test with the scenario's error, if any: the browser never
    /// outlives a failing test.
    pub async fn finish(self, result: Result<(), String>) {
        self.quit().await;
        if let Err(e) = result {
            panic!("{e}");
        }
    }

    /// Quit the session on every path; call before propagating a test failure.
    pub async fn quit(mut self) {
        if let Some(d) = self.driver.take() {
            let _ = d.quit().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}
