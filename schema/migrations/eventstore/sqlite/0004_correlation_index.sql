-- Finds the events of one chain of cause and effect: an API process that takes over an
-- Idempotency-Key whose first request died with its process looks here for whether that
-- request wrote anything (graphql-api/src/idempotency.rs).
CREATE INDEX IF NOT EXISTS events_correlation ON events (correlation_id);
