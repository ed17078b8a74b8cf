//! A windowed secrets table over one or more regions: only the rows on screen are in the DOM
//! (fixed row height, spacer rows, scroll position → slice), while screen readers still get a
//! real table with its full row count. Arrow keys move between rows, Enter opens one.

use std::sync::Arc;

use leptos::prelude::*;
use sm_contract::time::format_date;

use super::data::{navigate, Ctx};
use crate::model::listed_secret::ListedSecret;
use crate::model::secret_list::SecretList;
use super::filters::FilterBar;
use super::views::ViewState;
use crate::model::view_state::column_key;
use crate::model::route::{href, Route};
use crate::model::search_round::{apply_answer, SearchRound};
use crate::model::secrets_sort::SortCache;
use crate::model::secrets_filter::{
    expiry, facets, rotation_text, Column, Expiry, Facets, RecentAnswers, RowRef, Sort, Source,
};

pub const ROW_H: f64 = ROW_H_PX as f64;
/// The row height for CSS lengths: whole pixels, written without float formatting (which would
/// pull about 10 KB of formatting code into the wasm).
pub const ROW_H_PX: usize = 34;
const VIEW_ROWS: usize = 14;
const OVERSCAN: usize = 6;

#[derive(Clone)]
struct RowItem {
    pos: usize,
    source: u8,
    meta: ListedSecret,
    /// The secret, where it is shown, and the list's revision: a row is rebuilt when any of
    /// them changes, and kept while the user scrolls.
    key: (u8, Box<str>, usize, u64),
}

