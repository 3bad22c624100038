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
mod postgres;
mod sqlite;

use handover_core::{Action, ChangeSet, ErrorCode, Event, EventDraft, Inventory, Kind, Record};
use std::collections::BTreeMap;

pub use postgres::create_database as create_postgres_database;
pub use sqlite::SqliteStore;

/// Where a store lives: a SQLite file (the embedded default) or a PostgreSQL database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    /// `postgres://…` / `postgresql://…` is PostgreSQL; `sqlite:PATH` or any other text is
    /// a SQLite file path.
    pub fn parse(text: &str) -> Location {
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            Location::Postgres(text.to_string())
        } else {
            Location::Sqlite(text.strip_prefix("sqlite:").unwrap_or(text).into())
        }
    }

    /// For messages: the path, or the URL without its password.
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(path) => path.display().to_string(),
            Location::Postgres(url) => redact(url),
        }
    }

    /// Whether a store has been created there (a SQLite file exists; a PostgreSQL database
    /// has handover's schema).
    pub fn exists(&self) -> Result<bool> {
        match self {
            Location::Sqlite(path) => Ok(path.exists()),
            Location::Postgres(url) => postgres::PgStore::has_schema(url),
        }
    }

    /// Opens the store, creating its schema (or migrating it forward) if needed.
    pub fn open(&self) -> Result<Box<dyn Store>> {
        Ok(match self {
            Location::Sqlite(path) => Box::new(SqliteStore::open(path)?),
            Location::Postgres(url) => Box::new(postgres::PgStore::open(url)?),
        })
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, tail) = rest.split_once('/').map_or((rest, None), |(a, t)| (a, Some(t)));
    let authority = match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{user_info}@{host}"),
        },
        None => authority.to_string(),
    };
    let query_safe = |t: &str| {
        // A password may also come as ?password=…
        t.split('&')
            .map(|kv| if kv.to_ascii_lowercase().starts_with("password=") { "password=***" } else { kv })
            .collect::<Vec<_>>()
            .join("&")
    };
    match tail {
        Some(t) => match t.split_once('?') {
            Some((path, q)) => format!("{scheme}://{authority}/{path}?{}", query_safe(q)),
            None => format!("{scheme}://{authority}/{t}"),
        },
        None => format!("{scheme}://{authority}"),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database error: {0}")]
    Postgres(String),
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
    /// The schema version (migrations applied).
    fn schema_version(&self) -> Result<i64>;
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

/// A boxed store is a store: callers that pick the backend at run time pass `Box<dyn Store>`
/// wherever a store is expected.
impl<S: Store + ?Sized> Store for Box<S> {
    fn schema_version(&self) -> Result<i64> {
        (**self).schema_version()
    }
    fn load(&self) -> Result<Inventory> {
        (**self).load()
    }
    fn list(&self, kind: Kind) -> Result<Vec<Record>> {
        (**self).list(kind)
    }
    fn get(&self, kind: Kind, key: &str) -> Result<Option<Record>> {
        (**self).get(kind, key)
    }
    fn counts(&self) -> Result<BTreeMap<Kind, u64>> {
        (**self).counts()
    }
    fn apply(&mut self, changes: &ChangeSet, actor: &str) -> Result<Applied> {
        (**self).apply(changes, actor)
    }
    fn create_all(&mut self, records: &mut dyn Iterator<Item = Record>, actor: &str) -> Result<Applied> {
        (**self).create_all(records, actor)
    }
    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        (**self).events(filter)
    }
    fn verify_log(&self) -> Result<LogVerification> {
        (**self).verify_log()
    }
    fn meta(&self, name: &str) -> Result<Option<String>> {
        (**self).meta(name)
    }
    fn set_meta(&mut self, name: &str, value: &str) -> Result<()> {
        (**self).set_meta(name, value)
    }
    fn dump(&self, sink: &mut dyn FnMut(DumpItem) -> Result<()>) -> Result<()> {
        (**self).dump(sink)
    }
    fn restore(&mut self, items: &mut dyn Iterator<Item = Result<DumpItem>>) -> Result<Restored> {
        (**self).restore(items)
    }
}
