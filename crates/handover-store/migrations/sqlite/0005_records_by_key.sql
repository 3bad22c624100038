-- handover schema v5 (SQLite): records stored in key order.
--
-- Analysis reads every record but grants, grouped by kind and sorted by key. In a rowid
-- table the rows lie in the order they were written, so a large organisation's million
-- accounts came back shuffled and had to be sorted — and, parsed in that order, they lay
-- scattered in memory, so every later pass in key order missed the cache at each step.
-- Here the table is the b-tree on (kind, key) itself (WITHOUT ROWID): a plain scan
-- returns the rows in that order, read sequentially. The id stays a column, unique, for
-- `refs` and `grants` to name; the store numbers new rows itself (largest id plus one, as
-- a rowid table did). Same ids, bodies and dates: nothing a user sees changes.
--
-- Run with foreign-key enforcement off (dropping the old table would otherwise cascade
-- into `refs`); the store checks that no reference is broken before committing.

CREATE TABLE records_by_key (
    kind       TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    id         INTEGER NOT NULL UNIQUE,
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;

INSERT INTO records_by_key (kind, key, id, body, created_at, updated_at)
SELECT kind, key, id, body, created_at, updated_at FROM records ORDER BY kind, key;

DROP TABLE records;
ALTER TABLE records_by_key RENAME TO records;
