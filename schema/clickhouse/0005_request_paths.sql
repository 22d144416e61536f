-- The busiest paths of each deployment's edge windows (read with FINAL, summed by path).
CREATE TABLE IF NOT EXISTS request_paths_by_window (
    deployment_id String,
    window_id String,
    window_start DateTime('UTC'),
    path String,
    requests Int64,
    bytes Int64
) ENGINE = ReplacingMergeTree()
PARTITION BY toYYYYMM(window_start)
ORDER BY (deployment_id, window_id, path)
