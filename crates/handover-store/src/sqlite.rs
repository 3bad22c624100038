//! The embedded SQLite backend: one file, WAL journal, foreign keys on.

use crate::load::{InventoryBuilder, RawChunk};
use crate::users::{parse_role, Users};
use crate::{Applied, DumpItem, EventFilter, LogVerification, RestoreCheck, Restored, Result, Store, StoreError};
use handover_core::{
    Action, ApiToken, Change, ChangeSet, Event, EventDraft, GrantDigest, Inventory, Kind, Record, Session, User, GENESIS_HASH,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Duration;

struct Migration {
    sql: &'static str,
    /// Rebuilds a table others refer to. SQLite rebuilds one by creating the new table,
    /// dropping the old and renaming, which with foreign keys enforced would cascade into
    /// the tables that refer to it: such a migration runs with enforcement off, and is
    /// refused unless every reference still holds afterwards.
    rebuilds: bool,
}

/// Forward-only migrations, applied in order; the position in this list is the version.
const MIGRATIONS: &[Migration] = &[
    Migration { sql: include_str!("../migrations/sqlite/0001_init.sql"), rebuilds: false },
    Migration { sql: include_str!("../migrations/sqlite/0002_users.sql"), rebuilds: false },
    Migration { sql: include_str!("../migrations/sqlite/0003_grant_levels.sql"), rebuilds: false },
    // Relies on ON DELETE CASCADE to remove the grants' `refs` rows: enforcement stays on.
    Migration { sql: include_str!("../migrations/sqlite/0004_grants_table.sql"), rebuilds: false },
    Migration { sql: include_str!("../migrations/sqlite/0005_records_by_key.sql"), rebuilds: true },
];

pub struct SqliteStore {
    conn: Connection,
}

pub(crate) fn now() -> String {
    jiff::Timestamp::now().to_string()
}

/// A record's stored body: its JSON in field declaration order. Comparisons parse it back
/// (see `write_record`), so reordering fields in a later version cannot cause false
/// conflicts; the event chain hashes the stored text, so it cannot break verification.
pub(crate) fn body_of(record: &Record) -> String {
    // Plain structs of strings, numbers and dates: serialising cannot fail.
    serde_json::to_string(record).unwrap_or_default()
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path)?;
        Self::init(conn)
    }

    /// The schema versions an existing store at `path` would be brought from and to when
    /// opened, if it is behind; `None` for a new or current store, or one that cannot be
    /// read (which opening then reports). Some upgrades rewrite large tables and take
    /// minutes on a large store: this lets a caller say so before it starts.
    pub fn pending_upgrade(path: &Path) -> Option<(i64, i64)> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
        let current: i64 = conn.query_row("SELECT max(version) FROM schema_migrations", [], |r| r.get(0)).ok()?;
        let latest = MIGRATIONS.len() as i64;
        (current < latest).then_some((current, latest))
    }

    /// A private in-memory store, for tests and dry runs.
    pub fn in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?)
    }

    fn init(conn: Connection) -> Result<Self> {
        conn.busy_timeout(Duration::from_secs(10))?;
        // 16 KiB pages instead of 4: a large organisation's rows split pages and deepen
        // the b-trees a quarter as often, so writing one in bulk takes about a fifth less
        // time, and reading it is no slower. Only takes effect on a new file: a store
        // keeps the page size it was created with.
        conn.pragma_update(None, "page_size", 16384)?;
        // WAL lets readers (the web UI) run while an import writes; FULL sync because an
        // audit trail that loses its last events on power failure is not one.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Large imports write one transaction touching many index pages; with SQLite's 2 MiB
        // default cache they spill and re-read constantly. 128 MiB is an upper bound, only
        // used as the database grows.
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        let mut store = SqliteStore { conn };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<()> {
        self.conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")?;
        let current: i64 = self.conn.query_row("SELECT coalesce(max(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(StoreError::NewerSchema { found: current, known });
        }
        for (i, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let version = i as i64 + 1;
            // Enforcement can only change outside a transaction.
            if migration.rebuilds {
                self.conn.pragma_update(None, "foreign_keys", "OFF")?;
            }
            let applied = Self::apply_migration(&mut self.conn, migration, version);
            let restored = if migration.rebuilds { self.conn.pragma_update(None, "foreign_keys", "ON") } else { Ok(()) };
            // A failed migration's own error says more than a failure to switch back.
            applied?;
            restored?;
        }
        Ok(())
    }

    fn apply_migration(conn: &mut Connection, migration: &Migration, version: i64) -> Result<()> {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(migration.sql)?;
        if migration.rebuilds {
            let broken: Option<(String, String)> = tx
                .query_row("SELECT \"table\", parent FROM pragma_foreign_key_check LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((table, parent)) = broken {
                // Returning drops the transaction, which rolls the migration back.
                let reason = format!("a row of {table} refers to a row of {parent} that does not exist (edited by hand?)");
                return Err(StoreError::Migration { version, reason });
            }
        }
        tx.execute("INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)", params![version, now()])?;
        tx.commit()?;
        Ok(())
    }

    /// The schema version the database is at.
    fn schema_version_of(&self) -> Result<i64> {
        Ok(self.conn.query_row("SELECT max(version) FROM schema_migrations", [], |r| r.get(0))?)
    }
}

pub(crate) fn parse_record(id: i64, kind: &str, body: &str) -> Result<Record> {
    let corrupt = |reason: String| StoreError::Corrupt { id, reason };
    let kind: Kind = kind.parse().map_err(corrupt)?;
    Record::from_json_str(kind, body).map_err(|e| corrupt(e.to_string()))
}

fn row_to_event(row: &rusqlite::Row<'_>) -> rusqlite::Result<Event> {
    let action: String = row.get(3)?;
    Ok(Event {
        seq: row.get(0)?,
        draft: EventDraft {
            at: row.get(1)?,
            actor: row.get(2)?,
            // An unknown action can only come from a hand-edited file; keep the event so
            // verification reports it (its hash will not match) rather than failing here.
            action: Action::parse(&action).unwrap_or(Action::Update),
            kind: row.get(4)?,
            key: row.get(5)?,
            before: row.get(6)?,
            after: row.get(7)?,
        },
        prev_hash: row.get(8)?,
        hash: row.get(9)?,
    })
}

