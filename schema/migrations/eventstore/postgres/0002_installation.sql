-- This installation's id: one row, made when the event store is first migrated. It names the
-- installation's Kafka topics and consumer groups, so installations can share a broker.
CREATE TABLE IF NOT EXISTS installation (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    id         TEXT    NOT NULL
);
INSERT INTO installation (singleton, id)
VALUES (TRUE, substr(replace(gen_random_uuid()::text, '-', ''), 1, 12))
ON CONFLICT DO NOTHING;
