//! Copy to the other region: closes the gap the cross-region view shows ("only in Dallas" is what
//! nobody can read while Dallas is down). Only ever started by a person, after a warned
//! confirmation; each value is read from the source, created in the target in the group of the
//! same name, and wiped from memory when its secret is done. Nothing is sent while either region
//! is not usable, and a region that fails mid-run stops the run, saying what was done.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::data::{RegionData, TokenPrompt};
use super::errors::{explain, Action};
use crate::api::retry::sleep_ms;
use crate::model::copy_plan::{self, initial_outcomes, summarize, Outcome, Plan};
use crate::model::cross_region::CrossRow;
use crate::model::listed_secret::ListedSecret;
use crate::model::paging::thousands;

/// At most this many requests a second over both regions: well under IBM's 20 a second per
/// instance, and the person's other tabs keep some room.
const REQUESTS_PER_SECOND: f64 = 10.0;

#[derive(Clone)]
struct Run {
    plan: Arc<Plan>,
    outcomes: RwSignal<Vec<Outcome>>,
    running: RwSignal<bool>,
    stop: StoredValue<bool>,
}

/// Why the copy cannot run now, if it cannot.
fn blocked(from: &RegionData, to: &RegionData) -> Option<String> {
    [from, to].iter().find_map(|r| r.write_block())
}

async fn paced(last: &mut f64) {
    let gap = 1000.0 / REQUESTS_PER_SECOND;
    let wait = *last + gap - js_sys::Date::now();
    if wait > 0.0 {
        sleep_ms(wait).await;
    }
    *last = js_sys::Date::now();
}

/// Copies one secret; `Err` means the region failed in a way that should stop the run.
async fn copy_one(from: &RegionData, to: &RegionData, item: &copy_plan::PlanItem, last: &mut f64) -> Result<Outcome, Outcome> {
    let (Some(src), Some(dst)) = (from.api(), to.api()) else { return Err(Outcome::NotSent("the regions are not configured".into())) };
    let token = TokenPrompt::get();
    let stop_on = |e: &crate::api::ApiError, what: Outcome| if e.as_failure().is_some() { Err(what) } else { Ok(what) };

    // Already there? (A list loaded before a partial run does not know what that run did.)
    paced(last).await;
    match dst.secret_by_name(&item.group_name, &item.secret_type, &item.name).await {
        Ok(mut found) => {
            copy_plan::wipe(&mut found);
            return Ok(Outcome::AlreadyThere);
        }
        Err(e) if e.status() == Some(404) => {}
        Err(e) => {
            token.note(&e);
            return stop_on(&e, Outcome::Failed(explain(&e, Action::Read, &to.label)));
        }
    }
    let Some(group_id) = copy_plan::target_group_id(&item.group_name, &to.groups.get_untracked()) else {
        return Ok(Outcome::Failed(format!("{} has no group named {}: create it first", to.label, item.group_name)));
    };
    let meta = from.keyed.with_untracked(|k| k.by_id(&item.source_id).map(ListedSecret::to_metadata));
    let Some(meta) = meta else { return Ok(Outcome::Failed(format!("it is no longer in {}'s list", from.label))) };

    paced(last).await;
    let mut value = match src.secret_with_data(&item.source_id).await {
        Ok(v) => v,
        Err(e) => {
            token.note(&e);
            from.forget_if_gone(&e, &item.source_id);
            return stop_on(&e, Outcome::Failed(explain(&e, Action::ReadValue, &from.label)));
        }
    };
    let body = copy_plan::create_body(&meta, &value, &group_id);
    copy_plan::wipe(&mut value);
    let mut body = match body {
        Ok(b) => b,
        Err(e) => return Ok(Outcome::Failed(e.to_string())),
    };
    paced(last).await;
    let result = dst.create_secret(&body).await;
    copy_plan::wipe(&mut body);
    match result {
        Ok(_) => Ok(Outcome::Copied),
        Err(e) if e.status() == Some(409) => Ok(Outcome::AlreadyThere),
        Err(e) => {
            token.note(&e);
            stop_on(&e, Outcome::Failed(explain(&e, Action::Create, &to.label)))
        }
    }
}

fn start(run: Run, from: RegionData, to: RegionData) {
    run.running.set(true);
    run.stop.set_value(false);
    spawn_local(async move {
        let mut last = 0.0;
        let todo: Vec<usize> = run.outcomes.with_untracked(|o| o.iter().enumerate().filter(|(_, o)| o.needs_retry()).map(|(i, _)| i).collect());
        let mut halted: Option<String> = None;
        for i in todo {
            let Some(item) = run.plan.items.get(i) else { continue };
            let reason = if run.stop.try_get_value().unwrap_or(true) {
                Some("stopped before it was sent".to_string())
            } else {
                halted.clone().or_else(|| blocked(&from, &to))
            };
            if let Some(r) = reason {
                halted.get_or_insert(r.clone());
                let _ = run.outcomes.try_update(|o| o[i] = Outcome::NotSent(r));
                continue;
            }
            let outcome = match copy_one(&from, &to, item, &mut last).await {
                Ok(o) => o,
                Err(o) => {
                    halted = Some(format!("not sent: a region stopped answering during the copy ({} or {})", from.label, to.label));
                    o
                }
            };
            if run.outcomes.try_update(|o| o[i] = outcome).is_none() {
                return; // the view is gone: nothing left to report to
            }
        }
        let _ = run.running.try_set(false);
        to.reload();
    });
}