macro_rules! event_columns {
    () => {
        "seq, at, actor, action, kind, key, before, after, prev_hash, hash"
    };
}
const EVENT_COLUMNS: &str = event_columns!();
/// A constant, not formatted per call: a large organisation's creation writes millions of events.
const INSERT_EVENT: &str = concat!("INSERT INTO events (", event_columns!(), ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");

/// The bodies of one change, serialised once for both the record row and its event.
struct Bodies {
    before: Option<String>,
    after: Option<String>,
}

/// A key already taken: `records`' key is its primary key, `grants`' a unique column.
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if [SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY].contains(&f.extended_code))
}

/// The id of a stored record (never a grant: nothing refers to one).
fn stored_id(tx: &rusqlite::Transaction<'_>, kind: Kind, key: &str) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT id FROM records WHERE kind = ?1 AND key = ?2")?
        .query_row(params![kind.as_str(), key], |r| r.get(0))
        .optional()?)
}

/// The id of a record written in this transaction (`written`) or stored before.
fn record_id(tx: &rusqlite::Transaction<'_>, kind: Kind, key: &str, written: &HashMap<(Kind, &str), i64>) -> Result<Option<i64>> {
    match written.get(&(kind, key)) {
        Some(id) => Ok(Some(*id)),
        None => stored_id(tx, kind, key),
    }
}

/// What an insert's error means: a unique violation is a record that is already there.
fn insert_error(kind: Kind, key: &str) -> impl FnOnce(rusqlite::Error) -> StoreError + '_ {
    move |e| match is_unique_violation(&e) {
        true => StoreError::Conflict { kind, key: key.to_string(), reason: "already exists".into() },
        false => e.into(),
    }
}

/// Ids for new records. The table is clustered by kind and key (schema v5) and has no
/// rowid to number new rows by: each write transaction numbers them on from the largest
/// id stored, as SQLite numbers rowids.
struct NextId(i64);

