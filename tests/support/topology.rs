//! Real `sm-emulator iam` and `sm-gateway` processes for tests, shared by the gateway's own tests
//! (`crates/gateway/tests/common`) and the console's end-to-end tests (`tests/support`), which
//! include this file by path. Each includer provides `emulator_bin()`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::emulator_bin;

/// The secret the emulated IAM signs tokens with; regions get it as `--iam-signing-secret`.
pub const SIGNING_SECRET: &str = "test-signing-secret-4f1c";

/// `sm-gateway`: the gateway package's own build for its tests, else `SM_GATEWAY_BIN` (what
/// scripts/test.sh builds), else the workspace's `emulator` profile build.
pub fn gateway_bin() -> PathBuf {
    if let Some(p) = option_env!("CARGO_BIN_EXE_sm-gateway") {
        return PathBuf::from(p);
    }
    if let Ok(p) = std::env::var("SM_GATEWAY_BIN") {
        return PathBuf::from(p);
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/emulator/sm-gateway");
    assert!(p.exists(), "sm-gateway is not built: run scripts/build.sh (or set SM_GATEWAY_BIN)");
    p
}

/// A child process whose first stdout line is its `listening …` line and whose stderr goes to a file.
pub struct Proc {
    child: Option<Child>,
    pub line: String,
    pub log: PathBuf,
}

impl Proc {
    pub fn spawn(bin: &Path, args: &[String], log: PathBuf, env: &[(&str, &str)]) -> Proc {
        Self::try_spawn(bin, args, log, env).unwrap_or_else(|why| panic!("{why}"))
    }

    /// Start a process again on the address it had (a restart): the port was freed by the kill,
    /// and any process on the machine may hold it for a moment (another test's `bind(0)` probe,
    /// say). Retry for up to 5 s before calling the restart failed.
    pub fn respawn(bin: &Path, args: &[String], log: PathBuf, env: &[(&str, &str)]) -> Proc {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match Self::try_spawn(bin, args, log.clone(), env) {
                Ok(p) => return p,
                Err(why) if Instant::now() < deadline && why.contains("in use") => std::thread::sleep(Duration::from_millis(200)),
                Err(why) => panic!("{why}"),
            }
        }
    }

    fn try_spawn(bin: &Path, args: &[String], log: PathBuf, env: &[(&str, &str)]) -> Result<Proc, String> {
        let err = std::fs::File::create(&log).expect("log file");
        let mut cmd = Command::new(bin);
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::from(err));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            let _ = tx.send(line);
            let _ = std::io::copy(&mut r, &mut std::io::sink());
        });
        let mut p = Proc { child: Some(child), line: String::new(), log };
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) if line.starts_with("listening ") => {
                p.line = line.trim().to_string();
                Ok(p)
            }
            other => {
                p.kill();
                Err(format!("{} did not start ({other:?}); its log:\n{}", bin.display(), std::fs::read_to_string(&p.log).unwrap_or_default()))
            }
        }
    }

    /// The value of `key=` in the listening line.
    pub fn field(&self, key: &str) -> String {
        self.line.split_whitespace().find_map(|w| w.strip_prefix(&format!("{key}="))).unwrap_or_default().to_string()
    }

    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait for the exit.
    pub fn terminate(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").args(["-TERM", &c.id().to_string()]).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        self.kill();
    }
}

pub struct Iam {
    pub proc: Proc,
    pub url: String,
    pub control: String,
}

impl Iam {
    pub fn start(tmp: impl AsRef<Path>, keys: &[&str], ttl_s: u64) -> Iam {
        let mut args: Vec<String> = vec!["iam".into(), "--listen".into(), "127.0.0.1:0".into(), "--control".into(), "127.0.0.1:0".into()];
        for k in keys {
            args.push("--api-key".into());
            args.push(k.to_string());
        }
        args.extend(["--token-ttl-s".into(), ttl_s.to_string(), "--signing-secret".into(), SIGNING_SECRET.into()]);
        let proc = Proc::spawn(&emulator_bin(), &args, tmp.as_ref().join("iam.log"), &[]);
        let (url, control) = (proc.field("url"), proc.field("control"));
        Iam { proc, url, control }
    }
}


/// Debug level: the log-hygiene test must see everything the gateway would ever log.
const GATEWAY_ENV: &[(&str, &str)] = &[("RUST_LOG", "debug")];

pub struct Gateway {
    pub proc: Proc,
    pub url: String,
    log_dir: PathBuf,
    region: String,
    args: Vec<String>,
}

impl Gateway {
    /// A gateway on a port the kernel chooses (no free-port probe another process could race).
    pub fn start(tmp: impl AsRef<Path>, region: &str, upstream: &str, data_dir: &Path, extra: &[&str]) -> Gateway {
        let mut args: Vec<String> =
            ["--region", region, "--listen", "127.0.0.1:0", "--upstream", upstream, "--data-dir"].iter().map(|s| s.to_string()).collect();
        args.push(data_dir.display().to_string());
        args.extend(extra.iter().map(|s| s.to_string()));
        let (log_dir, region) = (tmp.as_ref().to_path_buf(), region.to_string());
        let proc = Proc::spawn(&gateway_bin(), &args, Self::log(&log_dir, &region), GATEWAY_ENV);
        let url = proc.field("url");
        assert!(url.starts_with("http://127.0.0.1:"), "{}", proc.line);
        // A restart comes back on the address this start was given, which for `127.0.0.1:0` is
        // the port the kernel chose: the console's config points there.
        let mut args = args;
        if let Some(i) = args.iter().position(|a| a == "--listen") {
            args[i + 1] = url.trim_start_matches("http://").trim_end_matches('/').to_string();
        }
        Gateway { proc, url, log_dir, region, args }
    }

    fn log(log_dir: &Path, region: &str) -> PathBuf {
        static N: AtomicU32 = AtomicU32::new(0);
        log_dir.join(format!("gateway-{region}-{}.log", N.fetch_add(1, Ordering::Relaxed)))
    }

    /// Kill and start again with the same flags on the same address, keeping its data directory:
    /// a gateway restart.
    pub fn restart(&mut self) {
        self.proc.kill();
        self.proc = Proc::respawn(&gateway_bin(), &self.args, Self::log(&self.log_dir, &self.region), GATEWAY_ENV);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }
}
