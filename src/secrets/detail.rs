//! One secret, deep-linkable (`#/region/<id>/secret/<id>`): every metadata field, versions,
//! rotation, labels, custom metadata, locks; the value (masked) and the management forms.

use leptos::prelude::*;
use leptos::task::spawn_local;
use sm_contract::{SecretMetadata, VersionMetadata};

use super::data::Ctx;
use super::errors::{explain, Action};
use super::manage::{DeleteSecret, EditMetadata, Rotate};
use super::locks::LocksPanel;
use super::value::SecretValue;
use super::views::Views;
use crate::model::paging::thousands;
use sm_contract::time::parse_rfc3339;

use crate::model::listed_secret::ListedSecret;
use crate::model::secrets_filter::{expiry, rotation_text, state_label_of, Expiry};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    None,
    Edit,
    Rotate,
    Delete,
}

fn row(k: &'static str, v: Option<String>) -> Option<AnyView> {
    v.filter(|v| !v.is_empty()).map(|v| view! { <dt>{k}</dt><dd><bdi>{v}</bdi></dd> }.into_any())
}

fn meta_rows(m: &SecretMetadata, group: String, now: i64) -> Vec<AnyView> {
    let expires = m.expiration_date.as_deref().and_then(parse_rfc3339);
    let exp = m.expiration_date.clone().map(|e| match expiry(expires, now) {
        Expiry::Expired => format!("{e} (expired)"),
        Expiry::Soon => format!("{e} (within 30 days)"),
        _ => e,
    });
    let cert_validity = m.validity.as_ref().map(|v| format!("{} → {}", v.not_before.clone().unwrap_or_default(), v.not_after.clone().unwrap_or_default()));
    [
        row("ID", Some(m.id.clone())),
        row("Type", Some(m.secret_type.as_str().to_string())),
        row("Group", Some(group)),
        row("State", Some(state_label_of(m.state, m.state_description.as_deref()).to_string())),
        row("Labels", Some(m.labels.join(", "))),
        row("Description", m.description.clone()),
        row("CRN", m.crn.clone()),
        row("Created", m.created_at.clone().map(|c| format!("{c} by {}", m.created_by.clone().unwrap_or_else(|| "unknown".into())))),
        row("Updated", m.updated_at.clone()),
        row("Last read", m.retrieved_at.clone()),
        row("Value read before", m.downloaded.map(|d| if d { "yes" } else { "no, never" }.to_string())),
        row("Expiration", exp),
        row("Rotation", Some(rotation_text(m.rotation.as_ref()))),
        row("Next rotation", m.next_rotation_date.clone()),
        row("TTL", m.ttl.clone()),
        row("Service ID", m.service_id.clone()),
        row("Access groups", m.access_groups.as_ref().map(|a| a.join(", "))),
        row("Reuses its API key", m.reuse_api_key.map(|r| if r { "yes: reading it does not rotate it" } else { "no: every read creates a new API key" }.to_string())),
        row("Versions", m.versions_total.map(thousands)),
        row("Locks", m.locks_total.map(thousands)),
        row("Common name", m.common_name.clone()),
        row("Alternative names", m.alt_names.as_ref().map(|a| a.join(", "))),
        row("Issuer", m.issuer.clone()),
        row("Serial number", m.serial_number.clone()),
        row("Validity", cert_validity),
        row("Key algorithm", m.key_algorithm.clone()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn versions_table(vs: &[VersionMetadata], chosen: RwSignal<Option<String>>) -> AnyView {
    let yes = |b: Option<bool>| b.map(|b| if b { "yes" } else { "no" }).unwrap_or("—");
    view! {
        <table class="versions">
            <caption class="sr-only">"Versions"</caption>
            <thead><tr><th scope="col">"Version"</th><th scope="col">"Alias"</th><th scope="col">"Created"</th><th scope="col">"By"</th>
                <th scope="col">"Rotated automatically"</th><th scope="col">"Value read"</th><th scope="col">"Value still stored"</th><th scope="col">"Expires"</th><th scope="col">"Value"</th></tr></thead>
            <tbody>
                {vs.iter().take(50).map(|v| view! {
                    <tr data-version-id=v.id.clone()>
                        <td data-label="Version"><code>{v.id.clone()}</code></td>
                        <td data-label="Alias">{v.alias.clone().unwrap_or_default()}</td>
                        <td data-label="Created">{v.created_at.clone().unwrap_or_default()}</td>
                        <td data-label="By"><bdi>{v.created_by.clone().unwrap_or_default()}</bdi></td>
                        <td data-label="Rotated automatically">{yes(v.auto_rotated)}</td>
                        <td data-label="Value read">{yes(v.downloaded)}</td>
                        <td data-label="Value still stored">{yes(v.payload_available)}</td>
                        <td data-label="Expires">{v.expiration_date.clone().unwrap_or_default()}</td>
                        <td data-label="Value">{match (v.alias.as_deref(), v.payload_available) {
                            // The current value has its own section above.
                            (Some("current"), _) => "above".into_any(),
                            (_, Some(true)) => {
                                let vid = v.id.clone();
                                view! { <button type="button" data-action="version-value" data-version=v.id.clone()
                                    on:click=move |_| chosen.set(Some(vid.clone()))>"Show value…"</button> }.into_any()
                            }
                            _ => "not kept".into_any(),
                        }}</td>
                    </tr>
                }).collect::<Vec<_>>()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn SecretDetail(ctx: Ctx, region: String, id: String) -> impl IntoView {
    let Some(r) = ctx.region(&region) else {
        return view! { <p class="error" role="alert">{format!("This link names a region, {region}, that this console is not configured for.")}</p> }.into_any();
    };
    let from_list = r.keyed.with_untracked(|k| k.by_id(&id).map(ListedSecret::to_metadata));
    let meta: RwSignal<Option<SecretMetadata>> = RwSignal::new(from_list);
    // What the list holds is not all of a secret (model::secret_list::listed): until the region
    // answers, say that the rest is still to come.
    let read_whole = RwSignal::new(false);
    let versions: RwSignal<Option<Result<Vec<VersionMetadata>, String>>> = RwSignal::new(None);
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let refresh = RwSignal::new(0u32);
    let panel = RwSignal::new(Panel::None);
    let epoch = ctx.token.epoch;
    let now = ctx.now_s;

    {
        let (r, id) = (r.clone(), id.clone());
        // Only the latest read is applied: an older answer arriving late is dropped.
        let seq = StoredValue::new(0u32);
        // Read again when the region becomes usable (a detail opened while it was down fills in
        // by itself); going down keeps what was read rather than replacing it with errors.
        let state = r.signals.state;
        let usable = Memo::new(move |_| state.with(|s| s.is_usable()));
        Effect::new(move |_| {
            refresh.track();
            epoch.track();
            if !usable.get() && versions.with_untracked(|v| matches!(v, Some(Ok(_)))) {
                return;
            }
            seq.update_value(|s| *s = s.wrapping_add(1));
            let mine = seq.get_value();
            let current = move || seq.try_get_value() == Some(mine);
            let Some(api) = r.api() else {
                versions.set(Some(Err("This region has no API configured.".into())));
                return;
            };
            let (r, id) = (r.clone(), id.clone());
            spawn_local(async move {
                let got = api.metadata(&id).await;
                if !current() {
                    return;
                }
                match got {
                    // An answer about another secret is not this one's metadata: never list it.
                    Ok(m) if m.id != id => {
                        let _ = problem.try_set(Some(format!("{} answered with another secret's metadata; nothing was changed.", r.label)));
                    }
                    Ok(m) => {
                        let _ = meta.try_set(Some(m.clone()));
                        let _ = read_whole.try_set(true);
                        let _ = problem.try_set(None);
                        r.upsert_secret(m);
                    }
                    Err(e) => {
                        super::data::TokenPrompt::get().note(&e);
                        if r.forget_if_gone(&e, &id) {
                            let _ = meta.try_set(None);
                        }
                        let msg = explain(&e, Action::Read, &r.label);
                        // The versions cannot be read either: say so instead of "Loading…" forever.
                        let _ = versions.try_set(Some(Err(if r.signals.state.get_untracked().is_usable() {
                            "The versions were not read because the secret could not be.".to_string()
                        } else {
                            format!("{} is not usable now: the versions cannot be read until it is back.", r.label)
                        })));
                        let _ = problem.try_set(Some(msg));
                        return;
                    }
                }
                let v = api.versions(&id).await.map(|l| l.versions.items).map_err(|e| explain(&e, Action::Read, &r.label));
                if current() {
                    let _ = versions.try_set(Some(v));
                }
            });
        });
    }

    // "Back" returns to the list view the user came from, as they left it.
    let views = Views::get();
    let back_view = views.as_ref().map(|v| v.last.get_untracked()).filter(|v| !v.is_empty()).unwrap_or_else(|| region.clone());
    // Once the secret is deleted, a list that shows it no more than as a comparison (cross) is
    // not where the user can see the result: its region's list is.
    let after_delete = if back_view == region || back_view == "all" { back_view.clone() } else { region.clone() };
    let back = {
        let (views, v) = (views.clone(), back_view.clone());
        move || views.as_ref().map(|x| x.href(&v)).unwrap_or_else(|| format!("#/secrets/{v}"))
    };
    let back_label = match back_view.as_str() {
        "all" => "← All regions".to_string(),
        "cross" => "← Cross-region".to_string(),
        v => format!("← Secrets in {}", ctx.region(v).map(|x| x.label).unwrap_or_else(|| r.label.clone())),
    };
    // The version whose value the person asked to read (previous versions keep theirs).
    let version_value: RwSignal<Option<String>> = RwSignal::new(None);
    let (r_ver, id_ver) = (r.clone(), id.clone());
    let r_view = r.clone();
    let id2 = id.clone();
    // What the body is built from: the secret's identity only. Refreshed metadata (after an edit,
    // a rotation, a new token) or re-read groups update the rows in place; they never rebuild the
    // body, which would empty an open form mid-typing and re-mask a revealed value.
    let identity = Memo::new(move |_| meta.with(|m| m.as_ref().map(|m| (m.id.clone(), m.secret_type.as_str().to_string()))));
    // Opened (by a link, a reload or a click), the secret is brought to the top of the window
    // once its data is in: the region panels above it grow as they load.
    let article = NodeRef::<leptos::html::Article>::new();
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        if identity.with(Option::is_none) {
            return false;
        }
        request_animation_frame(move || {
            if let Some(el) = article.get_untracked() {
                el.scroll_into_view();
            }
        });
        true
    });
    let body = move || {
        let after_delete = after_delete.clone();
        let Some((sid, sty)) = identity.get() else {
            return view! { <p class="note" role="status">{move || if problem.with(|p| p.is_none()) { "Loading…" } else { "" }}</p> }.into_any();
        };
        let r = r_view.clone();
        let label_partial = r.label.clone();
        let rows = {
            let r = r.clone();
            move || meta.with(|m| m.as_ref().map(|m| meta_rows(m, r.group_name(&m.secret_group_id), now.get())))
        };
        let name = move || meta.with(|m| m.as_ref().map(|m| m.name.clone()).unwrap_or_default());
        let custom = move || {
            meta.with(|m| {
                m.as_ref()
                    .and_then(|m| m.custom_metadata.as_ref())
                    .filter(|c| !c.is_empty())
                    .and_then(|c| serde_json::to_string_pretty(c).ok())
                    .map(|c| view! { <h3>"Custom metadata"</h3><pre class="custom">{c}</pre> })
            })
        };
        let block = {
            let r = r.clone();
            move || r.write_block()
        };
        let b2 = block.clone();
        let b3 = block.clone();
        // An edit starts from the whole secret: the list holds no custom metadata, and a form
        // opened from it would show that field empty and could overwrite it.
        let edit_block = {
            let label = r.label.clone();
            let block = block.clone();
            move || block().or_else(|| (!read_whole.get()).then(|| format!("Waiting for {label} to send the whole secret before it can be edited.")))
        };
        let (r_edit, r_rot, r_del) = (r.clone(), r.clone(), r.clone());
        let after_delete = after_delete.clone();
        let tab = move |p: Panel, text: &'static str, action: &'static str, block: Box<dyn Fn() -> Option<String> + Send + Sync>| {
            let b = std::sync::Arc::new(block);
            let b1 = b.clone();
            view! {
                <button type="button" data-action=action aria-expanded=move || (panel.get() == p).to_string()
                    disabled=move || b().is_some() title=move || b1().unwrap_or_default()
                    on:click=move |_| panel.update(|x| *x = if *x == p { Panel::None } else { p })>{text}</button>
            }
        };
        // A form opens with the metadata of the moment it opened and is rebuilt only when another
        // panel is chosen.
        let open_panel = move || {
            let Some(m) = meta.get_untracked() else { return ().into_any() };
            match panel.get() {
                Panel::Edit => view! { <EditMetadata region=r_edit.clone() meta=m on_done=move |m| { meta.set(Some(m)); panel.set(Panel::None); } on_cancel=move || panel.set(Panel::None) /> }.into_any(),
                Panel::Rotate => view! { <Rotate region=r_rot.clone() meta=m on_done=move || { panel.set(Panel::None); refresh.update(|x| *x += 1); } on_cancel=move || panel.set(Panel::None) /> }.into_any(),
                Panel::Delete => view! { <DeleteSecret region=r_del.clone() meta=m on_cancel=move || panel.set(Panel::None) back_to=after_delete.clone() /> }.into_any(),
                Panel::None => ().into_any(),
            }
        };
        view! {
            <h3 class="detail-name"><bdi>{name}</bdi> <span class="region-id">{format!("in {}", r.label)}</span></h3>
            <div class="actions">
                {tab(Panel::Edit, "Edit metadata", "edit", Box::new(edit_block))}
                {tab(Panel::Rotate, "Rotate", "rotate", Box::new(b2))}
                {tab(Panel::Delete, "Delete…", "delete", Box::new(b3))}
            </div>
            {move || r.write_block().map(|b| view! { <p class="write-block" role="note">{b}</p> })}
            {open_panel}
            <dl class="meta" data-secret-detail=sid.clone()>{rows}</dl>
            {move || (!read_whole.get()).then(|| view! {
                <p class="note" role="status" data-detail-partial="">
                    {format!("Shown from the list. The CRN, the creator, the last read, locks, TTL, custom metadata and certificate or credential details are read from {} when it answers.", label_partial.clone())}
                </p>
            })}
            {custom}
            // Reading the value changes "last read"; show it.
            <SecretValue region=r_view.clone() id=sid.clone() secret_type=sty on_read=move || refresh.update(|x| *x += 1) />
            <LocksPanel region=r_view.clone() id=sid on_change=move |_| refresh.update(|x| *x += 1) />
        }
        .into_any()
    };
    view! {
        <article node_ref=article class="detail" aria-label="Secret detail" data-region-of=region.clone() data-detail-id=id2>
            <p><a href=back data-action="back">{back_label}</a></p>
            {move || problem.get().map(|p| view! { <p class="error" role="alert">{p}</p> })}
            {body}
            <h3>"Versions"</h3>
            {move || match versions.get() {
                None => view! { <p class="note">"Loading versions…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e}</p> }.into_any(),
                Some(Ok(v)) => versions_table(&v, version_value),
            }}
            {move || version_value.get().map(|v| {
                let ty = meta.with_untracked(|m| m.as_ref().map(|m| m.secret_type.as_str().to_string())).unwrap_or_default();
                let (key, title) = (v.clone(), format!("Version {v}"));
                view! {
                    <section class="version-value" data-version-value=key>
                        <h4>{title}</h4>
                        <SecretValue region=r_ver.clone() id=id_ver.clone() secret_type=ty version=v />
                    </section>
                }
            })}
        </article>
    }
    .into_any()
}