impl NextId {
    fn of(tx: &rusqlite::Transaction<'_>) -> Result<NextId> {
        Ok(NextId(tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM records", [], |r| r.get(0))?))
    }

    fn take(&mut self) -> i64 {
        self.0 += 1;
        self.0 - 1
    }
}

/// A record's row (not a grant's: see [`insert_grant`]); `dates`: when it was created and
/// last updated. Returns its id.
fn insert_record(
    tx: &rusqlite::Transaction<'_>,
    ids: &mut NextId,
    kind: &str,
    key: &str,
    body: &str,
    dates: (&str, &str),
) -> rusqlite::Result<i64> {
    let id = ids.take();
    tx.prepare_cached("INSERT INTO records (id, kind, key, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![id, kind, key, body, dates.0, dates.1])?;
    Ok(id)
}

/// A grant's row; `dates`: when it was created and last updated.
fn insert_grant(tx: &rusqlite::Transaction<'_>, key: &str, account: i64, body: &str, dates: (&str, &str)) -> rusqlite::Result<usize> {
    tx.prepare_cached("INSERT INTO grants (key, account_id, body, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![key, account, body, dates.0, dates.1])
}

/// Writes one change's row, checking that the stored record is what the caller saw.
/// Returns the record's row id when references must be (re)written. Grants live in their
/// own table, their account named by a column: `written` must already hold the accounts
/// this transaction writes.
fn write_record(
    tx: &rusqlite::Transaction<'_>,
    change: &Change,
    bodies: &Bodies,
    at: &str,
    written: &HashMap<(Kind, &str), i64>,
    ids: &mut NextId,
) -> Result<Option<i64>> {
    let kind = change.kind.as_str();
    let conflict = |reason: &str| StoreError::Conflict { kind: change.kind, key: change.key.clone(), reason: reason.to_string() };
    let Some(before) = &change.before else {
        let Some(after) = &bodies.after else { return Ok(None) };
        // A creation needs no look-up first: the key's constraint (the primary key of
        // records, a unique column of grants) says if the record appeared since the caller
        // read the store.
        return match &change.after {
            Some(Record::Grant(grant)) => {
                let account = record_id(tx, Kind::Account, &grant.account, written)?
                    .ok_or_else(|| StoreError::dangling(Kind::Grant, change.key.clone(), "account", Kind::Account, &grant.account))?;
                insert_grant(tx, &change.key, account, after, (at, at)).map_err(insert_error(change.kind, &change.key))?;
                Ok(None)
            }
            _ => insert_record(tx, ids, kind, &change.key, after, (at, at)).map(Some).map_err(insert_error(change.kind, &change.key)),
        };
    };
    let grant = change.kind == Kind::Grant;
    let table = if grant { "grants" } else { "records" };
    let existing: Option<(i64, String)> =
        tx.prepare_cached(find_sql(change.kind))?.query_row(params![kind, change.key], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    let Some((id, body)) = existing else { return Err(conflict("no longer exists")) };
    if parse_record(id, kind, &body)? != *before {
        return Err(conflict("was changed by someone else since it was read"));
    }
    match &bodies.after {
        Some(after) => {
            tx.prepare_cached(&format!("UPDATE {table} SET body = ?1, updated_at = ?2 WHERE id = ?3"))?.execute(params![after, at, id])?;
            // A grant's one reference, its account, is part of its key: it cannot change.
            if grant {
                return Ok(None);
            }
            tx.prepare_cached("DELETE FROM refs WHERE from_id = ?1")?.execute(params![id])?;
            Ok(Some(id))
        }
        None => {
            tx.prepare_cached(&format!("DELETE FROM {table} WHERE id = ?1"))?.execute(params![id])?;
            Ok(None)
        }
    }
}

/// The query for one record's id and body by (kind, key); for grants, which have a table
/// and no kind column, ?1 is bound and unused.
fn find_sql(kind: Kind) -> &'static str {
    match kind {
        Kind::Grant => "SELECT id, body FROM grants WHERE key = ?2 AND ?1 IS NOT NULL",
        _ => "SELECT id, body FROM records WHERE kind = ?1 AND key = ?2",
    }
}

fn insert_event(tx: &rusqlite::Transaction<'_>, seq: i64, draft: &EventDraft, prev_hash: &str, hash: &str) -> Result<()> {
    tx.prepare_cached(INSERT_EVENT)?.execute(params![
        seq,
        draft.at,
        draft.actor,
        draft.action.as_str(),
        draft.kind,
        draft.key,
        draft.before,
        draft.after,
        prev_hash,
        hash
    ])?;
    Ok(())
}

/// Reference rows waiting to be written: inserting them many rows per statement costs a
/// fraction of one statement per row, and an import writes millions of them.
struct RefRows {
    rows: Vec<(i64, String, i64)>,
}

impl RefRows {
    const BATCH: usize = 256;

    fn new() -> Self {
        RefRows { rows: Vec::with_capacity(Self::BATCH) }
    }

    fn push(&mut self, tx: &rusqlite::Transaction<'_>, row: (i64, String, i64)) -> Result<()> {
        self.rows.push(row);
        if self.rows.len() == Self::BATCH {
            self.flush(tx)?;
        }
        Ok(())
    }

    fn flush(&mut self, tx: &rusqlite::Transaction<'_>) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = format!("INSERT INTO refs (from_id, field, to_id) VALUES {}", vec!["(?, ?, ?)"; self.rows.len()].join(", "));
        let mut stmt = tx.prepare_cached(&sql)?;
        let mut params: Vec<&dyn rusqlite::ToSql> = Vec::with_capacity(self.rows.len() * 3);
        for (from, field, to) in &self.rows {
            params.push(from);
            params.push(field);
            params.push(to);
        }
        stmt.execute(params.as_slice())?;
        self.rows.clear();
        Ok(())
    }
}

/// Writes a record's references. `written` holds the ids of records written in this
/// transaction, so most targets need no query.
fn write_refs(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    record: &Record,
    written: &HashMap<(Kind, &str), i64>,
    out: &mut RefRows,
) -> Result<()> {
    for rf in record.refs() {
        let Some(to_id) = record_id(tx, rf.kind, rf.key, written)? else {
            return Err(StoreError::dangling(record.kind(), record.key(), &rf.field, rf.kind, rf.key));
        };
        out.push(tx, (id, rf.field, to_id))?;
    }
    Ok(())
}

/// Every record, or every record but grants (which are in a table of their own).
const ALL_RECORDS: &str = "SELECT id, kind, key, body FROM records UNION ALL SELECT id, 'grant', key, body FROM grants";
/// In key order by kind, as the table stores them: nothing to sort.
const ALL_BUT_GRANTS: &str = "SELECT id, kind, key, body FROM records ORDER BY kind, key";

impl SqliteStore {
    /// Reads the records `sql` selects (id, kind, key, body) into an inventory.
    fn read_records(conn: &Connection, sql: &str) -> Result<Inventory> {
        // This thread reads rows in storage order (SQLite is fastest that way) while
        // another parses the previous chunk: reading and parsing overlap. Two chunks
        // circulate between the threads, so memory stays flat however large the store.
        const CHUNK: usize = 32 * 1024;
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        std::thread::scope(|scope| {
            let (full, to_parse) = std::sync::mpsc::sync_channel::<RawChunk>(1);
            let (parsed, empty) = std::sync::mpsc::sync_channel::<RawChunk>(2);
            parsed.send(RawChunk::default()).ok();
            let parser = scope.spawn(move || -> Result<Inventory> {
                let mut builder = InventoryBuilder::default();
                for mut chunk in to_parse {
                    builder.add(&chunk)?;
                    chunk.clear();
                    // The reader may have finished and gone: nothing to hand back then.
                    let _ = parsed.send(chunk);
                }
                Ok(builder.finish())
            });
            let read = (|| -> Result<()> {
                let mut chunk = RawChunk::default();
                while let Some(row) = rows.next()? {
                    let text = |i: usize| row.get_ref(i).and_then(|v| v.as_str().map_err(rusqlite::Error::from));
                    chunk.push(row.get(0)?, text(1)?, text(2)?, text(3)?)?;
                    if chunk.len() == CHUNK {
                        let next = empty.recv().unwrap_or_default();
                        if full.send(std::mem::replace(&mut chunk, next)).is_err() {
                            // The parser stopped on a corrupt record: its error is the one to report.
                            return Ok(());
                        }
                    }
                }
                let _ = full.send(chunk);
                Ok(())
            })();
            drop(full);
            let parsed = parser.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            // A corrupt record stops the parser and then the reader: the parser's error is the cause.
            let inv = parsed?;
            read?;
            Ok(inv)
        })
    }
}

/// The page cache, in KiB.
const CACHE_KIB: i64 = 128 * 1024;

/// Writing as much as the store already holds, or more (a whole organisation into an
/// empty database, a first import of a large directory): the transaction goes through a
/// rollback journal instead of the WAL when no other connection is open — the new pages
/// are written once, not twice, and a crash still leaves the database as it was — with a
/// cache large enough to hold the indexes being built. Undone afterwards.
struct BulkMode {
    active: bool,
    /// Nothing was stored before: derived data may be computed from scratch.
    empty: bool,
}

impl BulkMode {
    const CACHE_KIB: i64 = 1024 * 1024; // 1 GiB, only while building

    /// `incoming`: how many records are about to be written (`None`: a stream, which
    /// counts as bulk only into an empty store).
    fn enter(conn: &Connection, incoming: Option<usize>) -> Result<BulkMode> {
        // New rows take the largest id plus one, so it is a cheap estimate of the store's size.
        let (stored, events): (i64, bool) = conn.query_row(
            "SELECT (SELECT coalesce(max(id), 0) FROM records) + (SELECT coalesce(max(id), 0) FROM grants), EXISTS (SELECT 1 FROM events)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let empty = stored == 0 && !events;
        let active = empty || incoming.is_some_and(|n| n as i64 >= stored.max(1000));
        if active {
            conn.pragma_update(None, "cache_size", -BulkMode::CACHE_KIB)?;
            // Leaving WAL needs the only connection: if another is open (a web server
            // reading), this fails and the write goes through the WAL as usual.
            let _ = conn.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get::<_, String>(0));
        }
        Ok(BulkMode { active, empty })
    }

    fn leave(self, conn: &Connection) -> Result<()> {
        if self.active {
            conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))?;
        }
        Ok(())
    }
}

/// What bulk writes would otherwise maintain row by row: the secondary indexes on events
/// and refs, updated in random order (not the uniqueness of keys, which is checked as rows
/// arrive), and — into an empty store only, where the counts can be written whole — the
/// triggers that count grants into `grant_levels`. Drops them and returns the SQL that
/// creates them again, as the migrations wrote it.
fn defer_derived(tx: &rusqlite::Transaction, triggers: bool) -> Result<Vec<String>> {
    let mut stmt = tx.prepare(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND \
         ((type = 'index' AND tbl_name IN ('events', 'refs', 'grants')) OR (?1 AND type = 'trigger' AND name GLOB 'grant_levels_*'))",
    )?;
    let derived: Vec<(String, String, String)> =
        stmt.query_map([triggers], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
    for (kind, name, _) in &derived {
        tx.execute_batch(&format!("DROP {} \"{name}\"", if kind == "index" { "INDEX" } else { "TRIGGER" }))?;
    }
    Ok(derived.into_iter().map(|(_, _, sql)| sql).collect())
}

/// Grants counted per account and level while a bulk write runs without the triggers.
/// A stream holds an account's grants together (generated, imported, or an inventory in
/// key order), so only the current run is kept and each run is added to the table as it
/// ends: memory stays flat however many accounts there are.
#[derive(Default)]
struct LevelCounts {
    run: Option<(String, [i64; 3])>,
}

impl LevelCounts {
    fn add(&mut self, tx: &rusqlite::Transaction, grant: &handover_core::Grant) -> Result<()> {
        if self.run.as_ref().is_none_or(|(account, _)| *account != grant.account) {
            self.flush(tx)?;
        }
        // `Level`'s variants are read, write, admin: the columns' order.
        self.run.get_or_insert_with(|| (grant.account.clone(), [0; 3])).1[grant.level as usize] += 1;
        Ok(())
    }

    /// Adds the current run to the table (an account may come back later in the stream).
    fn flush(&mut self, tx: &rusqlite::Transaction) -> Result<()> {
        if let Some((account, [r, w, a])) = self.run.take() {
            tx.prepare_cached(
                "INSERT INTO grant_levels (account, n_read, n_write, n_admin) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account) DO UPDATE \
                 SET n_read = n_read + excluded.n_read, n_write = n_write + excluded.n_write, n_admin = n_admin + excluded.n_admin",
            )?
            .execute(params![account, r, w, a])?;
        }
        Ok(())
    }
}

impl SqliteStore {
    /// One change set in one transaction; `bulk`: large next to the store (see
    /// [`BulkMode`]), so the secondary indexes are built once at the end instead.
    fn apply_inner(&mut self, changes: &ChangeSet, actor: &str, bulk: bool) -> Result<Applied> {
        let at = now();
        // IMMEDIATE takes the write lock up front, so the "is it still what I read" checks
        // below cannot race another writer.
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let deferred: Vec<String> = if bulk { defer_derived(&tx, false)? } else { Vec::new() };
        let (mut seq, mut prev_hash) = chain_head(&tx)?;
        let mut ids = NextId::of(&tx)?;

        let bodies: Vec<Bodies> = changes
            .changes
            .iter()
            .map(|c| Bodies { before: c.before.as_ref().map(body_of), after: c.after.as_ref().map(body_of) })
            .collect();

        // Records first, references second: a change may refer to a record created later
        // in the same set. Grants after the other records (nothing refers to a grant), so
        // the account each names is written by then.
        let mut written: HashMap<(Kind, &str), i64> = HashMap::with_capacity(changes.len());
        let mut to_link = Vec::new();
        let (grants, others): (Vec<_>, Vec<_>) = changes.changes.iter().zip(&bodies).partition(|(c, _)| c.kind == Kind::Grant);
        for (change, b) in others {
            if let Some(id) = write_record(&tx, change, b, &at, &written, &mut ids)? {
                if let Some(after) = &change.after {
                    written.insert((change.kind, change.key.as_str()), id);
                    to_link.push((id, after));
                }
            }
        }
        for (change, b) in grants {
            write_record(&tx, change, b, &at, &written, &mut ids)?;
        }
        let mut ref_rows = RefRows::new();
        for (id, record) in to_link {
            write_refs(&tx, id, record, &written, &mut ref_rows)?;
        }
        ref_rows.flush(&tx)?;

        for (change, b) in changes.changes.iter().zip(bodies) {
            seq += 1;
            let draft = EventDraft::of_change(change, &at, actor, b.before, b.after);
            let hash = draft.chain_hash(seq, &prev_hash);
            insert_event(&tx, seq, &draft, &prev_hash, &hash)?;
            prev_hash = hash;
        }
        for sql in deferred {
            tx.execute_batch(&sql)?;
        }
        tx.commit().map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                StoreError::InUse("a record that other records refer to would be removed".into())
            }
            e => e.into(),
        })?;
        Ok(Applied { changes: changes.len() })
    }