fn outcome_text(o: &Outcome) -> String {
    match o {
        Outcome::Waiting => "waiting".into(),
        Outcome::Copied => "copied".into(),
        Outcome::AlreadyThere => "already there".into(),
        Outcome::Refused(r) | Outcome::Failed(r) | Outcome::NotSent(r) => r.clone(),
    }
}

/// The copy panel for the rows shown under "only in <from>".
#[component]
pub fn CopyPanel(regions: Arc<Vec<RegionData>>, from: usize, shown: Memo<Arc<Vec<CrossRow>>>) -> impl IntoView {
    let Some(source) = regions.get(from).cloned() else { return ().into_any() };
    let others: Vec<RegionData> = regions.iter().enumerate().filter(|(i, _)| *i != from).map(|(_, r)| r.clone()).collect();
    let Some(first) = others.first().cloned() else { return ().into_any() };
    for r in regions.iter() {
        if r.groups.with_untracked(Vec::is_empty) {
            r.load_groups();
        }
    }
    let target_idx = RwSignal::new(first.idx as usize);
    let confirming = RwSignal::new(false);
    let run: RwSignal<Option<Run>, LocalStorage> = RwSignal::new_local(None);
    let group_status: RwSignal<Option<String>> = RwSignal::new(None);
    let target = {
        let regions = regions.clone();
        move || regions.get(target_idx.get()).cloned()
    };
    let plan = {
        let (source, target) = (source.clone(), target.clone());
        Memo::new(move |_| {
            let Some(t) = target() else { return Arc::new(Plan::default()) };
            let to = t.idx as usize;
            let src_items = source.keyed.get();
            let (sg, tg) = (source.groups.get(), t.groups.get());
            shown.with(|rows| Arc::new(copy_plan::plan(rows, from, to, &src_items, &sg, &tg)))
        })
    };
    on_cleanup(move || {
        if let Some(Some(r)) = run.try_get_untracked() {
            r.stop.set_value(true);
        }
    });

    // A run's signals belong to the panel, not to the click that starts it: the confirmation that
    // holds the button is gone as soon as it is clicked, and would take them along.
    let owner = Owner::current();
    let begin = {
        let (source, target) = (source.clone(), target.clone());
        move || {
            confirming.set(false);
            let Some(t) = target() else { return };
            let p = plan.get_untracked();
            let make = move || Run { outcomes: RwSignal::new(initial_outcomes(&p)), plan: p, running: RwSignal::new(false), stop: StoredValue::new(false) };
            let r = match &owner {
                Some(o) => o.with(make),
                None => make(),
            };
            run.set(Some(r.clone()));
            start(r, source.clone(), t);
        }
    };
    let retry = {
        let (source, target) = (source.clone(), target.clone());
        move || {
            let (Some(r), Some(t)) = (run.get_untracked(), target()) else { return };
            start(r, source.clone(), t);
        }
    };
    let create_groups = {
        let target = target.clone();
        move || {
            let Some(t) = target() else { return };
            if let Some(b) = t.write_block() {
                group_status.set(Some(b));
                return;
            }
            let Some(api) = t.api() else { return };
            let names = plan.with_untracked(|p| p.missing_groups.clone());
            group_status.set(Some(format!("Creating {} group(s) in {}…", names.len(), t.label)));
            spawn_local(async move {
                let mut failed = Vec::new();
                for n in &names {
                    if let Err(e) = api.create_group(&serde_json::json!({ "name": n })).await {
                        if e.status() != Some(409) {
                            failed.push(format!("{n}: {}", explain(&e, Action::Group, &t.label)));
                        }
                    }
                }
                t.load_groups();
                let _ = group_status.try_set(Some(if failed.is_empty() {
                    format!("Created in {}: {}.", t.label, names.join(", "))
                } else {
                    format!("Some groups could not be created. {}", failed.join(" "))
                }));
            });
        }
    };
    let from_label = source.label.clone();
    let target_label = {
        let regions = regions.clone();
        Memo::new(move |_| regions.get(target_idx.get()).map(|t| t.label.clone()).unwrap_or_default())
    };
    let block = {
        let (source, target) = (source.clone(), target.clone());
        move || target().and_then(|t| blocked(&source, &t))
    };
    let block2 = block.clone();
    let running = move || run.with(|r| r.as_ref().is_some_and(|r| r.running.get()));

    view! {
        <section class="copy-panel" aria-labelledby="copy-title" data-copy-from=source.id.clone()>
            <h3 id="copy-title">{format!("Copy what only {from_label} has")}</h3>
            {(others.len() > 1).then(|| view! {
                <label>"To "
                    <select data-copy-target="" on:change=move |ev| {
                        if let Ok(i) = event_target_value(&ev).parse::<usize>() { target_idx.set(i) }
                    }>
                        {others.iter().map(|r| view! { <option value=r.idx.to_string()>{r.label.clone()}</option> }).collect::<Vec<_>>()}
                    </select>
                </label>
            })}
            <p data-copy-plan="">{move || plan.with(|p| {
                let refused = p.items.len() - p.copyable();
                let mut s = format!("{} of the {} shown can be copied to {}", thousands(p.copyable() as u64), thousands(p.items.len() as u64), target_label.get());
                if refused > 0 {
                    s.push_str(&format!("; {} cannot (the reason is on each)", thousands(refused as u64)));
                }
                s.push('.');
                s
            })}</p>
            {move || plan.with(|p| (!p.missing_groups.is_empty()).then(|| {
                let create_groups = create_groups.clone();
                view! {
                    <p class="note" data-copy-missing-groups="">{format!("{} has no group named {}: their secrets need it first. ", target_label.get(), p.missing_groups.join(", "))}
                        <button type="button" data-action="create-groups" on:click=move |_| create_groups()>"Create these groups"</button></p>
                }
            }))}
            {move || group_status.get().map(|s| view! { <p class="note" role="status">{s}</p> })}
            {move || block().map(|b| view! { <p class="write-block" role="note">{b}</p> })}
            <button type="button" data-action="copy-start"
                disabled=move || running() || block2().is_some() || plan.with(|p| p.copyable() == 0)
                on:click=move |_| confirming.set(true)>
                {move || format!("Copy {} to {}…", thousands(plan.with(|p| p.copyable()) as u64), target_label.get())}
            </button>
            <Show when=move || confirming.get()>
                {
                    let begin = begin.clone();
                    view! {
                        <div class="banner" role="alertdialog" aria-labelledby="copy-warn" data-copy-confirm="">
                            <p id="copy-warn"><strong>{format!("This reads the value of each secret in {from_label}")}</strong>
                                {format!(" (each is marked as read there) and creates it in {}, one after another, at most {} requests a second. ", target_label.get(), REQUESTS_PER_SECOND as u32)}
                                "Values pass through this tab's memory only and are wiped when each secret is done. Nothing is copied automatically later."</p>
                            <button type="button" data-action="copy-confirm" on:click=move |_| begin()>"Read and copy"</button>
                            <button type="button" on:click=move |_| confirming.set(false)>"Cancel"</button>
                        </div>
                    }
                }
            </Show>
            {move || run.get().map(|r| {
                let retry = retry.clone();
                let items = r.plan.clone();
                let stop = r.stop;
                view! {
                    <div class="copy-run" data-copy-running=move || r.running.get().to_string()>
                        <p role="status" aria-live="polite" data-copy-summary="">{move || r.outcomes.with(|o| {
                            let s = summarize(o);
                            let head = if r.running.get() { "Copying…" } else { "Copy finished." };
                            format!("{head} Copied {}, already there {}, not copied {}, failed {}, not sent {}.", s.copied, s.already_there, s.refused, s.failed, s.not_sent + s.waiting)
                        })}</p>
                        <Show when=move || r.running.get()>
                            <button type="button" data-action="copy-stop" on:click=move |_| stop.set_value(true)>"Stop after this secret"</button>
                        </Show>
                        <Show when=move || !r.running.get() && r.outcomes.with(|o| o.iter().any(Outcome::needs_retry))>
                            {
                                let retry = retry.clone();
                                view! { <button type="button" data-action="copy-retry" on:click=move |_| retry()>"Copy the rest again"</button> }
                            }
                        </Show>
                        <ul class="copy-items">
                            {items.items.iter().enumerate().map(|(i, it)| {
                                let name = it.name.clone();
                                view! {
                                    <li data-copy-item=it.name.clone() data-outcome=move || r.outcomes.with(|o| o.get(i).map(|o| o.key()).unwrap_or("waiting"))>
                                        <bdi>{name}</bdi>{format!(" ({}) — ", it.secret_type.as_str())}
                                        {move || r.outcomes.with(|o| o.get(i).map(outcome_text).unwrap_or_default())}
                                    </li>
                                }
                            }).collect::<Vec<_>>()}
                        </ul>
                    </div>
                }
            })}
        </section>
    }
    .into_any()
}