fn clip(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn date_of(s: Option<&str>) -> (Option<i64>, String) {
    let t = s.and_then(sm_contract::time::parse_rfc3339);
    (t, t.map(format_date).unwrap_or_else(|| "—".into()))
}

#[component]
pub fn SecretsTable(
    ctx: Ctx,
    sources: Vec<u8>,
    view_id: String,
    #[prop(optional)] total_hook: bool,
    /// Filter, sort, search and scroll kept beyond this view's life; a fresh one if not given.
    #[prop(optional)]
    state: Option<ViewState>,
) -> impl IntoView {
    let state = state.unwrap_or_else(ViewState::detached);
    let regions: Vec<_> = sources.iter().filter_map(|i| ctx.regions.get(*i as usize).cloned()).collect();
    let combined = regions.len() > 1;
    let keyed: Vec<Memo<SecretList>> = regions.iter().map(|r| r.keyed).collect();
    let first_keyed = keyed.first().copied();
    let (filter, sort, server, rounds) = (state.filter, state.sort, state.server, state.rounds);
    let server_msg: RwSignal<Option<String>> = RwSignal::new(None);
    let now_s = ctx.now_s;

    let data = Memo::new(move |_| {
        server.with(|s| match s {
            Some(s) => (0..s.slots.len()).map(|i| s.found(i).cloned().unwrap_or_default()).collect::<Vec<SecretList>>(),
            None => keyed.iter().map(|k| k.get()).collect::<Vec<SecretList>>(),
        })
    });
    // Each list's sorted run is kept: when one region's list changes, only that list is sorted
    // again (the end of a region's load was one long task sorting both regions' rows).
    let runs = StoredValue::new(SortCache::default());
    let order = Memo::new(move |_| {
        let s = sort.get();
        data.with(|d| {
            let sources = d.iter().map(SecretList::source).collect::<Vec<Source>>();
            let lists: Vec<u64> = d.iter().map(SecretList::revision).collect();
            Arc::new(runs.try_update_value(|c| c.sorted(&sources, &lists, s)).unwrap_or_default())
        })
    });
    let answers = StoredValue::new(RecentAnswers::default());
    let shown = Memo::new(move |_| {
        let now = now_s.get();
        filter.with(|f| {
            data.with(|d| {
                order.with(|o| {
                    let sources = d.iter().map(SecretList::source).collect::<Vec<Source>>();
                    let lists = d.iter().map(SecretList::revision).collect();
                    answers.try_update_value(|l| l.answer(&sources, lists, o, f, now)).unwrap_or_default()
                })
            })
        })
    });
    let facets: Memo<Facets> = Memo::new(move |_| data.with(|d| facets(&d.iter().map(SecretList::source).collect::<Vec<Source>>())));

    // Group menus show names; a region's group ids are its own, so ask each region.
    let group_names = {
        let regions = regions.clone();
        Signal::derive(move || {
            facets.with(|f| {
                f.groups
                    .iter()
                    .map(|id| {
                        let name = regions.iter().map(|r| r.group_name(id)).find(|n| n != id).unwrap_or_else(|| id.to_string());
                        // Over several regions, say whose group it is: each region's groups are
                        // its own, and two regions may use the same name.
                        if regions.len() < 2 {
                            return (id.clone(), name);
                        }
                        let holders: Vec<&str> = regions
                            .iter()
                            .filter(|r| r.groups.with(|g| g.iter().any(|g| g.id == *id)) || r.keyed.with(|k| k.iter().any(|m| *m.secret_group_id == **id)))
                            .map(|r| r.label.as_str())
                            .collect();
                        let whose = if holders.len() == regions.len() { "every region".to_string() } else { holders.join(", ") };
                        (id.clone(), format!("{name} ({whose})"))
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let scroll_top = RwSignal::new(state.scroll.get_value());
    let active: RwSignal<Option<usize>> = RwSignal::new(None);
    let scroller = NodeRef::<leptos::html::Div>::new();
    // A new filter starts at the top: the old position means nothing in a different list.
    Effect::watch(
        move || filter.track(),
        move |_, _, _| {
            active.set(None);
            // Only when the list is scrolled: writing scrollTop makes the browser lay the page out
            // there and then, in the middle of the keystroke.
            if scroll_top.get_untracked() != 0.0 {
                scroll_top.set(0.0);
                if let Some(el) = scroller.get_untracked() {
                    el.set_scroll_top(0);
                }
            }
        },
        false,
    );
    let window = Memo::new(move |_| {
        let n = shown.with(|s| s.len());
        let first = ((scroll_top.get() / ROW_H) as usize).saturating_sub(OVERSCAN).min(n);
        (first, (first + VIEW_ROWS + 2 * OVERSCAN).min(n))
    });
    let visible = move || {
        let (a, b) = window.get();
        data.with(|d| {
            shown.with(|s| {
                s[a..b]
                    .iter()
                    .enumerate()
                    .filter_map(|(k, r)| {
                        let src = d.get(r.source as usize)?;
                        let meta = src.get(r.idx as usize)?.clone();
                        let key = (r.source, meta.id.clone(), a + k, src.revision());
                        Some(RowItem { pos: a + k, source: r.source, meta, key })
                    })
                    .collect::<Vec<_>>()
            })
        })
    };

    let columns: Vec<Column> = Column::ALL.into_iter().filter(|c| combined || *c != Column::Region).collect();
    let ncols = columns.len();
    let row_id = {
        let v = view_id.clone();
        move |pos: usize| format!("{v}-row-{pos}")
    };
    let region_ids: Arc<Vec<String>> = Arc::new(regions.iter().map(|r| r.id.clone()).collect());
    let open_at = {
        let ids = region_ids.clone();
        move |pos: usize| {
            let target = shown.with_untracked(|s| s.get(pos).copied()).and_then(|r: RowRef| {
                data.with_untracked(|d| d.get(r.source as usize)?.get(r.idx as usize).map(|m| m.id.to_string()))
                    .map(|id| (r.source, id))
            });
            if let Some((src, id)) = target {
                if let Some(region) = ids.get(src as usize) {
                    navigate(&Route::Secret { region: region.clone(), id });
                }
            }
        }
    };
    let view_rows = VIEW_ROWS as f64;
    let ensure_visible = move |pos: usize| {
        let top = pos as f64 * ROW_H;
        let cur = scroll_top.get_untracked();
        let new = if top < cur { top } else if top + ROW_H > cur + view_rows * ROW_H { top + ROW_H - view_rows * ROW_H } else { cur };
        if new != cur {
            scroll_top.set(new);
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(new as i32);
            }
        }
    };
    // The secret the last write concerned: its row is scrolled to and marked, so the user sees
    // the new or changed row without hunting for it.
    let changed: RwSignal<Option<String>> = RwSignal::new(None);
    if let Some(views) = super::views::Views::get() {
        let ids = region_ids.clone();
        let notice = views.notice;
        Effect::new(move |_| {
            let Some((region, id)) = notice.with(|n| n.as_ref().and_then(|n| n.secret.clone())) else {
                changed.set(None);
                return;
            };
            let Some(src) = ids.iter().position(|r| *r == region) else { return };
            // Untracked: only a new notice moves the view, not later filtering or reloads.
            let pos = data.with_untracked(|d| {
                let idx = d.get(src)?.position(&id)? as u32;
                Some(shown.with_untracked(|s| s.iter().position(|r| r.source as usize == src && r.idx == idx)))
            });
            changed.set(Some(id));
            match pos {
                Some(Some(p)) => {
                    active.set(Some(p));
                    ensure_visible(p);
                }
                // Loaded but hidden by the filter: say so rather than leave the user looking.
                // (Written only once: every write to the notice runs this effect again.)
                Some(None) if notice.with_untracked(|n| n.as_ref().is_some_and(|n| !n.text.ends_with("filter."))) => notice.update(|n| {
                    if let Some(n) = n {
                        n.text.push_str(" It is not shown because it does not match the current filter.");
                    }
                }),
                Some(None) => {}
                None => {}
            }
        });
    }
    let on_key = {
        let open_at = open_at.clone();
        move |ev: leptos::ev::KeyboardEvent| {
            let n = shown.with_untracked(|s| s.len());
            if n == 0 {
                return;
            }
            let cur = active.get_untracked();
            let page = VIEW_ROWS - 1;
            let next = match ev.key().as_str() {
                "ArrowDown" => cur.map_or(0, |c| (c + 1).min(n - 1)),
                "ArrowUp" => cur.map_or(0, |c| c.saturating_sub(1)),
                "PageDown" => cur.map_or(0, |c| (c + page).min(n - 1)),
                "PageUp" => cur.map_or(0, |c| c.saturating_sub(page)),
                "Home" => 0,
                "End" => n - 1,
                "Enter" => {
                    if let Some(c) = cur {
                        ev.prevent_default();
                        open_at(c);
                    }
                    return;
                }
                _ => return,
            };
            ev.prevent_default();
            active.set(Some(next));
            ensure_visible(next);
        }
    };

    // Ask each region's server for `q`; the results stand in for the loaded lists until dismissed.
    let run_search = {
        let regions = regions.clone();
        move |q: String| {
            server_msg.set(None);
            state.server_query.set(Some(q.clone()));
            let round = {
                rounds.update_value(|r| *r = r.wrapping_add(1));
                rounds.get_value()
            };
            server.set(Some(SearchRound::new(round, q.clone(), regions.len())));
            let token = super::data::TokenPrompt::get();
            // Every region at once, each at its own origin: a hung region neither delays nor
            // hides the other's results, and an answer to a replaced round is dropped.
            for (index, r) in regions.iter().enumerate() {
                let (label, api, q) = (r.label.clone(), r.api(), q.clone());
                leptos::task::spawn_local(async move {
                    let Some(api) = api else { return };
                    let result = match api.secrets_page_search(0, 1000, Some(&q)).await {
                        Ok(p) => Ok(SecretList::from_vec(p.secrets.items)),
                        Err(e) => {
                            token.note(&e);
                            Err(format!("{label}: {e}"))
                        }
                    };
                    let _ = server.try_update(|s| apply_answer(s, round, index, result));
                });
            }
        }
    };
    let search_note = {
        let labels: Vec<String> = regions.iter().map(|r| r.label.clone()).collect();
        move || {
            server.with(|s| {
                let s = s.as_ref()?;
                let waiting: Vec<&str> = s.slots.iter().zip(&labels).filter(|(slot, _)| matches!(slot, crate::model::search_round::Slot::Pending)).map(|(_, l)| l.as_str()).collect();
                let mut parts: Vec<String> = s.problems().into_iter().map(str::to_string).collect();
                if !waiting.is_empty() {
                    parts.insert(0, format!("Searching {} for “{}”…", waiting.join(" and "), clip(&s.query, 60)));
                }
                (!parts.is_empty()).then(|| parts.join(" · "))
            })
        }
    };
    let search_server = {
        let run = run_search.clone();
        move || {
            let q = filter.with_untracked(|f| f.raw_text().trim().to_string());
            if !(2..=128).contains(&q.chars().count()) {
                server_msg.set(Some("Type 2 to 128 characters in the filter to search the server.".into()));
                return;
            }
            run(q);
        }
    };
    // A link or a reload names a search whose results are not here: ask again.
    if let Some(q) = state.server_query.get_untracked().filter(|q| server.with_untracked(|s| s.as_ref().is_none_or(|s| s.query != *q))) {
        run_search(q);
    }
    // Back where the table was scrolled to when the view was left.
    Effect::new(move |_| {
        // Only a real position is restored: setting scrollTop forces a layout in the middle of
        // building the page (10 ms at start-up), and a new table is at the top already.
        let saved = state.scroll.get_value() as i32;
        if let Some(el) = scroller.get().filter(|_| saved != 0) {
            el.set_scroll_top(saved);
        }
    });

    let stale = {
        let states: Vec<_> = regions.iter().map(|r| r.signals.state).collect();
        move || states.iter().any(|s| s.get() == crate::model::region_state::RegionState::Unavailable).then_some("")
    };
    let total = {
        let k = first_keyed;
        move || total_hook.then(|| k.map(|k| k.with(|x| x.len())).unwrap_or(0).to_string())
    };
    let labels: Arc<Vec<String>> = Arc::new(regions.iter().map(|r| r.label.clone()).collect());
    let region_data = regions.clone();
    let header = columns.clone();
    let caption = if combined { "Secrets in all regions".to_string() } else { format!("Secrets in {}", regions.first().map(|r| r.label.as_str()).unwrap_or("")) };
    let row_id_for_table = row_id.clone();

    view! {
        <div class="secrets-view" data-secrets-view=view_id.clone() data-secrets-total=total
            data-secrets-shown=move || shown.with(|s| s.len()).to_string() data-stale=stale>
            <FilterBar filter=filter facets=facets group_names=group_names on_search=search_server />
            {move || server.with(|s| s.as_ref().map(|s| {
                let n: usize = (0..s.slots.len()).filter_map(|i| s.found(i)).map(|k| k.len()).sum();
                // `server-results` once every region has answered; before that the regions that
                // did are already listed, and the way back is there too.
                let (class, text) = if s.pending() == 0 {
                    ("note server-results", format!("Server search results for “{}”: {}. ", clip(&s.query, 60), crate::model::paging::thousands(n as u64)))
                } else {
                    ("note server-pending", format!("Server search for “{}”: {} so far. ", clip(&s.query, 60), crate::model::paging::thousands(n as u64)))
                };
                view! {
                    <p class=class role="status">
                        {text}
                        <button type="button" on:click=move |_| { state.server_query.set(None); server.set(None); }>"Back to all loaded secrets"</button>
                    </p>
                }
            }))}
            {move || server_msg.get().or_else(search_note.clone()).map(|m| view! { <p class="note" role="status">{m}</p> })}
            <p class="shown-count" aria-live="polite">
                {move || format!("{} shown", crate::model::paging::thousands(shown.with(|s| s.len()) as u64))}
            </p>
            <div class="tscroll" node_ref=scroller style:overflow="auto" style:height=move || format!("{}px", (shown.with(|s| s.len()).min(VIEW_ROWS) + 1) * ROW_H_PX + 2)
                on:scroll=move |ev| {
                    let y = event_target::<web_sys::Element>(&ev).scroll_top() as f64;
                    state.scroll.set_value(y);
                    scroll_top.set(y);
                }>
                <table class="secrets" role="grid" tabindex="0" aria-label=caption
                    aria-rowcount=move || (shown.with(|s| s.len()) + 1).to_string()
                    aria-colcount=ncols.to_string()
                    aria-activedescendant=move || active.get().map(&row_id_for_table)
                    on:keydown=on_key>
                    <thead>
                        <tr aria-rowindex="1">
                            {header.into_iter().map(|c| {
                                let aria = move || sort.with(|s| (s.column == c).then_some(if s.descending { "descending" } else { "ascending" }));
                                view! {
                                    <th scope="col" class=format!("col-{}", c.title().to_lowercase()) aria-sort=aria>
                                        <button type="button" on:click=move |_| sort.update(|s| {
                                            if s.column == c { s.descending = !s.descending } else { *s = Sort { column: c, descending: false } }
                                        })>
                                            {c.title()}
                                            <span aria-hidden="true">{move || sort.with(|s| if s.column != c { "" } else if s.descending { " ▼" } else { " ▲" })}</span>
                                        </button>
                                    </th>
                                }
                            }).collect::<Vec<_>>()}
                        </tr>
                    </thead>
                    <tbody>
                        <tr class="spacer" aria-hidden="true"><td colspan=ncols.to_string() style:height=move || format!("{}px", window.get().0 * ROW_H_PX)></td></tr>
                        <For each=visible key=|r: &RowItem| r.key.clone() children=move |r: RowItem| {
                            let region = region_data.get(r.source as usize).cloned();
                            let region_id = region.as_ref().map(|x| x.id.clone()).unwrap_or_default();
                            let state = region.as_ref().map(|x| x.signals.state);
                            let row_stale = move || state.is_some_and(|s| s.get() == crate::model::region_state::RegionState::Unavailable).then_some("");
                            let label = labels.get(r.source as usize).cloned().unwrap_or_default();
                            let pos = r.pos;
                            let m = r.meta;
                            let (exp_t, exp_text) = date_of(m.expiration_date.as_deref());
                            // Rows are rebuilt on every scroll; the class need not follow the clock by itself.
                            let exp_class = move || expiry(exp_t, now_s.get_untracked());
                            let (_, updated) = date_of(m.updated_at.as_deref().or(m.created_at.as_deref()));
                            // The region's group names can arrive after its rows (their own request),
                            // and a kept row is not rebuilt: the cell follows them.
                            let group = {
                                let id = m.secret_group_id.clone();
                                Memo::new(move |_| region.as_ref().map(|x| x.group_name(&id)).unwrap_or_else(|| id.to_string()))
                            };
                            let labels_text = {
                                let mut t = m.labels.iter().take(3).map(|l| clip(l, 24)).collect::<Vec<_>>().join(", ");
                                if m.labels.len() > 3 {
                                    t.push_str(&format!(" +{}", crate::model::paging::thousands((m.labels.len() - 3) as u64)));
                                }
                                t
                            };
                            let link = href(&Route::Secret { region: region_id.clone(), id: m.id.to_string() });
                            let open = open_at.clone();
                            let exp = exp_class();
                            let exp_note = match exp { Expiry::Expired => " (expired)", Expiry::Soon => " (soon)", _ => "" };
                            let cells = columns.iter().map(|c| match c {
                                Column::Name => view! { <td class="name" title=clip(&m.name, 500)><a href=link.clone() tabindex="-1"><bdi>{clip(&m.name, 200)}</bdi></a></td> }.into_any(),
                                Column::Group => view! {
                                    <td title=move || group.with(|g| clip(g, 500)) data-col=column_key(*c)><bdi>{move || group.with(|g| clip(g, 80))}</bdi></td>
                                }.into_any(),
                                c => {
                                    let (text, title, expiry) = match c {
                                        Column::Region => (label.clone(), None, None),
                                        Column::Type => (m.secret_type.as_str().to_string(), None, None),
                                        Column::State => (crate::model::secrets_filter::state_label(&m).to_string(), None, None),
                                        Column::Labels => (labels_text.clone(), Some(clip(&m.labels.join(", "), 500)), None),
                                        Column::Expiration => (format!("{exp_text}{exp_note}"), None, Some(exp.as_str())),
                                        Column::Rotation => (rotation_text(m.rotation.as_deref()), None, None),
                                        _ => (updated.clone(), None, None),
                                    };
                                    // The whole text on hover: a narrow column may cut it.
                                    let title = title.unwrap_or_else(|| text.clone());
                                    view! { <td title=title data-col=column_key(*c) data-expiry=expiry><bdi>{text}</bdi></td> }.into_any()
                                }
                            }).collect::<Vec<_>>();
                            let sid = m.id.clone();
                            let just = move || changed.with(|c| c.as_deref() == Some(&*sid)).then_some("");
                            view! {
                                <tr id=row_id(pos) data-secret-id=m.id.to_string() data-region=region_id data-stale=row_stale aria-rowindex=(pos + 2).to_string()
                                    data-changed=just
                                    aria-selected=move || (active.get() == Some(pos)).to_string()
                                    class:active=move || active.get() == Some(pos)
                                    on:click=move |_| { active.set(Some(pos)); open(pos); }>
                                    {cells}
                                </tr>
                            }
                        } />
                        <tr class="spacer" aria-hidden="true"><td colspan=ncols.to_string() style:height=move || {
                            let (_, b) = window.get();
                            format!("{}px", shown.with(|s| s.len()).saturating_sub(b) * ROW_H_PX)
                        }></td></tr>
                    </tbody>
                </table>
            </div>
            // The keyboard's row in full, for sighted keyboard users (hover has the cells' titles;
            // screen readers read the row itself).
            <p class="active-row" aria-hidden="true" data-active-row="">{move || active.get().and_then(|pos| {
                let r = shown.with(|s| s.get(pos).copied())?;
                data.with(|d| {
                    let m = d.get(r.source as usize)?.get(r.idx as usize)?;
                    let exp = m.expiration_date.as_deref().map(|e| format!(" · expires {e}")).unwrap_or_default();
                    let labels = if m.labels.is_empty() { String::new() } else { format!(" · labels {}", clip(&m.labels.join(", "), 300)) };
                    Some(format!("{} · {} · {}{labels}{exp} · {}", clip(&m.name, 300), m.secret_type.as_str(), crate::model::secrets_filter::state_label(m), rotation_text(m.rotation.as_deref())))
                })
            })}</p>
            <Show when=move || shown.with(|s| s.is_empty())>
                <p class="note empty-result" data-empty-result="">{move || if data.with(|d| d.iter().all(|k| k.is_empty())) { "No secrets loaded." } else { "No secret matches the filter: change or clear it to see more." }}</p>
            </Show>
        </div>
    }
}
