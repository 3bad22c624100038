//! Sources of records. Each module parses bytes into canonical records with no database
//! and no other IO; the caller reconciles them with the store through a `ChangeSet`.
//!
//! - [`orgfile`]: handover's own declarative inventory (YAML), read by `apply` and written
//!   by `export`.
//! - [`yaml`]: the YAML reader underneath, which remembers where every value came from so
//!   that errors name `file:line:column`.
#![forbid(unsafe_code)]

pub mod orgfile;
pub mod yaml;

pub use orgfile::{Diagnostic, Location, OrgFile};
