//! Closing a task of a plan: the one rule set the CLI, the web UI and the API share.

use handover_core::{ErrorCode, Plan, TaskStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloseError {
    pub code: ErrorCode,
    pub message: String,
}

impl std::fmt::Display for CloseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CloseError {}

/// The index of a task named by its number (1-based, as shown) or its id.
pub fn find_task(plan: &Plan, task: &str) -> Option<usize> {
    match task.parse::<usize>() {
        Ok(n) if (1..=plan.tasks.len()).contains(&n) => Some(n - 1),
        _ => plan.tasks.iter().position(|t| t.id == task),
    }
}

/// Marks a task done (with evidence) or skipped (with the reason). Who may close it is the
/// caller's check: the person leaving never may.
pub fn close_task(plan: &mut Plan, task: &str, status: TaskStatus, text: &str, by: &str, at: jiff::Timestamp) -> Result<usize, CloseError> {
    let err = |code, message: String| CloseError { code, message };
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
