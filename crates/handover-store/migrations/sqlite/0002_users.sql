-- handover schema v2 (SQLite): who may use the web UI and API.
-- Not inventory records: never exported, applied or part of the organisation's data.

CREATE TABLE users (
    email         TEXT PRIMARY KEY,
    role          TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'editor', 'admin')),
    -- argon2id PHC string; never the password.
    password_hash TEXT NOT NULL,
    person        TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Only SHA-256 of the cookie token is kept, so a copy of the database logs nobody in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    email      TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_email ON sessions (email);

-- API tokens `hot_<id>_<secret>`: the id is public, only SHA-256 of the secret is kept.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    email       TEXT NOT NULL REFERENCES users (email) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('viewer', 'reviewer', 'editor', 'admin')),
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT
);
