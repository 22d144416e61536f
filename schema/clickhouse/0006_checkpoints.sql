-- Where each ClickHouse projection resumes reading the event table (embedded feed).
CREATE TABLE IF NOT EXISTS projection_checkpoints (
    name String,
    position UInt64
) ENGINE = ReplacingMergeTree(position)
ORDER BY name
