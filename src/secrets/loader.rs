//! Loads every page of one region's secrets by the [`PagePlan`]: a few requests at a time, spaced,
//! failed pages retried alone. What has arrived is shown while the rest loads; a reload keeps the
//! last complete list on screen until the new one is complete.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use sm_contract::lenient::RawList;
use sm_contract::{SecretMetadata, SecretsPageRaw};

use crate::api::turn::{next_turn, now_ms as slice_clock, SLICE_MS};
use crate::api::{ApiError, RegionApi};
use crate::model::paging::{PagePlan, Step};
use super::store::SecretsLoad;
use crate::model::secret_list::SecretList;

pub const PAGE_LIMIT: u32 = 1000;
/// Partial lists are re-published at most this often: each publish re-sorts and re-filters every
/// view of the list.
const PUBLISH_EVERY_MS: f64 = 400.0;
/// Partial lists are published only while they are this small: a publish costs nothing here (the
/// list is shared, not copied), but every view then sorts and filters all of it again, and doing
/// that for 9,000 of 10,000 secrets just before the full list lands is work for nothing. The
/// progress figure still moves with every page.
const PARTIAL_PUBLISH_MAX: u64 = 2 * PAGE_LIMIT as u64;

pub type Done = Rc<dyn Fn(Result<(), ApiError>)>;
/// Which secrets to keep, by id: one deleted while its page was in flight is dropped.
pub type Keep = Rc<dyn Fn(&str) -> bool>;

