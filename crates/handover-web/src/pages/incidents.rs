//! Incidents: the list, an incident's timeline, and for editors the steps of
//! `handover incident`: open, log a note / decision / action, close with a summary.

use super::drills::acting_person;
use super::{href, path_escape, person_cell, render, save, Cell, Chrome, ListPage, RecordPage, Table};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState, View};
use axum::extract::{Path, State};
use axum::response::{Html, Redirect};
use axum::Form;
use handover_core::{EntryKind, Incident, IncidentStatus, Kind, Record, UserRole};
use handover_governance::incident;
use handover_report::escape_html;
use jiff::civil::DateTime;
use serde::Deserialize;
use std::sync::Arc;

fn incident_of(view: &View, key: &str) -> WebResult<Incident> {
    match view.inv().get(Kind::Incident, key) {
        Some(Record::Incident(i)) => Ok((**i).clone()),
        _ => Err(WebError::not_found(format!("there is no incident {key:?}"))),
    }
}

/// When an entry happened: as given (`YYYY-MM-DDTHH:MM`), or now to the minute.
pub fn when(given: &str) -> WebResult<DateTime> {
    match given.trim() {
        "" => {
            let now = jiff::Zoned::now().datetime();
            Ok(now.round(jiff::Unit::Minute).unwrap_or(now))
        }
        t => t.parse().map_err(|_| WebError::invalid(format!("{t:?} is not a local date and time (YYYY-MM-DDTHH:MM)"))),
    }
}

fn name(view: &View, key: &str) -> String {
    view.inv().person(key).map_or_else(|| key.to_string(), |p| p.name.clone())
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let rows = incident::sorted(view.inv())
            .into_iter()
            .map(|i| {
                vec![
                    Cell::link(&i.title, href(Kind::Incident, &i.key)),
                    Cell::text(i.started),
                    Cell::text(i.status).class(if i.status == IncidentStatus::Open { "high" } else { "neutral" }),
                    i.commander.as_deref().map_or_else(|| Cell::text("none named"), |c| person_cell(&view, c)),
                    Cell::text(i.timeline.len()),
                ]
            })
            .collect();
        let mut after = String::new();
        if auth.role.allows(UserRole::Editor) {
            let scenarios: String = handover_governance::drill::Scenario::ALL
                .iter()
                .map(|s| format!("<option value=\"{}\">{}</option>", s.as_str(), s.title()))
                .collect();
            after = format!(
                r#"<section aria-labelledby="h-open"><h2 id="h-open">Open an incident</h2>
<form method="post" action="/incidents" class="incident-open">
<input type="hidden" name="csrf" value="{csrf}">
<label for="key">Key</label><input id="key" name="key" required pattern="[a-z0-9][a-z0-9-]*" placeholder="ransom-2026-11">
<label for="title">Title</label><input id="title" name="title" required>
<label for="scenario">Scenario</label><select id="scenario" name="scenario"><option value="">(none)</option>{scenarios}</select>
<label for="commander">Incident commander (person key)</label><input id="commander" name="commander">
<label for="systems">Systems affected (keys, comma-separated)</label><input id="systems" name="systems">
<label for="by">Opened by (person key; empty: you)</label><input id="by" name="by" value="{me}">
<label for="at">Started (empty: now)</label><input id="at" name="at" type="datetime-local">
<button type="submit">Open</button></form></section>"#,
                csrf = escape_html(&auth.csrf()),
                me = escape_html(auth.user.person.as_deref().unwrap_or("")),
            );
        }
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "Incidents", "/incidents", &view),
            heading: "Incidents".into(),
            intro: "Each incident's timeline — notes, decisions and actions with who and when — kept as it happens, for the post-incident review.".into(),
            filters: vec![],
            table: Table::new(&["incident", "started", "status", "commander", "entries"], rows, "No incidents recorded.").html(),
            pager: String::new(),
            after,
        })
    })
    .await
}

