//! Sources of records. Each module parses bytes into canonical records with no database
//! and no other IO; the caller reconciles them with the store through a `ChangeSet`.
//!
//! - [`orgfile`]: handover's own declarative inventory (YAML), read by `apply` and written
//!   by `export`.
//! - [`yaml`]: the YAML reader underneath, which remembers where every value came from so
//!   that errors name `file:line:column`.
//! - [`ldif`] → [`directory`]: LDIF files (and, next, live LDAP) to the accounts, groups and
//!   grants of one system.
//! - [`scim`], [`linux`], [`aws_iam`], [`k8s_rbac`], [`github`], [`vendor_csv`]: one module
//!   per identity source, each `bytes → Imported` with no IO (docs/import.md).
//! - [`live_scim`] → [`scim`]: a live SCIM 2.0 endpoint's Users and Groups, paged, with a
//!   bearer token.
//! - [`live_postgres`] → [`pg_access`]: a live PostgreSQL server's roles, memberships and
//!   database/schema/table privileges (read from `pg_catalog`, no superuser needed).
//! - [`files`]: every file source behind one name, for uploads (web UI and API).
//! - [`reconcile`]: one system's imported access → the store's next state, with identity
//!   resolution, vanished accounts kept as `removed`, and the import summary.
#![forbid(unsafe_code)]

pub mod aws_iam;
pub mod directory;
pub mod error;
pub mod files;
pub mod github;
pub mod k8s_rbac;
pub mod ldif;
pub mod linux;
#[cfg(feature = "live")]
pub mod live_ldap;
#[cfg(feature = "live")]
pub mod live_postgres;
#[cfg(feature = "live")]
pub mod live_scim;
pub mod orgfile;
pub mod pg_access;
pub mod reconcile;
pub mod scim;
pub mod vendor_csv;
pub mod yaml;

pub use orgfile::{Diagnostic, Location, OrgFile};
