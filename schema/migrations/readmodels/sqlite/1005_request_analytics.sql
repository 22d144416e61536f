-- Request analytics per deployment (the embedded default's answer; ClickHouse has the same
-- by window in the distributed mode).
CREATE TABLE rm_request_stats (
    deployment_id TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    status_2xx INTEGER NOT NULL,
    status_3xx INTEGER NOT NULL,
    status_4xx INTEGER NOT NULL,
    status_5xx INTEGER NOT NULL
);

CREATE TABLE rm_request_paths (
    deployment_id TEXT NOT NULL,
    path TEXT NOT NULL,
    requests INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (deployment_id, path)
);