pub async fn show(State(state): State<Arc<AppState>>, auth: Auth, Path(key): Path<String>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let i = incident_of(&view, &key)?;
        let mut facts = vec![("Status".to_string(), i.status.to_string(), None), ("Started".to_string(), i.started.to_string(), None)];
        if let Some(c) = i.closed {
            facts.push(("Closed".into(), c.to_string(), None));
        }
        if let Some(c) = &i.commander {
            facts.push(("Incident commander".into(), name(&view, c), Some(href(Kind::Person, c))));
        }
        if let Some(sc) = &i.scenario {
            facts.push(("Scenario".into(), sc.clone(), None));
        }
        for sys in &i.systems {
            facts.push((
                "System affected".into(),
                view.inv().system(sys).map_or_else(|| sys.clone(), |x| x.name.clone()),
                Some(href(Kind::System, sys)),
            ));
        }
        let rows = i
            .timeline
            .iter()
            .map(|e| {
                vec![
                    Cell::text(e.at),
                    person_cell(&view, &e.by),
                    Cell::text(e.kind).class(if e.kind == EntryKind::Decision { "high" } else { "neutral" }),
                    Cell::text(&e.text),
                ]
            })
            .collect();
        let mut sections = vec![(
            "timeline".to_string(),
            "Timeline".to_string(),
            String::new(),
            Table::new(&["at", "who", "kind", "what"], rows, "No entries.").html(),
        )];
        if auth.role.allows(UserRole::Editor) && i.status == IncidentStatus::Open {
            let action = escape_html(&path_escape(&i.key));
            let csrf = escape_html(&auth.csrf());
            let me = escape_html(auth.user.person.as_deref().unwrap_or(""));
            let kinds: String = EntryKind::ALL.iter().map(|k| format!("<option value=\"{k}\">{k}</option>")).collect();
            sections.push((
                "log".into(),
                "Add to the timeline".into(),
                "Who did or decided it, when — the scribe may log for others.".into(),
                format!(
                    r#"<form method="post" action="/incidents/{action}/entries" class="incident-log">
<input type="hidden" name="csrf" value="{csrf}">
<label for="text">What happened</label><textarea id="text" name="text" rows="2" required></textarea>
<label for="kind">Kind</label><select id="kind" name="kind">{kinds}</select>
<label for="by">By (person key; empty: you)</label><input id="by" name="by" value="{me}">
<label for="at">At (empty: now)</label><input id="at" name="at" type="datetime-local">
<button type="submit">Add</button></form>
<form method="post" action="/incidents/{action}/close" class="incident-close">
<input type="hidden" name="csrf" value="{csrf}">
<label for="summary">Closing summary</label><input id="summary" name="summary" required>
<label for="close-by">By (person key; empty: you)</label><input id="close-by" name="by" value="{me}">
<button type="submit" class="secondary">Close the incident</button></form>"#
                ),
            ));
        }
        render(&RecordPage {
            chrome: Chrome::for_view(&auth, &i.title, "/incidents", &view),
            back_href: "/incidents".into(),
            back_label: "Incidents".into(),
            heading: i.title.clone(),
            badge: i.status.to_string(),
            badge_tone: if i.status == IncidentStatus::Open { "high".into() } else { "neutral".into() },
            facts,
            sections,
        })
    })
    .await
}

/// What opening an incident takes (the API's body).
#[derive(Deserialize)]
pub struct OpenRequest {
    pub key: String,
    pub title: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub commander: String,
    #[serde(default)]
    pub scenario: String,
    #[serde(default)]
    pub systems: Vec<String>,
    #[serde(default)]
    pub at: String,
}

#[derive(Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    csrf: String,
    key: String,
    pub title: String,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub commander: String,
    #[serde(default)]
    pub scenario: String,
    /// Comma-separated keys.
    #[serde(default)]
    pub systems: String,
    #[serde(default)]
    pub at: String,
}