struct Load {
    api: RegionApi,
    target: RwSignal<SecretsLoad>,
    is_current: Rc<dyn Fn() -> bool>,
    on_done: Done,
    keep: Keep,
    plan: PagePlan,
    /// Built page by page as they land, each page's secrets and keys added in its own task, so
    /// the end of a load of 20,000 is not one long task that builds them all.
    list: SecretList,
    skipped: usize,
    last_error: Option<ApiError>,
    /// A complete list is on screen: keep it until this load completes.
    keep_old: bool,
    timer: bool,
    finished: bool,
    last_publish_ms: f64,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Start loading; `is_current` turns false when a newer load supersedes this one, which then
/// stops quietly. `on_done` runs once with the outcome (the last error if any page failed).
pub fn start(api: RegionApi, target: RwSignal<SecretsLoad>, is_current: Rc<dyn Fn() -> bool>, on_done: Done, keep: Keep) {
    let keep_old = target.with_untracked(|s| s.loaded_at_ms.is_some());
    target.update(|s| {
        s.loading = true;
        s.error = None;
        s.received = 0;
        s.failed_pages = 0;
    });
    let load = Rc::new(RefCell::new(Load {
        api,
        target,
        is_current,
        on_done,
        keep,
        plan: PagePlan::new(PAGE_LIMIT),
        list: SecretList::default(),
        skipped: 0,
        last_error: None,
        keep_old,
        timer: false,
        finished: false,
        last_publish_ms: 0.0,
    }));
    pump(&load);
}

fn pump(load: &Rc<RefCell<Load>>) {
    loop {
        let step = {
            let mut l = load.borrow_mut();
            if l.finished || !(l.is_current)() {
                return;
            }
            l.plan.next(now_ms())
        };
        match step {
            Step::Fetch { index, offset } => {
                let api = load.borrow().api.clone();
                let l2 = load.clone();
                spawn_local(async move {
                    let result = match api.secrets_page_raw(offset, PAGE_LIMIT).await {
                        Ok(page) => match read_page(&l2, page).await {
                            Some(read) => Ok(read),
                            // A newer load took over while this page was being read.
                            None => return,
                        },
                        Err(e) => Err(e),
                    };
                    on_page(&l2, index, result);
                    pump(&l2);
                });
            }
            Step::Wait(ms) => {
                let mut l = load.borrow_mut();
                if !l.timer {
                    l.timer = true;
                    let l2 = load.clone();
                    set_timeout(
                        move || {
                            l2.borrow_mut().timer = false;
                            pump(&l2);
                        },
                        Duration::from_millis(ms.ceil().max(1.0) as u64),
                    );
                }
                return;
            }
            Step::Busy => return,
            Step::Finished => {
                finish(load);
                return;
            }
        }
    }
}

/// What reading one page gave.
struct PageRead {
    read: u64,
    skipped: u64,
    total: Option<u64>,
}

/// Reads a page's secrets into the list in time slices of [`SLICE_MS`], giving the browser a turn
/// between slices: a page of 1,000 read in one go is a long task on a phone (and two regions'
/// pages land back to back). `None` when a newer load took over meanwhile.
async fn read_page(load: &Rc<RefCell<Load>>, page: SecretsPageRaw) -> Option<PageRead> {
    let mut items = page.secrets.items;
    // A page is at most what was asked for, whatever the region sent.
    items.truncate(PAGE_LIMIT as usize);
    let mut out = PageRead { read: 0, skipped: page.secrets.skipped as u64, total: page.total_count };
    let mut rest = items.into_iter();
    loop {
        let started = slice_clock();
        {
            let mut l = load.borrow_mut();
            if l.finished || !(l.is_current)() {
                return None;
            }
            let keep = l.keep.clone();
            for n in 0u32.. {
                let Some(item) = rest.next() else {
                    out.skipped = out.skipped.min(u64::from(PAGE_LIMIT) - out.read);
                    return Some(out);
                };
                match RawList::read::<SecretMetadata>(&item) {
                    Some(m) => {
                        out.read += 1;
                        // A secret on two pages (the list moved between them) is one secret;
                        // one deleted while its page was in flight stays deleted.
                        if keep(&m.id) {
                            l.list.upsert(m);
                        }
                    }
                    None => out.skipped += 1,
                }
                // The clock is read every few secrets: reading it costs a call into the page.
                if n % 16 == 15 && slice_clock() - started >= SLICE_MS {
                    break;
                }
            }
        }
        next_turn().await;
    }
}

fn on_page(load: &Rc<RefCell<Load>>, index: usize, result: Result<PageRead, ApiError>) {
    let mut l = load.borrow_mut();
    if !(l.is_current)() {
        return;
    }
    match result {
        Ok(page) => {
            l.plan.succeeded(index, page.read, page.skipped, page.total);
            l.skipped += page.skipped as usize;
            let (received, total) = (l.plan.loaded(), l.plan.total());
            let publish = !l.keep_old && received <= PARTIAL_PUBLISH_MAX && now_ms() - l.last_publish_ms >= PUBLISH_EVERY_MS;
            let items = publish.then(|| l.list.clone());
            if publish {
                l.last_publish_ms = now_ms();
            }
            l.target.update(|s| {
                s.received = received;
                s.total = total;
                if let Some(items) = items {
                    s.items = items;
                }
            });
        }
        Err(e) => {
            let retry_after = match &e {
                ApiError::Status { retry_after_ms, .. } => *retry_after_ms,
                _ => None,
            };
            l.plan.failed(index, e.is_retryable(), retry_after, now_ms(), js_sys::Math::random());
            l.last_error = Some(e);
        }
    }
}

fn finish(load: &Rc<RefCell<Load>>) {
    let (target, on_done, outcome, items, skipped, failed, keep_old) = {
        let mut l = load.borrow_mut();
        l.finished = true;
        let failed = l.plan.failed_pages();
        let mut items = std::mem::take(&mut l.list);
        // A secret deleted after its page landed stays deleted.
        let keep = l.keep.clone();
        items.retain(|m| keep(&m.id));
        let outcome = if failed == 0 { Ok(()) } else { Err(l.last_error.clone().unwrap_or(ApiError::Network)) };
        (l.target, l.on_done.clone(), outcome, items, l.skipped, failed, l.keep_old)
    };
    let nothing_new = failed > 0 && (items.is_empty() || keep_old);
    target.update(|s| {
        s.loading = false;
        s.failed_pages = failed;
        s.error = outcome.clone().err();
        if !nothing_new {
            s.total = s.total.or(Some(items.len() as u64));
            s.items = items;
            s.skipped = skipped;
            s.loaded_at_ms = Some(now_ms());
        }
    });
    on_done(outcome);
}
