//! The PostgreSQL backend: the same tables, invariants and event chain as SQLite.
//!
//! Writers serialise on one locked row (`write_lock`), taken first in every write
//! transaction, so the chain's next sequence number and the "is it still what I read"
//! checks cannot race another process; readers never wait. Bulk rows (references, events,
//! restored records) go in batches through `UNNEST` of arrays, one round trip per batch.

use crate::load::{InventoryBuilder, RawChunk};
use crate::sqlite::{body_of, now, parse_record};
use crate::users::{parse_role, Users};
use crate::{Applied, DumpItem, EventFilter, LogVerification, RestoreCheck, Restored, Result, Store, StoreError};
use handover_core::{
    Action, ApiToken, Change, ChangeSet, Event, EventDraft, GrantDigest, Inventory, Kind, Record, Session, User, GENESIS_HASH,
};
use postgres::error::SqlState;
use postgres::{Client, NoTls, Transaction};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/0001_init.sql"),
    include_str!("../migrations/postgres/0002_users.sql"),
    include_str!("../migrations/postgres/0003_grant_levels.sql"),
];
const BATCH: usize = 1000;
const EVENT_COLUMNS: &str = "seq, at, actor, action, kind, key, before, after, prev_hash, hash";

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        // The driver's text can include the server's message but never the password.
        match e.code() {
            Some(c) if *c == SqlState::FOREIGN_KEY_VIOLATION => {
                StoreError::InUse("a record that other records refer to would be removed".into())
            }
            _ => StoreError::Postgres(e.as_db_error().map_or_else(|| e.to_string(), |d| d.message().to_string())),
        }
    }
}

pub struct PgStore {
    client: RefCell<Client>,
}

fn connect(url: &str) -> Result<Client> {
    Client::connect(url, NoTls).map_err(|e| StoreError::Postgres(format!("cannot connect to {}: {e}", crate::redact(url))))
}

fn row_to_event(r: &postgres::Row) -> Event {
    let action: String = r.get(3);
    Event {
        seq: r.get(0),
        draft: EventDraft {
            at: r.get(1),
            actor: r.get(2),
            action: Action::parse(&action).unwrap_or(Action::Update),
            kind: r.get(4),
            key: r.get(5),
            before: r.get(6),
            after: r.get(7),
        },
        prev_hash: r.get(8),
        hash: r.get(9),
    }
}

fn schema_present(client: &mut Client) -> Result<bool> {
    let n: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
            &[],
        )?
        .get(0);
    Ok(n > 0)
}

/// Creates a new, empty database `name` on the server `admin_url` connects to (as a role
/// allowed to) and returns its URL: for test suites and provisioning scripts.
pub fn create_database(admin_url: &str, name: &str) -> Result<String> {
    if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
        return Err(StoreError::Postgres(format!("{name:?} is not a plain database name")));
    }
    connect(admin_url)?.batch_execute(&format!("CREATE DATABASE {name}"))?;
    let base = admin_url.split('?').next().unwrap_or(admin_url);
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

impl PgStore {
    pub fn open(url: &str) -> Result<PgStore> {
        let store = PgStore { client: RefCell::new(connect(url)?) };
        store.migrate()?;
        Ok(store)
    }

    pub fn has_schema(url: &str) -> Result<bool> {
        schema_present(&mut connect(url)?)
    }

    /// Opens the store if handover's schema is there, over one connection; `None` if not.
    pub fn open_existing(url: &str) -> Result<Option<PgStore>> {
        let mut client = connect(url)?;
        if !schema_present(&mut client)? {
            return Ok(None);
        }
        let store = PgStore { client: RefCell::new(client) };
        store.migrate()?;
        Ok(Some(store))
    }

