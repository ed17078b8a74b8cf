//! End-to-end: the shipped console is split (issue 14), each piece is fetched when its view is
//! first shown (the secrets section's only once both regions' data is on screen), and a piece
//! that does not arrive (the site was redeployed under a tab left open, or the network dropped)
//! is a message with a way to try again, not a dead console.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::{Path, PathBuf};

use support::page::{click, goto_hash, js, text, wait_for};
use support::{config_for, Browser, Emulator, Site};

/// The piece `split_<name>-<hash>.wasm` of the console in `dir`.
fn piece(dir: &Path, name: &str) -> PathBuf {
    let prefix = format!("split_{name}-");
    std::fs::read_dir(dir)
        .expect("read the served console")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".wasm")))
        .unwrap_or_else(|| panic!("the console has no {prefix}*.wasm: dist/ is not split (scripts/build.sh splits it)"))
}

/// File names (not paths) this page has fetched from its own origin so far.
async fn fetched(b: &Browser) -> Vec<String> {
    let v = b
        .eval("performance.getEntriesByType('resource').map(e => new URL(e.name)).filter(u => u.origin === location.origin).map(u => u.pathname.split('/').pop())")
        .await;
    serde_json::from_value(v).unwrap_or_default()
}

fn name_of(p: &Path) -> String {
    p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string()
}

/// The first secret row's id in the us-south tab.
async fn first_dallas_id(b: &Browser) -> Result<String, String> {
    goto_hash(b, "#/secrets/us-south").await;
    let row = "[data-secrets-view=\"r0\"] tr[data-secret-id][data-region=\"us-south\"]";
    wait_for(b, "a Dallas row", &format!("document.querySelector({}) !== null", js(row))).await?;
    let id = b.eval(&format!("document.querySelector({}).dataset.secretId", js(row))).await;
    id.as_str().map(str::to_string).ok_or_else(|| "the row has no id".into())
}

/// Two emulated regions seeded with `dallas` and `frankfurt` secrets, and the console in front.
fn two_regions(dallas: &str, frankfurt: &str) -> (tempfile::TempDir, [Emulator; 2], Site) {
    let data = tempfile::tempdir().expect("temp dir");
    let dal = Emulator::start("us-south", &data.path().join("us-south"), &["--seed", dallas]);
    let fra = Emulator::start("eu-de", &data.path().join("eu-de"), &["--seed", frankfurt]);
    let site = Site::serve(&config_for(&[("us-south", "Dallas", &dal), ("eu-de", "Frankfurt", &fra)]), "/");
    (data, [dal, fra], site)
}

#[tokio::test(flavor = "multi_thread")]
async fn each_piece_is_fetched_when_its_view_is_first_shown() {
    let (_data, _regions, site) = two_regions("6", "4");
    let b = Browser::start().await;
    let result = fetched_when_shown(&b, &site).await;
    b.finish(result).await;
}

