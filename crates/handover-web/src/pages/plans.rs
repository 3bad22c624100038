//! Plans: the list, a plan as a checklist by phase, and closing a task with evidence.

use super::{forbid_viewers_of_own_plan, href, person_cell, render, save, Cell, Chrome, ListPage, Table};
use crate::auth::Auth;
use crate::error::{WebError, WebResult};
use crate::state::{blocking, AppState, View};
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{Html, Redirect};
use handover_core::{Kind, Plan, Record, TaskStatus, UserRole};
use std::sync::Arc;

/// Evidence files are kept in the plan as text; anything larger belongs in a document
/// system, linked from the evidence.
const MAX_EVIDENCE_BYTES: usize = 64 * 1024;

fn plan_of<'v>(view: &'v View, key: &str) -> WebResult<&'v Plan> {
    match view.inv().get(Kind::Plan, key) {
        Some(Record::Plan(p)) => Ok(p),
        _ => Err(WebError::not_found(format!("there is no plan {key:?}"))),
    }
}

pub async fn list(State(state): State<Arc<AppState>>, auth: Auth) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let rows = view
            .inv()
            .plans()
            // Nobody sees their own departure plan, not even in the list.
            .filter(|p| view.inv().person(&p.person).is_none_or(|person| !auth.is_person(person)))
            .map(|p| {
                let closed = p.tasks.iter().filter(|t| t.status != TaskStatus::Open).count();
                vec![
                    Cell::link(&p.key, href(Kind::Plan, &p.key)),
                    person_cell(&view, &p.person),
                    Cell::text(p.mode).class(if p.mode == handover_core::PlanMode::Hostile { "high" } else { "neutral" }),
                    Cell::text(p.leaving_at),
                    Cell::text(format!("{closed} of {}", p.tasks.len())),
                ]
            })
            .collect();
        render(&ListPage {
            chrome: Chrome::for_view(&auth, "Plans", "/plans", &view),
            heading: "Departure plans".into(),
            intro: "Create a plan from a person's page.".into(),
            filters: vec![],
            table: Table::new(&["plan", "person", "mode", "leaving at", "closed"], rows, "No plans yet.").html(),
            pager: String::new(),
            after: String::new(),
        })
    })
    .await
}

pub struct TaskRow {
    number: usize,
    title: String,
    status: &'static str,
    overdue: bool,
    due: String,
    assignee: String,
    targets: String,
    why: String,
    evidence_required: String,
    rollback: String,
    evidence: String,
    closed: String,
    message: String,
}

pub struct Phase {
    kind: &'static str,
    title: &'static str,
    done: usize,
    tasks: Vec<TaskRow>,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    chrome: Chrome,
    key: String,
    heading: String,
    mode: String,
    mode_tone: &'static str,
    done: usize,
    total: usize,
    phases: Vec<Phase>,
    can_edit: bool,
}