    fn migrate(&self) -> Result<()> {
        let mut client = self.client.borrow_mut();
        client.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")?;
        let mut tx = client.transaction()?;
        // Two processes starting at once: one migrates, the other waits here and finds it done.
        tx.batch_execute("LOCK TABLE schema_migrations IN EXCLUSIVE MODE")?;
        let current: i64 = tx.query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[])?.get(0);
        let known = MIGRATIONS.len() as i64;
        if current > known {
            return Err(StoreError::NewerSchema { found: current, known });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.batch_execute(sql)?;
            tx.execute("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", &[&(i as i64 + 1), &now()])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Starts a write transaction holding the write lock; returns it with the chain head.
    fn begin_write(client: &mut Client) -> Result<(Transaction<'_>, i64, String)> {
        let mut tx = client.transaction()?;
        tx.query_one("SELECT id FROM write_lock WHERE id = 1 FOR UPDATE", &[])?;
        let head = tx.query_opt("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1", &[])?;
        let (seq, hash) = head.map_or((0, GENESIS_HASH.to_string()), |r| (r.get(0), r.get(1)));
        Ok((tx, seq, hash))
    }
}

/// Rows waiting to be written by one `UNNEST` insert, `BATCH` at a time.
struct Batch<T> {
    rows: Vec<T>,
    write: fn(&mut Transaction<'_>, &[T]) -> Result<()>,
}

impl<T> Batch<T> {
    fn new(write: fn(&mut Transaction<'_>, &[T]) -> Result<()>) -> Self {
        Batch { rows: Vec::with_capacity(BATCH), write }
    }
    fn push(&mut self, tx: &mut Transaction<'_>, row: T) -> Result<()> {
        self.rows.push(row);
        if self.rows.len() == BATCH {
            self.flush(tx)?;
        }
        Ok(())
    }
    fn flush(&mut self, tx: &mut Transaction<'_>) -> Result<()> {
        if !self.rows.is_empty() {
            (self.write)(tx, &self.rows)?;
            self.rows.clear();
        }
        Ok(())
    }
}

/// An event to append: sequence, draft, previous hash, hash.
type EventRow = (i64, EventDraft, String, String);

fn insert_events(tx: &mut Transaction<'_>, rows: &[EventRow]) -> Result<()> {
    let seq: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let at: Vec<&str> = rows.iter().map(|r| r.1.at.as_str()).collect();
    let actor: Vec<&str> = rows.iter().map(|r| r.1.actor.as_str()).collect();
    let action: Vec<&str> = rows.iter().map(|r| r.1.action.as_str()).collect();
    let kind: Vec<&str> = rows.iter().map(|r| r.1.kind.as_str()).collect();
    let key: Vec<&str> = rows.iter().map(|r| r.1.key.as_str()).collect();
    let before: Vec<Option<&str>> = rows.iter().map(|r| r.1.before.as_deref()).collect();
    let after: Vec<Option<&str>> = rows.iter().map(|r| r.1.after.as_deref()).collect();
    let prev: Vec<&str> = rows.iter().map(|r| r.2.as_str()).collect();
    let hash: Vec<&str> = rows.iter().map(|r| r.3.as_str()).collect();
    tx.execute(
        &format!(
            "INSERT INTO events ({EVENT_COLUMNS}) SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], \
             $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])"
        ),
        &[&seq, &at, &actor, &action, &kind, &key, &before, &after, &prev, &hash],
    )?;
    Ok(())
}

/// A reference: from record id, field, to record id.
type RefRow = (i64, String, i64);

fn insert_refs(tx: &mut Transaction<'_>, rows: &[RefRow]) -> Result<()> {
    let from: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let field: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let to: Vec<i64> = rows.iter().map(|r| r.2).collect();
    tx.execute(
        "INSERT INTO refs (from_id, field, to_id) SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::bigint[])",
        &[&from, &field, &to],
    )?;
    Ok(())
}

/// A restored record waiting for its batch: kind, key, body, created_at, updated_at, parsed.
type PendingRecord = (String, String, String, String, String, Record);

/// Inserts restored records in one `UNNEST` batch, keeping each one's new id.
fn insert_records(tx: &mut Transaction<'_>, pending: &mut Vec<PendingRecord>, stored: &mut Vec<(i64, Record)>) -> Result<()> {
    if pending.is_empty() {
        return Ok(());
    }
    let column = |f: fn(&PendingRecord) -> &str| -> Vec<&str> { pending.iter().map(f).collect() };
    let (kinds, keys, bodies, created, updated) =
        (column(|p| &p.0), column(|p| &p.1), column(|p| &p.2), column(|p| &p.3), column(|p| &p.4));
    let rows = tx.query(
        "INSERT INTO records (kind, key, body, created_at, updated_at) SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) \
         RETURNING kind, key, id",
        &[&kinds, &keys, &bodies, &created, &updated],
    )?;
    let mut ids: HashMap<(String, String), i64> = rows.iter().map(|r| ((r.get(0), r.get(1)), r.get(2))).collect();
    for (kind, key, _, _, _, record) in pending.drain(..) {
        let id = ids.remove(&(kind, key)).ok_or_else(|| StoreError::Backup("a restored record was not stored".into()))?;
        stored.push((id, record));
    }
    Ok(())
}

fn lookup_id(tx: &mut Transaction<'_>, kind: Kind, key: &str) -> Result<Option<i64>> {
    Ok(tx.query_opt("SELECT id FROM records WHERE kind = $1 AND key = $2", &[&kind.as_str(), &key])?.map(|r| r.get(0)))
}

/// Ids of records stored before this transaction, looked up once each.
type Known = HashMap<(Kind, String), Option<i64>>;

fn write_refs(
    tx: &mut Transaction<'_>,
    id: i64,
    record: &Record,
    written: &HashMap<(Kind, &str), i64>,
    known: &mut Known,
    out: &mut Batch<RefRow>,
) -> Result<()> {
    for rf in record.refs() {
        let to_id = match written.get(&(rf.kind, rf.key)) {
            Some(id) => Some(*id),
            None => match known.get(&(rf.kind, rf.key.to_string())) {
                Some(id) => *id,
                None => {
                    let id = lookup_id(tx, rf.kind, rf.key)?;
                    known.insert((rf.kind, rf.key.to_string()), id);
                    id
                }
            },
        };
        let Some(to_id) = to_id else {
            return Err(StoreError::dangling(record.kind(), record.key(), &rf.field, rf.kind, rf.key));
        };
        out.push(tx, (id, rf.field, to_id))?;
    }
    Ok(())
}

/// Writes one change's record row, checking that the stored record is what the caller saw.
fn write_record(tx: &mut Transaction<'_>, change: &Change, after: Option<&String>, at: &str) -> Result<Option<i64>> {
    let kind = change.kind.as_str();
    let conflict = |reason: &str| StoreError::Conflict { kind: change.kind, key: change.key.clone(), reason: reason.to_string() };
    let Some(before) = &change.before else {
        let Some(after) = after else { return Ok(None) };
        let row = tx.query_opt(
            "INSERT INTO records (kind, key, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) ON CONFLICT (kind, key) DO NOTHING RETURNING id",
            &[&kind, &change.key, after, &at],
        )?;
        return row.map(|r| Some(r.get(0))).ok_or_else(|| conflict("already exists"));
    };
    let existing = tx.query_opt("SELECT id, body FROM records WHERE kind = $1 AND key = $2 FOR UPDATE", &[&kind, &change.key])?;
    let Some(row) = existing else { return Err(conflict("no longer exists")) };
    let (id, body): (i64, String) = (row.get(0), row.get(1));
    if parse_record(id, kind, &body)? != *before {
        return Err(conflict("was changed by someone else since it was read"));
    }
    match after {
        Some(after) => {
            tx.execute("UPDATE records SET body = $1, updated_at = $2 WHERE id = $3", &[after, &at, &id])?;
            tx.execute("DELETE FROM refs WHERE from_id = $1", &[&id])?;
            Ok(Some(id))
        }
        None => {
            tx.execute("DELETE FROM records WHERE id = $1", &[&id])?;
            Ok(None)
        }
    }
}

impl PgStore {
    /// Parses rows of (id, kind, key, body) into an inventory.
    fn read_records(rows: &[postgres::Row]) -> Result<Inventory> {
        let mut chunk = RawChunk::default();
        for r in rows {
            chunk.push(r.get(0), r.get(1), r.get(2), r.get(3))?;
        }
        let mut builder = InventoryBuilder::default();
        builder.add(&chunk)?;
        Ok(builder.finish())
    }
}

impl Store for PgStore {
    fn schema_version(&self) -> Result<i64> {
        Ok(self.client.borrow_mut().query_one("SELECT max(version) FROM schema_migrations", &[])?.get(0))
    }

