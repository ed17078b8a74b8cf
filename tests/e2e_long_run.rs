//! End-to-end: what only shows over time. A console left open with one region down must not pile
//! up `AbortController`s (each request's timeout used to keep its controller alive for good), and
//! a hidden tab must stop probing and check at once when it is shown again.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use support::instrument::{self, fetches};
use support::{config_for, Browser, Emulator, Site};

type Check = Result<(), String>;

/// How long the leak test watches a down region (probed every second): long enough that a leak
/// of one controller per request shows as dozens, short enough for the suite.
const WATCH: Duration = Duration::from_secs(40);
/// Live controllers may differ by the requests in flight at the two moments measured.
const NOISE: i64 = 10;

struct World {
    dallas: Emulator,
    frankfurt: Emulator,
    site: Site,
    _data: tempfile::TempDir,
}

fn world() -> World {
    let data = tempfile::tempdir().expect("temp dir");
    let dallas = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", "5"]);
    let frankfurt = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", "6"]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dallas), ("eu-de", "Frankfurt", &frankfurt)]), "/");
    World { dallas, frankfurt, site, _data: data }
}

async fn open_with_dallas_down(b: &Browser, w: &mut World) -> Check {
    instrument::install(b).await?;
    b.d().goto(&w.site.url).await.map_err(|e| e.to_string())?;
    b.wait_until(Duration::from_secs(15), "both regions live", || async {
        b.region_state("us-south").await.as_deref() == Some("available") && b.region_state("eu-de").await.as_deref() == Some("available")
    })
    .await?;
    w.dallas.kill();
    b.wait_until(Duration::from_secs(5), "Dallas greyed out", || async { b.region_state("us-south").await.as_deref() == Some("unavailable") })
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_down_region_probed_every_second_leaks_no_abort_controllers() {
    let mut w = world();
    let b = Browser::start_with(&instrument::FLAGS).await;
    let result = async {
        open_with_dallas_down(&b, &mut w).await?;
        let start = instrument::after_gc(&b).await?;
        let probes_before = fetches(&b, &w.dallas.api(), "probe").await;
        // Not a sleep standing in for a condition: the measure is what time does to the page.
        tokio::time::sleep(WATCH).await;
        let end = instrument::after_gc(&b).await?;
        let probes = fetches(&b, &w.dallas.api(), "probe").await - probes_before;
        println!("live AbortControllers {} → {} over {WATCH:?} ({} created, {probes} probes of Dallas)",
            start.live_abort_controllers, end.live_abort_controllers, end.created_abort_controllers - start.created_abort_controllers);
        if probes < WATCH.as_secs() / 2 {
            return Err(format!("only {probes} probes of the down region in {WATCH:?}: the scenario did not run"));
        }
        let growth = end.live_abort_controllers - start.live_abort_controllers;
        if growth > NOISE {
            return Err(format!("{growth} more live AbortControllers after {WATCH:?} with a region down (start {start:?}, end {end:?})"));
        }
        if b.region_state("eu-de").await.as_deref() != Some("available") {
            return Err("Frankfurt must stay available".into());
        }
        Ok(())
    }
    .await;
    b.finish(result).await;
    drop(w.frankfurt);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hidden_tab_stops_probing_and_checks_at_once_when_shown() {
    let mut w = world();
    let b = Browser::start_with(&instrument::FLAGS).await;
    let result = async {
        open_with_dallas_down(&b, &mut w).await?;
        let dallas = w.dallas.api();
        // Probing every second while visible...
        let seen = fetches(&b, &dallas, "probe").await;
        b.wait_until(Duration::from_secs(5), "two more probes of the down region", || async { fetches(&b, &dallas, "probe").await >= seen + 2 })
            .await?;
        instrument::set_hidden(&b, true).await;
        // ...and not at all while hidden. A window of time, not a sleep standing in for a
        // condition: what is measured is what five hidden seconds do.
        let hidden_at = fetches(&b, &dallas, "probe").await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let while_hidden = fetches(&b, &dallas, "probe").await - hidden_at;
        // One probe may have been on its way when the page was hidden.
        if while_hidden > 1 {
            return Err(format!("{while_hidden} probes of Dallas in 5 s while the page was hidden"));
        }
        if b.region_state("eu-de").await.as_deref() != Some("available") {
            return Err("Frankfurt greyed out while the page was hidden".into());
        }
        let before_shown = fetches(&b, &dallas, "probe").await;
        instrument::set_hidden(&b, false).await;
        b.wait_until(Duration::from_millis(500), "a probe as soon as the page is shown", || async {
            fetches(&b, &dallas, "probe").await > before_shown
        })
        .await?;
        w.dallas.restart();
        b.wait_until(Duration::from_secs(8), "Dallas back after the tab was shown", || async {
            b.region_state("us-south").await.as_deref() == Some("available")
        })
        .await?;
        Ok(())
    }
    .await;
    b.finish(result).await;
}
