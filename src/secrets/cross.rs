//! Cross-region view: for each secret (name and type), where it exists and whether the copies
//! agree. "Only in Dallas" is the list of what nobody can read while Dallas is down.

use std::sync::Arc;

use leptos::prelude::*;
use sm_contract::time::format_date;

use super::copy::CopyPanel;
use super::data::Ctx;
use crate::model::cross_region::{diff, summary, CrossRow, Presence};
use crate::model::paging::thousands;
use crate::model::route::{href, Route};

/// Rows rendered at once; the filter narrows longer lists.
const MAX_ROWS: usize = 300;

#[component]
pub fn CrossView(ctx: Ctx) -> impl IntoView {
    let keyed: Vec<_> = ctx.regions.iter().map(|r| r.keyed).collect();
    let labels: Arc<Vec<String>> = Arc::new(ctx.regions.iter().map(|r| r.label.clone()).collect());
    let ids: Arc<Vec<String>> = Arc::new(ctx.regions.iter().map(|r| r.id.clone()).collect());
    let loading: Vec<_> = ctx.regions.iter().map(|r| r.secrets).collect();
    let rows = Memo::new(move |_| {
        let lists: Vec<_> = keyed.iter().map(|k| k.with(|k| k.items.clone())).collect();
        let slices: Vec<&[sm_contract::SecretMetadata]> = lists.iter().map(|l| l.as_slice()).collect();
        Arc::new(diff(&slices))
    });
    let n = ctx.regions.len();
    let sum = Memo::new(move |_| rows.with(|r| summary(r, n)));
    let show: RwSignal<Option<Presence>> = RwSignal::new(None);
    let text = RwSignal::new(String::new());
    let shown = Memo::new(move |_| {
        let (p, t) = (show.get(), text.get().to_lowercase());
        rows.with(|r| {
            Arc::new(
                r.iter()
                    .filter(|x| p.is_none_or(|p| x.presence == p) && (t.is_empty() || x.name.to_lowercase().contains(&t)))
                    .cloned()
                    .collect::<Vec<CrossRow>>(),
            )
        })
    });
    let incomplete = move || loading.iter().any(|s| s.with(|l| l.loading || l.error.is_some()));

    let chip = {
        let labels = labels.clone();
        move |p: Option<Presence>| {
            let title = match p {
                None => "All".to_string(),
                Some(Presence::Only(i)) => format!("Only in {}", labels.get(i as usize).cloned().unwrap_or_default()),
                Some(Presence::Partial) => "Missing somewhere".into(),
                Some(Presence::Differs) => "In all, but differ".into(),
                Some(Presence::Same) => "Same everywhere".into(),
            };
            let count = move || {
                sum.with(|s| match p {
                    None => rows.with(|r| r.len()),
                    Some(Presence::Only(i)) => s.only.get(i as usize).copied().unwrap_or(0),
                    Some(Presence::Partial) => s.partial,
                    Some(Presence::Differs) => s.differs,
                    Some(Presence::Same) => s.same,
                })
            };
            let key = p.map(|p| p.key()).unwrap_or_else(|| "all".into());
            view! {
                <button type="button" class="chip" data-cross=key aria-pressed=move || (show.get() == p).to_string() on:click=move |_| show.set(p)>
                    <span class="big-number" data-count="">{move || thousands(count() as u64)}</span>
                    <span>{title.clone()}</span>
                </button>
            }
        }
    };
    let mut chips: Vec<Option<Presence>> = (0..n as u8).map(|i| Some(Presence::Only(i))).collect();
    if n > 2 {
        chips.push(Some(Presence::Partial));
    }
    chips.extend([Some(Presence::Differs), Some(Presence::Same), None]);
    let heads = labels.clone();

    view! {
        <div class="cross" data-secrets-shown=move || shown.with(|s| s.len()).to_string()>
            <p class="note">"Secrets are matched across regions by name and type (each region is a separate instance with its own ids). "
                "A secret only in one region cannot be read while that region is down; copies that differ in version count or update time (more than a minute apart) may not be interchangeable."</p>
            <Show when=incomplete>
                <p class="note" role="status" data-stale="">"Some regions are still loading or failed to load: this comparison is provisional."</p>
            </Show>
            <div class="chips" role="group" aria-label="Show">{chips.into_iter().map(chip).collect::<Vec<_>>()}</div>
            {
                let regions = ctx.regions.clone();
                move || match show.get() {
                    Some(Presence::Only(i)) => view! { <CopyPanel regions=regions.clone() from=i as usize shown=shown /> }.into_any(),
                    _ => ().into_any(),
                }
            }
            <label class="text-filter"><span class="sr-only">"Filter by name"</span>
                <input type="search" placeholder="Filter by name…" on:input=move |ev| text.set(event_target_value(&ev)) /></label>
            <table class="cross-table">
                <caption class="sr-only">"Secrets by region"</caption>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Type"</th>
                    {heads.iter().map(|l| view! { <th scope="col">{l.clone()}</th> }).collect::<Vec<_>>()}
                    <th scope="col">"Status"</th>
                </tr></thead>
                <tbody>
                    {move || {
                        let (labels, ids) = (labels.clone(), ids.clone());
                        shown.with(|s| s.iter().take(MAX_ROWS).map(|row| {
                            let status = match row.presence {
                                Presence::Only(i) => format!("only in {}", labels.get(i as usize).cloned().unwrap_or_default()),
                                Presence::Partial => "missing in some regions".into(),
                                Presence::Differs => match (row.versions_differ, row.updated_differ) {
                                    (true, true) => "versions and update times differ".into(),
                                    (true, false) => "version counts differ".into(),
                                    _ => "update times differ".into(),
                                },
                                Presence::Same => "same".into(),
                            };
                            let cells = row.copies.iter().enumerate().map(|(i, c)| match c {
                                Some(c) => {
                                    let link = href(&Route::Secret { region: ids.get(i).cloned().unwrap_or_default(), id: c.id.clone() });
                                    let when = c.updated.map(format_date).unwrap_or_default();
                                    let v = c.versions.map(|v| format!("v{v}")).unwrap_or_default();
                                    view! { <td><a href=link>{format!("{v} {when}")}</a></td> }.into_any()
                                }
                                None => view! { <td class="missing">"missing"</td> }.into_any(),
                            }).collect::<Vec<_>>();
                            view! {
                                <tr data-presence=row.presence.key()>
                                    <td><bdi>{row.name.clone()}</bdi></td><td>{row.secret_type.clone()}</td>{cells}<td>{status}</td>
                                </tr>
                            }
                        }).collect::<Vec<_>>())
                    }}
                </tbody>
            </table>
            {move || shown.with(|s| (s.len() > MAX_ROWS).then(|| view! {
                <p class="note">{format!("Showing the first {MAX_ROWS} of {}: narrow the list with the buttons or the filter.", thousands(s.len() as u64))}</p>
            }))}
        </div>
    }
}
