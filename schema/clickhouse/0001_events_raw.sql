-- Every event, for analysts: one row per log position (a redelivered event replaces its
-- own row). The payload is the event's JSON.
CREATE TABLE IF NOT EXISTS events_raw (
    position UInt64,
    event_id String,
    event_type String,
    stream_id String,
    stream_version UInt64,
    recorded_at DateTime('UTC'),
    actor String,
    payload String
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(recorded_at)
ORDER BY position
