//! Writes: create, edit metadata, rotate, delete, groups. Each is validated first (the API's
//! limits, `model::secret_form`), sent once to the region it belongs to and never retried by
//! itself; it is refused up front, with the reason, while that region is not usable.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use sm_contract::SecretMetadata;

use super::data::{RegionData, TokenPrompt};
use super::errors::{explain, field_of, Action};
use super::views::{go_to_list, say, Views};
use crate::api::ApiError;
use crate::model::secret_form::{create_body, group_body, merge_patch, version_body, CreateForm, CreateKind, FieldError, MetaForm};

type Check = Arc<dyn Fn() -> Vec<FieldError> + Send + Sync>;

/// Errors of one form: per field (client or server `target`), plus one general message.
#[derive(Clone, Copy)]
pub struct FormErrors {
    fields: RwSignal<Vec<FieldError>>,
    general: RwSignal<Option<String>>,
    /// Set by the first submit: from then on each field is checked again as it is edited, so an
    /// error goes away as soon as the field is valid (and a new one shows while it is not).
    tried: RwSignal<bool>,
    check: StoredValue<Option<Check>>,
}

impl FormErrors {
    fn new() -> Self {
        FormErrors { fields: RwSignal::new(Vec::new()), general: RwSignal::new(None), tried: RwSignal::new(false), check: StoredValue::new(None) }
    }

    /// The form's client-side validation, run again per edited field after a first submit.
    fn checked_by(self, f: impl Fn() -> Vec<FieldError> + Send + Sync + 'static) -> Self {
        self.check.set_value(Some(Arc::new(f)));
        self
    }

    fn clear(&self) {
        self.fields.set(Vec::new());
        self.general.set(None);
    }

    /// Client validation failed on submit.
    fn invalid(&self, e: Vec<FieldError>) {
        self.tried.set(true);
        self.fields.set(e);
    }

    fn has(&self, field: &str) -> bool {
        self.fields.with(|f| f.iter().any(|e| e.field == field))
    }

    /// `field` was edited: its error (client or server) is replaced by what the client check
    /// says of it now.
    fn recheck(&self, field: &str) {
        if !self.tried.get_untracked() && !self.fields.with_untracked(|f| f.iter().any(|e| e.field == field)) {
            return;
        }
        let now: Vec<FieldError> = match self.check.get_value() {
            Some(c) => c().into_iter().filter(|e| e.field == field).collect(),
            None => Vec::new(),
        };
        self.fields.update(|f| {
            f.retain(|e| e.field != field);
            f.extend(now);
        });
    }

    fn server(&self, e: &ApiError, a: Action, region: &str) {
        TokenPrompt::get().note(e);
        let msg = explain(e, a, region);
        match field_of(e).and_then(|f| FIELDS.iter().find(|k| **k == f).copied()) {
            Some(field) => {
                let _ = self.fields.try_set(vec![FieldError { field, message: msg }]);
            }
            None => {
                let _ = self.general.try_set(Some(msg));
            }
        }
    }

    /// The message next to one input, tied to it by `aria-describedby`.
    fn at(&self, field: &'static str, form: &'static str) -> impl IntoView {
        let fields = self.fields;
        move || {
            fields.with(|f| {
                f.iter().find(|e| e.field == field).map(|e| {
                    view! { <span class="field-error" id=format!("{form}-{field}-err") data-field-error=field role="alert">{e.message.clone()}</span> }
                })
            })
        }
    }

    fn general_view(&self) -> impl IntoView {
        let g = self.general;
        move || g.get().map(|m| view! { <p class="error" role="alert" data-form-error="">{m}</p> })
    }
}

/// Fields a server `target` may name that the forms show.
const FIELDS: [&str; 13] = [
    "name", "description", "labels", "secret_group_id", "expiration_date", "payload", "username", "password", "data",
    "certificate", "private_key", "intermediate", "custom_metadata",
];

fn blocked(region: &RegionData, errors: &FormErrors) -> bool {
    match region.signals.state.with_untracked(|s| s.is_usable()) {
        true => false,
        false => {
            errors.general.set(region.write_block());
            true
        }
    }
}

fn block_note(region: &RegionData) -> impl IntoView {
    let r = region.clone();
    move || r.write_block().map(|b| view! { <p class="write-block" role="note">{b}</p> })
}

fn input_value(ev: &leptos::ev::Event) -> String {
    event_target_value(ev)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Line,
    Secret,
    Date,
    Area,
}

type Setter = Arc<dyn Fn(String) + Send + Sync>;

