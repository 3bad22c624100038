-- handover schema v1 (PostgreSQL). Forward-only: never edit a released migration, add one.
-- The same tables as the SQLite schema; see ../sqlite/0001_init.sql for what each holds.
-- SQL used: BIGSERIAL, TEXT, UNIQUE and FOREIGN KEY constraints (one DEFERRABLE),
-- SELECT … FOR UPDATE, and a PL/pgSQL trigger function. See docs/postgres.md for what
-- that means for PostgreSQL-compatible engines.

CREATE TABLE records (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (kind, key)
);

CREATE TABLE refs (
    from_id BIGINT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    field   TEXT   NOT NULL,
    to_id   BIGINT NOT NULL REFERENCES records (id) DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (from_id, field)
);
CREATE INDEX refs_to ON refs (to_id);

CREATE TABLE events (
    seq       BIGINT PRIMARY KEY,
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

CREATE FUNCTION handover_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the event log is append-only';
END
$$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION handover_events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION handover_events_append_only();

CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row that every write transaction locks first (SELECT … FOR UPDATE): writers
-- serialise on the event chain, as they do on SQLite's write lock. Readers never wait.
CREATE TABLE write_lock (id INTEGER PRIMARY KEY);
INSERT INTO write_lock (id) VALUES (1);
