//! Imports: upload a source's file, preview what would change, confirm.
//!
//! The upload is parsed and reconciled at once and kept in memory (for its uploader, for
//! thirty minutes) until confirmed; confirming reconciles it again against the store as it
//! is then, so a change made in between is neither lost nor overwritten.

use super::{href, render, Cell, Chrome, ListPage, Table};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState};
use axum::extract::{Multipart, State};
use axum::response::{Html, Redirect};
use axum::Form;
use handover_core::{ErrorCode, Kind, UserRole};
use handover_import::files::FileSource;
use handover_import::reconcile::{reconcile, Reconciled, Summary};
use handover_report::escape_html;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Uploads larger than this are refused; use the command line for bigger exports.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;
const PENDING_FOR: Duration = Duration::from_secs(30 * 60);

/// An upload waiting for confirmation.
pub struct Pending {
    pub id: String,
    pub email: String,
    pub source: FileSource,
    pub system: String,
    pub files: Vec<(String, Vec<u8>)>,
    pub at: Instant,
}

pub async fn form(State(state): State<Arc<AppState>>, auth: Auth) -> WebResult<Html<String>> {
    auth.require(UserRole::Editor)?;
    blocking(&state, move |s| {
        let view = s.view()?;
        let sources: String = FileSource::ALL
            .iter()
            .map(|f| format!("<option value=\"{}\">{} — {}</option>", f.as_str(), f.as_str(), escape_html(f.describe())))
            .collect();
        let systems: String =
            view.inv().systems().map(|sys| format!("<option value=\"{}\">{}</option>", escape_html(&sys.key), escape_html(&sys.name))).collect();
        let after = format!(
            r#"<form class="import" method="post" action="/imports/preview" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="{csrf}">
<fieldset><legend>Upload an export</legend>
<label for="source">Source</label><select id="source" name="source">{sources}</select>
<label for="system">Into system (its accounts and grants are replaced by the file's)</label><select id="system" name="system">{systems}</select>
<label for="file">File</label><input id="file" name="file" type="file" required>
<label for="file2">Second file (AWS credential report, or more Kubernetes YAML)</label><input id="file2" name="file2" type="file">
<button type="submit">Preview</button>
</fieldset></form>"#,
            csrf = escape_html(&auth.csrf())
        );
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "Imports", "/imports", &view),
            heading: "Import access".into(),
            intro: "Nothing changes until you confirm the preview. Live sources (LDAP, Linux hosts) are imported with the command line.".into(),
            filters: vec![],
            table: String::new(),
            pager: String::new(),
            after,
        })
    })
    .await
}

pub async fn preview(State(state): State<Arc<AppState>>, auth: Auth, mut form: Multipart) -> WebResult<Html<String>> {
    let (mut csrf, mut source, mut system, mut files) = (String::new(), String::new(), String::new(), Vec::new());
    let mut total = 0usize;
    while let Some(field) = form.next_field().await.map_err(|e| WebError::invalid(format!("the upload could not be read: {e}")))? {
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| WebError::invalid(format!("the upload could not be read: {e}")))?;
        total += bytes.len();
        if total > MAX_UPLOAD_BYTES {
            return Err(WebError::invalid("the upload is over 64 MiB; import it with the command line"));
        }
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "source" => source = String::from_utf8_lossy(&bytes).into_owned(),
            "system" => system = String::from_utf8_lossy(&bytes).into_owned(),
            "file" | "file2" if !bytes.is_empty() => files.push((filename.unwrap_or_else(|| name.clone()), bytes.to_vec())),
            _ => {}
        }
    }
    auth.check_csrf(Some(&csrf))?;
    auth.require(UserRole::Editor)?;
    let source = FileSource::parse(&source).ok_or_else(|| WebError::invalid(format!("there is no source {source:?}")))?;
    if files.is_empty() {
        return Err(WebError::new(ErrorCode::MissingField, "choose a file to upload"));
    }
    blocking(&state, move |s| {
        let view = s.view()?;
        let (summary, changes) = dry_run(s, source, &system, &files)?;
        let id = crate::auth::random_token();
        let pending = Pending { id: id.clone(), email: auth.user.email.clone(), source, system: system.clone(), files, at: Instant::now() };
        s.keep_pending(pending);
        let rows = changes.iter().take(500).map(|line| vec![Cell::text(line)]).collect();
        let warnings: String = summary.warnings.iter().map(|w| format!("<li>{}</li>", escape_html(w))).collect();
        let after = format!(
            r#"{warnings_html}<form method="post" action="/imports/confirm">
<input type="hidden" name="csrf" value="{csrf}"><input type="hidden" name="id" value="{id}">
<button type="submit">Import {added} added, {changed} changed, {removed} removed</button> <a href="/imports">Cancel</a>
</form>"#,
            warnings_html = if warnings.is_empty() { String::new() } else { format!("<h2>Warnings</h2><ul>{warnings}</ul>") },
            csrf = escape_html(&auth.csrf()),
            added = summary.changes.added,
            changed = summary.changes.changed,
            removed = summary.changes.removed,
        );
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "Import preview", "/imports", &view),
            heading: format!("Preview: {} into {}", source.as_str(), system),
            intro: format!(
                "{} accounts ({} linked to people, {} unlinked), {} groups, {} grants. The changes:",
                summary.accounts, summary.people_linked, summary.unlinked, summary.groups, summary.grants
            ),
            filters: vec![],
            table: Table::new(&["change"], rows, "Nothing would change: the store already holds exactly this.").html(),
            pager: if changes.len() > 500 { format!("<span>Showing 500 of {} changes.</span>", changes.len()) } else { String::new() },
            after,
        })
    })
    .await
}