/// Opens an incident (also used by the API).
pub fn open_blocking(s: &AppState, auth: &Auth, r: OpenRequest) -> WebResult<Incident> {
    auth.require(UserRole::Editor)?;
    let view = s.view()?;
    let key = r.key.trim().to_string();
    if view.inv().get(Kind::Incident, &key).is_some() {
        return Err(WebError::new(handover_core::ErrorCode::DuplicateKey, format!("incident {key:?} already exists")));
    }
    let by = acting_person(auth, &view, &r.by)?;
    let i = incident::open(incident::Opening {
        key,
        title: r.title.trim().to_string(),
        by,
        commander: Some(r.commander.trim().to_string()),
        scenario: Some(r.scenario.trim().to_string()),
        systems: r.systems.iter().map(|x| x.trim()).filter(|x| !x.is_empty()).map(str::to_string).collect(),
        at: when(&r.at)?,
    });
    save(s, auth, &view, Record::from(i.clone()))?;
    Ok(i)
}

/// A timeline entry as given: by (empty: the user's person), kind (empty: note), text, at (empty: now).
#[derive(Deserialize, Default)]
pub struct Entry {
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub at: String,
}

/// Adds an entry, or closes with the entry's text as the summary (also used by the API).
pub fn log_blocking(s: &AppState, auth: &Auth, key: &str, e: Entry, close: bool) -> WebResult<Incident> {
    auth.require(UserRole::Editor)?;
    let view = s.view()?;
    let mut i = incident_of(&view, key)?;
    let by = acting_person(auth, &view, &e.by)?;
    let (text, at) = (e.text.as_str(), when(&e.at)?);
    if close {
        incident::close(view.inv(), &mut i, &by, text, at)?;
    } else {
        let kind = match e.kind.trim() {
            "" => EntryKind::Note,
            k => EntryKind::ALL
                .iter()
                .copied()
                .find(|x| x.as_str() == k)
                .ok_or_else(|| WebError::invalid(format!("kind must be note, decision or action, not {k:?}")))?,
        };
        incident::log(view.inv(), &mut i, &by, kind, text, at)?;
    }
    save(s, auth, &view, Record::from(i.clone()))?;
    Ok(i)
}

pub async fn open(State(state): State<Arc<AppState>>, auth: Auth, Form(f): Form<OpenForm>) -> WebResult<Redirect> {
    auth.check_csrf(Some(&f.csrf))?;
    let r = OpenRequest {
        key: f.key,
        title: f.title,
        by: f.by,
        commander: f.commander,
        scenario: f.scenario,
        systems: f.systems.split(',').map(str::to_string).collect(),
        at: f.at,
    };
    let i = blocking(&state, move |s| open_blocking(s, &auth, r)).await?;
    Ok(Redirect::to(&href(Kind::Incident, &i.key)))
}

#[derive(Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    by: String,
    #[serde(default)]
    at: String,
}

pub async fn log(State(state): State<Arc<AppState>>, auth: Auth, Path(key): Path<String>, Form(f): Form<EntryForm>) -> WebResult<Redirect> {
    auth.check_csrf(Some(&f.csrf))?;
    let target = href(Kind::Incident, &key);
    let entry = Entry { by: f.by, kind: f.kind, text: f.text, at: f.at };
    blocking(&state, move |s| log_blocking(s, &auth, &key, entry, false).map(|_| ())).await?;
    Ok(Redirect::to(&target))
}

pub async fn close(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path(key): Path<String>,
    Form(f): Form<EntryForm>,
) -> WebResult<Redirect> {
    auth.check_csrf(Some(&f.csrf))?;
    let target = href(Kind::Incident, &key);
    let entry = Entry { by: f.by, kind: String::new(), text: f.summary, at: f.at };
    blocking(&state, move |s| log_blocking(s, &auth, &key, entry, true).map(|_| ())).await?;
    Ok(Redirect::to(&target))
}
