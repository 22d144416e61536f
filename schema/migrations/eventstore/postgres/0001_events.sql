-- The event table: the system of record.
CREATE TABLE IF NOT EXISTS events (
    position        BIGINT  PRIMARY KEY,
    event_id        UUID    NOT NULL UNIQUE,
    stream_id       TEXT    NOT NULL,
    stream_version  BIGINT  NOT NULL,
    event_type      TEXT    NOT NULL,
    schema_version  INTEGER NOT NULL,
    recorded_at     BIGINT  NOT NULL,
    actor           TEXT    NOT NULL,
    causation_id    UUID,
    correlation_id  UUID    NOT NULL,
    payload         BYTEA   NOT NULL,
    UNIQUE (stream_id, stream_version)
);

-- The log's head: one row. An append increments it first thing in its transaction, which
-- row-locks it until commit, so positions are handed out one transaction at a time, in
-- commit order, and a rolled-back append gives its numbers back (no sequence, no gaps).
CREATE TABLE IF NOT EXISTS event_log_head (
    singleton  BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    position   BIGINT  NOT NULL
);
INSERT INTO event_log_head (singleton, position) VALUES (TRUE, 0) ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS log_checkpoints (
    name      TEXT   PRIMARY KEY,
    position  BIGINT NOT NULL
);
