//! Stable error codes and the validation problem type.
//!
//! Every user-facing error in handover has a code that never changes meaning, so scripts
//! and the API can match on it. The full table lives in `docs/errors.md`.

use crate::Kind;
use std::fmt;

/// A stable, documented error code. The string form (`as_str`) is the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    /// The file is not well-formed YAML/JSON.
    InvalidSyntax,
    /// A field has the wrong type or an impossible value.
    InvalidField,
    /// A field that the record kind does not have (typo, or a secret pasted in the wrong place).
    UnknownField,
    /// A required field is absent or empty.
    MissingField,
    /// A key is not a valid slug.
    InvalidKey,
    /// Two records of one kind share a key.
    DuplicateKey,
    /// Two people share an email address.
    DuplicateEmail,
    /// A reference names a record that does not exist.
    DanglingReference,
    /// The named record does not exist.
    RecordNotFound,
    /// The record cannot be removed because others refer to it.
    RecordInUse,
    /// The store changed between reading and writing; nothing was written.
    Conflict,
    /// The event log's hash chain does not verify.
    LogChainBroken,
    /// The database could not be opened, migrated or written.
    Storage,
    /// A live source (an LDAP server, a database) could not be reached or refused us.
    Source,
    /// The request has no valid session or API token.
    Unauthenticated,
    /// The user's role does not allow this, or the request's CSRF token is missing or wrong.
    Forbidden,
    /// Too many failed logins from one address or for one account; wait and retry.
    RateLimited,
    /// The command needs a setting that `handover.toml` does not have (e.g. `[smtp]`).
    NotConfigured,
    /// The mail server could not be reached, refused the credentials or refused a message.
    Mail,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::InvalidSyntax,
        ErrorCode::InvalidField,
        ErrorCode::UnknownField,
        ErrorCode::MissingField,
        ErrorCode::InvalidKey,
        ErrorCode::DuplicateKey,
        ErrorCode::DuplicateEmail,
        ErrorCode::DanglingReference,
        ErrorCode::RecordNotFound,
        ErrorCode::RecordInUse,
        ErrorCode::Conflict,
        ErrorCode::LogChainBroken,
        ErrorCode::Storage,
        ErrorCode::Source,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::RateLimited,
        ErrorCode::NotConfigured,
        ErrorCode::Mail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidSyntax => "invalid_syntax",
            ErrorCode::InvalidField => "invalid_field",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::MissingField => "missing_field",
            ErrorCode::InvalidKey => "invalid_key",
            ErrorCode::DuplicateKey => "duplicate_key",
            ErrorCode::DuplicateEmail => "duplicate_email",
            ErrorCode::DanglingReference => "dangling_reference",
            ErrorCode::RecordNotFound => "record_not_found",
            ErrorCode::RecordInUse => "record_in_use",
            ErrorCode::Conflict => "conflict",
            ErrorCode::LogChainBroken => "log_chain_broken",
            ErrorCode::Storage => "storage_error",
            ErrorCode::Source => "source_error",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::NotConfigured => "not_configured",
            ErrorCode::Mail => "mail_error",
        }
    }

    /// The HTTP status the web API will answer with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::RecordNotFound => 404,
            ErrorCode::Conflict | ErrorCode::RecordInUse | ErrorCode::DuplicateKey | ErrorCode::DuplicateEmail => 409,
            ErrorCode::LogChainBroken | ErrorCode::Storage => 500,
            ErrorCode::Source | ErrorCode::Mail => 502,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::RateLimited => 429,
            _ => 422,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with one field of one record.
///
/// `field` is a dotted path inside the record (`owner`, `docs[1].last_reviewed`), so that a
/// file parser can turn it into `file:line:column`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub code: ErrorCode,
    pub kind: Kind,
    pub key: String,
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(code: ErrorCode, kind: Kind, key: impl Into<String>, field: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { code, kind, key: key.into(), field: field.into(), message: message.into() }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.kind, self.key)?;
        if !self.field.is_empty() {
            write!(f, ", field `{}`", self.field)?;
        }
        write!(f, ": {} [{}]", self.message, self.code)
    }
}

impl std::error::Error for Problem {}
