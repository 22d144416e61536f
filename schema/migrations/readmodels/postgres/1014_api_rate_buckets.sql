-- The API's rate limits as token buckets shared by every API process of the installation
-- (issue 15): one row per caller key (`address:<ip>` or a token's actor), its tokens as of
-- `updated_ms` (ms since the epoch) and whether the last request was let through. Rows
-- whose bucket is full again are deleted: they are indistinguishable from new callers.
-- Not a read model (no rebuild touches it).
CREATE TABLE IF NOT EXISTS api_rate_buckets (
    key         TEXT             PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    updated_ms  BIGINT           NOT NULL,
    allowed     INTEGER          NOT NULL
);