    fn load(&self) -> Result<Inventory> {
        PgStore::read_records(&self.client.borrow_mut().query("SELECT id, kind, key, body FROM records", &[])?)
    }

    fn load_without_grants(&self) -> Result<(Inventory, GrantDigest)> {
        // One snapshot for both reads: the digest and the records are of the same moment.
        let mut client = self.client.borrow_mut();
        let mut tx = client.build_transaction().isolation_level(postgres::IsolationLevel::RepeatableRead).read_only(true).start()?;
        let rows = tx.query("SELECT account, n_read, n_write, n_admin FROM grant_levels", &[])?;
        let digest = GrantDigest::from_counts(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))));
        let rows = tx.query("SELECT id, kind, key, body FROM records WHERE kind <> 'grant'", &[])?;
        tx.commit()?;
        drop(client);
        Ok((PgStore::read_records(&rows)?, digest))
    }

    fn list(&self, kind: Kind) -> Result<Vec<Record>> {
        let rows = self.client.borrow_mut().query("SELECT id, body FROM records WHERE kind = $1 ORDER BY key", &[&kind.as_str()])?;
        rows.iter().map(|r| parse_record(r.get(0), kind.as_str(), r.get(1))).collect()
    }

    fn get(&self, kind: Kind, key: &str) -> Result<Option<Record>> {
        let row =
            self.client.borrow_mut().query_opt("SELECT id, body FROM records WHERE kind = $1 AND key = $2", &[&kind.as_str(), &key])?;
        row.map(|r| parse_record(r.get(0), kind.as_str(), r.get(1))).transpose()
    }

