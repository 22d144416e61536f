-- This installation's id: one row, made when the event store is first migrated. It names the
-- installation's Kafka topics and consumer groups, so installations can share a broker.
CREATE TABLE IF NOT EXISTS installation (
    singleton  INTEGER PRIMARY KEY CHECK (singleton = 1),
    id         TEXT    NOT NULL
);
INSERT OR IGNORE INTO installation (singleton, id) VALUES (1, lower(hex(randomblob(6))));
