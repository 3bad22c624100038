//! The error of a file parser: which file, where in it, what is wrong.

use std::fmt;

/// `FILE:AT: MESSAGE`, where `AT` is `line:column` for a syntax error, or the place in the
/// document (a JSON path such as `UserDetailList[3].UserName`, a resource's position, a
/// report's `line N, column NAME`) for a wrong or missing value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocatedError {
    pub file: String,
    pub at: String,
    pub message: String,
}

impl fmt::Display for LocatedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.at, self.message)
    }
}

impl std::error::Error for LocatedError {}