    fn counts(&self) -> Result<BTreeMap<Kind, u64>> {
        let rows = self.client.borrow_mut().query("SELECT kind, count(*) FROM records GROUP BY kind", &[])?;
        let mut out = BTreeMap::new();
        for r in rows {
            let kind: Kind = r.get::<_, &str>(0).parse().map_err(|reason| StoreError::Corrupt { id: 0, reason })?;
            out.insert(kind, r.get::<_, i64>(1) as u64);
        }
        Ok(out)
    }

    fn apply(&mut self, changes: &ChangeSet, actor: &str) -> Result<Applied> {
        if changes.is_empty() {
            return Ok(Applied::default());
        }
        let at = now();
        let mut client = self.client.borrow_mut();
        let (mut tx, mut seq, mut prev_hash) = Self::begin_write(&mut client)?;
        let bodies: Vec<(Option<String>, Option<String>)> =
            changes.changes.iter().map(|c| (c.before.as_ref().map(body_of), c.after.as_ref().map(body_of))).collect();
        let mut written: HashMap<(Kind, &str), i64> = HashMap::with_capacity(changes.len());
        let mut to_link = Vec::new();
        // Creations go in batches (a large first import is almost all creations); a diff
        // never holds two changes to one key, so their order against the rest is free.
        let creations: Vec<usize> = (0..changes.len()).filter(|&i| changes.changes[i].before.is_none() && bodies[i].1.is_some()).collect();
        for batch in creations.chunks(BATCH) {
            let kinds: Vec<&str> = batch.iter().map(|&i| changes.changes[i].kind.as_str()).collect();
            let keys: Vec<&str> = batch.iter().map(|&i| changes.changes[i].key.as_str()).collect();
            let docs: Vec<&str> = batch.iter().filter_map(|&i| bodies[i].1.as_deref()).collect();
            let rows = tx.query(
                "INSERT INTO records (kind, key, body, created_at, updated_at) SELECT k, y, b, $4, $4 \
                 FROM UNNEST($1::text[], $2::text[], $3::text[]) AS t (k, y, b) ON CONFLICT (kind, key) DO NOTHING RETURNING kind, key, id",
                &[&kinds, &keys, &docs, &at],
            )?;
            let mut ids: HashMap<(&str, &str), i64> = rows.iter().map(|r| ((r.get::<_, &str>(0), r.get::<_, &str>(1)), r.get(2))).collect();
            for &i in batch {
                let change = &changes.changes[i];
                let Some(id) = ids.remove(&(change.kind.as_str(), change.key.as_str())) else {
                    return Err(StoreError::Conflict { kind: change.kind, key: change.key.clone(), reason: "already exists".into() });
                };
                if let Some(record) = &change.after {
                    written.insert((change.kind, change.key.as_str()), id);
                    to_link.push((id, record));
                }
            }
        }
        for (change, (_, after)) in changes.changes.iter().zip(&bodies).filter(|(c, _)| c.before.is_some()) {
            if let Some(id) = write_record(&mut tx, change, after.as_ref(), &at)? {
                if let Some(record) = &change.after {
                    written.insert((change.kind, change.key.as_str()), id);
                    to_link.push((id, record));
                }
            }
        }
        let mut refs = Batch::new(insert_refs);
        let mut known = Known::new();
        for (id, record) in to_link {
            write_refs(&mut tx, id, record, &written, &mut known, &mut refs)?;
        }
        refs.flush(&mut tx)?;
        let mut events = Batch::new(insert_events);
        for (change, (before, after)) in changes.changes.iter().zip(bodies) {
            seq += 1;
            let draft = EventDraft::of_change(change, &at, actor, before, after);
            let hash = draft.chain_hash(seq, &prev_hash);
            events.push(&mut tx, (seq, draft, prev_hash, hash.clone()))?;
            prev_hash = hash;
        }
        events.flush(&mut tx)?;
        tx.commit()?;
        Ok(Applied { changes: changes.len() })
    }

