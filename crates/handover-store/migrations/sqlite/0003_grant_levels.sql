-- handover schema v3 (SQLite): how many grants each account holds at each level.
--
-- Analysis reads two facts of grants — how many there are and each account's highest
-- direct level — and a large organisation has millions of them, most of the rows of
-- `records`. This table keeps those facts per account so analysis reads one small row per
-- account instead of every grant. It is derived data, kept by the triggers below in the
-- same transaction as every write to `records`, so it cannot disagree with the grants; a
-- bulk write into an empty store drops the triggers and fills the table itself.
-- Accounts are named by key, not id: a change set may create a grant before its account.

CREATE TABLE grant_levels (
    account TEXT    PRIMARY KEY,
    n_read  INTEGER NOT NULL,
    n_write INTEGER NOT NULL,
    n_admin INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO grant_levels (account, n_read, n_write, n_admin)
SELECT account, sum(level = 'read'), sum(level = 'write'), sum(level = 'admin')
FROM (SELECT json_extract(body, '$.account') AS account, json_extract(body, '$.level') AS level
      FROM records NOT INDEXED WHERE kind = 'grant')
GROUP BY account;

CREATE TRIGGER grant_levels_insert AFTER INSERT ON records WHEN NEW.kind = 'grant'
BEGIN
    INSERT INTO grant_levels (account, n_read, n_write, n_admin)
    VALUES (json_extract(NEW.body, '$.account'),
            json_extract(NEW.body, '$.level') = 'read',
            json_extract(NEW.body, '$.level') = 'write',
            json_extract(NEW.body, '$.level') = 'admin')
    ON CONFLICT (account) DO UPDATE SET
        n_read = n_read + excluded.n_read, n_write = n_write + excluded.n_write, n_admin = n_admin + excluded.n_admin;
END;

CREATE TRIGGER grant_levels_delete AFTER DELETE ON records WHEN OLD.kind = 'grant'
BEGIN
    UPDATE grant_levels SET
        n_read = n_read - (json_extract(OLD.body, '$.level') = 'read'),
        n_write = n_write - (json_extract(OLD.body, '$.level') = 'write'),
        n_admin = n_admin - (json_extract(OLD.body, '$.level') = 'admin')
    WHERE account = json_extract(OLD.body, '$.account');
    DELETE FROM grant_levels
    WHERE account = json_extract(OLD.body, '$.account') AND n_read = 0 AND n_write = 0 AND n_admin = 0;
END;

-- An update is the old grant going and the new one coming (kind and key never change).
CREATE TRIGGER grant_levels_update AFTER UPDATE OF body ON records WHEN NEW.kind = 'grant'
BEGIN
    UPDATE grant_levels SET
        n_read = n_read - (json_extract(OLD.body, '$.level') = 'read'),
        n_write = n_write - (json_extract(OLD.body, '$.level') = 'write'),
        n_admin = n_admin - (json_extract(OLD.body, '$.level') = 'admin')
    WHERE account = json_extract(OLD.body, '$.account');
    INSERT INTO grant_levels (account, n_read, n_write, n_admin)
    VALUES (json_extract(NEW.body, '$.account'),
            json_extract(NEW.body, '$.level') = 'read',
            json_extract(NEW.body, '$.level') = 'write',
            json_extract(NEW.body, '$.level') = 'admin')
    ON CONFLICT (account) DO UPDATE SET
        n_read = n_read + excluded.n_read, n_write = n_write + excluded.n_write, n_admin = n_admin + excluded.n_admin;
    DELETE FROM grant_levels
    WHERE account = json_extract(OLD.body, '$.account') AND n_read = 0 AND n_write = 0 AND n_admin = 0;
END;
