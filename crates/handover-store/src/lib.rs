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
mod load;
mod postgres;
mod sqlite;
mod users;

use handover_core::{Action, ChangeSet, ErrorCode, Event, EventDraft, GrantDigest, Inventory, Kind, Record};
use std::collections::BTreeMap;

pub use postgres::create_database as create_postgres_database;
pub use sqlite::SqliteStore;
pub use users::Users;

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

    /// The schema versions an existing store here would be upgraded from and to when
    /// opened, if it is behind (SQLite; PostgreSQL's upgrades so far are all quick).
    pub fn pending_upgrade(&self) -> Option<(i64, i64)> {
        match self {
            Location::Sqlite(path) => SqliteStore::pending_upgrade(path),
            Location::Postgres(_) => None,
        }
    }

    /// Opens the store if one was created there (migrating it forward), else `None`:
    /// one connection, where `exists` then `open` would make two.
    pub fn open_existing(&self) -> Result<Option<Box<dyn Store>>> {
        Ok(match self {
            Location::Sqlite(path) => path.exists().then(|| SqliteStore::open(path)).transpose()?.map(|s| Box::new(s) as Box<dyn Store>),
            Location::Postgres(url) => postgres::PgStore::open_existing(url)?.map(|s| Box::new(s) as Box<dyn Store>),
        })
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
    #[error("the database could not be brought to schema version {version}: {reason}; it is unchanged")]
    Migration { version: i64, reason: String },
    #[error("the database is at schema version {found}, newer than this handover understands ({known}); upgrade handover")]
    NewerSchema { found: i64, known: i64 },
    #[error("the store is not empty ({records} records, {events} events); restore only into a new database")]
    NotEmpty { records: u64, events: u64 },
    #[error("{0}")]
    Backup(String),
    #[error("{0:?} events are written by their own changes, not appended to the log directly")]
    NotLoggable(String),
}