    fn create_all(&mut self, records: &mut (dyn Iterator<Item = Record> + Send), actor: &str) -> Result<Applied> {
        // The validated change path, whole: the inventory is small enough to hold here
        // whenever it is small enough to analyse.
        let mut target = Inventory::new();
        let mut problems = Vec::new();
        for record in records {
            handover_core::inventory::validate_record(&record, &mut problems);
            if let Some(p) = problems.pop() {
                return Err(StoreError::Invalid(p));
            }
            target.insert(record);
        }
        let current = self.load()?;
        let mut changes = current.diff(&target, &Kind::ALL);
        // Only creations: records already stored are not removed by a stream of new ones.
        changes.changes.retain(|c| c.before.is_none());
        self.apply(&changes, actor)
    }

    fn events(&self, filter: &EventFilter) -> Result<Vec<Event>> {
        let mut sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR key = $2) ORDER BY seq DESC"
        );
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let kind = filter.kind.as_deref();
        let rows = self.client.borrow_mut().query(&sql, &[&kind, &filter.key])?;
        let mut events: Vec<Event> = rows.iter().map(row_to_event).collect();
        events.reverse();
        Ok(events)
    }

    fn verify_log(&self) -> Result<LogVerification> {
        let rows = self.client.borrow_mut().query(&format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq"), &[])?;
        let events: Vec<Event> = rows.iter().map(row_to_event).collect();
        Ok(LogVerification::of(events))
    }

    fn meta(&self, name: &str) -> Result<Option<String>> {
        Ok(self.client.borrow_mut().query_opt("SELECT value FROM meta WHERE name = $1", &[&name])?.map(|r| r.get(0)))
    }

    fn set_meta(&mut self, name: &str, value: &str) -> Result<()> {
        self.client.borrow_mut().execute(
            "INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            &[&name, &value],
        )?;
        Ok(())
    }

    fn append_log(&mut self, kind: &str, key: &str, body: &str, actor: &str) -> Result<()> {
        let draft = crate::log_event(kind, key, body, actor, now())?;
        let mut client = self.client.borrow_mut();
        let (mut tx, seq, prev) = Self::begin_write(&mut client)?;
        append_event(&mut tx, seq, prev, draft)?;
        tx.commit()?;
        Ok(())
    }

    fn dump(&self, sink: &mut dyn FnMut(DumpItem) -> Result<()>) -> Result<()> {
        let mut client = self.client.borrow_mut();
        let mut tx = client.build_transaction().isolation_level(postgres::IsolationLevel::RepeatableRead).read_only(true).start()?;
        for r in tx.query("SELECT name, value FROM meta ORDER BY name", &[])? {
            sink(DumpItem::Meta { name: r.get(0), value: r.get(1) })?;
        }
        // Streamed in pages so a large store never sits in memory whole.
        let mut last = 0i64;
        loop {
            let rows = tx
                .query("SELECT id, kind, key, body, created_at, updated_at FROM records WHERE id > $1 ORDER BY id LIMIT 10000", &[&last])?;
            let Some(end) = rows.last() else { break };
            last = end.get(0);
            for r in rows {
                sink(DumpItem::Record { kind: r.get(1), key: r.get(2), body: r.get(3), created_at: r.get(4), updated_at: r.get(5) })?;
            }
        }
        let mut last = 0i64;
        loop {
            let rows = tx.query(&format!("SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT 10000"), &[&last])?;
            let Some(end) = rows.last() else { break };
            last = end.get(0);
            for r in rows {
                sink(DumpItem::from_event(row_to_event(&r)))?;
            }
        }
        for r in tx.query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"), &[])? {
            sink(DumpItem::from_user(row_to_user(&r, 0)))?;
        }
        for r in tx.query(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY id"), &[])? {
            sink(DumpItem::from_token(row_to_token(&r)))?;
        }
        tx.commit()?;
        Ok(())
    }

    fn restore(&mut self, items: &mut dyn Iterator<Item = Result<DumpItem>>) -> Result<Restored> {
        let mut client = self.client.borrow_mut();
        let (mut tx, _, _) = Self::begin_write(&mut client)?;
        let counts = tx.query_one("SELECT (SELECT count(*) FROM records), (SELECT count(*) FROM events)", &[])?;
        let (records, events): (i64, i64) = (counts.get(0), counts.get(1));
        if records + events > 0 {
            return Err(StoreError::NotEmpty { records: records as u64, events: events as u64 });
        }
        let mut check = RestoreCheck::new();
        let mut stored: Vec<(i64, Record)> = Vec::new();
        let mut pending: Vec<PendingRecord> = Vec::with_capacity(BATCH);
        let mut event_rows = Batch::new(insert_events);
        for item in items {
            match item? {
                DumpItem::Meta { name, value } => {
                    tx.execute(
                        "INSERT INTO meta (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                        &[&name, &value],
                    )?;
                    check.meta();
                }
                DumpItem::Record { kind, key, body, created_at, updated_at } => {
                    let record = check.record(&kind, &key, &body)?;
                    pending.push((kind, key, body, created_at, updated_at, record));
                    if pending.len() == BATCH {
                        insert_records(&mut tx, &mut pending, &mut stored)?;
                    }
                }
                item @ DumpItem::Event { .. } => {
                    let e = check.event(&item)?;
                    event_rows.push(&mut tx, (e.seq, e.draft, e.prev_hash, e.hash))?;
                }
                DumpItem::User { email, role, password_hash, person, disabled, created_at } => {
                    tx.execute(
                        &format!("INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"),
                        &[&email, &role, &password_hash, &person, &disabled, &created_at],
                    )?;
                    check.done.users += 1;
                }
                DumpItem::Token { id, secret_hash, email, role, name, created_at, expires_at } => {
                    tx.execute(
                        &format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
                        &[&id, &secret_hash, &email, &role, &name, &created_at, &expires_at],
                    )?;
                    check.done.tokens += 1;
                }
            }
        }
        insert_records(&mut tx, &mut pending, &mut stored)?;
        event_rows.flush(&mut tx)?;
        let keys: Vec<String> = stored.iter().map(|(_, r)| r.key()).collect();
        let ids: HashMap<(Kind, &str), i64> = stored.iter().zip(&keys).map(|((id, r), k)| ((r.kind(), k.as_str()), *id)).collect();
        let mut refs = Batch::new(insert_refs);
        let mut known = Known::new();
        for (id, record) in &stored {
            write_refs(&mut tx, *id, record, &ids, &mut known, &mut refs)?;
        }
        refs.flush(&mut tx)?;
        tx.commit()?;
        Ok(check.done)
    }
}