async fn fetched_when_shown(b: &Browser, site: &Site) -> Result<(), String> {
    let [section, detail, cross, create] = ["rc_section", "rc_detail", "rc_cross", "rc_create"].map(|p| name_of(&piece(site.dir.path(), p)));
    b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
    b.wait_until(support::page::T, "both regions' secrets", || async {
        b.secrets_total("us-south").await.as_deref() == Some("6") && b.secrets_total("eu-de").await.as_deref() == Some("4")
    })
    .await?;
    let id = first_dallas_id(b).await?;
    let now = fetched(b).await;
    if !now.contains(&section) {
        return Err(format!("the secrets section is on screen but its piece {section} was not fetched: {now:?}"));
    }
    // The section waits for the panels' own data: its piece is requested only after each region's
    // first page of secrets had arrived (Resource Timing; startTime and responseEnd are given for
    // cross-origin requests too).
    let order = b
        .eval(&format!(
            "(() => {{ const all = performance.getEntriesByType('resource');
                const piece = all.find(e => e.name.endsWith('/{section}'));
                const lists = all.filter(e => new URL(e.name).pathname === '/api/v2/secrets');
                const firstEnd = origin => Math.min(...lists.filter(e => new URL(e.name).origin === origin).map(e => e.responseEnd));
                const origins = [...new Set(lists.map(e => new URL(e.name).origin))];
                return {{ piece: piece ? piece.startTime : null, regions: origins.length, lists: Math.max(...origins.map(firstEnd)) }}; }})()"
        ))
        .await;
    let (piece_at, lists_at) = (order["piece"].as_f64(), order["lists"].as_f64());
    match (piece_at, lists_at, order["regions"].as_u64()) {
        (Some(p), Some(l), Some(2)) if p >= l => {}
        _ => return Err(format!("the section's piece was requested before both regions' first secrets arrived (ms on the page's clock): {order}")),
    }
    if now.contains(&detail) || now.contains(&cross) || now.contains(&create) {
        return Err(format!("the detail's, the cross-region view's or the create form's piece was fetched before it was shown: {now:?}"));
    }
    click(b, "[data-action=create]").await?;
    wait_for(b, "the create form", "document.querySelector('[data-form=create] [data-field=name]') !== null").await?;
    if !fetched(b).await.contains(&create) {
        return Err(format!("the create form is on screen but {create} was not fetched"));
    }

    goto_hash(b, "#/secrets/cross").await;
    wait_for(b, "the cross-region table", "document.querySelectorAll('.cross-table tbody tr[data-presence]').length > 0").await?;
    let now = fetched(b).await;
    if !now.contains(&cross) || now.contains(&detail) {
        return Err(format!("after the cross-region view opened, expected {cross} fetched and {detail} not: {now:?}"));
    }

    goto_hash(b, &format!("#/region/us-south/secret/{id}")).await;
    wait_for(b, "the secret's page", &format!("document.querySelector('[data-secret-detail={}]') !== null", js(&id))).await?;
    let now = fetched(b).await;
    if !now.contains(&detail) {
        return Err(format!("the secret's page is on screen but {detail} was not fetched: {now:?}"));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_piece_that_does_not_arrive_is_a_message_and_trying_again_fetches_it() {
    let (_data, _regions, site) = two_regions("5", "3");
    let b = Browser::start().await;
    let result = piece_missing(&b, &site).await;
    b.finish(result).await;
}

async fn piece_missing(b: &Browser, site: &Site) -> Result<(), String> {
    // As after a redeploy that removed the old pieces: the page is loaded, the detail's piece is gone.
    let detail = piece(site.dir.path(), "rc_detail");
    let away = detail.with_extension("gone");
    std::fs::rename(&detail, &away).map_err(|e| format!("hide {}: {e}", detail.display()))?;
    b.d().goto(&site.url).await.map_err(|e| e.to_string())?;
    let id = first_dallas_id(b).await?;
    goto_hash(b, &format!("#/region/us-south/secret/{id}")).await;
    wait_for(b, "the piece's failure said", "document.querySelector('[data-piece=failed]') !== null").await?;
    let said = text(b, "[data-piece=failed]").await;
    for want in ["could not be fetched", "Nothing was sent to either region", "reload the page"] {
        if !said.contains(want) {
            return Err(format!("the failure message lacks {want:?}: {said:?}"));
        }
    }

    // The console is alive: the other views still draw, and the regions still read.
    goto_hash(b, "#/secrets/eu-de").await;
    wait_for(b, "Frankfurt's rows after the failure", "document.querySelectorAll('[data-secrets-view=\"r1\"] tr[data-secret-id][data-region=\"eu-de\"]').length === 3").await?;
    for region in ["us-south", "eu-de"] {
        if b.region_state(region).await.as_deref() != Some("available") {
            return Err(format!("{region} is {:?} after a piece failed to load", b.region_state(region).await));
        }
    }

    // The piece is back (the network returned): "Try again" fetches it afresh.
    goto_hash(b, &format!("#/region/us-south/secret/{id}")).await;
    wait_for(b, "the failure again", "document.querySelector('[data-piece=failed]') !== null").await?;
    std::fs::rename(&away, &detail).map_err(|e| format!("restore {}: {e}", detail.display()))?;
    click(b, "[data-action=piece-retry]").await?;
    wait_for(b, "the secret's page after trying again", &format!("document.querySelector('[data-secret-detail={}]') !== null", js(&id))).await?;
    if b.eval("document.querySelector('[data-piece=failed]') !== null").await.as_bool() != Some(false) {
        return Err("the failure message stayed after the piece loaded".into());
    }
    Ok(())
}
