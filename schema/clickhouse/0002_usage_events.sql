-- Usage as the events report it: one row per event and metric. Duplicates (a redelivered
-- batch) are harmless: the hourly rollup keeps each event once.
CREATE TABLE IF NOT EXISTS usage_events (
    organization_id String,
    project_id String,
    metric String,
    hour DateTime('UTC'),
    event_id String,
    quantity Int64
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(hour)
ORDER BY (organization_id, metric, event_id)