const USER_COLUMNS: &str = "email, role, password_hash, person, disabled, created_at";
const TOKEN_COLUMNS: &str = "id, secret_hash, email, role, name, created_at, expires_at";

fn row_to_user(r: &postgres::Row, at: usize) -> User {
    User {
        email: r.get(at),
        role: parse_role(r.get(at + 1)),
        password_hash: r.get(at + 2),
        person: r.get(at + 3),
        disabled: r.get(at + 4),
        created_at: r.get(at + 5),
    }
}

fn row_to_token(r: &postgres::Row) -> ApiToken {
    ApiToken {
        id: r.get(0),
        secret_hash: r.get(1),
        email: r.get(2),
        role: parse_role(r.get(3)),
        name: r.get(4),
        created_at: r.get(5),
        expires_at: r.get(6),
    }
}

fn prefixed(columns: &str, table: &str) -> String {
    columns.split(", ").map(|c| format!("{table}.{c}")).collect::<Vec<_>>().join(", ")
}

/// Appends one event after `(seq, prev_hash)`, the head `begin_write` returned.
fn append_event(tx: &mut Transaction<'_>, seq: i64, prev_hash: String, draft: EventDraft) -> Result<()> {
    let hash = draft.chain_hash(seq + 1, &prev_hash);
    insert_events(tx, &[(seq + 1, draft, prev_hash, hash)])
}

