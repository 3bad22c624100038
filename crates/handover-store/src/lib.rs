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

pub mod backup;
mod sqlite;

use handover_core::{Action, ChangeSet, ErrorCode, Event, EventDraft, Inventory, Kind, Record};
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
    #[error("the store is not empty ({records} records, {events} events); restore only into a new database")]
    NotEmpty { records: u64, events: u64 },
    #[error("{0}")]
    Backup(String),
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

/// One row of a whole-store dump, in the order a dump writes them: meta, records, events.
/// Bodies and events are carried verbatim, so a restored store has the same event chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "t", rename_all = "snake_case", deny_unknown_fields)]
pub enum DumpItem {
    Meta {
        name: String,
        value: String,
    },
    Record {
        kind: String,
        key: String,
        body: String,
        created_at: String,
        updated_at: String,
    },
    Event {
        seq: i64,
        at: String,
        actor: String,
        action: String,
        kind: String,
        key: String,
        before: Option<String>,
        after: Option<String>,
        prev_hash: String,
        hash: String,
    },
}

impl DumpItem {
    pub fn from_event(e: Event) -> DumpItem {
        DumpItem::Event {
            seq: e.seq,
            at: e.draft.at,
            actor: e.draft.actor,
            action: e.draft.action.as_str().to_string(),
            kind: e.draft.kind,
            key: e.draft.key,
            before: e.draft.before,
            after: e.draft.after,
            prev_hash: e.prev_hash,
            hash: e.hash,
        }
    }

    /// The event, if this is one with a known action.
    pub fn to_event(&self) -> Option<Event> {
        let DumpItem::Event { seq, at, actor, action, kind, key, before, after, prev_hash, hash } = self else { return None };
        Some(Event {
            seq: *seq,
            draft: EventDraft {
                at: at.clone(),
                actor: actor.clone(),
                action: Action::parse(action)?,
                kind: kind.clone(),
                key: key.clone(),
                before: before.clone(),
                after: after.clone(),
            },
            prev_hash: prev_hash.clone(),
            hash: hash.clone(),
        })
    }
}

/// What a restore wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Restored {
    pub meta: u64,
    pub records: u64,
    pub events: u64,
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
    /// Streams everything — meta, records, events — to `sink` from one consistent read
    /// snapshot, while other connections may go on writing.
    fn dump(&self, sink: &mut dyn FnMut(DumpItem) -> Result<()>) -> Result<()>;
    /// Loads a dump into an empty store in one transaction: records with their references
    /// recomputed, events verbatim with the hash chain checked as they arrive. Any error
    /// from `items` (a corrupt or truncated backup) or a broken chain writes nothing.
    fn restore(&mut self, items: &mut dyn Iterator<Item = Result<DumpItem>>) -> Result<Restored>;
}
