//! Loopback benchmark of the gateway against the emulator reached directly: added latency (p50/p99)
//! for small and 1,000-secret list pages, throughput, the gateway's peak RSS, and how long after an
//! upstream's SIGKILL the event stream says `major_outage` with 1 s probes. Prints figures; not a test.
//!
//! `crates/gateway/scripts/bench.sh` builds both binaries with the `emulator` profile and runs this.
//! Options: `--gateway PATH`, `--emulator PATH`, `--requests N` (2000), `--seconds S` (5).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Killed(Child);

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

fn sibling(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    exe.parent().and_then(|p| p.parent()).map(|p| p.join(name)).unwrap_or_else(|| PathBuf::from(name))
}

fn spawn(bin: &PathBuf, args: &[String]) -> (Killed, String) {
    let mut child = Command::new(bin).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
    let mut line = String::new();
    let mut r = BufReader::new(child.stdout.take().expect("stdout"));
    r.read_line(&mut line).expect("listening line");
    std::thread::spawn(move || std::io::copy(&mut r, &mut std::io::sink()));
    (Killed(child), line)
}

fn field(line: &str, key: &str) -> String {
    line.split_whitespace().find_map(|w| w.strip_prefix(&format!("{key}="))).unwrap_or_default().to_string()
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

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

/// Sequential requests (one at a time, so each latency is the path's own), interleaving the two
/// targets so both see the same machine load.
async fn latencies(c: &reqwest::Client, a: &str, b: &str, n: usize) -> (Vec<Duration>, Vec<Duration>) {
    let (mut la, mut lb) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..20 {
        let _ = c.get(a).send().await.map(|r| r.bytes());
        let _ = c.get(b).send().await.map(|r| r.bytes());
    }
    for _ in 0..n {
        for (url, out) in [(a, &mut la), (b, &mut lb)] {
            let t = Instant::now();
            let r = c.get(url).send().await.expect("request");
            assert!(r.status().is_success(), "{url}: {}", r.status());
            r.bytes().await.expect("body");
            out.push(t.elapsed());
        }
    }
    la.sort();
    lb.sort();
    (la, lb)
}

async fn throughput(c: &reqwest::Client, url: &str, secs: u64, concurrency: usize) -> f64 {
    let done = Arc::new(AtomicUsize::new(0));
    let end = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (c, url, done) = (c.clone(), url.to_string(), done.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < end {
                if let Ok(r) = c.get(&url).send().await {
                    if r.status().is_success() && r.bytes().await.is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    done.load(Ordering::Relaxed) as f64 / secs as f64
}

async fn grey_out_ms(c: &reqwest::Client, emulator: &PathBuf, gateway: &PathBuf, tmp: &std::path::Path, i: usize) -> Option<u128> {
    let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
    let (mut emu, _) = spawn(emulator, &[
        "--region".into(), "us-south".into(), "--listen".into(), format!("127.0.0.1:{port}"), "--control".into(), "127.0.0.1:0".into(),
        "--history-days".into(), "0".into(), "--data-dir".into(), tmp.join(format!("g-emu-{i}")).display().to_string(),
    ]);
    let (_gw, line) = spawn(gateway, &[
        "--region".into(), "us-south".into(), "--listen".into(), "127.0.0.1:0".into(), "--upstream".into(), format!("http://127.0.0.1:{port}"),
        "--data-dir".into(), tmp.join(format!("g-gw-{i}")).display().to_string(), "--probe-every-ms".into(), "1000".into(),
    ]);
    let gw = field(&line, "url");
    let mut stream = c.get(format!("{gw}/api/health/v1/events")).send().await.ok()?;
    let mut buf = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !buf.contains("\"status\":\"operational\"") {
        if Instant::now() > deadline {
            return None;
        }
        match tokio::time::timeout(Duration::from_secs(3), stream.chunk()).await {
            Ok(Ok(Some(c))) => buf.push_str(&String::from_utf8_lossy(&c)),
            _ => {
                // Not operational yet on connect: reconnect to get a fresh region event.
                stream = c.get(format!("{gw}/api/health/v1/events")).send().await.ok()?;
            }
        }
    }
    buf.clear();
    let _ = emu.0.kill();
    let killed = Instant::now();
    let _ = emu.0.wait();
    while !buf.contains("\"status\":\"major_outage\"") {
        match tokio::time::timeout(Duration::from_secs(10), stream.chunk()).await {
            Ok(Ok(Some(c))) => buf.push_str(&String::from_utf8_lossy(&c)),
            _ => return None,
        }
    }
    Some(killed.elapsed().as_millis())
}

#[tokio::main]
async fn main() {
    let gateway = arg("--gateway").map(PathBuf::from).unwrap_or_else(|| sibling("sm-gateway"));
    let emulator = arg("--emulator").map(PathBuf::from).unwrap_or_else(|| sibling("sm-emulator"));
    let n: usize = arg("--requests").and_then(|v| v.parse().ok()).unwrap_or(2000);
    let secs: u64 = arg("--seconds").and_then(|v| v.parse().ok()).unwrap_or(5);
    let tmp = std::env::temp_dir().join(format!("sm-gw-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).expect("tmp");

    let (_emu, line) = spawn(&emulator, &[
        "--region".into(), "us-south".into(), "--listen".into(), "127.0.0.1:0".into(), "--control".into(), "127.0.0.1:0".into(),
        "--history-days".into(), "0".into(), "--seed".into(), "1000".into(), "--data-dir".into(), tmp.join("emu").display().to_string(),
    ]);
    let direct = field(&line, "data");
    // The bench measures the proxy path, so the instance rate limit is lifted out of the way.
    let (gw, line) = spawn(&gateway, &[
        "--region".into(), "us-south".into(), "--listen".into(), "127.0.0.1:0".into(), "--upstream".into(), direct.clone(),
        "--data-dir".into(), tmp.join("gw").display().to_string(), "--probe-every-ms".into(), "1000".into(), "--upstream-rps".into(), "1000000".into(),
    ]);
    let via = field(&line, "url");
    let gw_pid = gw.0.id();
    let c = reqwest::Client::builder().no_proxy().pool_max_idle_per_host(64).build().expect("client");

    println!("sm-gateway benchmark (loopback, emulator seeded with 1,000 secrets, {n} sequential requests per row)");
    println!("{:<28} {:>12} {:>12} {:>12} {:>12} {:>14} {:>14}", "request", "direct p50", "direct p99", "gateway p50", "gateway p99", "added p50", "added p99");
    for (label, path) in [("GET secrets?limit=1", "/api/v2/secrets?limit=1"), ("GET secrets?limit=1000", "/api/v2/secrets?limit=1000"), ("GET health region", "/api/health/v1/region")] {
        let count = if path.contains("1000") { n / 4 } else { n };
        let (d, g) = latencies(&c, &format!("{direct}{path}"), &format!("{via}{path}"), count).await;
        let (dp50, dp99, gp50, gp99) = (pct(&d, 0.5), pct(&d, 0.99), pct(&g, 0.5), pct(&g, 0.99));
        let added = |a: Duration, b: Duration| if a >= b { ms(a - b) } else { format!("-{}", ms(b - a)) };
        if path.starts_with("/api/health") {
            println!("{label:<28} {:>12} {:>12} {:>12} {:>12} {:>14} {:>14}", ms(dp50), ms(dp99), ms(gp50), ms(gp99), "(own doc)", "(own doc)");
        } else {
            println!("{label:<28} {:>12} {:>12} {:>12} {:>12} {:>14} {:>14}", ms(dp50), ms(dp99), ms(gp50), ms(gp99), added(gp50, dp50), added(gp99, dp99));
        }
    }
    let rd = throughput(&c, &format!("{direct}/api/v2/secrets?limit=1"), secs, 8).await;
    let rg = throughput(&c, &format!("{via}/api/v2/secrets?limit=1"), secs, 8).await;
    println!("throughput, 8 concurrent, GET secrets?limit=1: direct {rd:.0} req/s, through the gateway {rg:.0} req/s");
    println!(
        "gateway memory: peak RSS {} KB (VmHWM), now {} KB",
        status_kb(gw_pid, "VmHWM:").map_or("?".into(), |v| v.to_string()),
        status_kb(gw_pid, "VmRSS:").map_or("?".into(), |v| v.to_string())
    );
    let mut greys = Vec::new();
    for i in 0..5 {
        if let Some(t) = grey_out_ms(&c, &emulator, &gateway, &tmp, i).await {
            greys.push(t);
        }
    }
    greys.sort();
    let median = greys.get(greys.len() / 2).map_or("n/a".into(), |m| format!("{m} ms"));
    println!("upstream SIGKILL -> major_outage on the gateway's stream (1 s probes, target <= 2500 ms): median {median} of {:?}", greys);
    drop(gw);
    let _ = std::fs::remove_dir_all(&tmp);
}