impl StoreError {
    /// A record refers through `field` to a record that does not exist.
    pub(crate) fn dangling(kind: Kind, key: String, field: &str, to_kind: Kind, to_key: &str) -> StoreError {
        StoreError::Conflict { kind, key, reason: format!("refers through `{field}` to {to_kind} {to_key:?}, which does not exist") }
    }

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

/// Event kinds that are not record kinds: changes to web users and API tokens.
pub const USER_EVENT_KINDS: [&str; 2] = ["user", "api_token"];

/// Event kinds that record something done outside the store rather than a change to it
/// (an e-mail sent by `handover notify`), appended with [`Store::append_log`].
pub const LOG_EVENT_KINDS: [&str; 1] = ["notification"];

/// The event kind a user typed (`people`, `person`, `user`), or `None` if there is none such.
pub fn event_kind(name: &str) -> Option<String> {
    match name.parse::<Kind>() {
        Ok(k) => Some(k.as_str().to_string()),
        Err(_) => USER_EVENT_KINDS.iter().chain(LOG_EVENT_KINDS.iter()).find(|k| **k == name).map(|k| k.to_string()),
    }
}

/// The event `append_log` writes: a creation with `body` as its `after`. Refuses kinds
/// other than [`LOG_EVENT_KINDS`], so nothing can forge the history of a record or user.
pub(crate) fn log_event(kind: &str, key: &str, body: &str, actor: &str, at: String) -> Result<EventDraft> {
    if !LOG_EVENT_KINDS.contains(&kind) {
        return Err(StoreError::NotLoggable(kind.to_string()));
    }
    Ok(EventDraft {
        at,
        actor: actor.to_string(),
        action: Action::Create,
        kind: kind.to_string(),
        key: key.to_string(),
        before: None,
        after: Some(body.to_string()),
    })
}

/// Which events to read.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// A record kind (`person`, …) or [`USER_EVENT_KINDS`] (`user`, `api_token`).
    pub kind: Option<String>,
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
    /// A web user (the password only as its argon2id hash). After the events: users are
    /// not records, and their changes are already in the log.
    User {
        email: String,
        role: String,
        password_hash: String,
        person: Option<String>,
        disabled: bool,
        created_at: String,
    },
    /// An API token (only the hash of its secret), after the users.
    Token {
        id: String,
        secret_hash: String,
        email: String,
        role: String,
        name: String,
        created_at: String,
        expires_at: Option<String>,
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

    pub fn from_user(u: handover_core::User) -> DumpItem {
        DumpItem::User {
            email: u.email,
            role: u.role.as_str().to_string(),
            password_hash: u.password_hash,
            person: u.person,
            disabled: u.disabled,
            created_at: u.created_at,
        }
    }

    pub fn from_token(t: handover_core::ApiToken) -> DumpItem {
        DumpItem::Token {
            id: t.id,
            secret_hash: t.secret_hash,
            email: t.email,
            role: t.role.as_str().to_string(),
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
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

impl LogVerification {
    /// Walks a whole log, oldest first: what every backend's `verify_log` reports.
    pub(crate) fn of(events: Vec<Event>) -> LogVerification {
        let head = events.last().map(|e| e.hash.clone());
        match handover_core::verify_chain(events) {
            Ok(verified) => LogVerification { verified, head, first_broken: None },
            Err(b) => LogVerification {
                verified: b.verified,
                head,
                first_broken: Some(BrokenEvent { seq: b.seq, kind: b.kind, key: b.key, reason: b.reason.to_string() }),
            },
        }
    }
}

/// Checks a dump's items as a backend restores them: each record's body parses and
/// carries its key, and the events continue the hash chain — a backup whose log was
/// edited does not become a store whose log looks intact. Counts what passed.
pub(crate) struct RestoreCheck {
    pub done: Restored,
    prev_hash: String,
}

impl RestoreCheck {
    pub fn new() -> RestoreCheck {
        RestoreCheck { done: Restored::default(), prev_hash: handover_core::GENESIS_HASH.to_string() }
    }

    pub fn meta(&mut self) {
        self.done.meta += 1;
    }

    pub fn record(&mut self, kind: &str, key: &str, body: &str) -> Result<Record> {
        let record = sqlite::parse_record(0, kind, body)?;
        if record.key() != key {
            return Err(StoreError::Backup(format!("{kind} {key:?}: the body has key {:?}", record.key())));
        }
        self.done.records += 1;
        Ok(record)
    }

    pub fn event(&mut self, item: &DumpItem) -> Result<Event> {
        let e = item.to_event().ok_or_else(|| StoreError::Backup("an event has an unknown action".into()))?;
        if e.seq != self.done.events as i64 + 1 || e.prev_hash != self.prev_hash || e.draft.chain_hash(e.seq, &e.prev_hash) != e.hash {
            return Err(StoreError::Backup(format!("the event log in the backup is broken at event {}", e.seq)));
        }
        self.prev_hash.clone_from(&e.hash);
        self.done.events += 1;
        Ok(e)
    }
}

/// What a restore wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Restored {
    pub meta: u64,
    pub records: u64,
    pub events: u64,
    pub users: u64,
    pub tokens: u64,
}

/// What one successful `apply` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Applied {
    pub changes: usize,
}

/// The durable store. Methods take `&self` for reads and `&mut self` for writes so a
/// backend may hold a single connection.
pub trait Store: Users + Send {
    /// The schema version (migrations applied).
    fn schema_version(&self) -> Result<i64>;
    /// Every record, as one in-memory inventory.
    fn load(&self) -> Result<Inventory>;
    /// What analysis reads: every record except grants, which come folded into a digest
    /// (their count and each account's highest level), at a fraction of the memory and
    /// time of [`Store::load`] for a large organisation. The grants that access reviews
    /// decided to revoke are kept as records, so that the audit can tell whether they are
    /// gone.
    fn load_for_analysis(&self) -> Result<(Inventory, GrantDigest)> {
        let (mut inv, digest) = self.load_without_grants()?;
        let revoked: Vec<String> = inv
            .reviews()
            .flat_map(|r| r.items.iter())
            .filter(|i| i.decision == Some(handover_core::Decision::Revoke))
            .filter_map(|i| i.grant_key().map(str::to_string))
            .collect();
        for key in revoked {
            if let Some(grant) = self.get(Kind::Grant, &key)? {
                inv.insert(grant);
            }
        }
        Ok((inv, digest))
    }
    /// Every record except grants, which come folded into a digest.
    fn load_without_grants(&self) -> Result<(Inventory, GrantDigest)>;
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
    fn create_all(&mut self, records: &mut (dyn Iterator<Item = Record> + Send), actor: &str) -> Result<Applied>;
    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>>;
    fn verify_log(&self) -> Result<LogVerification>;
    fn meta(&self, name: &str) -> Result<Option<String>>;
    fn set_meta(&mut self, name: &str, value: &str) -> Result<()>;
    /// Appends one event of a [`LOG_EVENT_KINDS`] kind (something that happened outside the
    /// records, such as an e-mail sent) to the hash chain, with `body` (JSON) as its `after`.
    fn append_log(&mut self, kind: &str, key: &str, body: &str, actor: &str) -> Result<()>;
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
    fn load_without_grants(&self) -> Result<(Inventory, GrantDigest)> {
        (**self).load_without_grants()
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
    fn create_all(&mut self, records: &mut (dyn Iterator<Item = Record> + Send), actor: &str) -> Result<Applied> {
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
    fn append_log(&mut self, kind: &str, key: &str, body: &str, actor: &str) -> Result<()> {
        (**self).append_log(kind, key, body, actor)
    }
    fn dump(&self, sink: &mut dyn FnMut(DumpItem) -> Result<()>) -> Result<()> {
        (**self).dump(sink)
    }
    fn restore(&mut self, items: &mut dyn Iterator<Item = Result<DumpItem>>) -> Result<Restored> {
        (**self).restore(items)
    }
}