/// One labelled input with its error slot. Every form field goes through here, so the whole
/// console has one input view type instead of one per field (wasm size).
fn field(label: &str, name: &'static str, kind: Kind, init: String, errors: FormErrors, form: &'static str, set: Setter) -> AnyView {
    let err_id = format!("{form}-{name}-err");
    let invalid = move || errors.has(name).then_some("true");
    let on_input = move |ev: leptos::ev::Event| {
        set(input_value(&ev));
        errors.recheck(name);
    };
    let control = if kind == Kind::Area {
        view! { <textarea data-field=name rows="3" autocomplete="off" aria-describedby=err_id aria-invalid=invalid prop:value=init on:input=on_input></textarea> }.into_any()
    } else {
        let ty = match kind {
            Kind::Secret => "password",
            Kind::Date => "datetime-local",
            _ => "text",
        };
        view! { <input type=ty data-field=name autocomplete="off" aria-describedby=err_id aria-invalid=invalid prop:value=init on:input=on_input /> }.into_any()
    };
    view! { <label>{label.to_string()} {control}</label> {errors.at(name, form)} }.into_any()
}

#[component]
pub fn CreateSecret<F: Fn() + Clone + Send + Sync + 'static>(region: RegionData, on_close: F) -> impl IntoView {
    let views = Views::get();
    let form = RwSignal::new(CreateForm::default());
    let errors = FormErrors::new().checked_by(move || form.with_untracked(create_body).err().unwrap_or_default());
    let busy = RwSignal::new(false);
    let groups = region.groups;
    let r = region.clone();
    let close = on_close.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        if blocked(&r, &errors) {
            return;
        }
        let body = match form.with_untracked(create_body) {
            Ok(b) => b,
            Err(e) => return errors.invalid(e),
        };
        let Some(api) = r.api() else { return };
        let (r, close) = (r.clone(), close.clone());
        busy.set(true);
        let views = views.clone();
        spawn_local(async move {
            match api.create_secret(&body).await {
                Ok(meta) => {
                    say(&views, format!("Created secret “{}” in {}.", meta.name, r.label), Some((r.id.clone(), meta.id.clone())));
                    r.upsert_secret(meta);
                    // The form held the value: drop it with the form.
                    let _ = form.try_set(CreateForm::default());
                    close();
                }
                Err(e) => errors.server(&e, Action::Create, &r.label),
            }
            let _ = busy.try_set(false);
        });
    };
    // The type-specific block is rebuilt only when the type changes (a memo notifies only on a
    // different value), never on a keystroke: a rebuilt input is a new, empty DOM node, which is
    // how typing once stored only the last character. A rebuilt input starts from what the form
    // holds, so switching type and back shows what was typed instead of hiding it.
    let kind = Memo::new(move |_| form.with(|f| f.kind));
    let chosen_group = Memo::new(move |_| form.with(|f| f.group.clone()));
    let set = move |g: fn(&mut CreateForm, String)| -> Setter { Arc::new(move |v| form.update(|x| g(x, v))) };
    let f = move |label: &str, name: &'static str, kind: Kind, get: fn(&CreateForm) -> &String, g: fn(&mut CreateForm, String)| {
        let init = form.with_untracked(|x| get(x).clone());
        field(label, name, kind, init, errors, "create", set(g))
    };
    let block = region.clone();
    view! {
        <form class="manage create-form" on:submit=submit aria-label=format!("Create a secret in {}", region.label) data-form="create">
            <h3>{format!("New secret in {}", region.label)}</h3>
            {block_note(&region)}
            <label>"Type"
                <select data-field="secret_type" on:change=move |ev| form.update(|f| f.kind = CreateKind::parse(&input_value(&ev)).unwrap_or_default())>
                    {CreateKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{k.as_str()}</option> }).collect::<Vec<_>>()}
                </select>
            </label>
            <p class="note" data-create-other-types="">"The other types are issued by the service and need its engines configured first: "
                "IAM and service credentials, and public and private certificates, are created in IBM Cloud's Secrets Manager UI, CLI or API "
                "once the IAM, Cloud Object Storage, public or private certificate engine of this instance is set up; custom credentials need a Code Engine job."</p>
            {f("Name", "name", Kind::Line, |x| &x.name, |x, v| x.name = v)}
            {f("Description", "description", Kind::Line, |x| &x.description, |x, v| x.description = v)}
            <label>"Group"
                <select data-field="secret_group_id" on:change=move |ev| form.update(|x| x.group = input_value(&ev))>
                    <option value="">"default"</option>
                    // Options are rebuilt when the groups are read again: each says whether it is
                    // the chosen one, so a reload never shows one group while the form holds another.
                    {move || groups.get().into_iter().filter(|g| g.id != "default").map(|g| {
                        let id = g.id.clone();
                        view! { <option value=g.id.clone() prop:selected=move || chosen_group.with(|c| *c == id)>{g.name.clone()}</option> }
                    }).collect::<Vec<_>>()}
                </select>
            </label>
            {f("Labels (comma-separated)", "labels", Kind::Line, |x| &x.labels, |x, v| x.labels = v)}
            {move || match kind.get() {
                CreateKind::Arbitrary => vec![
                    f("Expiration (UTC, optional)", "expiration_date", Kind::Date, |x| &x.expiration, |x, v| x.expiration = v),
                    f("Value", "payload", Kind::Area, |x| x.payload.expose(), |x, v| x.payload = v.into()),
                ],
                CreateKind::UsernamePassword => vec![
                    f("Username", "username", Kind::Line, |x| &x.username, |x, v| x.username = v),
                    f("Password (empty: the service generates one)", "password", Kind::Secret, |x| x.password.expose(), |x, v| x.password = v.into()),
                ],
                CreateKind::Kv => vec![f("Data (JSON object)", "data", Kind::Area, |x| x.kv.expose(), |x, v| x.kv = v.into())],
                CreateKind::ImportedCert => vec![
                    f("Certificate (PEM)", "certificate", Kind::Area, |x| &x.certificate, |x, v| x.certificate = v),
                    f("Private key (PEM, optional)", "private_key", Kind::Area, |x| x.private_key.expose(), |x, v| x.private_key = v.into()),
                    f("Intermediate (PEM, optional)", "intermediate", Kind::Area, |x| &x.intermediate, |x, v| x.intermediate = v),
                ],
            }}
            {errors.general_view()}
            <div class="actions">
                <button type="submit" data-action="submit-create" disabled=move || busy.get() || block.write_block().is_some()>"Create"</button>
                <button type="button" on:click=move |_| on_close()>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
