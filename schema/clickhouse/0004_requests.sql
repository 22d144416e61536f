-- Request analytics per deployment, one row per edge window (a window reported again
-- replaces its own row; read with FINAL).
CREATE TABLE IF NOT EXISTS requests_by_window (
    organization_id String,
    project_id String,
    deployment_id String,
    window_id String,
    window_start DateTime('UTC'),
    status_2xx Int64,
    status_3xx Int64,
    status_4xx Int64,
    status_5xx Int64
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(window_start)
ORDER BY (deployment_id, window_id)
