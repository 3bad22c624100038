//! Creating a plan and closing its tasks: the one rule set the CLI, the web UI and the API
//! share.

use crate::generate::{generate, PlanSpec};
use handover_analysis::Snapshot;
use handover_core::{ErrorCode, Kind, Plan, Record, TaskStatus};

/// A refused plan operation, with the stable code the caller reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    pub code: ErrorCode,
    pub message: String,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PlanError {}

/// The key of the plan for `spec`: the person and the day they leave.
pub fn plan_key(spec: &PlanSpec) -> String {
    format!("{}-{}", spec.person, spec.leaving_at.date())
}

/// Checks `spec` against the organisation and generates its plan; a plan of the same key
/// that exists already is regenerated, keeping what was closed.
pub fn create(snap: &Snapshot, spec: &PlanSpec) -> Result<Plan, PlanError> {
    let err = |code, message: String| PlanError { code, message };
    if snap.person(&spec.person).is_none() {
        return Err(err(ErrorCode::RecordNotFound, format!("there is no person {:?}; `handover person list` shows the keys", spec.person)));
    }
    if spec.owner.as_deref() == Some(spec.person.as_str()) {
        return Err(err(ErrorCode::InvalidField, "the person leaving cannot run their own plan; choose another owner".into()));
    }
    if let Some(o) = spec.owner.as_deref().filter(|o| snap.person(o).is_none()) {
        return Err(err(ErrorCode::RecordNotFound, format!("there is no person {o:?} to own the plan")));
    }
    let key = plan_key(spec);
    let previous = match snap.inv.get(Kind::Plan, &key) {
        Some(Record::Plan(p)) => Some(p.as_ref()),
        _ => None,
    };
    generate(snap, spec, &key, previous).ok_or_else(|| err(ErrorCode::RecordNotFound, format!("there is no person {:?}", spec.person)))
}

/// The index of a task named by its number (1-based, as shown) or its id.
pub fn find_task(plan: &Plan, task: &str) -> Option<usize> {
    match task.parse::<usize>() {
        Ok(n) if (1..=plan.tasks.len()).contains(&n) => Some(n - 1),
        _ => plan.tasks.iter().position(|t| t.id == task),
    }
}

/// Marks a task done (with evidence) or skipped (with the reason). Who may close it is the
/// caller's check: the person leaving never may.
pub fn close_task(plan: &mut Plan, task: &str, status: TaskStatus, text: &str, by: &str, at: jiff::Timestamp) -> Result<usize, PlanError> {
    let err = |code, message: String| PlanError { code, message };
    let index = find_task(plan, task).ok_or_else(|| {
        err(ErrorCode::RecordNotFound, format!("plan {} has no task {task:?}; `handover plan show {}` lists them", plan.key, plan.key))
    })?;
    if status == TaskStatus::Open {
        return Err(err(ErrorCode::InvalidField, "a task is closed as done or skipped".into()));
    }
    if text.trim().is_empty() {
        return Err(err(ErrorCode::MissingField, "give the evidence (or the reason for skipping)".into()));
    }
    let t = &mut plan.tasks[index];
    if t.status != TaskStatus::Open {
        return Err(err(ErrorCode::Conflict, format!("task {} is already {}", index + 1, t.status)));
    }
    t.status = status;
    t.evidence = Some(text.to_string());
    t.closed_by = Some(by.to_string());
    t.closed_at = Some(at.to_string());
    Ok(index)
}
