-- handover schema v3 (PostgreSQL): how many grants each account holds at each level.
-- The same table as ../sqlite/0003_grant_levels.sql (see there for why), kept by one
-- PL/pgSQL trigger function in the same transaction as every write to `records`.

CREATE TABLE grant_levels (
    account TEXT   PRIMARY KEY,
    n_read  BIGINT NOT NULL,
    n_write BIGINT NOT NULL,
    n_admin BIGINT NOT NULL
);

INSERT INTO grant_levels (account, n_read, n_write, n_admin)
SELECT account, count(*) FILTER (WHERE level = 'read'), count(*) FILTER (WHERE level = 'write'),
       count(*) FILTER (WHERE level = 'admin')
FROM (SELECT body::jsonb ->> 'account' AS account, body::jsonb ->> 'level' AS level
      FROM records WHERE kind = 'grant') AS grants
GROUP BY account;

CREATE FUNCTION handover_grant_levels() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_account TEXT;
    old_level   TEXT;
    new_level   TEXT;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.kind = 'grant' THEN
        old_account := OLD.body::jsonb ->> 'account';
        old_level := OLD.body::jsonb ->> 'level';
        UPDATE grant_levels SET
            n_read = n_read - (old_level = 'read')::int,
            n_write = n_write - (old_level = 'write')::int,
            n_admin = n_admin - (old_level = 'admin')::int
        WHERE account = old_account;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.kind = 'grant' THEN
        new_level := NEW.body::jsonb ->> 'level';
        INSERT INTO grant_levels (account, n_read, n_write, n_admin)
        VALUES (NEW.body::jsonb ->> 'account', (new_level = 'read')::int, (new_level = 'write')::int,
                (new_level = 'admin')::int)
        ON CONFLICT (account) DO UPDATE SET
            n_read = grant_levels.n_read + excluded.n_read,
            n_write = grant_levels.n_write + excluded.n_write,
            n_admin = grant_levels.n_admin + excluded.n_admin;
    END IF;
    IF old_account IS NOT NULL THEN
        DELETE FROM grant_levels WHERE account = old_account AND n_read = 0 AND n_write = 0 AND n_admin = 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER grant_levels_change AFTER INSERT OR UPDATE OF body OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION handover_grant_levels();