    fn create_all_inner(&mut self, records: &mut (dyn Iterator<Item = Record> + Send), actor: &str, bulk: bool) -> Result<Applied> {
        let at = now();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Into an empty store, the secondary indexes are built once at the end (a sort)
        // rather than updated row by row in random order; in the same transaction, so a
        // failure leaves them as they were.
        let deferred: Vec<String> = if bulk { defer_derived(&tx, true)? } else { Vec::new() };
        let mut levels = LevelCounts::default();
        let (mut seq, mut prev_hash) = chain_head(&tx)?;
        let mut ids = NextId::of(&tx)?;
        // Ids of streamed records that others may refer to, by kind and key (grants are
        // never referred to, and are most of a large inventory, so they are not kept).
        let mut written: HashMap<Kind, HashMap<String, i64>> = HashMap::new();
        let streamed =
            |written: &HashMap<Kind, HashMap<String, i64>>, kind: Kind, key: &str| written.get(&kind).and_then(|ids| ids.get(key)).copied();
        let streamed_or_stored = |written: &HashMap<Kind, HashMap<String, i64>>, kind: Kind, key: &str| match streamed(written, kind, key) {
            Some(id) => Ok(Some(id)),
            None => stored_id(&tx, kind, key),
        };
        // References to records not streamed yet, and grants whose account is not:
        // resolved at the end.
        let mut pending: Vec<(i64, String, Kind, String, Kind, String)> = Vec::new();
        let mut pending_grants: Vec<(String, String, String)> = Vec::new();
        let mut count = 0;
        let mut ref_rows = RefRows::new();
        // Checking, serialising and hashing the records runs on a second thread, ahead of
        // this one, which only writes: a creation's event needs nothing from the store but
        // where the chain stood when the stream began.
        std::thread::scope(|scope| -> Result<()> {
            let (prepared, creations) = std::sync::mpsc::sync_channel::<Result<Vec<Creation>>>(4);
            let head = (seq, prev_hash.clone());
            scope.spawn(|| prepare_creations(records, &at, actor, head, prepared));
            // Returning, even early, drops `creations`, which stops the other thread.
            for batch in creations {
                for Creation { record, event, hash } in batch? {
                    let (kind, key, body) = (record.kind(), event.key.as_str(), event.after.as_deref().unwrap_or_default());
                    if let Record::Grant(grant) = &record {
                        if bulk {
                            levels.add(&tx, grant)?;
                        }
                        match streamed_or_stored(&written, Kind::Account, &grant.account)? {
                            Some(account) => {
                                insert_grant(&tx, key, account, body, (&at, &at)).map_err(insert_error(kind, key))?;
                            }
                            None => pending_grants.push((key.to_string(), grant.account.clone(), body.to_string())),
                        }
                    } else {
                        let id = insert_record(&tx, &mut ids, kind.as_str(), key, body, (&at, &at)).map_err(insert_error(kind, key))?;
                        for rf in record.refs() {
                            match streamed_or_stored(&written, rf.kind, rf.key)? {
                                Some(to_id) => ref_rows.push(&tx, (id, rf.field, to_id))?,
                                None => pending.push((id, rf.field, rf.kind, rf.key.to_string(), kind, key.to_string())),
                            }
                        }
                        written.entry(kind).or_default().insert(key.to_string(), id);
                    }
                    seq += 1;
                    insert_event(&tx, seq, &event, &prev_hash, &hash)?;
                    prev_hash = hash;
                    count += 1;
                }
            }
            Ok(())
        })?;
        for (from_id, field, to_kind, to_key, kind, key) in pending {
            let to_id = streamed(&written, to_kind, &to_key).ok_or_else(|| StoreError::dangling(kind, key, &field, to_kind, &to_key))?;
            ref_rows.push(&tx, (from_id, field, to_id))?;
        }
        for (key, account, body) in pending_grants {
            let account_id = streamed(&written, Kind::Account, &account)
                .ok_or_else(|| StoreError::dangling(Kind::Grant, key.clone(), "account", Kind::Account, &account))?;
            insert_grant(&tx, &key, account_id, &body, (&at, &at)).map_err(insert_error(Kind::Grant, &key))?;
        }
        ref_rows.flush(&tx)?;
        if bulk {
            levels.flush(&tx)?;
        }
        for sql in deferred {
            tx.execute_batch(&sql)?;
        }
        tx.commit()?;
        Ok(Applied { changes: count })
    }
}

