//! Loopback benchmark of a seeded region: list pages of 1,000 and creates, with latency percentiles
//! and the process's peak RSS. Prints figures; not a test.
//!
//! `crates/emulator/scripts/bench.sh` builds the binary and runs this with the `emulator` profile.
//! Options: `--bin PATH` (default: the sm-emulator next to this example's directory),
//! `--seed N` (10000), `--requests N` (2000), `--concurrency N` (8).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Killed(Child);

async fn ok_body(r: reqwest::Result<reqwest::Response>) -> bool {
    match r {
        Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
        _ => false,
    }
}

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn default_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    // target/<profile>/examples/bench → target/<profile>/sm-emulator
    exe.parent().and_then(|p| p.parent()).map(|p| p.join("sm-emulator")).unwrap_or_else(|| PathBuf::from("sm-emulator"))
}

fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    s.lines().find(|l| l.starts_with(key))?.split_whitespace().nth(1)?.parse().ok()
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run<F, Fut>(label: &str, total: usize, concurrency: usize, f: F)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let lat = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let failures = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (f, next, lat, failures) = (f.clone(), next.clone(), lat.clone(), failures.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return;
                }
                let t = Instant::now();
                let ok = f(i).await;
                let d = t.elapsed();
                if !ok {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
                lat.lock().unwrap_or_else(|p| p.into_inner()).push(d);
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    let elapsed = start.elapsed();
    let mut l = lat.lock().unwrap_or_else(|p| p.into_inner()).clone();
    l.sort();
    println!(
        "{label:<32} {total:>6} req  {:>8.1} req/s  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  failures {}",
        total as f64 / elapsed.as_secs_f64(),
        pct(&l, 0.5).as_secs_f64() * 1e3,
        pct(&l, 0.99).as_secs_f64() * 1e3,
        l.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        failures.load(Ordering::Relaxed)
    );
}

#[tokio::main]
async fn main() {
    let bin = arg("--bin").map(PathBuf::from).unwrap_or_else(default_bin);
    let seed: usize = arg("--seed").and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let total: usize = arg("--requests").and_then(|v| v.parse().ok()).unwrap_or(2000);
    let concurrency: usize = arg("--concurrency").and_then(|v| v.parse().ok()).unwrap_or(8);
    if !bin.exists() {
        eprintln!("bench: {} not found; build it first: cargo build -p sm-emulator --profile emulator", bin.display());
        std::process::exit(2);
    }
    let dir = std::env::temp_dir().join(format!("sm-emu-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);

    let started = Instant::now();
    let mut child = Command::new(&bin)
        .args(["--region", "us-south", "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", "--seed", &seed.to_string(), "--data-dir"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
    let stdout = child.stdout.take().expect("stdout");
    let child = Killed(child);
    let mut line = String::new();
    let _ = BufReader::new(stdout).read_line(&mut line);
    let ready = started.elapsed();
    let data = line.split_whitespace().find_map(|p| p.strip_prefix("data=")).unwrap_or_else(|| panic!("no listening line: {line:?}")).to_string();
    let pid = child.0.id();
    println!("sm-emulator {} (pid {pid}), {seed} secrets seeded, ready in {:.2} s", bin.display(), ready.as_secs_f64());
    println!("{concurrency} concurrent clients on loopback");

    let c = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(concurrency).build().expect("client");
    let url = format!("{data}/api/v2/secrets?limit=1000");
    for _ in 0..20 {
        let _ = c.get(&url).send().await.map(|r| r.bytes());
    }
    {
        let (c, url) = (c.clone(), url.clone());
        run("GET /api/v2/secrets?limit=1000", total, concurrency, move |i| {
            let (c, url) = (c.clone(), format!("{url}&offset={}", (i % 10) * 1000));
            async move { ok_body(c.get(&url).send().await).await }
        })
        .await;
    }
    {
        let (c, url) = (c.clone(), format!("{data}/api/v2/secrets"));
        run("POST /api/v2/secrets (arbitrary)", total, concurrency, move |i| {
            let (c, url) = (c.clone(), url.clone());
            async move {
                let body = serde_json::json!({"secret_type":"arbitrary","name":format!("bench-{i}"),"payload":"x".repeat(256),"labels":["bench"]});
                matches!(c.post(&url).json(&body).send().await, Ok(r) if r.status() == 201)
            }
        })
        .await;
    }
    {
        let (c, url) = (c.clone(), format!("{data}/api/v2/secrets?limit=1"));
        run("GET /api/v2/secrets?limit=1", total, concurrency, move |_| {
            let (c, url) = (c.clone(), url.clone());
            async move { ok_body(c.get(&url).send().await).await }
        })
        .await;
    }
    println!(
        "peak RSS (VmHWM) {} KiB, current RSS {} KiB",
        status_kb(pid, "VmHWM:").map(|v| v.to_string()).unwrap_or_else(|| "?".into()),
        status_kb(pid, "VmRSS:").map(|v| v.to_string()).unwrap_or_else(|| "?".into())
    );
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}
