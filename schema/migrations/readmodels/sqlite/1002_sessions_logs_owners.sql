-- Signed-in sessions, looked up by the hash of the bearer secret.
CREATE TABLE IF NOT EXISTS rm_sessions (
    secret_sha256  TEXT PRIMARY KEY,
    session_id     TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    started_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);

-- Build output, in the chunks it was recorded in.
CREATE TABLE IF NOT EXISTS rm_build_logs (
    deployment_id  TEXT   NOT NULL,
    sequence       INTEGER NOT NULL,
    lines          TEXT   NOT NULL,
    PRIMARY KEY (deployment_id, sequence)
);

-- Which organization each stream belongs to: scopes the audit log and event subscriptions.
CREATE TABLE IF NOT EXISTS rm_stream_owners (
    stream_id        TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rm_stream_owners_org ON rm_stream_owners (organization_id);