/// A record to create, checked and serialised, with its creation event and the event's
/// chain hash: all of writing it that needs nothing from the store.
struct Creation {
    record: Record,
    /// Its kind, key and body (`after`) are the record's.
    event: EventDraft,
    hash: String,
}

/// Turns `records` into creations in batches, their events chained on from `head` (the
/// chain's last sequence number and hash), until the records end, one is invalid (sent as
/// the error) or the receiver is gone.
fn prepare_creations(
    records: &mut (dyn Iterator<Item = Record> + Send),
    at: &str,
    actor: &str,
    head: (i64, String),
    out: std::sync::mpsc::SyncSender<Result<Vec<Creation>>>,
) {
    // A channel send per record would cost more in wake-ups than the record's work.
    const BATCH: usize = 1024;
    let (mut seq, mut prev_hash) = head;
    let mut batch = Vec::with_capacity(BATCH);
    let mut problems = Vec::new();
    for record in records {
        handover_core::inventory::validate_record(&record, &mut problems);
        if let Some(problem) = problems.pop() {
            let _ = out.send(Ok(batch)).and_then(|()| out.send(Err(StoreError::Invalid(problem))));
            return;
        }
        let event = EventDraft {
            at: at.to_string(),
            actor: actor.to_string(),
            action: Action::Create,
            kind: record.kind().as_str().to_string(),
            key: record.key(),
            before: None,
            after: Some(body_of(&record)),
        };
        seq += 1;
        let hash = event.chain_hash(seq, &prev_hash);
        prev_hash.clone_from(&hash);
        batch.push(Creation { record, event, hash });
        if batch.len() == BATCH && out.send(Ok(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))).is_err() {
            return;
        }
    }
    let _ = out.send(Ok(batch));
}

impl Store for SqliteStore {
    fn schema_version(&self) -> Result<i64> {
        self.schema_version_of()
    }

    fn load(&self) -> Result<Inventory> {
        SqliteStore::read_records(&self.conn, ALL_RECORDS)
    }

