-- handover schema v4 (SQLite): grants in a table of their own.
--
-- Grants are most of a large organisation's records (5.2 million of 6.5 million in the
-- 100,000-person benchmark) and analysis never reads them, only `grant_levels`. Kept in
-- `records`, their rows sat between the accounts and everything else, so reading the
-- rest walked every page of them. Here they are apart, and the reference to their account
-- is a column with a foreign key instead of a row in `refs`. Same ids, bodies and dates:
-- nothing a user sees changes, and the event log is untouched.

CREATE TABLE grants (
    id         INTEGER PRIMARY KEY,
    key        TEXT    NOT NULL UNIQUE,
    -- Deferred like refs.to_id: a transaction may remove an account and its grants in
    -- any order; one that leaves a grant without its account fails at commit.
    account_id INTEGER NOT NULL REFERENCES records (id) DEFERRABLE INITIALLY DEFERRED,
    body       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

INSERT INTO grants (id, key, account_id, body, created_at, updated_at)
SELECT r.id, r.key, f.to_id, r.body, r.created_at, r.updated_at
FROM records AS r JOIN refs AS f ON f.from_id = r.id AND f.field = 'account'
WHERE r.kind = 'grant'
ORDER BY r.id;

-- Removing a record checks that no grant still names it: without this index, each check
-- would read every grant (and the DELETE below would never end on a large store).
CREATE INDEX grants_account ON grants (account_id);

-- The counts stay as they are (the same grants); only where the triggers watch moves.
DROP TRIGGER grant_levels_insert;
DROP TRIGGER grant_levels_update;
DROP TRIGGER grant_levels_delete;
-- Their refs rows go with them (ON DELETE CASCADE).
DELETE FROM records WHERE kind = 'grant';

-- One place changes the counts: a view nothing reads, whose INSTEAD OF trigger adds one
-- grant (delta 1) or takes one away (delta -1) at its level on its account's row, and
-- drops a row that comes to nothing. The triggers on grants only say which.
CREATE VIEW grant_level_deltas (account, level, delta) AS SELECT NULL, NULL, NULL WHERE 0;

CREATE TRIGGER grant_level_delta INSTEAD OF INSERT ON grant_level_deltas
BEGIN
    INSERT INTO grant_levels (account, n_read, n_write, n_admin)
    VALUES (NEW.account, NEW.delta * (NEW.level = 'read'), NEW.delta * (NEW.level = 'write'), NEW.delta * (NEW.level = 'admin'))
    ON CONFLICT (account) DO UPDATE SET
        n_read = n_read + excluded.n_read, n_write = n_write + excluded.n_write, n_admin = n_admin + excluded.n_admin;
    DELETE FROM grant_levels WHERE account = NEW.account AND n_read = 0 AND n_write = 0 AND n_admin = 0;
END;

CREATE TRIGGER grant_levels_insert AFTER INSERT ON grants
BEGIN
    INSERT INTO grant_level_deltas VALUES (json_extract(NEW.body, '$.account'), json_extract(NEW.body, '$.level'), 1);
END;

CREATE TRIGGER grant_levels_delete AFTER DELETE ON grants
BEGIN
    INSERT INTO grant_level_deltas VALUES (json_extract(OLD.body, '$.account'), json_extract(OLD.body, '$.level'), -1);
END;

-- An update is the old grant going and the new one coming (its key, and so its account,
-- never changes).
CREATE TRIGGER grant_levels_update AFTER UPDATE OF body ON grants
BEGIN
    INSERT INTO grant_level_deltas VALUES (json_extract(OLD.body, '$.account'), json_extract(OLD.body, '$.level'), -1);
    INSERT INTO grant_level_deltas VALUES (json_extract(NEW.body, '$.account'), json_extract(NEW.body, '$.level'), 1);
END;
