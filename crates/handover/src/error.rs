//! Errors a user can act on: a stable code, a message that says what to do, and details
//! (one line per problem, each with its `file:line:column` where there is one).

use handover_core::ErrorCode;
use std::fmt;

#[derive(Debug)]
pub struct UserError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<String>,
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)?;
        for d in &self.details {
            write!(f, "\n  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for UserError {}

pub fn user(code: ErrorCode, message: impl Into<String>) -> anyhow::Error {
    UserError { code, message: message.into(), details: Vec::new() }.into()
}

pub fn user_with(code: ErrorCode, message: impl Into<String>, details: Vec<String>) -> anyhow::Error {
    UserError { code, message: message.into(), details }.into()
}

/// Turns any error into what the user sees and the process exit code.
pub fn report(err: &anyhow::Error) -> (String, i32) {
    if let Some(u) = err.downcast_ref::<UserError>() {
        return (u.to_string(), 1);
    }
    if let Some(s) = err.downcast_ref::<handover_store::StoreError>() {
        return (format!("error[{}]: {s}", s.code()), 1);
    }
    (format!("error: {err:#}"), 1)
}
