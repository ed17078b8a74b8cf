//! Cross-region view: for each secret (name and type), where it exists and whether the copies
//! agree. "Only in Dallas" is the list of what nobody can read while Dallas is down.

use std::sync::Arc;

use leptos::prelude::*;
use sm_contract::time::format_date;

use super::copy::CopyPanel;
use super::data::Ctx;
use super::differs::DiffersPanel;
use crate::model::cross_region::{diff, sort_rows, summary, Cell, CrossKey, CrossRow, Presence};
use crate::model::paging::thousands;
use crate::model::secret_list::SecretList;
use crate::model::route::{href, Route};

use super::table::ROW_H_PX;

/// Rows in view; only those (and a few around them) are in the DOM, as in the other tables.
const VIEW_ROWS: usize = 14;
const OVERSCAN: usize = 6;

#[component]
pub fn CrossView(ctx: Ctx, #[prop(optional)] state: Option<super::views::ViewState>) -> impl IntoView {
    let state = state.unwrap_or_else(super::views::ViewState::detached);
    let keyed: Vec<_> = ctx.regions.iter().map(|r| r.keyed).collect();
    let labels: Arc<Vec<String>> = Arc::new(ctx.regions.iter().map(|r| r.label.clone()).collect());
    let ids: Arc<Vec<String>> = Arc::new(ctx.regions.iter().map(|r| r.id.clone()).collect());
    let loading: Vec<_> = ctx.regions.iter().map(|r| r.secrets).collect();
    // A region's list counts only once it was read completely (a last-known list of a region
    // that is down now still counts, marked provisional); before that the region is unknown.
    let known: Vec<Memo<bool>> = loading.iter().map(|s| {
        let s = *s;
        Memo::new(move |_| s.with(|l| l.loaded_at_ms.is_some() && l.failed_pages == 0))
    }).collect();
    let known2 = known.clone();
    let rows = Memo::new(move |_| {
        let lists: Vec<_> = keyed.iter().map(|k| k.get()).collect();
        let known: Vec<Option<&SecretList>> = lists.iter().zip(known2.iter()).map(|(l, k)| k.get().then_some(l)).collect();
        Arc::new(diff(&known))
    });
    let n = ctx.regions.len();
    let sum = Memo::new(move |_| rows.with(|r| summary(r, n)));
    // The chosen chip and the filter text live in the view's kept state (and so in the link).
    let chip = state.chip;
    let show = Memo::new(move |_| chip.with(|c| Presence::parse_key(c)));
    let filter = state.filter;
    let text0 = filter.with_untracked(|f| f.raw_text().to_string());
    let shown = Memo::new(move |_| {
        let (p, t) = (show.get(), filter.with(|f| f.text().to_string()));
        rows.with(|r| {
            Arc::new(
                r.iter()
                    .filter(|x| {
                        // Every word of the filter, as in the other lists.
                        p.is_none_or(|p| x.presence == p) && {
                            let name = x.name.to_lowercase();
                            t.split_whitespace().all(|w| name.contains(w))
                        }
                    })
                    .cloned()
                    .collect::<Vec<CrossRow>>(),
            )
        })
    });
    let incomplete = move || loading.iter().any(|s| s.with(|l| l.loading || l.error.is_some()));
    let unread = {
        let (labels, known) = (labels.clone(), known.clone());
        move || {
            let names: Vec<String> = known.iter().zip(labels.iter()).filter(|(k, _)| !k.get()).map(|(_, l)| l.clone()).collect();
            (!names.is_empty()).then(|| {
                let who = names.join(" and ");
                let verb = if names.len() == 1 { "has" } else { "have" };
                format!("{who} {verb} not been read completely yet, so where each secret exists cannot be told: secrets seen elsewhere are shown as unknown there, not missing, and none is counted as only in one region.")
            })
        }
    };

    let chip_view = {
        let labels = labels.clone();
        move |p: Option<Presence>| {
            let title = match p {
                None => "All".to_string(),
                Some(Presence::Only(i)) => format!("Only in {}", labels.get(i as usize).cloned().unwrap_or_default()),
                Some(Presence::Unknown) => "Unknown: a region is not read yet".into(),
                Some(Presence::Partial) => "Missing somewhere".into(),
                Some(Presence::Differs) => "In every region, but the copies differ".into(),
                Some(Presence::Same) => "Same everywhere".into(),
            };
            let count = move || {
                sum.with(|s| match p {
                    None => rows.with(|r| r.len()),
                    Some(Presence::Only(i)) => s.only.get(i as usize).copied().unwrap_or(0),
                    Some(Presence::Unknown) => s.unknown,
                    Some(Presence::Partial) => s.partial,
                    Some(Presence::Differs) => s.differs,
                    Some(Presence::Same) => s.same,
                })
            };
            let key = p.map(|p| p.key()).unwrap_or_else(|| "all".into());
            view! {
                <button type="button" class="chip" data-cross=key aria-pressed=move || (show.get() == p).to_string() on:click=move |_| chip.set(p.map(|p| p.key()).unwrap_or_default())>
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
    chips.push(Some(Presence::Unknown));
    chips.extend([Some(Presence::Differs), Some(Presence::Same), None]);
    let heads = labels.clone();
    let csort = state.csort;
    let order = Memo::new(move |_| {
        let (k, d) = csort.get();
        shown.with(|s| Arc::new(sort_rows(s, k, d)))
    });
    let scroller = NodeRef::<leptos::html::Div>::new();
    let scroll_top = RwSignal::new(state.scroll.get_value());
    Effect::new(move |_| {
        // Only a real position is restored: setting scrollTop forces a layout in the middle of
        // building the page (10 ms at start-up), and a new table is at the top already.
        let saved = state.scroll.get_value() as i32;
        if let Some(el) = scroller.get().filter(|_| saved != 0) {
            el.set_scroll_top(saved);
        }
    });
    // Another chip or filter: back to the top of a different list.
    Effect::watch(
        move || (chip.track(), filter.track()),
        move |_, _, _| {
            scroll_top.set(0.0);
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(0);
            }
        },
        false,
    );
    let window = Memo::new(move |_| {
        let n = order.with(|o| o.len());
        let first = ((scroll_top.get() / ROW_H_PX as f64) as usize).saturating_sub(OVERSCAN).min(n);
        (first, (first + VIEW_ROWS + 2 * OVERSCAN).min(n))
    });
    let ncols = n + 4;
    let head = move |k: CrossKey, title: &'static str, class: &'static str| {
        let aria = move || csort.with(|(c, d)| (*c == k).then_some(if *d { "descending" } else { "ascending" }));
        view! {
            <th scope="col" class=class aria-sort=aria>
                <button type="button" on:click=move |_| csort.update(|(c, d)| if *c == k { *d = !*d } else { *c = k; *d = false })>
                    {title}
                    <span aria-hidden="true">{move || csort.with(|(c, d)| if *c != k { "" } else if *d { " ▼" } else { " ▲" })}</span>
                </button>
            </th>
        }
    };

    view! {
        <div class="cross" data-secrets-shown=move || shown.with(|s| s.len()).to_string()>
            <p class="note">"Secrets are matched across regions by name and type (each region is a separate instance with its own ids). "
                "A secret only in one region cannot be read while that region is down; copies that differ in version count or update time (more than a minute apart) may not be interchangeable."</p>
            {move || unread().map(|t| view! { <p class="cross-unknown" role="status" data-cross-unknown="">{t}</p> })}
            <Show when=incomplete>
                <p class="note" role="status" data-stale="">"Some regions are still loading or failed to load: this comparison is provisional."</p>
            </Show>
            <div class="chips" role="group" aria-label="Show">{chips.into_iter().map(chip_view).collect::<Vec<_>>()}</div>
            {
                let regions = ctx.regions.clone();
                move || match show.get() {
                    Some(Presence::Only(i)) => view! { <CopyPanel regions=regions.clone() from=i as usize shown=shown /> }.into_any(),
                    Some(Presence::Differs) => view! { <DiffersPanel regions=regions.clone() shown=shown /> }.into_any(),
                    _ => ().into_any(),
                }
            }
            <label class="text-filter"><span class="sr-only">"Filter by name"</span>
                <input type="search" placeholder="Filter by name…" prop:value=text0 on:input=move |ev| filter.update(|f| f.set_text(&event_target_value(&ev))) /></label>
            <div class="tscroll cross-scroll" node_ref=scroller style:overflow="auto"
                style:height=move || format!("{}px", (order.with(|o| o.len()).min(VIEW_ROWS) + 1) * ROW_H_PX + 2)
                on:scroll=move |ev| {
                    let y = event_target::<web_sys::Element>(&ev).scroll_top() as f64;
                    state.scroll.set_value(y);
                    scroll_top.set(y);
                }>
            <table class="cross-table" aria-rowcount=move || (order.with(|o| o.len()) + 1).to_string()>
                <caption class="sr-only">"Secrets by region"</caption>
                <thead><tr aria-rowindex="1">
                    {head(CrossKey::Name, "Name", "col-name")}
                    {head(CrossKey::Type, "Type", "col-type")}
                    {heads.iter().map(|l| view! { <th scope="col" class="col-region">{l.clone()}</th> }).collect::<Vec<_>>()}
                    {head(CrossKey::Updated, "Last updated", "col-updated")}
                    {head(CrossKey::Status, "Status", "col-status")}
                </tr></thead>
                <tbody>
                    <tr class="spacer" aria-hidden="true"><td colspan=ncols.to_string() style:height=move || format!("{}px", window.get().0 * ROW_H_PX)></td></tr>
                    {move || {
                        let (labels, ids) = (labels.clone(), ids.clone());
                        let (a, b) = window.get();
                        shown.with(|s| order.with(|o| o[a..b].iter().enumerate().filter_map(|(k, &i)| s.get(i).map(|row| (a + k, row))).map(|(pos, row)| {
                            let status = match row.presence {
                                Presence::Only(i) => format!("only in {}", labels.get(i as usize).cloned().unwrap_or_default()),
                                Presence::Unknown => {
                                    let unread: Vec<&str> = row.copies.iter().enumerate().filter(|(_, c)| **c == Cell::Unknown)
                                        .filter_map(|(i, _)| labels.get(i).map(String::as_str)).collect();
                                    format!("unknown: {} not read yet", unread.join(" and "))
                                }
                                Presence::Partial => "missing in some regions".into(),
                                Presence::Differs => match (row.versions_differ, row.updated_differ) {
                                    (true, true) => "versions and update times differ".into(),
                                    (true, false) => "version counts differ".into(),
                                    _ => "update times differ".into(),
                                },
                                Presence::Same => "same".into(),
                            };
                            let cells = row.copies.iter().enumerate().map(|(i, c)| {
                                let label = labels.get(i).cloned().unwrap_or_default();
                                match c {
                                    Cell::Present(c) => {
                                        let link = href(&Route::Secret { region: ids.get(i).cloned().unwrap_or_default(), id: c.id.clone() });
                                        let when = c.updated.map(format_date).unwrap_or_default();
                                        let v = c.versions.map(|v| format!("v{}", thousands(v))).unwrap_or_default();
                                        let text = format!("{v} {when}");
                                        let title = text.clone();
                                        view! { <td data-label=label title=title><a href=link>{text}</a></td> }.into_any()
                                    }
                                    Cell::Absent => view! { <td class="missing" data-label=label>"missing"</td> }.into_any(),
                                    Cell::Unknown => view! { <td class="unknown" data-unknown="" data-label=label>"unknown"</td> }.into_any(),
                                }
                            }).collect::<Vec<_>>();
                            let latest = row.copies.iter().filter_map(|c| c.copy().and_then(|c| c.updated)).max().map(format_date).unwrap_or_else(|| "—".into());
                            let status_title = status.clone();
                                view! {
                                <tr data-presence=row.presence.key() aria-rowindex=(pos + 2).to_string()>
                                    <td data-label="Name" title=row.name.clone()><bdi>{row.name.clone()}</bdi></td>
                                    <td data-label="Type" data-col="type">{row.secret_type.clone()}</td>
                                    {cells}
                                    <td data-label="Last updated" data-col="updated">{latest}</td>
                                    <td data-label="Status" title=status_title>{status}</td>
                                </tr>
                            }
                        }).collect::<Vec<_>>()))
                    }}
                    <tr class="spacer" aria-hidden="true"><td colspan=ncols.to_string() style:height=move || {
                        let (_, b) = window.get();
                        format!("{}px", order.with(|o| o.len()).saturating_sub(b) * ROW_H_PX)
                    }></td></tr>
                </tbody>
            </table>
            </div>
            <Show when=move || order.with(|o| o.is_empty())>
                <p class="note empty-result">"No secret matches: change the filter or choose another button above."</p>
            </Show>
        </div>
    }
}