impl Users for PgStore {
    fn users(&self) -> Result<Vec<User>> {
        let rows = self.client.borrow_mut().query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"), &[])?;
        Ok(rows.iter().map(|r| row_to_user(r, 0)).collect())
    }

    fn user(&self, email: &str) -> Result<Option<User>> {
        let row = self.client.borrow_mut().query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"), &[&email])?;
        Ok(row.map(|r| row_to_user(&r, 0)))
    }

    fn put_user(&mut self, user: &User, actor: &str) -> Result<()> {
        let mut client = self.client.borrow_mut();
        let (mut tx, seq, prev) = Self::begin_write(&mut client)?;
        let old = tx.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"), &[&user.email])?.map(|r| row_to_user(&r, 0));
        tx.execute(
            &format!(
                "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO UPDATE SET \
                 role = excluded.role, password_hash = excluded.password_hash, person = excluded.person, disabled = excluded.disabled"
            ),
            &[&user.email, &user.role.as_str(), &user.password_hash, &user.person, &user.disabled, &user.created_at],
        )?;
        if crate::users::ends_sessions(old.as_ref(), user) {
            tx.execute("DELETE FROM sessions WHERE email = $1", &[&user.email])?;
        }
        append_event(&mut tx, seq, prev, crate::users::user_event(old.as_ref(), Some(user), actor, &now()))?;
        tx.commit()?;
        Ok(())
    }