pub fn EditMetadata<F: Fn(SecretMetadata) + Clone + Send + Sync + 'static, C: Fn() + Send + Sync + 'static>(
    region: RegionData,
    meta: SecretMetadata,
    on_done: F,
    on_cancel: C,
) -> impl IntoView {
    let views = Views::get();
    let initial = MetaForm::from_secret(&meta);
    let form = RwSignal::new(initial.clone());
    let m0 = meta.clone();
    let errors = FormErrors::new().checked_by(move || form.with_untracked(|f| merge_patch(&m0, f)).err().unwrap_or_default());
    let busy = RwSignal::new(false);
    let note: RwSignal<Option<String>> = RwSignal::new(None);
    let r = region.clone();
    let done = on_done.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        note.set(None);
        if blocked(&r, &errors) {
            return;
        }
        let patch = match form.with_untracked(|f| merge_patch(&meta, f)) {
            Ok(p) if p.is_empty() => return note.set(Some("Nothing changed.".into())),
            Ok(p) => Value::Object(p),
            Err(e) => return errors.invalid(e),
        };
        let (Some(api), r, id, done) = (r.api(), r.clone(), meta.id.clone(), done.clone()) else { return };
        busy.set(true);
        let views = views.clone();
        spawn_local(async move {
            match api.patch_metadata(&id, &patch).await {
                Ok(m) => {
                    say(&views, format!("Saved the changes to “{}” in {}.", m.name, r.label), Some((r.id.clone(), m.id.clone())));
                    r.upsert_secret(m.clone());
                    done(m);
                }
                Err(e) => {
                    r.forget_if_gone(&e, &id);
                    errors.server(&e, Action::Edit, &r.label);
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let set = move |g: fn(&mut MetaForm, String)| -> Setter { Arc::new(move |v| form.update(|x| g(x, v))) };
    let f = move |label: &str, name: &'static str, kind: Kind, init: &str, g: fn(&mut MetaForm, String)| field(label, name, kind, init.to_string(), errors, "edit", set(g));
    let block = region.clone();
    view! {
        <form class="manage" on:submit=submit data-form="edit" aria-label="Edit metadata">
            <h3>"Edit metadata"</h3>
            {block_note(&region)}
            {f("Name", "name", Kind::Line, &initial.name, |x, v| x.name = v)}
            {f("Description", "description", Kind::Line, &initial.description, |x, v| x.description = v)}
            {f("Labels (comma-separated)", "labels", Kind::Line, &initial.labels, |x, v| x.labels = v)}
            {f("Custom metadata (JSON object)", "custom_metadata", Kind::Area, &initial.custom_metadata, |x, v| x.custom_metadata = v)}
            {f("Expiration (UTC)", "expiration_date", Kind::Date, &initial.expiration, |x, v| x.expiration = v)}
            {errors.general_view()}
            {move || note.get().map(|n| view! { <p class="note" role="status">{n}</p> })}
            <div class="actions">
                <button type="submit" data-action="submit-edit" disabled=move || busy.get() || block.write_block().is_some()>"Save changes"</button>
                <button type="button" data-action="cancel-edit" on:click=move |_| on_cancel()>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
pub fn Rotate<F: Fn() + Clone + Send + Sync + 'static, C: Fn() + Send + Sync + 'static>(
    region: RegionData,
    meta: SecretMetadata,
    on_done: F,
    on_cancel: C,
) -> impl IntoView {
    let views = Views::get();
    let ty = meta.secret_type.as_str().to_string();
    let value = RwSignal::new(String::new());
    let t0 = ty.clone();
    let errors = FormErrors::new().checked_by(move || match value.with_untracked(|v| version_body(&t0, v)) {
        Some(Err(e)) => vec![e],
        _ => Vec::new(),
    });
    let busy = RwSignal::new(false);
    let (hint, name): (&str, &'static str) = match ty.as_str() {
        "arbitrary" => ("New value", "payload"),
        "username_password" => ("New password (empty: the service generates one)", "password"),
        "kv" => ("New data (JSON object)", "data"),
        "imported_cert" => ("New certificate (PEM)", "certificate"),
        _ => ("", "payload"),
    };
    let supported = version_body(&ty, "").is_some();
    let r = region.clone();
    let t2 = ty.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        if blocked(&r, &errors) {
            return;
        }
        let body = match value.with_untracked(|v| version_body(&t2, v)) {
            Some(Ok(b)) => b,
            Some(Err(e)) => return errors.invalid(vec![e]),
            None => return,
        };
        let (Some(api), r, id, done, name) = (r.api(), r.clone(), meta.id.clone(), on_done.clone(), meta.name.clone()) else { return };
        busy.set(true);
        let views = views.clone();
        spawn_local(async move {
            match api.new_version(&id, &body).await {
                Ok(()) => {
                    say(&views, format!("Created a new version of “{name}” in {}.", r.label), Some((r.id.clone(), id.clone())));
                    let _ = value.try_set(String::new());
                    done();
                }
                Err(e) => {
                    r.forget_if_gone(&e, &id);
                    errors.server(&e, Action::Rotate, &r.label);
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let block = region.clone();
    view! {
        <form class="manage" on:submit=submit data-form="rotate" aria-label="Rotate: create a new version">
            <h3>"Rotate (new version)"</h3>
            {block_note(&region)}
            {if !supported {
                view! { <p class="note">"The console cannot rotate this type of secret."</p> }.into_any()
            } else if hint.is_empty() {
                view! { <p class="note">"The service generates the new version's data."</p> }.into_any()
            } else {
                field(hint, name, Kind::Area, String::new(), errors, "rotate", Arc::new(move |v| value.set(v)))
            }}
            {errors.general_view()}
            <div class="actions">
                <button type="submit" data-action="submit-rotate" disabled=move || !supported || busy.get() || block.write_block().is_some()>"Create new version"</button>
                <button type="button" data-action="cancel-rotate" on:click=move |_| on_cancel()>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
pub fn DeleteSecret<C: Fn() + Send + Sync + 'static>(
    region: RegionData,
    meta: SecretMetadata,
    on_cancel: C,
    /// The list view to return to once the secret is gone.
    #[prop(into)]
    back_to: String,
) -> impl IntoView {
    let views = Views::get();
    let typed = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let busy = RwSignal::new(false);
    let name = meta.name.clone();
    let r = region.clone();
    let n2 = name.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        if blocked(&r, &errors) || typed.get_untracked() != n2 {
            return;
        }
        let (Some(api), r, id, name, back) = (r.api(), r.clone(), meta.id.clone(), n2.clone(), back_to.clone()) else { return };
        busy.set(true);
        let views = views.clone();
        spawn_local(async move {
            match api.delete_secret(&id).await {
                Ok(()) => {
                    say(&views, format!("Deleted secret “{name}” and all its versions from {}.", r.label), None);
                    r.remove_secret(&id);
                    go_to_list(&views, &back);
                }
                Err(e) => {
                    r.forget_if_gone(&e, &id);
                    errors.server(&e, Action::Delete, &r.label);
                }
            }
            let _ = busy.try_set(false);
        });
    };
    let block = region.clone();
    let n3 = name.clone();
    view! {
        <form class="manage danger" on:submit=submit data-form="delete" aria-label="Delete secret">
            <h3>"Delete"</h3>
            {block_note(&region)}
            {field(&format!("This deletes the secret and all its versions in {}. Type its name, {name}, to confirm:", region.label),
                "confirm-name", Kind::Line, String::new(), errors, "delete", Arc::new(move |v| typed.set(v)))}
            {errors.general_view()}
            <div class="actions">
                <button type="submit" data-action="submit-delete" class="danger"
                    disabled=move || busy.get() || typed.get() != n3 || block.write_block().is_some()>"Delete secret"</button>
                <button type="button" data-action="cancel-delete" on:click=move |_| on_cancel()>"Cancel"</button>
            </div>
        </form>
    }
}

#[component]
pub fn Groups(region: RegionData) -> impl IntoView {
    let views = Views::get();
    let views_for_list = views.clone();
    let name = RwSignal::new(String::new());
    let desc = RwSignal::new(String::new());
    let errors = FormErrors::new().checked_by(move || group_body(&name.get_untracked(), &desc.get_untracked()).err().unwrap_or_default());
    let busy = RwSignal::new(false);
    let r = region.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        if blocked(&r, &errors) {
            return;
        }
        let body = match group_body(&name.get_untracked(), &desc.get_untracked()) {
            Ok(b) => b,
            Err(e) => return errors.invalid(e),
        };
        let (Some(api), r, typed) = (r.api(), r.clone(), name.get_untracked().trim().to_string()) else { return };
        busy.set(true);
        let views = views.clone();
        spawn_local(async move {
            match api.create_group(&body).await {
                Ok(()) => {
                    say(&views, format!("Created group “{typed}” in {}.", r.label), None);
                    r.load_groups();
                }
                Err(e) => errors.server(&e, Action::Group, &r.label),
            }
            let _ = busy.try_set(false);
        });
    };
    let groups = region.groups;
    let r2 = region.clone();
    let block = region.clone();
    let block2 = region.clone();
    let views = views_for_list;
    view! {
        <details class="groups">
            <summary>{format!("Secret groups in {}", region.label)}</summary>
            <ul>
                {move || groups.get().into_iter().map(|g| {
                    let views = views.clone();
                    let (r, gid, b, gname) = (r2.clone(), g.id.clone(), r2.clone(), g.name.clone());
                    let deletable = g.id != "default";
                    view! {
                        <li data-group-id=g.id.clone()>
                            <bdi>{g.name.clone()}</bdi>
                            {g.description.clone().map(|d| view! { <span class="muted">{format!(" — {d}")}</span> })}
                            <Show when=move || deletable>
                                {
                                    let (r, gid, b, gname, views) = (r.clone(), gid.clone(), b.clone(), gname.clone(), views.clone());
                                    view! {
                                        <button type="button" class="small" disabled=move || b.write_block().is_some()
                                            on:click=move |_| {
                                                errors.clear();
                                                if blocked(&r, &errors) { return; }
                                                let (Some(api), r, gid, gname) = (r.api(), r.clone(), gid.clone(), gname.clone()) else { return };
                                                let views = views.clone();
        spawn_local(async move {
                                                    match api.delete_group(&gid).await {
                                                        Ok(()) => {
                                                            say(&views, format!("Deleted group “{gname}” from {}.", r.label), None);
                                                            r.load_groups();
                                                        }
                                                        Err(e) => errors.server(&e, Action::Group, &r.label),
                                                    }
                                                });
                                            }>"Delete group"</button>
                                    }
                                }
                            </Show>
                        </li>
                    }
                }).collect::<Vec<_>>()}
            </ul>
            <form class="manage inline" on:submit=submit data-form="group" aria-label="Create a secret group">
                {block_note(&block2)}
                {field("New group name", "name", Kind::Line, String::new(), errors, "group", Arc::new(move |v| name.set(v)))}
                {field("Description", "description", Kind::Line, String::new(), errors, "group", Arc::new(move |v| desc.set(v)))}
                {errors.general_view()}
                <button type="submit" disabled=move || busy.get() || block.write_block().is_some()>"Create group"</button>
            </form>
        </details>
    }
}
