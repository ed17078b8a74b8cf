//! The soak benchmark (not a test; run by `scripts/bench-soak.sh`): the console stays open for
//! `SOAK_SECONDS` (default 600) with Dallas down (killed, so probed every second) and Frankfurt
//! flapping (down and up through the emulator's control API every `FLAP_SECONDS`, default 15).
//! It prints the JS heap, the wasm linear memory and the live `AbortController`s (after a full
//! GC) at the start, every minute and at the end. Target: flat, growth within noise.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::{Duration, Instant};

use support::instrument::{self, fetches, Memory};
use support::{config_for, Browser, Emulator, Site};

fn env_secs(name: &str, default: u64) -> Duration {
    Duration::from_secs(std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default))
}

fn mb(v: Option<f64>) -> String {
    v.map(|b| format!("{:.2} MB", b / 1_000_000.0)).unwrap_or_else(|| "n/a".into())
}

fn row(label: &str, m: &Memory) {
    println!("| {label:>8} | {:>10} | {:>10} | {:>6} |", mb(m.js_heap), mb(m.wasm), m.live_abort_controllers);
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "benchmark: run scripts/bench-soak.sh"]
async fn soak() {
    let soak = env_secs("SOAK_SECONDS", 600);
    let flap = env_secs("FLAP_SECONDS", 15);
    let data = tempfile::tempdir().expect("temp dir");
    let mut dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "1000"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "1000"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    let b = Browser::start_with(&instrument::FLAGS).await;
    let result = async {
        instrument::install(&b).await?;
        b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
        b.wait_until(Duration::from_secs(30), "both regions loaded", || async {
            b.secrets_total("us-south").await.as_deref() == Some("1000") && b.secrets_total("eu-de").await.as_deref() == Some("1000")
        })
        .await?;
        dallas.kill();
        b.wait_until(Duration::from_secs(5), "Dallas greyed out", || async { b.region_state("us-south").await.as_deref() == Some("unavailable") })
            .await?;
        println!("\n== soak: {soak:?}, Dallas down (probed every second), Frankfurt down/up every {flap:?} ==");
        println!("| {:>8} | {:>10} | {:>10} | {:>6} |", "time", "JS heap", "wasm mem", "live AC");
        let start = instrument::after_gc(&b).await?;
        row("start", &start);
        let t0 = Instant::now();
        let (mut next_flap, mut next_row, mut down) = (flap, Duration::from_secs(60), false);
        let mut flaps = 0;
        while t0.elapsed() < soak {
            if t0.elapsed() >= next_flap {
                let mode = if down { "up" } else { "down" };
                frankfurt.control_call("PUT", "/emulator/v1/region", &format!(r#"{{"mode":"{mode}"}}"#)).await;
                down = !down;
                flaps += 1;
                next_flap += flap;
            }
            if t0.elapsed() >= next_row {
                row(&format!("{} min", next_row.as_secs() / 60), &instrument::after_gc(&b).await?);
                next_row += Duration::from_secs(60);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        frankfurt.control_call("PUT", "/emulator/v1/region", r#"{"mode":"up"}"#).await;
        let end = instrument::after_gc(&b).await?;
        row("end", &end);
        let probes = fetches(&b, &dallas.api(), "probe").await;
        println!(
            "growth over {soak:?}: JS heap {}, wasm {}, live AbortControllers {:+}; {} AbortControllers created, {probes} probes of Dallas, {flaps} Frankfurt flaps",
            delta(start.js_heap, end.js_heap),
            delta(start.wasm, end.wasm),
            end.live_abort_controllers - start.live_abort_controllers,
            end.created_abort_controllers - start.created_abort_controllers,
        );
        Ok(())
    }
    .await;
    b.finish(result).await;
}

fn delta(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:+.2} MB", (b - a) / 1_000_000.0),
        _ => "n/a".into(),
    }
}