    fn remove_user(&mut self, email: &str, actor: &str) -> Result<bool> {
        let mut client = self.client.borrow_mut();
        let (mut tx, seq, prev) = Self::begin_write(&mut client)?;
        let Some(old) = tx.query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1"), &[&email])?.map(|r| row_to_user(&r, 0))
        else {
            return Ok(false);
        };
        tx.execute("DELETE FROM users WHERE email = $1", &[&email])?;
        append_event(&mut tx, seq, prev, crate::users::user_event(Some(&old), None, actor, &now()))?;
        tx.commit()?;
        Ok(true)
    }

    fn create_session(&mut self, s: &Session) -> Result<()> {
        self.client.borrow_mut().execute(
            "INSERT INTO sessions (token_hash, email, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            &[&s.token_hash, &s.email, &s.created_at, &s.expires_at],
        )?;
        Ok(())
    }

    fn session(&self, token_hash: &str) -> Result<Option<(Session, User)>> {
        let sql = format!(
            "SELECT s.token_hash, s.email, s.created_at, s.expires_at, {} FROM sessions s JOIN users u ON u.email = s.email \
             WHERE s.token_hash = $1",
            prefixed(USER_COLUMNS, "u")
        );
        let row = self.client.borrow_mut().query_opt(&sql, &[&token_hash])?;
        Ok(row.map(|r| (Session { token_hash: r.get(0), email: r.get(1), created_at: r.get(2), expires_at: r.get(3) }, row_to_user(&r, 4))))
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        self.client.borrow_mut().execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])?;
        Ok(())
    }

    fn purge_sessions(&mut self, now: jiff::Timestamp) -> Result<u64> {
        let mut client = self.client.borrow_mut();
        let rows = client.query("SELECT token_hash, expires_at FROM sessions", &[])?;
        let expired: Vec<String> =
            rows.iter().filter(|r| r.get::<_, &str>(1).parse::<jiff::Timestamp>().map_or(true, |e| e <= now)).map(|r| r.get(0)).collect();
        if !expired.is_empty() {
            client.execute("DELETE FROM sessions WHERE token_hash = ANY($1)", &[&expired])?;
        }
        Ok(expired.len() as u64)
    }

    fn put_token(&mut self, t: &ApiToken, actor: &str) -> Result<()> {
        let mut client = self.client.borrow_mut();
        let (mut tx, seq, prev) = Self::begin_write(&mut client)?;
        tx.execute(
            &format!("INSERT INTO api_tokens ({TOKEN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
            &[&t.id, &t.secret_hash, &t.email, &t.role.as_str(), &t.name, &t.created_at, &t.expires_at],
        )?;
        append_event(&mut tx, seq, prev, crate::users::token_event(t, true, actor, &now()))?;
        tx.commit()?;
        Ok(())
    }

    fn tokens(&self) -> Result<Vec<ApiToken>> {
        let rows = self.client.borrow_mut().query(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY email, name"), &[])?;
        Ok(rows.iter().map(row_to_token).collect())
    }

    fn token(&self, id: &str) -> Result<Option<(ApiToken, User)>> {
        let sql = format!(
            "SELECT {}, {} FROM api_tokens t JOIN users u ON u.email = t.email WHERE t.id = $1",
            prefixed(TOKEN_COLUMNS, "t"),
            prefixed(USER_COLUMNS, "u")
        );
        let row = self.client.borrow_mut().query_opt(&sql, &[&id])?;
        Ok(row.map(|r| (row_to_token(&r), row_to_user(&r, 7))))
    }

    fn remove_token(&mut self, id: &str, actor: &str) -> Result<bool> {
        let mut client = self.client.borrow_mut();
        let (mut tx, seq, prev) = Self::begin_write(&mut client)?;
        let Some(old) = tx.query_opt(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"), &[&id])?.map(|r| row_to_token(&r))
        else {
            return Ok(false);
        };
        tx.execute("DELETE FROM api_tokens WHERE id = $1", &[&id])?;
        append_event(&mut tx, seq, prev, crate::users::token_event(&old, false, actor, &now()))?;
        tx.commit()?;
        Ok(true)
    }
}