/// Parses and reconciles against `view`; refuses an import that would leave the
/// inventory invalid.
fn reconciled(view: &crate::state::View, source: FileSource, system: &str, files: &[(String, Vec<u8>)]) -> WebResult<Reconciled> {
    if view.inv().system(system).is_none() {
        return Err(WebError::not_found(format!("there is no system {system:?}; add it first")));
    }
    let imported =
        handover_import::files::parse(source, system, files, view.today).map_err(|e| WebError::new(ErrorCode::InvalidSyntax, e))?;
    let r = reconcile(view.inv(), system, imported);
    if let Some(p) = r.target.validate().into_iter().next() {
        return Err(WebError::new(p.code, format!("the import would leave the inventory invalid; nothing was changed: {p}")));
    }
    Ok(r)
}

/// What an import would do, without writing: the summary and one line per change.
pub fn dry_run(s: &AppState, source: FileSource, system: &str, files: &[(String, Vec<u8>)]) -> WebResult<(Summary, Vec<String>)> {
    let r = reconciled(&*s.view()?, source, system, files)?;
    Ok((r.summary, r.changes.changes.iter().map(|c| c.describe()).collect()))
}

/// Imports against the store as it is now, in one transaction, as the user.
pub fn apply(s: &AppState, auth: &Auth, source: FileSource, system: &str, files: &[(String, Vec<u8>)]) -> WebResult<Summary> {
    let r = reconciled(&*s.view()?, source, system, files)?;
    if !r.changes.is_empty() {
        s.with_store(|st| Ok(st.apply(&r.changes, &auth.actor()).map(|_| ())?))?;
    }
    Ok(r.summary)
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    id: String,
}

pub async fn confirm(State(state): State<Arc<AppState>>, auth: Auth, Form(form): Form<ConfirmForm>) -> WebResult<Redirect> {
    auth.check_csrf(Some(&form.csrf))?;
    auth.require(UserRole::Editor)?;
    let system = blocking(&state, move |s| {
        let pending = s
            .take_pending(&form.id, &auth.user.email)
            .ok_or_else(|| WebError::not_found("this preview has expired or was already imported; upload the file again"))?;
        apply(s, &auth, pending.source, &pending.system, &pending.files)?;
        Ok(pending.system)
    })
    .await?;
    Ok(Redirect::to(&href(Kind::System, &system)))
}

impl AppState {
    fn keep_pending(&self, p: Pending) {
        if let Ok(mut all) = self.pending.lock() {
            all.retain(|q| q.at.elapsed() < PENDING_FOR && q.email != p.email);
            all.push(p);
        }
    }

    fn take_pending(&self, id: &str, email: &str) -> Option<Pending> {
        let mut all = self.pending.lock().ok()?;
        all.retain(|q| q.at.elapsed() < PENDING_FOR);
        let at = all.iter().position(|q| crate::auth::same(&q.id, id) && q.email == email)?;
        Some(all.swap_remove(at))
    }
}
