//! Where records live. The [`Store`] trait is the only way the rest of handover reads or
//! writes durable state; [`SqliteStore`] is the embedded backend. A PostgreSQL backend
//! implements the same trait with its own migrations, and callers do not change.
//!
//! Invariants every backend keeps:
//! - [`Store::apply`] writes a whole [`ChangeSet`] and its events in one transaction, or
//!   nothing; a killed process leaves the store as it was.
//! - Each change checks that the record still is what the caller saw (`before`), so two
//!   writers cannot silently overwrite each other: the loser gets [`StoreError::Conflict`].
//! - Every change appends one event, chained by hash to the previous one.
#![forbid(unsafe_code)]

mod sqlite;

use handover_core::{ChangeSet, ErrorCode, Event, Inventory, Kind, Record};
use std::collections::BTreeMap;

pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{kind} {key:?} {reason}; nothing was written (re-read and try again)")]
    Conflict { kind: Kind, key: String, reason: String },
    #[error("{0}; nothing was written")]
    InUse(String),
    #[error("record {id} in the database is unreadable ({reason}); the file may have been edited by hand")]
    Corrupt { id: i64, reason: String },
    #[error("{0}; nothing was written")]
    Invalid(handover_core::Problem),
    #[error("the database is at schema version {found}, newer than this handover understands ({known}); upgrade handover")]
    NewerSchema { found: i64, known: i64 },
}

impl StoreError {
    pub fn code(&self) -> ErrorCode {
        match self {
            StoreError::Conflict { .. } => ErrorCode::Conflict,
            StoreError::InUse(_) => ErrorCode::RecordInUse,
            StoreError::Invalid(p) => p.code,
            _ => ErrorCode::Storage,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<Kind>,
    pub key: Option<String>,
    /// Keep only the newest `limit` matching events (still returned oldest first).
    pub limit: Option<usize>,
}

/// The outcome of walking the whole event chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogVerification {
    /// Events that verified, in order, before the first broken one (or all of them).
    pub verified: u64,
    /// The hash of the last event, to be written down elsewhere: with it, even truncating
    /// the log is detectable.
    pub head: Option<String>,
    pub first_broken: Option<BrokenEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BrokenEvent {
    pub seq: i64,
    pub kind: String,
    pub key: String,
    pub reason: String,
}

/// What one successful `apply` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub changes: usize,
}

/// The durable store. Methods take `&self` for reads and `&mut self` for writes so a
/// backend may hold a single connection.
pub trait Store {
    /// Every record, as one in-memory inventory.
    fn load(&self) -> Result<Inventory>;
    /// Records of one kind, in key order.
    fn list(&self, kind: Kind) -> Result<Vec<Record>>;
    fn get(&self, kind: Kind, key: &str) -> Result<Option<Record>>;
    /// Number of records per kind (kinds with none are absent).
    fn counts(&self) -> Result<BTreeMap<Kind, u64>>;
    /// Writes every change and its event, in one transaction.
    fn apply(&mut self, changes: &ChangeSet, actor: &str) -> Result<Applied>;
    /// Creates a stream of new records, each with its event, in one transaction, holding
    /// only what references need in memory: the bulk path for generated or very large
    /// inventories. Each record is checked on its own and every reference must resolve
    /// (to a record already stored or streamed, in any order); uniqueness across records
    /// beyond keys (emails) is the producer's responsibility.
    fn create_all(&mut self, records: &mut dyn Iterator<Item = Record>, actor: &str) -> Result<Applied>;
    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>>;
    fn verify_log(&self) -> Result<LogVerification>;
    fn meta(&self, name: &str) -> Result<Option<String>>;
    fn set_meta(&mut self, name: &str, value: &str) -> Result<()>;
}
