//! "In all regions, but different": what differs for each shown row, and bringing the newer
//! value across as a new version of the older copy — one secret at a time, after the same warned
//! confirmation as a copy. The value passes through memory only and is wiped when done.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use crate::model::listed_secret::ListedSecret;

use super::data::{RegionData, TokenPrompt};
use super::errors::{explain, Action};
use crate::model::copy_plan::{self, differences, newer_is_first};
use crate::model::cross_region::CrossRow;

/// Rows described at once; the name filter narrows longer lists.
const MAX_ROWS: usize = 50;

fn meta_of(r: &RegionData, id: &str) -> Option<ListedSecret> {
    r.keyed.with_untracked(|k| k.by_id(id).cloned())
}

/// Reads `from`'s value and writes it as a new version of `to`'s copy.
async fn bring_across(from: &RegionData, to: &RegionData, from_id: &str, to_id: &str, m: &ListedSecret) -> String {
    let (Some(src), Some(dst)) = (from.api(), to.api()) else { return "the regions are not configured".into() };
    if let Some(b) = from.write_block().or_else(|| to.write_block()) {
        return b;
    }
    let token = TokenPrompt::get();
    let mut value = match src.secret_with_data(from_id).await {
        Ok(v) => v,
        Err(e) => {
            token.note(&e);
            return explain(&e, Action::ReadValue, &from.label);
        }
    };
    let body = copy_plan::version_body(&m.secret_type, &value);
    copy_plan::wipe(&mut value);
    let mut body = match body {
        Ok(b) => b,
        Err(e) => return e.to_string(),
    };
    let result = dst.new_version(to_id, &body).await;
    copy_plan::wipe(&mut body);
    match result {
        Ok(()) => {
            to.reload();
            format!("{}'s value is now the current version in {}.", from.label, to.label)
        }
        Err(e) => {
            token.note(&e);
            explain(&e, Action::Rotate, &to.label)
        }
    }
}

#[component]
pub fn DiffersPanel(regions: Arc<Vec<RegionData>>, shown: Memo<Arc<Vec<CrossRow>>>) -> impl IntoView {
    // The row being confirmed.
    let confirm: RwSignal<Option<usize>> = RwSignal::new(None);
    // The last outcome, named: the row itself may leave the list once the copies agree.
    let status: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    view! {
        <section class="differs-panel" aria-label="What differs" data-differs="">
            <p class="note" role="status" aria-live="polite" data-bring-status="">{move || status.get()}</p>
            {move || shown.with(|rows| rows.iter().take(MAX_ROWS).enumerate().map(|(i, row)| {
                // Two copies present (with three regions or more, the first two that have one).
                let present: Vec<(usize, String)> = row.copies.iter().enumerate().filter_map(|(r, c)| c.copy().map(|c| (r, c.id.clone()))).take(2).collect();
                let [(ra, ida), (rb, idb)] = present.as_slice() else { return ().into_any() };
                let (Some(a), Some(b)) = (regions.get(*ra).cloned(), regions.get(*rb).cloned()) else { return ().into_any() };
                let (Some(ma), Some(mb)) = (meta_of(&a, ida), meta_of(&b, idb)) else { return ().into_any() };
                let what = differences(&ma, &mb, &a.label, &b.label).join("; ");
                let direction = newer_is_first(&ma, &mb).map(|first| if first { (a.clone(), b.clone(), ida.clone(), idb.clone(), ma.clone()) } else { (b.clone(), a.clone(), idb.clone(), ida.clone(), mb.clone()) });
                let refusal = copy_plan::refusal_for(&ma.secret_type);
                let action = match (direction, refusal) {
                    (_, Some(r)) => view! { <span class="note">{r}</span> }.into_any(),
                    (None, _) => view! { <span class="note">"Nothing tells which copy is newer: decide in each region."</span> }.into_any(),
                    (Some((from, to, from_id, to_id, m)), None) => {
                        let title = format!("Bring {}'s newer value to {}…", from.label, to.label);
                        let warn = format!("This reads the value in {} (marking it read) and makes it the current version in {}; {}'s current value becomes its previous version.", from.label, to.label, to.label);
                        view! {
                            <button type="button" data-action="bring-newer" disabled=move || busy.get() on:click=move |_| confirm.set(Some(i))>{title}</button>
                            <Show when=move || confirm.get() == Some(i)>
                                {
                                    let (from, to, from_id, to_id, m) = (from.clone(), to.clone(), from_id.clone(), to_id.clone(), m.clone());
                                    let warn = warn.clone();
                                    view! {
                                        <div class="banner" role="alertdialog" data-bring-confirm="">
                                            <p>{warn}</p>
                                            <button type="button" data-action="bring-confirm" on:click=move |_| {
                                                confirm.set(None);
                                                busy.set(true);
                                                let (from, to, from_id, to_id, m) = (from.clone(), to.clone(), from_id.clone(), to_id.clone(), m.clone());
                                                spawn_local(async move {
                                                    let msg = bring_across(&from, &to, &from_id, &to_id, &m).await;
                                                    let _ = status.try_set(Some(format!("{}: {msg}", m.name)));
                                                    let _ = busy.try_set(false);
                                                });
                                            }>"Read and bring it across"</button>
                                            <button type="button" on:click=move |_| confirm.set(None)>"Cancel"</button>
                                        </div>
                                    }
                                }
                            </Show>
                        }.into_any()
                    }
                };
                view! {
                    <div class="differs-row" data-differs-row=row.name.clone()>
                        <p><strong><bdi>{row.name.clone()}</bdi></strong>{format!(" ({}): {what}", row.secret_type)}</p>
                        {action}
                    </div>
                }.into_any()
            }).collect::<Vec<_>>())}
        </section>
    }
}