pub async fn show(State(state): State<Arc<AppState>>, auth: Auth, Path(key): Path<String>) -> WebResult<Html<String>> {
    blocking(&state, move |s| {
        let view = s.view()?;
        let plan = plan_of(&view, &key)?;
        forbid_viewers_of_own_plan(&auth, &view, &plan.person)?;
        let now = jiff::Zoned::now().datetime();
        let name = |k: &str| view.inv().person(k).map_or_else(|| k.to_string(), |p| p.name.clone());
        let mut phases: Vec<Phase> = Vec::new();
        for (i, t) in plan.tasks.iter().enumerate() {
            let kind = t.kind;
            if phases.last().is_none_or(|p| p.kind != kind.as_str()) {
                phases.push(Phase { kind: kind.as_str(), title: kind.phase_title(), done: 0, tasks: Vec::new() });
            }
            let phase = phases.last_mut().expect("pushed above");
            if t.status != TaskStatus::Open {
                phase.done += 1;
            }
            phase.tasks.push(TaskRow {
                number: i + 1,
                title: t.title.clone(),
                status: t.status.as_str(),
                overdue: t.status == TaskStatus::Open && t.due < now,
                due: t.due.to_string(),
                assignee: t.assignee.as_deref().map_or_else(|| "unassigned".to_string(), name),
                targets: t.targets.join(", "),
                why: t.why.clone().unwrap_or_default(),
                evidence_required: t.evidence_required.clone(),
                rollback: t.rollback.clone().unwrap_or_default(),
                evidence: t.evidence.clone().unwrap_or_default(),
                message: t.message.clone().unwrap_or_default(),
                closed: format!("{} by {} at {}", t.status, t.closed_by.as_deref().unwrap_or("?"), t.closed_at.as_deref().unwrap_or("?")),
            });
        }
        let done = plan.tasks.iter().filter(|t| t.status != TaskStatus::Open).count();
        render(&PlanPage {
            chrome: Chrome::for_view(&auth, format!("Plan {key}"), "/plans", &view),
            key: key.clone(),
            heading: format!("Departure of {}", name(&plan.person)),
            mode: plan.mode.to_string(),
            mode_tone: if plan.mode == handover_core::PlanMode::Hostile { "high" } else { "neutral" },
            done,
            total: plan.tasks.len(),
            phases,
            can_edit: auth.role.allows(UserRole::Editor),
        })
    })
    .await
}

pub async fn close_task(
    State(state): State<Arc<AppState>>,
    auth: Auth,
    Path((key, number)): Path<(String, String)>,
    mut form: Multipart,
) -> WebResult<Redirect> {
    let mut csrf = String::new();
    let mut evidence = String::new();
    let mut status = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = form.next_field().await.map_err(|e| WebError::invalid(format!("the form could not be read: {e}")))? {
        let name = field.name().unwrap_or("").to_string();
        let filename = field.file_name().map(str::to_string);
        let bytes = field.bytes().await.map_err(|e| WebError::invalid(format!("the form could not be read: {e}")))?;
        match name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "evidence" => evidence = String::from_utf8_lossy(&bytes).into_owned(),
            "status" => status = String::from_utf8_lossy(&bytes).into_owned(),
            "evidence_file" if !bytes.is_empty() => file = Some((filename.unwrap_or_else(|| "evidence".into()), bytes.to_vec())),
            _ => {}
        }
    }
    auth.check_csrf(Some(&csrf))?;
    auth.require(UserRole::Editor)?;
    if let Some((name, bytes)) = file {
        if bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(WebError::invalid(format!(
                "{name} is {} KiB; attach at most 64 KiB, or link to the document in the evidence text",
                bytes.len() / 1024
            )));
        }
        let text = String::from_utf8(bytes).map_err(|_| WebError::invalid(format!("{name} is not text; link to it instead")))?;
        evidence = format!("{}\n--- {name} ---\n{text}", evidence.trim()).trim().to_string();
    }
    let status = match status.as_str() {
        "skipped" => TaskStatus::Skipped,
        _ => TaskStatus::Done,
    };
    let target = key.clone();
    blocking(&state, move |s| close_task_blocking(s, &auth, &key, &number, status, &evidence).map(|_| ())).await?;
    Ok(Redirect::to(&href(Kind::Plan, &target)))
}

/// Closes a task as the signed-in user (also used by the API).
pub fn close_task_blocking(s: &AppState, auth: &Auth, key: &str, task: &str, status: TaskStatus, text: &str) -> WebResult<Plan> {
    let view = s.view()?;
    let mut plan = plan_of(&view, key)?.clone();
    forbid_viewers_of_own_plan(auth, &view, &plan.person)?;
    handover_plan::close_task(&mut plan, task, status, text, &auth.actor(), jiff::Timestamp::now())
        .map_err(|e| WebError::new(e.code, e.message))?;
    save(s, auth, &view, Record::from(plan.clone()))?;
    Ok(plan)
}
