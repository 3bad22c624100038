-- handover schema v1 (SQLite). Forward-only: never edit a released migration, add one.

-- Every record, whatever its kind. The body is the record as JSON (its fields in order),
-- validated by handover-core before it gets here; columns hold only what SQL must index.
CREATE TABLE records (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, key)
);

-- References between records (a system's owner, a grant's account, ...), one row per
-- referring field. The foreign keys make a dangling reference impossible even if a caller
-- skipped validation; the check on to_id is deferred so that one transaction may create
-- records that refer to each other in any order.
CREATE TABLE refs (
    from_id INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    field   TEXT    NOT NULL,
    to_id   INTEGER NOT NULL REFERENCES records (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (from_id, field)
) WITHOUT ROWID;
CREATE INDEX refs_to ON refs (to_id);

-- The append-only, hash-chained event log. hash = SHA-256(prev_hash || "\n" || canonical
-- JSON of the other columns); see handover-core/src/event.rs.
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    before    TEXT,
    after     TEXT,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX events_record ON events (kind, key);

-- Append-only by construction for anyone using SQL through handover; the hash chain is
-- what catches someone who drops these triggers and edits the file.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

-- Small facts about the store itself (who created it, for what).
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
