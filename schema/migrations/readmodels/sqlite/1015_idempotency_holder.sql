-- Which API process runs a claimed Idempotency-Key's request (its heartbeat is the
-- checkpoint `api-<holder>` in the event database), and the correlation id its events carry:
-- a retry that finds the holder gone takes over at once, and answers that the request took
-- effect if an event with that correlation id exists, instead of running it a second time.
ALTER TABLE api_idempotency ADD COLUMN holder TEXT NOT NULL DEFAULT '';
ALTER TABLE api_idempotency ADD COLUMN correlation TEXT NOT NULL DEFAULT '';
