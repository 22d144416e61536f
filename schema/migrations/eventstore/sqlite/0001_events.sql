-- The event table: the system of record. Positions are assigned by the single writer
-- inside its IMMEDIATE transaction, so they are gap-free and in commit order.
CREATE TABLE IF NOT EXISTS events (
    position        INTEGER PRIMARY KEY,
    event_id        TEXT    NOT NULL UNIQUE,
    stream_id       TEXT    NOT NULL,
    stream_version  INTEGER NOT NULL,
    event_type      TEXT    NOT NULL,
    schema_version  INTEGER NOT NULL,
    recorded_at     INTEGER NOT NULL,
    actor           TEXT    NOT NULL,
    causation_id    TEXT,
    correlation_id  TEXT    NOT NULL,
    payload         BLOB    NOT NULL,
    UNIQUE (stream_id, stream_version)
);

-- How far each consumer of the log (the Kafka relay, for one) has got.
CREATE TABLE IF NOT EXISTS log_checkpoints (
    name      TEXT    PRIMARY KEY,
    position  INTEGER NOT NULL
);
