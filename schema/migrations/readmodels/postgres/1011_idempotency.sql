-- Idempotency-Key answers, shared by every API process and kept across restarts: the first
-- request with a key runs, a later one with the same key gets its answer. Not a read model
-- (no rebuild touches it); rows older than a day are deleted.
CREATE TABLE IF NOT EXISTS api_idempotency (
    id           TEXT    PRIMARY KEY,  -- SHA-256 of the caller and the key
    fingerprint  TEXT    NOT NULL,     -- HMAC-SHA256 of the request body under the installation's key
    claimed_at   BIGINT  NOT NULL,     -- ms since the epoch; moved when a dead claim is taken over
    status       INTEGER,              -- the answer's HTTP status, once answered
    answer       TEXT                  -- the answer's body, sealed (it may hold a one-time secret)
);
CREATE INDEX IF NOT EXISTS api_idempotency_claimed ON api_idempotency (claimed_at);
