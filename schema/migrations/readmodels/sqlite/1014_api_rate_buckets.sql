-- The API's rate limits shared by API processes (see the PostgreSQL migration). On SQLite
-- one process serves the API, and its buckets stay in memory: this table stays empty and
-- exists so both backends have the same tables.
CREATE TABLE IF NOT EXISTS api_rate_buckets (
    key         TEXT    PRIMARY KEY,
    tokens      REAL    NOT NULL,
    updated_ms  BIGINT  NOT NULL,
    allowed     INTEGER NOT NULL
);