    fn load_without_grants(&self) -> Result<(Inventory, GrantDigest)> {
        // The records and the digest must be of the same moment. This connection reads
        // the records in one read transaction while a second one, on another core, reads
        // the digest in its own; every write to records or grants appends an event in the
        // same transaction, so two transactions that see the same last event see the same
        // records and grants. When a write came between them, or the store is in memory,
        // the digest is read here after the records (the second connection is read-only
        // and opened per load: under a millisecond against the half second it saves at a
        // million accounts).
        let tx = self.conn.unchecked_transaction()?;
        let head = chain_head(&tx)?;
        let second = self.conn.path().filter(|p| !p.is_empty()).and_then(|p| {
            let conn = Connection::open_with_flags(p, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
            conn.busy_timeout(Duration::from_secs(10)).ok()?;
            Some(conn)
        });
        std::thread::scope(|scope| {
            let levels = second.map(|conn| {
                scope.spawn(move || -> Result<Option<GrantDigest>> {
                    let tx = conn.unchecked_transaction()?;
                    if chain_head(&tx)? != head {
                        return Ok(None);
                    }
                    read_levels(&tx).map(Some)
                })
            });
            let inv = SqliteStore::read_records(&tx, ALL_BUT_GRANTS)?;
            // The second reader only saves time: whatever stopped it, read the digest here.
            let digest = match levels.map(|l| l.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))) {
                Some(Ok(Some(digest))) => digest,
                _ => read_levels(&tx)?,
            };
            tx.finish()?;
            Ok((inv, digest))
        })
    }

    fn list(&self, kind: Kind) -> Result<Vec<Record>> {
        let sql = match kind {
            // ?1 is bound and unused: grants have a table, not a kind column.
            Kind::Grant => "SELECT id, 'grant', body FROM grants WHERE ?1 IS NOT NULL ORDER BY key",
            _ => "SELECT id, kind, body FROM records WHERE kind = ?1 ORDER BY key",
        };
        let mut stmt = self.conn.prepare(sql)?;
        let rows = stmt.query_map([kind.as_str()], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        rows.map(|row| {
            let (id, kind, body) = row?;
            parse_record(id, &kind, &body)
        })
        .collect()
    }

    fn get(&self, kind: Kind, key: &str) -> Result<Option<Record>> {
        let row: Option<(i64, String)> =
            self.conn.query_row(find_sql(kind), params![kind.as_str(), key], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
        row.map(|(id, body)| parse_record(id, kind.as_str(), &body)).transpose()
    }

    fn counts(&self) -> Result<BTreeMap<Kind, u64>> {
        let mut stmt = self.conn.prepare(
            "SELECT kind, count(*) FROM records GROUP BY kind UNION ALL SELECT 'grant', count(*) FROM grants HAVING count(*) > 0",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (kind, n) = row?;
            let kind: Kind = kind.parse().map_err(|reason| StoreError::Corrupt { id: 0, reason })?;
            out.insert(kind, n as u64);
        }
        Ok(out)
    }

    fn apply(&mut self, changes: &ChangeSet, actor: &str) -> Result<Applied> {
        if changes.is_empty() {
            return Ok(Applied::default());
        }
        // Without the index on refs.to_id, removing a record would scan every reference to
        // check nothing points at it: only change sets that remove nothing go in bulk.
        let removes = changes.changes.iter().any(|c| c.after.is_none());
        let bulk = BulkMode::enter(&self.conn, Some(if removes { 0 } else { changes.len() }))?;
        let result = self.apply_inner(changes, actor, bulk.active);
        // Failing to switch back changes nothing stored, and every open sets WAL again.
        let _ = bulk.leave(&self.conn);
        result
    }

    fn create_all(&mut self, records: &mut (dyn Iterator<Item = Record> + Send), actor: &str) -> Result<Applied> {
        let bulk = BulkMode::enter(&self.conn, None)?;
        let result = self.create_all_inner(records, actor, bulk.empty);
        // Failing to switch back changes nothing stored, and every open sets WAL again.
        let _ = bulk.leave(&self.conn);
        result
    }

    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        let mut sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE 1 = 1");
        let mut args: Vec<String> = Vec::new();
        if let Some(kind) = &filter.kind {
            args.push(kind.clone());
            sql.push_str(&format!(" AND kind = ?{}", args.len()));
        }
        if let Some(key) = &filter.key {
            args.push(key.clone());
            sql.push_str(&format!(" AND key = ?{}", args.len()));
        }
        sql.push_str(" ORDER BY seq DESC");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let mut events = stmt.query_map(rusqlite::params_from_iter(args.iter()), row_to_event)?.collect::<rusqlite::Result<Vec<_>>>()?;
        events.reverse();
        Ok(events)
    }

    fn verify_log(&self) -> Result<LogVerification> {
        let mut stmt = self.conn.prepare(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"))?;
        let events = stmt.query_map([], row_to_event)?.collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(LogVerification::of(events))
    }

    fn meta(&self, name: &str) -> Result<Option<String>> {
        Ok(self.conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| r.get(0)).optional()?)
    }

    fn set_meta(&mut self, name: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            params![name, value],
        )?;
        Ok(())
    }

    fn append_log(&mut self, kind: &str, key: &str, body: &str, actor: &str) -> Result<()> {
        let draft = crate::log_event(kind, key, body, actor, now())?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        append_event(&tx, &draft)?;
        tx.commit()?;
        Ok(())
    }

    fn dump(&self, sink: &mut dyn FnMut(DumpItem) -> Result<()>) -> Result<()> {
        // One read transaction: WAL gives it a snapshot that writers do not disturb.
        let tx = self.conn.unchecked_transaction()?;
        {
            let mut stmt = tx.prepare("SELECT name, value FROM meta ORDER BY name")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                sink(DumpItem::Meta { name: r.get(0)?, value: r.get(1)? })?;
            }
            // Grants after the accounts they name, so a restore can resolve them as they come.
            // Records in the order the table keeps them (by kind and key): in id order each
            // row is a look-up through the id index (reading the large benchmark's 1.3
            // million records took 35 s that way, 2 s this way). A restore numbers them
            // afresh: ids are the store's own, not part of the data.
            for sql in [
                "SELECT kind, key, body, created_at, updated_at FROM records ORDER BY kind, key",
                "SELECT 'grant', key, body, created_at, updated_at FROM grants ORDER BY id",
            ] {
                let mut stmt = tx.prepare(sql)?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    sink(DumpItem::Record {
                        kind: r.get(0)?,
                        key: r.get(1)?,
                        body: r.get(2)?,
                        created_at: r.get(3)?,
                        updated_at: r.get(4)?,
                    })?;
                }
            }
            let mut stmt = tx.prepare(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                sink(DumpItem::from_event(row_to_event(r)?))?;
            }
            let mut stmt = tx.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                sink(DumpItem::from_user(row_to_user(r, 0)?))?;
            }
            let mut stmt = tx.prepare(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                sink(DumpItem::from_token(row_to_token(r)?))?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn restore(&mut self, items: &mut dyn Iterator<Item = Result<DumpItem>>) -> Result<Restored> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (records, events): (u64, u64) =
            tx.query_row("SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM events)", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        if records + events > 0 {
            return Err(StoreError::NotEmpty { records, events });
        }
        let mut check = RestoreCheck::new();
        let mut ids = NextId::of(&tx)?;
        let mut stored: Vec<(i64, Record)> = Vec::new();
        let mut grants: Vec<(String, String, String, String, String)> = Vec::new();
        for item in items {
            match item? {
                DumpItem::Meta { name, value } => {
                    tx.prepare_cached(
                        "INSERT INTO meta (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    )?
                    .execute(params![name, value])?;
                    check.meta();
                }
                DumpItem::Record { kind, key, body, created_at, updated_at } => match check.record(&kind, &key, &body)? {
                    // Written once every account is: a backup from PostgreSQL has its
                    // records in id order, grants among the rest.
                    Record::Grant(grant) => grants.push((grant.account, key, body, created_at, updated_at)),
                    record => {
                        stored.push((insert_record(&tx, &mut ids, &kind, &key, &body, (&created_at, &updated_at))?, record));
                    }
                },
                item @ DumpItem::Event { .. } => {
                    let e = check.event(&item)?;
                    insert_event(&tx, e.seq, &e.draft, &e.prev_hash, &e.hash)?;
                }
                DumpItem::User { email, role, password_hash, person, disabled, created_at } => {
                    tx.prepare_cached(&format!("INSERT INTO users ({USER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"))?.execute(params![
                        email,
                        role,
                        password_hash,
                        person,
                        disabled,
                        created_at
                    ])?;
                    check.done.users += 1;
                }
                DumpItem::Token { id, secret_hash, email, role, name, created_at, expires_at } => {
                    tx.prepare_cached(&format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"))?
                        .execute(params![id, secret_hash, email, role, name, created_at, expires_at])?;
                    check.done.tokens += 1;
                }
            }
        }
        let keys: Vec<String> = stored.iter().map(|(_, r)| r.key()).collect();
        let ids: HashMap<(Kind, &str), i64> = stored.iter().zip(&keys).map(|((id, r), k)| ((r.kind(), k.as_str()), *id)).collect();
        let mut refs = RefRows::new();
        for (id, record) in &stored {
            write_refs(&tx, *id, record, &ids, &mut refs)?;
        }
        refs.flush(&tx)?;
        for (account, key, body, created_at, updated_at) in grants {
            let account_id = record_id(&tx, Kind::Account, &account, &ids)?
                .ok_or_else(|| StoreError::dangling(Kind::Grant, key.clone(), "account", Kind::Account, &account))?;
            insert_grant(&tx, &key, account_id, &body, (&created_at, &updated_at))?;
        }
        tx.commit()?;
        Ok(check.done)
    }
}

/// The last event's sequence number and hash (0 and the genesis hash for none); read
/// first in a transaction, it fixes a read transaction's snapshot.
fn chain_head(conn: &Connection) -> Result<(i64, String)> {
    let head = conn.query_row("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
    Ok(head.unwrap_or((0, GENESIS_HASH.to_string())))
}

/// The grant counts per account as a digest. The table is a b-tree on the account: its
/// rows come in key order.
fn read_levels(conn: &Connection) -> Result<GrantDigest> {
    let mut stmt = conn.prepare("SELECT account, n_read, n_write, n_admin FROM grant_levels")?;
    let counts =
        stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(GrantDigest::from_counts(counts))
}

/// Appends one event at the end of the chain, inside the caller's write transaction.
fn append_event(tx: &rusqlite::Transaction<'_>, draft: &EventDraft) -> Result<()> {
    let (seq, prev_hash) = chain_head(tx)?;
    let hash = draft.chain_hash(seq + 1, &prev_hash);
    insert_event(tx, seq + 1, draft, &prev_hash, &hash)
}

const USER_COLUMNS: &str = "email, role, password_hash, person, disabled, created_at";
const TOKEN_COLUMNS: &str = "id, secret_hash, email, role, name, created_at, expires_at";

fn row_to_user(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<User> {
    Ok(User {
        email: r.get(at)?,
        role: parse_role(&r.get::<_, String>(at + 1)?),
        password_hash: r.get(at + 2)?,
        person: r.get(at + 3)?,
        disabled: r.get(at + 4)?,
        created_at: r.get(at + 5)?,
    })
}

fn row_to_token(r: &rusqlite::Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        secret_hash: r.get(1)?,
        email: r.get(2)?,
        role: parse_role(&r.get::<_, String>(3)?),
        name: r.get(4)?,
        created_at: r.get(5)?,
        expires_at: r.get(6)?,
    })
}

fn prefixed(columns: &str, table: &str) -> String {
    columns.split(", ").map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", ")
}

impl Users for SqliteStore {
    fn users(&self) -> Result<Vec<User>> {
        let mut stmt = self.conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"))?;
        let rows = stmt.query_map([], |r| row_to_user(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn user(&self, email: &str) -> Result<Option<User>> {
        Ok(self.conn.query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?1"), [email], |r| row_to_user(r, 0)).optional()?)
    }

    fn put_user(&mut self, user: &User, actor: &str) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old =
            tx.query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?1"), [&user.email], |r| row_to_user(r, 0)).optional()?;
        tx.execute(
            &format!(
                "INSERT INTO users ({USER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (email) DO UPDATE SET \
                 role = excluded.role, password_hash = excluded.password_hash, person = excluded.person, disabled = excluded.disabled"
            ),
            params![user.email, user.role.as_str(), user.password_hash, user.person, user.disabled, user.created_at],
        )?;
        if crate::users::ends_sessions(old.as_ref(), user) {
            tx.execute("DELETE FROM sessions WHERE email = ?1", [&user.email])?;
        }
        append_event(&tx, &crate::users::user_event(old.as_ref(), Some(user), actor, &now()))?;
        tx.commit()?;
        Ok(())
    }

    fn remove_user(&mut self, email: &str, actor: &str) -> Result<bool> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = tx.query_row(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?1"), [email], |r| row_to_user(r, 0)).optional()?;
        let Some(old) = old else { return Ok(false) };
        tx.execute("DELETE FROM users WHERE email = ?1", [email])?;
        append_event(&tx, &crate::users::user_event(Some(&old), None, actor, &now()))?;
        tx.commit()?;
        Ok(true)
    }

    fn create_session(&mut self, s: &Session) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sessions (token_hash, email, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![s.token_hash, s.email, s.created_at, s.expires_at],
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &str) -> Result<Option<(Session, User)>> {
        let sql = format!(
            "SELECT s.token_hash, s.email, s.created_at, s.expires_at, {} FROM sessions s JOIN users u ON u.email = s.email \
             WHERE s.token_hash = ?1",
            prefixed(USER_COLUMNS, "u")
        );
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([token_hash], |r| {
                Ok((Session { token_hash: r.get(0)?, email: r.get(1)?, created_at: r.get(2)?, expires_at: r.get(3)? }, row_to_user(r, 4)?))
            })
            .optional()?)
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        self.conn.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
        Ok(())
    }

    fn purge_sessions(&mut self, now: jiff::Timestamp) -> Result<u64> {
        let expired: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT token_hash, expires_at FROM sessions")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            rows.filter_map(|r| r.ok())
                .filter(|(_, exp)| exp.parse::<jiff::Timestamp>().map_or(true, |e| e <= now))
                .map(|(h, _)| h)
                .collect()
        };
        let tx = self.conn.transaction()?;
        for h in &expired {
            tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [h])?;
        }
        tx.commit()?;
        Ok(expired.len() as u64)
    }

    fn put_token(&mut self, t: &ApiToken, actor: &str) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            &format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
            params![t.id, t.secret_hash, t.email, t.role.as_str(), t.name, t.created_at, t.expires_at],
        )?;
        append_event(&tx, &crate::users::token_event(t, true, actor, &now()))?;
        tx.commit()?;
        Ok(())
    }

    fn tokens(&self) -> Result<Vec<ApiToken>> {
        let mut stmt = self.conn.prepare(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY email, name"))?;
        let rows = stmt.query_map([], row_to_token)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn token(&self, id: &str) -> Result<Option<(ApiToken, User)>> {
        let sql = format!(
            "SELECT {}, {} FROM api_tokens t JOIN users u ON u.email = t.email WHERE t.id = ?1",
            prefixed(TOKEN_COLUMNS, "t"),
            prefixed(USER_COLUMNS, "u")
        );
        Ok(self.conn.prepare_cached(&sql)?.query_row([id], |r| Ok((row_to_token(r)?, row_to_user(r, 7)?))).optional()?)
    }

    fn remove_token(&mut self, id: &str, actor: &str) -> Result<bool> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let old = tx.query_row(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1"), [id], row_to_token).optional()?;
        let Some(old) = old else { return Ok(false) };
        tx.execute("DELETE FROM api_tokens WHERE id = ?1", [id])?;
        append_event(&tx, &crate::users::token_event(&old, false, actor, &now()))?;
        tx.commit()?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When a write goes in bulk: into an empty store always; into one with records only
    /// when it brings at least as many as are stored (and at least a thousand).
    #[test]
    fn bulk_mode_is_for_writes_as_large_as_the_store() {
        let store = SqliteStore::in_memory().unwrap();
        let active = |incoming: Option<usize>| BulkMode::enter(&store.conn, incoming).unwrap();
        let empty = active(None);
        assert!(empty.active && empty.empty);
        empty.leave(&store.conn).unwrap();
        store
            .conn
            .execute_batch(
                "INSERT INTO records (id, kind, key, body, created_at, updated_at) VALUES (1500, 'person', 'ann', '{}', 't', 't');",
            )
            .unwrap();
        for (incoming, want) in [(None, false), (Some(0), false), (Some(1499), false), (Some(1500), true)] {
            let mode = active(incoming);
            assert_eq!((mode.active, mode.empty), (want, false), "{incoming:?}");
            mode.leave(&store.conn).unwrap();
        }
    }

    /// A store at schema v4 (records in a rowid table), written by hand.
    fn v4_store(path: &Path, rows: &str) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL);",
        )
        .unwrap();
        for (i, m) in MIGRATIONS[..4].iter().enumerate() {
            conn.execute_batch(m.sql).unwrap();
            conn.execute("INSERT INTO schema_migrations VALUES (?1, 't')", [i + 1]).unwrap();
        }
        conn.execute_batch(rows).unwrap();
    }

    const V4_ROWS: &str = "INSERT INTO records (id, kind, key, body, created_at, updated_at) VALUES \
        (7, 'system', 'erp', '{\"key\":\"erp\",\"name\":\"ERP\",\"owner\":\"ann\"}', 't', 't'), \
        (3, 'person', 'ann', '{\"key\":\"ann\",\"name\":\"Ann\"}', 't', 't'); \
        INSERT INTO refs (from_id, field, to_id) VALUES (7, 'owner', 3);";

    /// Migration 5 rebuilds `records` in key order with the same ids, so the references
    /// into it still hold, and the store numbers new records on from the largest id.
    #[test]
    fn records_move_into_key_order_keeping_their_ids() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.db");
        assert_eq!(SqliteStore::pending_upgrade(&path), None, "no store there yet");
        v4_store(&path, V4_ROWS);
        assert_eq!(SqliteStore::pending_upgrade(&path), Some((4, 5)));
        let mut store = SqliteStore::open(&path).unwrap();
        assert_eq!(store.schema_version().unwrap(), 5);
        assert_eq!(SqliteStore::pending_upgrade(&path), None, "up to date");
        let page_size = |conn: &Connection| conn.query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0)).unwrap();
        assert_eq!(page_size(&store.conn), 4096, "a store keeps the page size it was made with");
        assert_eq!(page_size(&SqliteStore::open(&dir.path().join("new.db")).unwrap().conn), 16384, "a new store has 16 KiB pages");
        let rows: Vec<(i64, String)> = store
            .conn
            .prepare(ALL_BUT_GRANTS)
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(2)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(rows, [(3, "ann".to_string()), (7, "erp".to_string())]);
        let refs: (i64, String, i64) =
            store.conn.query_row("SELECT from_id, field, to_id FROM refs", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap();
        assert_eq!(refs, (7, "owner".to_string(), 3));
        let bob = Record::from_json(Kind::Person, serde_json::json!({"key": "bob", "name": "Bob"})).unwrap();
        store.create_all(&mut std::iter::once(bob), "t").unwrap();
        let id: i64 = store.conn.query_row("SELECT id FROM records WHERE kind = 'person' AND key = 'bob'", [], |r| r.get(0)).unwrap();
        assert_eq!(id, 8);
        // Enforcement is back on after the migration.
        assert!(store.conn.execute("DELETE FROM records WHERE key = 'ann'", []).is_err());
    }

    /// A reference that a hand edit broke stops the migration: the store stays at v4 as it was.
    #[test]
    fn a_broken_reference_stops_the_rebuild_and_keeps_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.db");
        v4_store(&path, &format!("{V4_ROWS} INSERT INTO refs (from_id, field, to_id) VALUES (7, 'vendor', 99);"));
        let err = SqliteStore::open(&path).err().expect("the migration must refuse a broken reference");
        assert!(err.to_string().contains("schema version 5: a row of refs refers to a row of records that does not exist"), "{err}");
        let conn = Connection::open(&path).unwrap();
        let (version, rowids): (i64, i64) = conn
            .query_row("SELECT (SELECT max(version) FROM schema_migrations), (SELECT count(rowid) FROM records)", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!((version, rowids), (4, 2), "still v4, its records in their rowid table");
    }
}
